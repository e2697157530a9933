"""A headless-Chromium screenshot of the stats dashboard, so the page can be looked at.

``make test`` installs Debian's ``chromium`` and runs it (``make screenshot`` also writes
var/screenshots/admin-stats.png); without chromium it is skipped, or fails when ``CI`` is
set. Chromium is driven over the DevTools protocol: the staff session cookie is set, the page
loaded, the picture taken.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import struct
import subprocess
import time
import urllib.request
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from websockets.sync.client import ClientConnection, connect

from accounts.models import DailyUsage, User
from tests.support.api import STRONG_PASSWORD
from tests.support.browser import CHROMIUM, require_chromium

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _chromium_is_there() -> None:
    require_chromium()


WIDTH, HEIGHT = 1280, 1000
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-port=0",
]


class DevTools:
    """The smallest DevTools-protocol client: commands in order, events read as they come."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.ids = itertools.count(1)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        call_id = next(self.ids)
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv(timeout=60))
            if message.get("id") == call_id:
                assert "error" not in message, message
                result: dict[str, Any] = message["result"]
                return result

    def wait_event(self, method: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if json.loads(self.ws.recv(timeout=timeout)).get("method") == method:
                return
        raise AssertionError(f"no {method} within {timeout} s")


def _seed_month_of_activity() -> User:
    staff = User.objects.create_user("ops@example.com", STRONG_PASSWORD, is_staff=True, is_superuser=True)
    today = timezone.now().date()
    for i in range(8):
        user = User.objects.create_user(f"user{i}@example.com", STRONG_PASSWORD)
        for day in range(30):
            count = (day * (i + 3) + 7 * i) % 11
            if count:
                DailyUsage.objects.create(user=user, day=today - timedelta(days=day), kind="syntheses", count=count)
    return staff


def _page_target(port: int) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=5) as response:
                pages = [t for t in json.load(response) if t.get("type") == "page"]
            if pages:
                return str(pages[0]["webSocketDebuggerUrl"])
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError("Chromium's DevTools endpoint never answered")


def test_stats_dashboard_screenshot(live_server: Any, tmp_path: Path) -> None:
    staff = _seed_month_of_activity()
    browser = Client()
    browser.force_login(staff)
    session = browser.cookies["sessionid"].value
    out_dir = Path(os.environ.get("SCREENSHOT_DIR") or tmp_path)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "admin-stats.png"

    profile = tmp_path / "chromium-profile"  # pytest removes it later, once Chromium is gone
    chromium = subprocess.Popen(
        [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        active = Path(profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (active.exists() and active.read_text().strip()) and time.monotonic() < deadline:
            time.sleep(0.1)
        with connect(_page_target(int(active.read_text().split()[0])), max_size=None, open_timeout=30) as ws:
            devtools = DevTools(ws)
            devtools.call("Network.enable")
            devtools.call("Network.setCookie", name="sessionid", value=session, url=live_server.url)
            devtools.call(
                "Emulation.setDeviceMetricsOverride", width=1280, height=1000, deviceScaleFactor=1, mobile=False
            )
            devtools.call("Page.enable")
            devtools.call("Page.navigate", url=f"{live_server.url}/admin/stats/")
            devtools.wait_event("Page.loadEventFired")
            title = devtools.call("Runtime.evaluate", expression="document.title")["result"]["value"]
            bars = devtools.call("Runtime.evaluate", expression="document.querySelectorAll('rect.bar').length")
            shot = devtools.call("Page.captureScreenshot", format="png")
    finally:
        chromium.terminate()
        chromium.wait(timeout=30)

    png = base64.b64decode(shot["data"])
    target.write_bytes(png)
    assert title.startswith("Service statistics")
    assert bars["result"]["value"] == 30
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (WIDTH, HEIGHT)
    print(f"\n  screenshot: {target}")
