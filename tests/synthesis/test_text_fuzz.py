"""Property-based tests over the whole text path of a synthesis: plain text and SSML, with a
pronunciation dictionary, through the one validation every surface shares
(``synthesis_prepare``: SSML, dictionary, normalisation, pieces, the request budget), then the
word-time matching a stream with timestamps does before its first chunk.

For any input: no error but a 4xx ApplicationError, bounded time and bounded memory, and
what is accepted stays within the budget it was checked against. Hypothesis draws hostile
shapes on purpose: long tokens, digits and symbols the normaliser expands, markup near the
subset, placeholder-shaped words, phrases that overlap other phrases."""

from __future__ import annotations

import time
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.models import User
from configuration.config import system_config
from speech.alignment import WrittenWordClock
from speech.text import PIECE_MAX_CHARS, normalize
from synthesis.models import PronunciationDictionary
from synthesis.requests import SynthesisRequest, synthesis_prepare
from synthesis.serializers import DictionaryEntriesField
from voxify_project.errors import ApplicationError

pytestmark = pytest.mark.django_db

# Generous bounds (tracemalloc itself slows Python about twofold): linear work on these sizes
# takes milliseconds to two seconds here; the defects these guard against took tens of seconds
# and gigabytes.
MAX_SECONDS = 10.0
MAX_PYTHON_MB = 200

WORDS = ["a", "the", "Qxzazxq", "Qxzklmnoazxq", "US", "us", "SQL", "Dr.", "St.", "$5", "1+1", "10:30", "3rd", "é"]
PIECES = [*WORDS, " ", "  ", "\n", ".", ",", "!", "?", "-", "--", "->", "&", "<", ">", "'", '"', "%", "1", "9" * 15]
words = st.lists(st.sampled_from(PIECES), max_size=60).map("".join)
long_tokens = st.builds(
    lambda unit, n: unit * n, st.sampled_from(["1+", "a", "9", "a.", "ab ", "x-"]), st.integers(1, 600)
)
plain_text = st.one_of(words, long_tokens, st.text(max_size=300))

IPA = ["h", "ə", "l", "ˈ", "o", "ʊ", "b", "æ", "t", "m", "n", " ", "ɪ", "ð", "ʃ"]
ipa = st.lists(st.sampled_from(IPA), min_size=1, max_size=250).map("".join)


def element(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """One element of the SSML subset (or a near miss), around ``children``."""
    return st.one_of(
        st.builds(lambda t: f'<break time="{t}"/>', st.sampled_from(["200ms", "1s", "10s", "11s", "-1s", "x"])),
        st.builds(lambda c: f"<s>{c}</s>", children),
        st.builds(lambda c: f"<p>{c}</p>", children),
        st.builds(
            lambda r, c: f'<prosody rate="{r}">{c}</prosody>',
            st.sampled_from(["slow", "150%", "x-fast", "9"]),
            children,
        ),
        st.builds(
            lambda a, w: f'<say-as interpret-as="{a}">{w}</say-as>',
            st.sampled_from(["characters", "cardinal", "ordinal", "date", "time", "telephone", "nope"]),
            words,
        ),
        st.builds(lambda a, w: f'<sub alias="{a}">{w}</sub>', words, words),
        st.builds(lambda p, w: f'<phoneme alphabet="ipa" ph="{p}">{w}</phoneme>', ipa, words),
        st.builds(lambda c: f"<unknown>{c}</unknown>", children),
        words,
    )


markup = st.recursive(words, lambda inner: st.lists(element(inner), max_size=6).map("".join), max_leaves=25)
ssml = st.one_of(markup.map(lambda body: f"<speak>{body}</speak>"), markup)

entry = st.fixed_dictionaries(
    {"term": st.one_of(st.sampled_from(WORDS), words.filter(lambda t: any(c.isalnum() for c in t)).map(str.strip))},
    optional={"case_sensitive": st.booleans()},
).flatmap(
    lambda e: st.one_of(
        st.builds(lambda a: {**e, "alias": a}, st.one_of(words, long_tokens).map(lambda a: a[:200] or "x")),
        st.builds(lambda p: {**e, "phonemes": p[:200].strip() or "ə"}, ipa),
    )
)
entries = st.lists(entry, max_size=12)


@pytest.fixture
def person(db: None) -> Iterator[User]:
    yield User.objects.create_user("fuzz@example.com", "Fuzzy-Horse-Battery-9")


def dictionary(user: User, raw: list[dict[str, Any]]) -> str:
    """The user's default dictionary with the valid entries of ``raw`` (those the API would take)."""
    field = DictionaryEntriesField()
    kept: list[dict[str, Any]] = []
    for candidate in raw:
        try:
            kept = field.to_internal_value([*kept, candidate])
        except Exception:  # noqa: S112 (an entry the API refuses with a 400 is not in this dictionary)
            continue
    PronunciationDictionary.objects.filter(owner=user).delete()
    made = PronunciationDictionary.objects.create(owner=user, name="fuzz", is_default=True, entries=kept)
    return made.public_id


def spoken(text: str, **fields: Any) -> SynthesisRequest:
    """A request for the built-in voice with word timestamps (the stream's costliest path)."""
    return SynthesisRequest(
        text=text,
        voice_id="piper-en_US-joe-medium",
        output_format="wav",
        sample_rate=22050,
        timestamps="word",
        **fields,
    )


def prepare_bounded(user: User, request: SynthesisRequest, mode: str) -> None:
    """synthesis_prepare within time and Python memory (tracemalloc), then the stream's
    word-time matching within time."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        prepared = synthesis_prepare(user=user, request=request, mode=mode)
    except ApplicationError as exc:
        assert 400 <= exc.status < 500, (exc.code, exc.message)
        prepared = None
    elapsed = time.monotonic() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert elapsed < MAX_SECONDS, f"{elapsed:.1f} s for {request.text[:80]!r}"
    assert peak < MAX_PYTHON_MB * 1024 * 1024, f"{peak / 2**20:.0f} MB for {request.text[:80]!r}"
    if prepared is None:
        return
    config = system_config()
    limit = {"sync": config.max_synthesis_length, "stream": config.max_stream_synthesis_length}[mode]
    assert prepared.budget.spoken_characters <= limit * config.max_spoken_text_ratio
    assert prepared.budget.pieces <= limit * config.max_pieces_ratio
    assert all(len(piece.text) <= PIECE_MAX_CHARS for piece in prepared.pieces)
    started = time.monotonic()
    WrittenWordClock(prepared.text, [piece.text for piece in prepared.pieces], normalize)
    elapsed = time.monotonic() - started
    assert elapsed < MAX_SECONDS, f"{elapsed:.1f} s matching the words of {request.text[:80]!r}"


FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@FUZZ
@given(text=plain_text, raw_entries=entries, normalized=st.booleans(), mode=st.sampled_from(["sync", "stream"]))
def test_any_plain_text_with_any_dictionary_is_bounded_and_never_a_server_error(
    person: User, text: str, raw_entries: list[dict[str, Any]], normalized: bool, mode: str
) -> None:
    dictionary(person, raw_entries)
    prepare_bounded(person, spoken(text, input_type="text", normalize=normalized), mode)


@FUZZ
@given(markup_text=ssml, raw_entries=entries, mode=st.sampled_from(["sync", "stream"]))
def test_any_ssml_with_any_dictionary_is_bounded_and_never_a_server_error(
    person: User, markup_text: str, raw_entries: list[dict[str, Any]], mode: str
) -> None:
    dictionary(person, raw_entries)
    prepare_bounded(person, spoken(markup_text), mode)


LONG_UNITS = ["a ", "1+", "$9,999.99 ", "<break time='10s'/>a ", "Dr. ", "!", "9", ",000", "1st", "x "]


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(unit=st.sampled_from(LONG_UNITS))
def test_the_longest_texts_a_stream_takes_stay_bounded(person: User, unit: str) -> None:
    """The stream's whole 5000 characters of the most expanding units (and of those that once
    made a regular expression backtrack or a number too long for Python), with a dictionary
    that multiplies every "a" into numbers."""
    dictionary(person, [{"term": "a", "alias": " ".join(["123456789012345"] * 12)}])
    text = (unit * (5000 // len(unit)))[:5000]
    markup = f"<speak>{text}</speak>" if "<" in unit else text
    prepare_bounded(person, spoken(markup[:5000]), "stream")
