"""Voice vectors in Chroma: one collection, cosine space, embeddings always supplied by us.

Embedded mode uses a ``PersistentClient`` in ``var/chroma``; with ``CHROMA_URL`` set, a
Chroma server. Telemetry is off and no embedding function is configured, so Chroma never
tries to download a model.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse

import numpy as np
import numpy.typing as npt
from django.conf import settings

COLLECTION = "voice_samples"
_lock = threading.Lock()
_collections: dict[str, Any] = {}


def _client() -> Any:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.CHROMA_URL:
        url = urlparse(settings.CHROMA_URL)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    path = settings.VAR_DIR / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def collection() -> Any:
    """The voice collection of the configured Chroma (cached per process and location)."""
    location = settings.CHROMA_URL or str(settings.VAR_DIR / "chroma")
    with _lock:
        if location not in _collections:
            _collections[location] = _client().get_or_create_collection(
                COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        return _collections[location]


@dataclass(frozen=True)
class Neighbour:
    sample_id: str
    score: float  # cosine similarity, 1 = same direction


def vector_upsert(*, sample_id: str, owner_id: str, embedding: npt.NDArray[np.float32]) -> None:
    collection().upsert(ids=[sample_id], embeddings=[embedding.tolist()], metadatas=[{"owner": owner_id}])


def vector_delete(*, sample_id: str) -> None:
    collection().delete(ids=[sample_id])


def vector_nearest(
    *, owner_id: str, embedding: npt.NDArray[np.float32], limit: int, exclude: str | None = None
) -> list[Neighbour]:
    """The owner's samples nearest to ``embedding`` by cosine similarity, most similar first.

    Exact search over the owner's vectors rather than Chroma's filtered HNSW query: a user has
    at most a few dozen samples, and the filtered ANN query was seen to return incomplete
    neighbour lists (1 of 5 candidates after an unrelated delete). See docs/adr/0004.
    """
    stored = collection().get(where={"owner": owner_id}, include=["embeddings"])
    ids = [sid for sid in stored["ids"] if sid != exclude]
    if not ids:
        return []
    vectors = np.asarray(
        [e for sid, e in zip(stored["ids"], stored["embeddings"], strict=True) if sid != exclude], dtype=np.float32
    )
    query = embedding / (np.linalg.norm(embedding) + 1e-12)
    scores = vectors @ query / (np.linalg.norm(vectors, axis=1) + 1e-12)
    order = np.argsort(-scores)[:limit]
    return [Neighbour(ids[i], round(float(scores[i]), 4)) for i in order]


def vector_count(*, owner_id: str) -> int:
    return len(collection().get(where={"owner": owner_id}, include=[])["ids"])
