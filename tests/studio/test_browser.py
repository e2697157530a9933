"""Voxify Studio in a real browser: Debian's Chromium, headless, driven by Playwright against a
live stack (web, worker, beat, gRPC), in both run modes.

The microphone is Chromium's fake capture device fed from a real speech recording, so the
page records through MediaRecorder exactly as it does for a person. Screenshots of every page
are written to var/screenshots/ (the README shows the committed copies in docs/images/).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.support.api import STRONG_PASSWORD
from tests.support.browser import require_chromium
from tests.support.processes import ServiceStack, started_stack
from tests.support.speech_data import recording

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
READ_ALOUD = recording("LJ001-0006.wav")  # 5.7 s of one speaker: what the fake microphone says
SENTENCES = (
    "The museum will be closed on Monday for maintenance. "
    "Please call me back when you have a moment this afternoon. "
    "Thank you for your patience while we look into this problem."
)
pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, django_db_setup: None, django_db_blocker: Any
) -> Iterator[ServiceStack]:
    with started_stack(tmp_path_factory, django_db_blocker, "studio") as services:
        yield services


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    # Playwright's synchronous API keeps an asyncio loop running on this thread; Django's guard
    # then refuses the test database's own setup and flush. Lifted for this module only: the
    # code under test runs in the stack's processes, where the guard stays on.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield from _launched()
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _launched() -> Iterator[Browser]:
    executable = require_chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable,
            args=[
                "--use-fake-ui-for-media-stream",
                "--use-fake-device-for-media-stream",
                f"--use-file-for-fake-audio-capture={READ_ALOUD.path}",
                "--autoplay-policy=no-user-gesture-required",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Browser, stack: ServiceStack) -> Iterator[Page]:
    context = browser.new_context(base_url=stack.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())  # the pages' delete confirmations
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    # The pages' Content-Security-Policy must never have to refuse anything they do.
    page.on(
        "console",
        lambda message: problems.append(message.text) if "Content Security Policy" in message.text else None,
    )
    yield page
    context.close()
    assert not problems, f"script errors or refusals on the page: {problems}"


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"studio-{name}.png"), full_page=True)


def sign_up(page: Page, email: str) -> None:
    page.goto("/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/voices$"))


def controls_are_labelled(page: Page) -> list[str]:
    """Every visible control has an accessible name: a label, aria-label or its own text."""
    unlabelled: list[str] = page.evaluate(
        """() => [...document.querySelectorAll(
                'input:not([type=hidden]), select, textarea, button, meter, progress')]
            .filter((c) => c.offsetParent !== null)
            .filter((c) => !((c.labels && c.labels.length) || c.getAttribute('aria-label')
                             || (c.tagName === 'BUTTON' && c.textContent.trim())))
            .map((c) => c.outerHTML.slice(0, 80))"""
    )
    return unlabelled


def fits_phone_width(page: Page, screenshot: str | None = None) -> bool:
    page.set_viewport_size({"width": 390, "height": 844})
    fits = bool(page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"))
    if screenshot:
        shot(page, screenshot)
    page.set_viewport_size({"width": 1280, "height": 900})
    return fits


def stored_rows(stack: ServiceStack, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return stack.query(sql, *params)


def test_sign_up_record_train_speak_history_and_keys(page: Page, stack: ServiceStack) -> None:
    email = f"studio-{uuid.uuid4().hex[:10]}@example.com"

    # Sign up: the account service's own password rules, shown beside the password field.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/signin$"))
    shot(page, "signin")
    page.goto("/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("#id_password-error")).to_contain_text("too short")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")
    shot(page, "signup-error")
    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/voices$"))

    # Record a sample: the fake microphone reads a real recording into MediaRecorder.
    page.evaluate(
        """() => { window.levelPeak = 0; const meter = document.querySelector('#record-level');
            new MutationObserver(() => (window.levelPeak = Math.max(window.levelPeak, meter.value)))
              .observe(meter, { attributes: true }); }"""
    )
    page.get_by_role("button", name="Start recording").click()
    expect(page.locator("#record-timer")).to_have_text("0:06", timeout=15_000)
    level = page.evaluate("() => window.levelPeak")
    page.get_by_role("button", name="Stop").click()
    page.locator("#record-name").fill("Read aloud")
    page.get_by_role("button", name="Save recording").click()
    card = page.locator("#samples .sample").filter(has_text="Read aloud")
    expect(card).to_be_visible(timeout=90_000)
    expect(card.locator(".quality")).to_have_text(re.compile(r"^\d+\.\d / 10 \(\w+\)$"))
    expect(card.locator(".transcript q")).not_to_have_text("(nothing recognised)")
    sample_id = card.get_attribute("data-sample-id")
    assert sample_id and sample_id.startswith("vs_")
    ((content_type, duration),) = stored_rows(
        stack,
        "SELECT f.content_type, s.duration FROM voices_voicesample s "
        "JOIN files_storedfile f ON f.id = s.source_file_id WHERE s.public_id = %s",
        sample_id,
    )
    assert content_type == "audio/webm"  # Chromium records WebM/Opus; the pipeline decodes it
    assert 4.0 <= duration <= 12.0
    assert level > 0.01, "the level meter never moved"
    assert not controls_are_labelled(page)
    assert fits_phone_width(page)
    shot(page, "voices")

    # Bad files: the API's refusal beside the file field; nothing is added.
    not_audio = stack.var_dir / "notes.wav"
    not_audio.write_text("These are meeting notes, not a recording. " * 50)
    page.locator("#upload-name").fill("Notes")
    page.locator("#upload-file").set_input_files(str(not_audio))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-file-error")).to_contain_text("not audio in a supported format")
    expect(page.locator("#upload-file")).to_have_attribute("aria-invalid", "true")
    oversized = stack.var_dir / "long.wav"
    with oversized.open("wb") as fh:
        fh.truncate(51 * 1024 * 1024)  # over the default 50 MB limit
    page.locator("#upload-file").set_input_files(str(oversized))
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#upload-file-error")).to_contain_text("the limit is 50 MB")
    shot(page, "voices-upload-errors")
    assert len(stored_rows(stack, "SELECT id FROM voices_voicesample")) >= 1
    assert stored_rows(stack, "SELECT count(*) FROM voices_voicesample WHERE name = %s", "Notes") == [(0,)]

    # Sign out; a wrong password is refused beside the field; sign in with the keyboard only.
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/signin$"))
    page.goto(f"/voices/{sample_id}")
    expect(page).to_have_url(re.compile(r"/signin\?next="))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("Not-the-password-42")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#id_password-error")).to_have_text("Invalid email or password.")
    page.get_by_label("Password").focus()
    page.keyboard.type(STRONG_PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/voices/{sample_id}$"))

    # The speaker's consent: a phrase to read, recorded and judged. The fake microphone reads its
    # recording, not the phrase, so the check refuses it and says why; the attempt is kept.
    expect(page.locator("#consent-status")).to_contain_text("Not given yet")
    page.get_by_role("button", name="Get a phrase to read").click()
    expect(page.locator("#consent-phrase")).to_have_text(re.compile(r"^“(\w+ ){5}\w+”$"))
    page.get_by_role("button", name="Start recording").click()
    expect(page.locator("#consent-timer")).to_have_text("0:03", timeout=15_000)
    page.get_by_role("button", name="Stop").click()
    page.get_by_role("button", name="Send the reading").click()
    expect(page.locator("#consent-outcome")).to_have_text(re.compile("^Not accepted"), timeout=60_000)
    expect(page.locator("#consent-reasons .reason").first).to_contain_text("The phrase was not heard")
    assert not controls_are_labelled(page)
    shot(page, "voice-consent")
    ((outcome,),) = stored_rows(
        stack,
        "SELECT c.outcome FROM voices_consentcheck c JOIN voices_voicesample s ON s.id = c.voice_sample_id "
        "WHERE s.public_id = %s",
        sample_id,
    )
    assert outcome == "refused"

    # Train it (the suite runs with the consent check switched off): the progress bar follows
    # the job's WebSocket to done.
    page.evaluate(
        """() => { window.progressSeen = [];
            new MutationObserver(() => window.progressSeen.push(document.querySelector('#train-progress').value))
              .observe(document.querySelector('#train-progress'), { attributes: true }); }"""
    )
    page.get_by_role("button", name="Train voice").click()
    expect(page.locator("#train-step")).to_have_text("Done: the voice is ready.", timeout=300_000)
    seen = page.evaluate("() => window.progressSeen")
    assert seen[-1] == 100 and len({v for v in seen if 0 < v < 100}) >= 3, seen
    assert seen == sorted(seen), seen
    expect(page.locator("#train-result .similarity")).to_contain_text("Likeness:")
    expect(page.locator("#train-result .naturalness")).to_contain_text(re.compile(r"Sound: .+ of 5\)"))
    assert not controls_are_labelled(page)
    shot(page, "voice-trained")

    # Speak in the new voice: audio plays while the rest is made, then the whole file is in the player.
    page.get_by_role("link", name="Speak with this voice").click()
    expect(page.locator("#speak-voice")).to_have_value(sample_id)
    page.get_by_label("Text").fill(SENTENCES)
    page.evaluate(
        """() => { window.statusSeen = []; const status = document.querySelector('#speak-status');
            new MutationObserver(() => window.statusSeen.push(status.textContent))
              .observe(status, { childList: true, characterData: true, subtree: true }); }"""
    )
    page.get_by_role("button", name="Speak").click()
    expect(page.locator("#speak-result")).to_be_visible(timeout=120_000)
    statuses = page.evaluate("() => window.statusSeen")
    assert "Playing part 1…" in statuses and statuses.index("Playing part 1…") < statuses.index("Done."), statuses
    heard = page.evaluate(
        """async () => {
            const audio = document.querySelector('#speak-audio');
            if (audio.readyState < 1) {
                await new Promise((ok) => audio.addEventListener('loadedmetadata', ok, { once: true }));
            }
            const bytes = await (await fetch(audio.currentSrc)).arrayBuffer();
            const decoded = await new OfflineAudioContext(1, 1, 48000).decodeAudioData(bytes);
            return { element: audio.duration, decoded: decoded.duration, reported: Number(audio.dataset.duration),
                     synthesis: audio.dataset.synthesisId, src: audio.currentSrc };
        }"""
    )
    ((stored_duration,),) = stored_rows(
        stack, "SELECT duration FROM synthesis_synthesis WHERE public_id = %s", heard["synthesis"]
    )
    words = len(SENTENCES.split())
    assert 2.0 <= words / heard["decoded"] <= 5.0, heard  # a speaking rate, not a click or silence
    assert abs(heard["decoded"] - stored_duration) < 0.1, (heard, stored_duration)
    assert abs(heard["element"] - stored_duration) < 0.1, (heard, stored_duration)
    assert "token=" in heard["src"]  # a signed link: <audio> sends no Authorization header
    assert httpx.get(heard["src"].replace("token=", "token=x")).status_code == 403
    assert not controls_are_labelled(page)
    assert fits_phone_width(page, "speak-phone")
    shot(page, "speak")

    # History: the synthesis with play and download, today's use; delete it.
    page.get_by_role("link", name="History").click()
    item = page.locator(f'#history [data-synthesis-id="{heard["synthesis"]}"]')
    expect(item).to_be_visible()
    expect(item.get_by_role("link", name="Download")).to_have_attribute("href", re.compile(r"token="))
    expect(page.locator("#usage")).to_contain_text("Syntheses today")
    expect(page.locator("#usage")).to_contain_text("1 of")
    assert not controls_are_labelled(page)
    assert fits_phone_width(page)
    shot(page, "history")
    item.get_by_role("button", name=re.compile("^Delete")).click()
    expect(item).to_have_count(0)
    assert stored_rows(stack, "SELECT id FROM synthesis_synthesis WHERE public_id = %s", heard["synthesis"]) == []

    # API keys: shown once, listed by prefix, revoked.
    page.get_by_role("link", name="API keys").click()
    page.get_by_label("What is the key for?").fill("my script")
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("#key-password-error")).to_contain_text("not correct")
    page.get_by_label("Your password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Create key").click()
    expect(page.locator("#key-value")).to_have_value(re.compile(r"^vx_"))
    key = page.locator("#key-value").input_value()
    assert key.startswith("vx_")
    assert httpx.get(f"{stack.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200
    expect(page.locator("#keys .key")).to_contain_text(key[:10])
    assert not controls_are_labelled(page)
    shot(page, "keys")
    page.reload()
    expect(page.locator("#key-created")).to_be_hidden()
    expect(page.locator("#keys")).not_to_contain_text(key)
    page.get_by_role("button", name="Revoke my script").click()
    expect(page.locator("#keys .key")).to_contain_text("revoked")
    assert httpx.get(f"{stack.url}/api/v1/auth/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401

    # Delete the sample, after confirming.
    page.get_by_role("link", name="My voices").click()
    page.get_by_role("button", name="Delete Read aloud").click()
    expect(page.locator("#samples-empty")).to_be_visible()
    assert stored_rows(stack, "SELECT id FROM voices_voicesample WHERE public_id = %s", sample_id) == []


def test_a_signed_out_session_stops_the_page_and_staff_see_the_admin(page: Page, stack: ServiceStack) -> None:
    email = f"studio-{uuid.uuid4().hex[:10]}@example.com"
    sign_up(page, email)
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    # A password change through the API ends every session, the page's too: it goes to sign-in.
    login = httpx.post(f"{stack.url}/api/v1/auth/login", json={"email": email, "password": STRONG_PASSWORD})
    access = login.json()["data"]["access_token"]
    changed = httpx.post(
        f"{stack.url}/api/v1/auth/password",
        headers={"Authorization": f"Bearer {access}"},
        json={"current_password": STRONG_PASSWORD, "new_password": STRONG_PASSWORD + "-2"},
    )
    assert changed.status_code == 200, changed.text
    page.goto("/history")
    expect(page).to_have_url(re.compile(r"/signin\?next=%2Fhistory$"))

    staff = f"staff-{uuid.uuid4().hex[:8]}@example.com"
    stack.create_staff(staff)
    page.get_by_label("Email").fill(staff)
    page.get_by_label("Password").fill(STRONG_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/history$"))
    page.get_by_role("link", name="Admin").click()
    expect(page).to_have_title(re.compile("Voxify administration"))
