"""Pronunciation dictionaries: CRUD with ownership and limits, the matching rules, and their
effect on what Whisper hears in the audio (a dictionary chosen per request or by default)."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import soundfile as sf
from rest_framework.test import APIClient

from accounts.models import User
from speech.lexicon import Entry, apply
from speech.script import Run, compose
from speech.transcription import transcribe
from synthesis import dictionaries
from synthesis.models import Synthesis
from tests.synthesis.conftest import download

pytestmark = pytest.mark.django_db
BASE = "/api/v1/tts/dictionaries"
ENTRIES = [
    {"term": "URL", "alias": "earl"},
    {"term": "Bruce", "phonemes": "bˈætmæn"},
    {"term": "US", "alias": "United States", "case_sensitive": True},
]


def create(client: APIClient, **fields: Any) -> Any:
    return client.post(BASE, {"name": "Work", **fields}, format="json")


def heard(client: APIClient, text: str, **config: Any) -> str:
    answer = client.post("/api/v1/tts/synthesize", {"text": text, "config": config}, format="json")
    assert answer.status_code == 200, answer.json()
    audio, rate = sf.read(io.BytesIO(download(client, answer.json()["data"]["audio_url"])), dtype="float32")
    return " ".join(re.findall(r"[a-z]+", transcribe(audio, rate).lower()))


def test_an_entry_changes_what_whisper_hears(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    made = create(client, entries=ENTRIES)
    assert made.status_code == 201, made.json()
    dictionary_id = made.json()["data"]["dictionary_id"]
    text = "Ask Bruce for help. Open the URL now."
    # What the entries say is never heard without them (Whisper may mishear the written words
    # themselves now and then: "Bruce" as "use"), always with them.
    plain = heard(client, text)
    assert "batman" not in plain and "earl" not in plain, plain
    with_it = heard(client, text, dictionary_id=dictionary_id)
    assert "earl" in with_it and "batman" in with_it and "bruce" not in with_it, with_it

    # The default dictionary applies when none is named; "none" turns it off for one request.
    client.patch(f"{BASE}/{dictionary_id}", {"is_default": True}, format="json")
    assert "batman" in heard(client, "Ask Bruce for help.")
    assert "batman" not in heard(client, "Ask Bruce for help.", dictionary_id="none")
    latest = Synthesis.objects.order_by("-created_at", "-id")
    assert [s.dictionary_id for s in latest[:2]] == ["", dictionary_id]


def test_matching_rules() -> None:
    entries = [
        Entry("US", alias="United States", case_sensitive=True),
        Entry("new york", alias="the big apple"),
        Entry("new", alias="old"),
        Entry("SQL", alias="sequel"),
    ]
    spoken = compose(apply([Run("text", "Tell us: New   York in the US is new. MySQL or SQL?")], entries))
    assert spoken.pieces[0].text == "Tell us: the big apple in the United States is old."
    assert spoken.pieces[1].text == "MySQL or sequel?"
    assert spoken.written == "Tell us: New York in the US is new. MySQL or SQL?"


def test_crud_default_and_listing(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    first = create(client, name="First", is_default=True, entries=ENTRIES).json()["data"]
    assert first["is_default"] and len(first["entries"]) == 3
    assert first["entries"][2] == {"term": "US", "alias": "United States", "case_sensitive": True}
    second = create(client, name="Second", description="Names", is_default=True).json()["data"]
    assert client.get(f"{BASE}/{first['dictionary_id']}").json()["data"]["is_default"] is False
    page = client.get(BASE, {"page_size": 1}).json()["data"]
    assert (
        page["pagination"]["total_count"] == 2 and page["dictionaries"][0]["dictionary_id"] == second["dictionary_id"]
    )
    assert "entries" not in page["dictionaries"][0] and page["dictionaries"][0]["entry_count"] == 0

    changed = client.patch(
        f"{BASE}/{second['dictionary_id']}",
        {"entries": [{"term": " SQL  DB ", "alias": "sequel database"}]},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["data"]["entries"] == [
        {"term": "SQL DB", "alias": "sequel database", "case_sensitive": False}
    ]
    assert changed.json()["data"]["name"] == "Second"
    assert client.delete(f"{BASE}/{second['dictionary_id']}").status_code == 200
    assert client.get(f"{BASE}/{second['dictionary_id']}").status_code == 404


def test_another_users_dictionary_is_not_found(alice: tuple[User, APIClient], make_user: Any) -> None:
    _, client = alice
    dictionary_id = create(client, entries=ENTRIES).json()["data"]["dictionary_id"]
    _, mallory = make_user("mallory@example.com")
    for answer in (
        mallory.get(f"{BASE}/{dictionary_id}"),
        mallory.patch(f"{BASE}/{dictionary_id}", {"name": "Mine"}, format="json"),
        mallory.delete(f"{BASE}/{dictionary_id}"),
        mallory.post(
            "/api/v1/tts/synthesize", {"text": "Hi", "config": {"dictionary_id": dictionary_id}}, format="json"
        ),
    ):
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "DICTIONARY_NOT_FOUND", answer.json()
    assert mallory.get(BASE).json()["data"]["pagination"]["total_count"] == 0
    assert not Synthesis.objects.exists()


@pytest.mark.parametrize(
    ("entries", "where"),
    [
        ([{"term": "x" * 101, "alias": "a"}], "term"),
        ([{"term": "API", "alias": "a" * 201}], "alias"),
        ([{"term": "API"}], "alias"),
        ([{"term": "API", "alias": "a", "phonemes": "ˈeɪ"}], "alias"),
        ([{"term": "--", "alias": "dash"}], "term"),
        ([{"term": "API", "phonemes": "h€llo"}], "phonemes"),
        ([{"term": "API", "alias": "a"}, {"term": "api", "alias": "b"}], "term"),
        ([{"term": "API", "alias": "a", "spoken": "b"}], "spoken"),
        ([{"term": f"w{k}", "alias": "a"} for k in range(dictionaries.MAX_ENTRIES + 1)], "entries"),
    ],
)
def test_entries_are_validated(alice: tuple[User, APIClient], entries: list[dict[str, Any]], where: str) -> None:
    _, client = alice
    answer = create(client, entries=entries)
    assert answer.status_code == 400 and answer.json()["error"]["code"] == "VALIDATION_ERROR"
    assert where in str(answer.json()["error"]["details"]), answer.json()
    assert client.get(BASE).json()["data"]["pagination"]["total_count"] == 0


def test_case_rules_allow_one_term_in_two_cases(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    both = [{"term": "US", "alias": "United States", "case_sensitive": True}, {"term": "us", "alias": "you ess"}]
    assert create(client, entries=both).status_code == 201


def test_at_most_so_many_dictionaries(alice: tuple[User, APIClient], monkeypatch: pytest.MonkeyPatch) -> None:
    _, client = alice
    monkeypatch.setattr(dictionaries, "MAX_DICTIONARIES_PER_USER", 2)
    assert create(client).status_code == 201 and create(client).status_code == 201
    refused = create(client)
    assert refused.status_code == 400 and "At most 2" in refused.json()["error"]["message"]
