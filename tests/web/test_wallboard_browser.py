"""The wallboard in a real headless Chromium (Debian's package, driven by Playwright).

A supervisor opens the page once; the centre's clock moves; the page shows the clock
going at risk, then breached, without a reload. A screenshot is kept in
``test-artifacts/`` (or ``$CALLCORE_ARTIFACTS``). Without Chromium the test skips with
the reason, except under ``CALLCORE_REQUIRE_BROWSER=1`` (set by ``.ci/run``)."""

from __future__ import annotations

import os
import re
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


def expect(locator: Any) -> Any:
    """Playwright's web-first assertions: they poll from Playwright's own injected
    script, where ``wait_for_function`` would evaluate a string in the page, which the
    wallboard's Content-Security-Policy (no 'unsafe-eval') rightly refuses."""
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


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
            expect(page.locator("#as-of")).to_contain_text("09:00")
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
            expect(page.locator("#status")).to_contain_text("agent role")
            page.fill("#token", "supervisor-token")
            page.click("button[type=submit]")
            expect(page.locator("#status")).to_have_text(re.compile("^live"))
            page.close()


LAYOUT_PROBLEMS = """() => {
  const problems = [];
  const page = document.documentElement;
  if (page.scrollWidth > page.clientWidth + 1)
    problems.push(`the page is ${page.scrollWidth}px wide on a ${page.clientWidth}px screen`);
  for (const panel of document.querySelectorAll("main section, main .tile")) {
    const box = panel.getBoundingClientRect();
    const name = (panel.querySelector("h2, .label") || panel).textContent.trim().slice(0, 40);
    if (panel.scrollWidth > panel.clientWidth + 1)
      problems.push(`${name}: content ${panel.scrollWidth}px in ${panel.clientWidth}px`);
    for (const el of panel.querySelectorAll("h2, th, td, .label, .text, .value, svg text")) {
      const r = el.getBoundingClientRect();
      if (!r.width) continue;
      const what = `${name} / ${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}"`;
      if (r.left < box.left - 1 || r.right > box.right + 1)
        problems.push(`${what} spans ${Math.round(r.left)}-${Math.round(r.right)}, ` +
                      `outside ${Math.round(box.left)}-${Math.round(box.right)}`);
      if (el.tagName !== "text" && el.scrollWidth > el.clientWidth + 1)
        problems.push(`${what} is cut: ${el.scrollWidth}px in ${el.clientWidth}px`);
      const line = parseFloat(getComputedStyle(el).lineHeight) || 20;
      if ((el.tagName === "TD" || el.tagName === "TH") && r.height > 4.5 * line)
        problems.push(`${what} is squeezed into ${Math.round(r.height / line)} lines`);
    }
  }
  return problems;
}"""


HEIGHT_PROBLEMS = """() => {
  const problems = [];
  const page = document.documentElement;
  if (page.scrollHeight > window.innerHeight + 1)
    problems.push(`the page is ${page.scrollHeight}px tall on a ${window.innerHeight}px screen`);
  for (const el of document.querySelectorAll("main *")) {
    const r = el.getBoundingClientRect();
    if (!r.height) continue;
    if (r.bottom > window.innerHeight + 1)
      problems.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" ` +
                    `ends at ${Math.round(r.bottom)}px, below the ${window.innerHeight}px screen`);
  }
  return problems.slice(0, 12);
}"""


def _busy_picture() -> dict[str, Any]:
    """A busy morning drawn by the real board: three queues, agents (one paused too
    long), complaints' clocks; the satisfaction table filled for every branch."""
    from datetime import timedelta

    from callcore.adapters.telephony import Feed
    from callcore.adapters.telephony.queue_log import QueueLogFeed
    from callcore.adapters.web.live import LiveBoard

    start = int(MORNING.timestamp())
    lines = [
        f"{start}|NONE|NONE|Agent/1001|AGENTLOGIN|SIP/1001|",
        f"{start}|NONE|NONE|Agent/1002|AGENTLOGIN|SIP/1002|",
        f"{start}|NONE|NONE|Agent/1003|AGENTLOGIN|SIP/1003|",
        f"{start + 60}|NONE|NONE|Agent/1003|PAUSEALL|training-session-new-products|",
        f"{start + 3600}|NONE|NONE|Agent/1002|PAUSEALL|lunch|",  # 10 min: not too long
    ]
    queues = ["hotline", "after-sales-service-and-repairs", "installations-appointments"]
    for n in range(30):
        queue, at, call_id = queues[n % 3], start + 120 * n, f"L{n}"
        lines.append(f"{at}|{call_id}|{queue}|NONE|ENTERQUEUE||REDACTED|1|")
        if n % 4 == 3:
            lines.append(f"{at + 25}|{call_id}|{queue}|NONE|ABANDON|1|1|25|")
        else:
            lines.append(f"{at + 9 + n}|{call_id}|{queue}|Agent/1001|CONNECT|{9 + n}|x|2|")
            lines.append(f"{at + 100}|{call_id}|{queue}|Agent/1001|COMPLETECALLER|9|90|1|")
    clock = ManualClock(MORNING + timedelta(hours=1, minutes=10))
    with CallCenter.open("memory://", clock=clock) as center:
        QueueLogFeed(Feed(center)).read((t, f"l{i}") for i, t in enumerate(lines))
        for n in range(4):
            center.handle(
                complaint.LodgeComplaint(
                    complainant=Contact("Wang Xiuying", "139 1234 5678"),
                    about=complaint.Subject(complaint.SubjectKind.FIELD_WORKER, "W002"),
                    what=f"Rude delivery {n}",
                    wanted_outcome="An apology",
                    actor=Actor(Role.AGENT, "A07"),
                    occurred_at=MORNING + timedelta(minutes=55 + n),
                )
            )
        picture = LiveBoard(center).picture()
        branches = sorted(center.directory.branches)
    picture["satisfaction"]["branches"] = [
        {"id": f"{code}-branch-office", "calls": 120 + i, "reached": 97 + i,
         "mean_rating": 4.37, "satisfied_share": 0.912, "complaints": 12}
        for i, code in enumerate(branches or ["north", "south", "east"])
    ]
    return picture


@pytest.mark.parametrize(("width", "height"), [(1600, 900), (1920, 1080)])
def test_the_wallboard_fits_the_screen_with_nothing_cut(browser, width, height):
    from callcore.adapters.web.app import wallboard_page

    picture = _busy_picture()
    assert picture["agents"]["paused_too_long"] == 1
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_content(wallboard_page(picture=picture))
    expect(page.locator("#status")).to_have_text("report")
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    assert page.evaluate(HEIGHT_PROBLEMS) == []  # nothing below the screen: no scrolling
    # the agents are on the board: the one paused too long first, with the reason
    first = page.locator("#agents tbody tr").first
    assert first.get_attribute("data-agent") == "1003"
    assert "training-session-new-products" in first.inner_text()
    assert page.locator("#paused-too-long").inner_text() == "1"
    assert page.locator("#queues tbody tr").count() == 3
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"wallboard-{width}x{height}.png"), full_page=True)
    page.close()


@pytest.mark.parametrize(("width", "height"), [(1600, 900), (1920, 1080)])
def test_a_board_with_more_rows_than_fit_shows_the_first_rows_and_how_many_more(
    browser, width, height
):
    from callcore.adapters.web.app import wallboard_page

    picture = _busy_picture()
    branches = [
        {"id": f"branch-{n:02d}", "calls": 100 + n, "reached": 90, "mean_rating": 4.1,
         "satisfied_share": 0.9, "complaints": n}
        for n in range(40)
    ]
    picture["satisfaction"]["branches"] = branches
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_content(wallboard_page(picture=picture))
    expect(page.locator("#status")).to_have_text("report")
    expect(page.locator("#satisfaction tr.more")).to_have_count(1)
    assert page.evaluate(HEIGHT_PROBLEMS) == []
    assert page.evaluate(LAYOUT_PROBLEMS) == []
    shown = page.locator("#satisfaction tbody tr:not(.more):not(.hidden)")
    hidden = int(page.locator("#satisfaction tr.more").get_attribute("data-hidden") or 0)
    assert shown.count() + hidden == 40 and hidden > 0
    assert shown.first.inner_text().startswith("branch-00")  # the first rows stay
    assert page.locator("#satisfaction tr.more").inner_text() == f"+{hidden} more"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"wallboard-more-{width}x{height}.png"))
    page.close()
