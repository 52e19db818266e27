"""Real queue_log samples from another project's acceptance suite (tests/data/queue_logs,
cited in its README), checked against the figures that project's statistics tool
expects. The samples' times are naive realtime-table datetimes, read as UTC."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.telephony import Feed
from callcore.adapters.telephony.queue_log import QueueLogFeed, read_lines

SAMPLES = Path(__file__).parents[2] / "data" / "queue_logs"
LATER = datetime(2012, 8, 1, tzinfo=UTC)


def ingest(name: str, *, shuffle: int | None = None) -> tuple[CallCenter, Feed]:
    lines = [(text, f"{name}:{number}") for number, text in read_lines(SAMPLES / name)]
    if shuffle is not None:
        random.Random(shuffle).shuffle(lines)
    center = CallCenter.open("memory://", clock=ManualClock(LATER))
    feed = Feed(center)
    QueueLogFeed(feed, local_zone=UTC).read(lines)
    return center, feed


def hour(day: str, h: int) -> tuple[datetime, datetime]:
    start = datetime.fromisoformat(f"{day} {h:02d}:00:00+00:00")
    return start, start + timedelta(hours=1)


def rows(center: CallCenter, since: datetime | None = None, until: datetime | None = None):  # type: ignore[no-untyped-def]
    view = center.views.queues(LATER, since=since, until=until)
    return {row.queue: row for row in view.queues}


def test_every_sample_is_cited() -> None:
    readme = (SAMPLES / "README.md").read_text()
    for sample in SAMPLES.glob("*.queue_log"):
        assert f"`{sample.name}`" in readme
    assert "wazo-platform/wazo-acceptance" in readme


@pytest.mark.parametrize("shuffle", [None, 1, 2])
def test_wazo_received_and_abandoned(shuffle: int | None) -> None:
    center, feed = ingest("wazo-queue-abandoned.queue_log", shuffle=shuffle)
    with center:
        assert feed.report.refused == {} and feed.report.rejected == []
        # Wazo: 8h-9h received 3 abandoned 3; 9h-10h 2 / 2; total 5 / 5; AWT 00:00:03
        for h, expected in [(8, 3), (9, 2), (10, 0), (11, 0)]:
            q01 = rows(center, *hour("2012-07-01", h)).get("q01")
            counted = (q01.offered, q01.abandoned, q01.answered) if q01 else (0, 0, 0)
            assert counted == (expected, expected, 0)
        day = rows(center)
        assert (day["q01"].offered, day["q01"].abandoned, day["q01"].answered) == (5, 5, 0)
        assert (day["q02"].offered, day["q02"].abandoned) == (1, 1)
        waits = [
            center.calls.get(f"received_{n}").waited_seconds for n in (1, 6, 2, 4, 5)
        ]
        assert int(sum(waits) / len(waits)) == 3  # AWT 00:00:03, Wazo truncates
        first_hour = [center.calls.get(f"received_{n}").waited_seconds for n in (1, 6, 2)]
        assert int(sum(first_hour) / 3) == 3


@pytest.mark.parametrize("shuffle", [None, 6])
def test_wazo_received_and_answered_gives_wazos_figures(shuffle: int | None) -> None:
    center, feed = ingest("wazo-queue-answered.queue_log", shuffle=shuffle)
    with center:
        assert feed.report.refused == {} and feed.report.rejected == []
        q01 = rows(center)["q01"]
        # Wazo: received 5, answered 5, AWT 3 s, QoS 100 %
        assert (q01.offered, q01.answered, q01.waiting) == (5, 5, 0)
        assert q01.asa_seconds == 3 and q01.answered_within_target == 5
        assert rows(center)["q02"].answered == 1
        # received_2, _4 and _5 have CONNECT and COMPLETE stamped 59 min to 2 h before
        # their ENTERQUEUE: dated by the call's life (entry + data1, answer + data2),
        # counted and named in the summary
        assert feed.report.dated_by_life == 6
        if shuffle is None:
            assert feed.report.first_dated_by_life == (
                "wazo-queue-answered.queue_log:11, 3600 s later"
            )
        assert "6 lines stamped against their call's life" in feed.report.summary()
        r2 = center.calls.get("received_2")
        assert r2.answered_at == datetime(2012, 7, 1, 9, 0, 2, 999999, tzinfo=UTC)
        assert r2.outcome == "answered" and r2.waited_seconds == 3
        ends = [r.event for r in center.history("call-received_5")]
        assert ends[-1].at == datetime(2012, 7, 1, 10, 0, 9, 999999, tzinfo=UTC)  # + 7 s talk


@pytest.mark.parametrize("shuffle", [None, 3])
def test_wazo_answered_calls_listed_newest_first(shuffle: int | None) -> None:
    center, feed = ingest("wazo-agent-answered-newest-first.queue_log", shuffle=shuffle)
    with center:
        assert feed.report.refused == {}, feed.report.refusals
        for h in (8, 9, 10):  # Wazo: 1 answered in each hour, 3 in total
            assert rows(center, *hour("2012-07-01", h))["q01"].answered == 1
        q01 = rows(center)["q01"]
        assert (q01.offered, q01.answered, q01.asa_seconds) == (3, 3, 1.0)
        assert {center.calls.get(f"answered_{n}").agent for n in (1, 2, 3)} == {"1"}
        assert center.calls.get("answered_2").transfers == ("s@user",)


def test_wazo_talk_time_sample_takes_the_wait_from_data1() -> None:
    center, feed = ingest("wazo-agent-talk-time.queue_log")
    with center:
        assert feed.report.refused == {}
        q02 = rows(center, *hour("2012-01-01", 9))["q02"]
        assert (q02.offered, q02.answered) == (3, 3)  # Wazo: 3 answered in 9h
        assert q02.asa_seconds == 5.0  # data1 4, 5, 6; the stamps say 0.11 s


def test_wazo_implicit_login_sample() -> None:
    center, feed = ingest("wazo-agent-implicit-login.queue_log")
    with center:
        assert feed.report.agent_events == {"AGENTCALLBACKLOGOFF": 1, "AGENTCALLBACKLOGIN": 1}
        q07 = rows(center, *hour("2012-01-01", 8))["q07"]
        assert (q07.answered, q07.asa_seconds, q07.answered_within_target) == (1, 60.0, 0)
        assert center.calls.get("login_time_1").agent == "7"


def _agents(center: CallCenter, since: datetime, until: datetime):  # type: ignore[no-untyped-def]
    from callcore.projections.agents import AgentDay

    fold = AgentDay(center.directory).apply_all(center.views.records(LATER))
    return {row.agent: row for row in fold.view(LATER, since, until).agents}


def test_wazo_login_time() -> None:
    center, feed = ingest("wazo-agent-login-time.queue_log", shuffle=4)
    with center:
        assert feed.report.refused == {} and feed.report.rejected == []
        day = _agents(center, *hour("2012-01-01", 0)[:1], hour("2012-01-02", 0)[0])
        assert day["3"].logged_in_seconds == pytest.approx(900)  # Wazo: 00:15:00
        assert day["3"].state == "logged-out"


def test_wazo_login_across_the_hour() -> None:
    center, feed = ingest("wazo-agent-login-across-the-hour.queue_log", shuffle=5)
    with center:
        assert feed.report.refused == {}
        eight = _agents(center, *hour("2012-01-01", 8))["5"]
        nine = _agents(center, *hour("2012-01-01", 9))["5"]
        assert int(eight.logged_in_seconds) == 9 * 60 + 59  # Wazo: 00:09:59
        assert int(nine.logged_in_seconds) == 60 + 36  # Wazo: 00:01:36
        assert int(eight.logged_in_seconds + nine.logged_in_seconds) == 11 * 60 + 35


# ------------------------------------------------- a second source: LogVisualiserKata

EPOCH_NEXT_DAY = datetime(1970, 1, 2, tzinfo=UTC)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def ingest_kata(name: str, *, shuffle: int | None = None) -> tuple[CallCenter, Feed]:
    """The kata's times are seconds from its test's start (epoch 0)."""
    lines = [(text, f"{name}:{number}") for number, text in read_lines(SAMPLES / name)]
    if shuffle is not None:
        random.Random(shuffle).shuffle(lines)
    center = CallCenter.open("memory://", clock=ManualClock(EPOCH_NEXT_DAY))
    feed = Feed(center)
    QueueLogFeed(feed, local_zone=UTC).read(lines)
    return center, feed


def bar(center: CallCenter, call_id: str) -> tuple[float, float, float]:
    """The kata's bar: start, total length and ringing, in seconds."""
    state = center.calls.get(call_id)
    start = (state.offered_at - EPOCH).total_seconds()
    total = (state.ended_at - state.offered_at).total_seconds()
    until = state.answered_at or state.ended_at
    return start, total, (until - state.offered_at).total_seconds()


def test_a_second_source_is_cited() -> None:
    readme = (SAMPLES / "README.md").read_text()
    assert "mindriven/LogVisualiserKata" in readme
    assert "c0628496ae318d02a859d61fbef82ebc7c6b2de4" in readme


@pytest.mark.parametrize("shuffle", [None, 3])
def test_logvisualiser_two_answered_calls_draw_the_kata_s_bars(shuffle: int | None) -> None:
    center, feed = ingest_kata("logvisualiser-two-answered.queue_log", shuffle=shuffle)
    with center:
        assert feed.report.refused == {} and feed.report.rejected == []
        # the kata: (DisplacementFromLeft, TotalWidth, RingingWidth)
        assert bar(center, "1266833905.2") == (0, 30, 20)
        assert bar(center, "1266833925.10") == (40, 60, 20)
        (queue,) = center.views.queues(EPOCH_NEXT_DAY).queues
        assert (queue.offered, queue.answered, queue.abandoned) == (2, 2, 0)
        assert queue.asa_seconds == 1.5  # CONNECT's data1 (1 s, 2 s), not the stamps
        assert queue.service_level == 1.0


@pytest.mark.parametrize("shuffle", [None, 4])
def test_logvisualiser_overlapping_calls_and_a_call_without_its_entry(
    shuffle: int | None,
) -> None:
    center, feed = ingest_kata("logvisualiser-three-overlapping.queue_log", shuffle=shuffle)
    with center:
        assert bar(center, "A") == (0, 90, 20)
        assert bar(center, "B") == (40, 40, 40)  # abandoned: its whole wait rang
        assert center.calls.get("B").status.value == "abandoned"
        # C has no ENTERQUEUE in the lines: refused by name, each of its lines counted
        assert feed.report.refused == {"must-exist": 9}
        refused_lines = {r.where.rsplit(":", 1)[1] for r in feed.report.refusals}
        assert refused_lines == {"10", "11", "12", "13", "16"}
        assert feed.report.rejected == []
        (queue,) = center.views.queues(EPOCH_NEXT_DAY).queues
        assert (queue.offered, queue.answered, queue.abandoned) == (2, 1, 1)
        assert queue.service_level == 0.5
