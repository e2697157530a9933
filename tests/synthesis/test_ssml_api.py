"""SSML through the API: sync and async syntheses read the markup (a ``<speak>`` root or
``input_type: ssml``), time the written words, and refuse bad markup with INVALID_SSML before
anything is written or counted."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts.models import User
from jobs.runner import run_job
from speech.alignment import input_words
from synthesis.models import Synthesis
from synthesis.work import synthesis_job_work

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_heartbeat_thread_writes")]
MARKUP = (
    '<speak><p>Call <say-as interpret-as="characters">IBM</say-as> at '
    '<say-as interpret-as="telephone">555-0100</say-as>.</p>'
    '<break time="900ms"/><s>Ask for <sub alias="Doctor">Dr.</sub> Smith.</s></speak>'
)
WRITTEN = "Call IBM at 555-0100. Ask for Dr. Smith."


def post(client: APIClient, path: str, text: str, **config: Any) -> Any:
    return client.post(path, {"text": text, "config": config}, format="json")


def test_ssml_is_spoken_and_its_written_words_timed(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    answer = post(client, "/api/v1/tts/synthesize", MARKUP, timestamps="word")
    assert answer.status_code == 200, answer.json()
    data = answer.json()["data"]
    words = data["timestamps"]
    assert [w["word"] for w in words] == input_words(WRITTEN)
    assert all(0 <= w["start"] < w["end"] <= data["duration"] for w in words)
    # The break (longer than a paragraph's pause) lies between the paragraph and the sentence.
    assert words[4]["start"] - words[3]["end"] >= 0.9 - 0.03
    record = client.get(f"/api/v1/tts/syntheses/{data['synthesis_id']}").json()["data"]
    assert (record["text"], record["input_type"], record["normalize"]) == (WRITTEN, "ssml", True)


def test_input_type_text_reads_markup_as_written_and_ssml_wraps_plain_text(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    literal = post(client, "/api/v1/tts/synthesize", "<speak>Hi</speak>", input_type="text")
    assert literal.status_code == 200
    record = client.get(f"/api/v1/tts/syntheses/{literal.json()['data']['synthesis_id']}").json()["data"]
    assert (record["text"], record["input_type"]) == ("<speak>Hi</speak>", "text")
    no_root = post(client, "/api/v1/tts/synthesize", "Hello there", input_type="ssml")
    assert no_root.status_code == 400 and no_root.json()["error"]["code"] == "INVALID_SSML"


def test_an_async_synthesis_speaks_the_pieces_it_accepted(alice: tuple[User, APIClient]) -> None:
    _, client = alice
    accepted = post(client, "/api/v1/tts/synthesize/async", MARKUP, timestamps="word").json()["data"]
    row = Synthesis.objects.get(public_id=accepted["synthesis_id"])
    assert row.script is not None and row.script["pieces"][0]["pause"] == 0.9  # the break
    run_job(accepted["job_id"], 1, synthesis_job_work)
    record = client.get(f"/api/v1/tts/syntheses/{accepted['synthesis_id']}").json()["data"]
    assert record["status"] == "completed"
    assert [w["word"] for w in record["timestamps"]] == input_words(WRITTEN)


@pytest.mark.parametrize(
    ("markup", "details"),
    [
        (
            "<speak>Hello <emphasis>you</emphasis></speak>",
            {"line": 1, "column": 14, "position": 13, "element": "emphasis"},
        ),
        ("<speak>Hello <s>you</speak>", {"line": 1, "element": "s"}),
        ('<speak>Wait <break time="1 minute"/></speak>', {"line": 1, "column": 13, "element": "break"}),
    ],
)
def test_bad_markup_is_refused_before_anything_is_written(
    alice: tuple[User, APIClient], markup: str, details: dict[str, Any]
) -> None:
    user, client = alice
    for path in ("/api/v1/tts/synthesize", "/api/v1/tts/synthesize/async"):
        answer = post(client, path, markup)
        assert answer.status_code == 400
        error = answer.json()["error"]
        assert error["code"] == "INVALID_SSML"
        assert details.items() <= error["details"].items(), error
        assert f"line {details['line']}" in error["message"] and details["element"] in error["message"]
    assert not Synthesis.objects.filter(owner=user).exists()
    config_error = post(client, "/api/v1/tts/synthesize", "Hi", input_type="xml")
    assert config_error.status_code == 400 and "input_type" in config_error.json()["error"]["details"]["config"]
