"""Sound classes: corrections learned per kind of sound, looked up by the base voice's frames.

A frame's *key* describes its sound (spectral shape coefficients of the frame and of its
neighbours). Aligned frames of a base-voice reading and of the speaker's sample give a
correction per frame; k-means groups the keys into classes per voicing and each class keeps
the mean correction of its frames (``fit_classes``). Converting speech looks up each frame's
nearest classes by its key and blends their corrections (``class_corrections``). Classes are
stored as rows of [voiced, key, correction], float16 in base64 (``encode_rows``).
"""

from __future__ import annotations

import base64
import functools

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]


def encode_rows(rows: Floats) -> str:
    """Rows of floats for an artefact's JSON: base64 of float16."""
    return base64.b64encode(rows.astype(np.float16).tobytes()).decode("ascii")


@functools.lru_cache(maxsize=16)
def decode_rows(encoded: str, width: int) -> npt.NDArray[np.float32]:
    flat = np.frombuffer(base64.b64decode(encoded), dtype=np.float16).astype(np.float32)
    rows: npt.NDArray[np.float32] = flat.reshape(-1, width)
    return rows


def squared_distances(query: Floats, keys: Floats) -> Floats:
    """Squared Euclidean distances, [query row, key row]."""
    distance: Floats = np.maximum(
        np.sum(query**2, axis=1)[:, None] + np.sum(keys**2, axis=1)[None, :] - 2 * query @ keys.T, 0.0
    )
    return distance


def context_keys(coefficients: Floats, columns: slice, context: tuple[int, ...]) -> Floats:
    """Each frame's sound: ``columns`` of the frame and of its neighbours at ``context`` offsets."""
    count = len(coefficients)
    parts = [coefficients[np.clip(np.arange(count) + offset, 0, count - 1), columns] for offset in context]
    return np.hstack(parts)


def fit_classes(
    keys: Floats, corrections: Floats, voiced: npt.NDArray[np.bool_], *, count: int, min_frames: int
) -> Floats:
    """Sound classes per voicing: rows of [voiced, centroid key, mean correction]."""
    from sklearn.cluster import KMeans

    rows = []
    for flag in (True, False):
        pool = np.flatnonzero(voiced == flag)
        classes = min(count, len(pool) // min_frames)
        if classes < 2:
            continue
        labels = KMeans(n_clusters=classes, n_init=2, random_state=0).fit(keys[pool]).labels_
        for label in range(classes):
            members = pool[labels == label]
            if len(members):
                rows.append(np.hstack([[float(flag)], keys[members].mean(axis=0), corrections[members].mean(axis=0)]))
    return np.array(rows).reshape(len(rows), -1)


def class_corrections(
    keys: Floats, voiced: npt.NDArray[np.bool_], rows: Floats, *, neighbours: int, smoothing: int
) -> Floats:
    """Per frame, the corrections of its ``neighbours`` nearest classes (same voicing, by key,
    weighted by inverse distance), averaged over ``smoothing`` frames."""
    from scipy.ndimage import uniform_filter1d

    width = keys.shape[1]
    correction = np.zeros((len(keys), rows.shape[1] - 1 - width))
    for flag in (True, False):
        source = np.flatnonzero(voiced == flag)
        pool = rows[(rows[:, 0] > 0.5) == flag]
        if len(source) == 0 or len(pool) < 2:
            continue
        centroids, shifts = pool[:, 1 : 1 + width], pool[:, 1 + width :]
        distance = squared_distances(keys[source], centroids)
        nearest = np.argsort(distance, axis=1)[:, :neighbours]
        spread = np.take_along_axis(distance, nearest, axis=1)
        weight = 1.0 / (spread + 1e-3 * max(float(np.median(spread)), 1e-9))
        weight /= weight.sum(axis=1, keepdims=True)
        correction[source] = np.einsum("fk,fkc->fc", weight, shifts[nearest])
    smoothed: Floats = uniform_filter1d(correction, size=smoothing, axis=0)
    return smoothed


def aligned_corrections(
    reading: Floats, speaker: Floats, match: slice, *, partial: bool, extra: tuple[Floats, Floats] | None = None
) -> tuple[npt.NDArray[np.intp], Floats]:
    """Align a reading's frames with the speaker's (DTW on the ``match`` columns, plus optional
    extra features; subsequence DTW when the reading covers only part of the speaker's words)
    and return, per aligned reading row, the speaker's mean aligned frame minus the reading's
    frame, with the energy column (0) relative to its mean: the balance of loudness between
    sounds, not the overall level."""
    import librosa

    x, y = reading[:, match], speaker[:, match]
    if extra is not None:
        x, y = np.hstack([x, extra[0]]), np.hstack([y, extra[1]])
    _, path = librosa.sequence.dtw(X=x.T, Y=y.T, metric="euclidean", subseq=partial and len(x) <= len(y))
    matched: dict[int, list[int]] = {}
    for i, j in path[::-1]:
        matched.setdefault(int(i), []).append(int(j))
    rows = np.array(sorted(matched), dtype=np.intp)
    corrections = np.array([speaker[matched[i]].mean(axis=0) for i in rows]) - reading[rows]
    corrections[:, 0] -= corrections[:, 0].mean()
    return rows, corrections
