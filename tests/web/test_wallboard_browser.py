"""The wallboard in a real headless Chromium (Debian's package, driven by Playwright).

A supervisor opens the page once; the centre's clock moves; the page shows the clock
going at risk, then breached, without a reload. A screenshot is kept in
``test-artifacts/`` (or ``$CALLCORE_ARTIFACTS``). Without Chromium the test skips with
the reason, except under ``CALLCORE_REQUIRE_BROWSER=1`` (set by ``.ci/run``)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.web import TokenBook, create_app
from callcore.domain import complaint
from callcore.domain.common import Actor, Contact, Role

from .conftest import MORNING, TOKENS

CHROMIUM = os.environ.get("CALLCORE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("CALLCORE_ARTIFACTS", Path(__file__).parents[2] / "test-artifacts"))


def _browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    reason = _browser_missing()
    if reason is not None:
        if os.environ.get("CALLCORE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"CALLCORE_REQUIRE_BROWSER=1 but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS
        )
        yield chromium
        chromium.close()


class Served:
    """The web adapter under uvicorn on a free loopback port, in a thread."""

    def __init__(self, app: Any) -> None:
        import uvicorn

        self.server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        port = self.server.servers[0].sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}"

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def test_a_clock_goes_at_risk_then_breached_on_the_open_wallboard(browser):
    clock = ManualClock(MORNING)
    with CallCenter.open("memory://", clock=clock) as center:
        # Given a complaint lodged at 09:00: the department must be told within 10 min
        lodged = center.handle(
            complaint.LodgeComplaint(
                complainant=Contact("Wang Xiuying", "139 1234 5678"),
                about=complaint.Subject(complaint.SubjectKind.FIELD_WORKER, "W002"),
                what="Rude delivery",
                wanted_outcome="An apology",
                actor=Actor(Role.AGENT, "A07"),
            )
        )
        subject = complaint.stream_id(lodged.first(complaint.ComplaintLodged).complaint_id)
        app = create_app(center, TokenBook.of_tokens(TOKENS), poll_seconds=0.3)
        with Served(app) as base:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            # When a supervisor opens the wallboard once
            page.goto(f"{base}/wallboard#token=supervisor-token&every=0.3")
            page.wait_for_function(
                "document.getElementById('as-of').textContent.includes('09:00')"
            )
            row = f'tr[data-subject="{subject}"][data-clock="complaint-department-notified"]'
            assert page.locator(row).count() == 0  # on time: not listed
            assert "token=" not in page.url  # the token left the address bar
            page.evaluate("window.__notReloaded = true")

            # And eight of the ten minutes pass
            clock.advance(minutes=8)
            # Then the clock shows at risk, by itself
            page.wait_for_selector(f'{row}[data-state="at-risk"]', timeout=10_000)
            assert page.locator("#at-risk-count").inner_text() == "1"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "wallboard-at-risk.png"), full_page=True)

            # And when the ten minutes are up it shows breached
            clock.advance(minutes=3)
            page.wait_for_selector(f'{row}[data-state="breached"]', timeout=10_000)
            assert page.locator("#breached-count").inner_text() == "1"
            assert page.evaluate("window.__notReloaded") is True
            page.screenshot(path=str(ARTIFACTS / "wallboard-breached.png"), full_page=True)
            page.close()


def test_a_wrong_token_shows_the_sign_in_form(browser):
    with CallCenter.open("memory://", clock=ManualClock(MORNING)) as center:
        app = create_app(center, TokenBook.of_tokens(TOKENS), poll_seconds=0.3)
        with Served(app) as base:
            page = browser.new_page()
            page.goto(f"{base}/wallboard#token=guess")
            page.wait_for_selector("#login:not(.hidden)")
            assert "not one this server knows" in page.locator("#status").inner_text()
            # An agent's token is refused too: the wallboard is for supervisors and QA
            page.fill("#token", "agent-token")
            page.click("button[type=submit]")
            page.wait_for_function(
                "document.getElementById('status').textContent.includes('agent role')"
            )
            page.fill("#token", "supervisor-token")
            page.click("button[type=submit]")
            page.wait_for_function(
                "document.getElementById('status').textContent.startsWith('live')"
            )
            page.close()
