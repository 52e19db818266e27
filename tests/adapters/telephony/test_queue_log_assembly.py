"""queue_log as real PBXs write it: lines out of order, repeated, split across rotated
files, a clock that jumps back, callers moved between queues, hold times that differ
from the stamps. The figures are checked against a naive count written from the format
(not from callcore's code) on generated histories, and against real samples."""

from __future__ import annotations

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.telephony import Feed
from callcore.adapters.telephony.queue_log import QueueLogFeed
from callcore.domain import call

T0 = datetime(2026, 11, 3, 1, 0, tzinfo=UTC)  # 09:00 in the centre (UTC+8)
E = int(T0.timestamp())
LATER = T0 + timedelta(days=1)
QUEUES = ["hotline", "sales"]
TARGET = 15  # the demo directory: 3 rings of 5 s
SHORT_ABANDON = 5


def centre() -> CallCenter:
    return CallCenter.open("memory://", clock=ManualClock(LATER))


def ingest(center: CallCenter, files: list[list[str]]) -> Feed:
    """One pass over several files (rotated files given together), as the CLI does."""
    feed = Feed(center)
    source = QueueLogFeed(feed)
    for number, lines in enumerate(files):
        for line_number, text in enumerate(lines, start=1):
            source.line(text + "\n", f"queue_log.{number}:{line_number}")
    source.flush()
    return feed


def records(center: CallCenter) -> dict[str, list[Any]]:
    """Every call's events, stream by stream (the order of streams in the store is not
    part of the contract; the order within a call is)."""
    streams: dict[str, list[Any]] = {}
    for positioned in center.store.read_all():
        stream = positioned.recorded.stream
        if stream.startswith("call-"):
            streams.setdefault(stream, []).append(positioned.recorded.event)
    return streams


def figures(center: CallCenter) -> list[tuple[Any, ...]]:
    return [
        (
            row.queue,
            row.offered,
            row.answered,
            row.answered_within_target,
            row.abandoned,
            row.short_abandoned,
            row.timed_out,
            row.waiting,
            None if row.asa_seconds is None else round(row.asa_seconds, 6),
        )
        for row in center.views.queues(LATER).queues
    ]


# --------------------------------------------------------------------------- histories


@st.composite
def call_lines(draw: st.DrawFn, n: int) -> list[str]:
    """One caller's lines as Asterisk writes them (epoch|callid|queue|agent|event|data)."""
    call_id = f"1762131{n:03d}.{n}"
    queue = draw(st.sampled_from(QUEUES))
    t = E + draw(st.integers(0, 3 * 3600))
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(f"{t}|{call_id}|NONE|NONE|DID|4008001234|")
    entered = t
    lines.append(f"{t}|{call_id}|{queue}|NONE|ENTERQUEUE||REDACTED|1|")
    for agent in draw(st.lists(st.sampled_from(["1001", "1002"]), max_size=2, unique=True)):
        ring = draw(st.integers(1, 20))
        t += ring
        lines.append(f"{t}|{call_id}|{queue}|SIP/{agent}|RINGNOANSWER|{ring * 1000}|")
    ending = draw(st.sampled_from(["answer", "abandon", "timeout", "failover", "never-closed"]))
    if ending == "failover":  # the queue's timeout, then another queue on the same call
        t += draw(st.integers(1, 60))
        lines.append(f"{t}|{call_id}|{queue}|NONE|EXITWITHTIMEOUT|1|1|{t - entered}|")
        queue = next(q for q in QUEUES if q != queue)
        entered = t
        lines.append(f"{t}|{call_id}|{queue}|NONE|ENTERQUEUE||REDACTED|1|")
        ending = "answer"
    if ending == "answer":
        t += draw(st.integers(0, 40))
        hold = t - entered + draw(st.sampled_from([0, 0, 1]))  # Asterisk's own measure
        lines.append(f"{t}|{call_id}|{queue}|SIP/1003|CONNECT|{hold}|{call_id}9|2|")
        talk = draw(st.integers(1, 600))
        t += talk
        verb = draw(st.sampled_from(["COMPLETECALLER", "COMPLETEAGENT"]))
        lines.append(f"{t}|{call_id}|{queue}|SIP/1003|{verb}|{hold}|{talk}|1|")
    elif ending == "abandon":
        t += draw(st.integers(1, 60))
        lines.append(f"{t}|{call_id}|{queue}|NONE|ABANDON|1|1|{t - entered}|")
    elif ending == "timeout":
        t += draw(st.integers(1, 60))
        lines.append(f"{t}|{call_id}|{queue}|NONE|EXITWITHTIMEOUT|1|1|{t - entered}|")
    return lines


@st.composite
def days(draw: st.DrawFn) -> list[str]:
    count = draw(st.integers(1, 6))
    lines = [line for n in range(count) for line in draw(call_lines(n))]
    # The PBX's last line of the day: calls it never closed are 4 h older than it.
    lines.append(f"{E + 8 * 3600}|NONE|NONE|NONE|QUEUESTART||")
    return lines


def naive_figures(lines: list[str]) -> list[tuple[Any, ...]]:
    """The figures counted straight from the lines, the way a queue-statistics tool
    counts them: every ENTERQUEUE is offered to its queue; CONNECT's data1 is the wait;
    ABANDON's data3 the abandon's wait; a queue visit with no ending line is timed out
    (the never-closed rule)."""
    offered: Counter[str] = Counter()
    answered: Counter[str] = Counter()
    within: Counter[str] = Counter()
    abandoned: Counter[str] = Counter()
    short: Counter[str] = Counter()
    timed_out: Counter[str] = Counter()
    holds: dict[str, list[int]] = {}
    open_visits: Counter[str] = Counter()
    for text in sorted(set(lines)):
        fields = text.split("|")
        queue, verb, data = fields[2], fields[4], fields[5:]
        if verb == "ENTERQUEUE":
            offered[queue] += 1
            open_visits[queue] += 1
        elif verb == "CONNECT":
            answered[queue] += 1
            within[queue] += int(data[0]) <= TARGET
            holds.setdefault(queue, []).append(int(data[0]))
            open_visits[queue] -= 1
        elif verb == "ABANDON":
            abandoned[queue] += 1
            short[queue] += int(data[2]) <= SHORT_ABANDON
            open_visits[queue] -= 1
        elif verb == "EXITWITHTIMEOUT":
            timed_out[queue] += 1
            open_visits[queue] -= 1
    for queue, still_open in open_visits.items():
        timed_out[queue] += still_open
    return [
        (
            queue,
            offered[queue],
            answered[queue],
            within[queue],
            abandoned[queue],
            short[queue],
            timed_out[queue],
            0,
            round(sum(holds[queue]) / len(holds[queue]), 6) if queue in holds else None,
        )
        for queue in sorted(offered)
    ]


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    day=days(),
    seed=st.randoms(use_true_random=False),
    pieces=st.integers(1, 4),
)
def test_any_order_any_repeat_any_rotation_gives_the_same_records_and_figures(
    day: list[str], seed: random.Random, pieces: int
) -> None:
    with centre() as center:
        feed = ingest(center, [day])
        expected_records, expected_figures = records(center), figures(center)
        assert feed.report.refused == {} and feed.report.rejected == []
        assert expected_figures == naive_figures(day)
        # ingesting the same lines again records nothing
        stored = center.store.last_position()
        again = ingest(center, [day])
        assert center.store.last_position() == stored
        assert again.report.recorded == 0

    shuffled = list(day)
    seed.shuffle(shuffled)
    repeated = list(day)
    for _ in range(seed.randint(1, 5)):  # FreePBX repeats, overlapping files
        repeated.insert(seed.randint(0, len(repeated)), seed.choice(day))
    cuts = sorted(seed.sample(range(1, len(day)), min(pieces - 1, len(day) - 1)))
    rotated = [day[a:b] for a, b in zip([0, *cuts], [*cuts, len(day)], strict=True)]
    seed.shuffle(rotated)  # `cat queue_log*` in the wrong order
    for files in ([shuffled], [repeated], rotated):
        with centre() as center:
            ingest(center, files)
            assert records(center) == expected_records
            assert figures(center) == expected_figures


def step_back(day: list[str], at: int, seconds: int) -> list[str]:
    """The PBX's clock stepped back by ``seconds`` at ``at`` (NTP): every line written
    from then on is stamped that much earlier, calls in progress included."""
    stepped = []
    for text in day:
        stamp, rest = text.split("|", 1)
        t = int(stamp)
        stepped.append(f"{t - seconds if t >= at else t}|{rest}")
    return stepped


@st.composite
def stepped_days(draw: st.DrawFn) -> list[str]:
    """A day whose clock is stepped back at one of its calls' lines (after the entry:
    a ring, the answer or the end), by up to 2 hours."""
    day = draw(days())
    inside = sorted(
        {int(text.split("|")[0]) for text in day if "|ENTERQUEUE|" not in text}
        - {E + 8 * 3600}
    )
    if not inside:
        return day
    return step_back(day, draw(st.sampled_from(inside)), draw(st.integers(1, 2 * 3600)))


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(stepped=stepped_days(), seed=st.randoms(use_true_random=False))
def test_a_clock_stepped_back_inside_calls_changes_no_figure(
    stepped: list[str], seed: random.Random
) -> None:
    """Lines stamped before their call's previous fact are recorded in the order of the
    call's life: nothing refused, the figures counted from the lines' data (a CONNECT is
    an answer), the contradiction counted, and the same records in any order."""
    with centre() as center:
        feed = ingest(center, [stepped])
        assert feed.report.refused == {}, feed.report.refusals
        assert feed.report.rejected == []
        assert figures(center) == naive_figures(stepped)
        expected = records(center)
        for events in expected.values():  # the record order (domain.md §6)
            times = [event.at for event in events]
            assert times == sorted(times)
        # a line stamped before one written before it in its call's life (the generator
        # writes each call's lines in that order; two rings may come in either order)
        by_call: dict[str, list[tuple[int, str]]] = {}
        for text in stepped:
            fields = text.split("|")
            if fields[1] != "NONE":
                by_call.setdefault(fields[1], []).append((int(fields[0]), fields[4]))
        contradicted = any(
            later < earlier and not (verb == later_verb == "RINGNOANSWER")
            for lines in by_call.values()
            for (earlier, verb), (later, later_verb) in itertools.combinations(lines, 2)
        )
        assert (feed.report.dated_by_life > 0) == contradicted
        stored = center.store.last_position()
        assert ingest(center, [stepped]).report.recorded == 0
        assert center.store.last_position() == stored
    shuffled = list(stepped)
    seed.shuffle(shuffled)
    with centre() as center:
        ingest(center, [shuffled])
        assert records(center) == expected


# --------------------------------------------------------------------------- cases


def test_a_clock_stepped_back_closes_no_call_and_is_reported() -> None:
    """13 calls, then the PBX's clock is corrected 5 h back (more than the 4 h rule):
    every call is judged on its own lines, none closed as timed out."""
    lines: list[str] = []
    for n in range(13):
        start = E + 6 * 3600 + n * 60 if n < 6 else E + 3600 + n * 60  # the jump at n=6
        call_id = f"J{n}"
        lines.append(f"{start}|{call_id}|hotline|NONE|ENTERQUEUE||REDACTED|1|")
        if n % 3 == 2:
            lines.append(f"{start + 20}|{call_id}|hotline|NONE|ABANDON|1|1|20|")
        else:
            lines.append(f"{start + 8}|{call_id}|hotline|SIP/1001|CONNECT|8|x|3|")
            lines.append(f"{start + 50}|{call_id}|hotline|SIP/1001|COMPLETECALLER|8|42|1|")
    with centre() as center:
        feed = ingest(center, [lines])
        assert feed.report.closed_by_timeout == 0
        assert feed.report.backward_jumps == 1
        assert "time jumped back 1 times" in feed.report.summary()
        (hotline,) = center.views.queues(LATER).queues
        # by hand: n = 2, 5, 8, 11 abandoned, the other 9 answered after 8 s
        assert (hotline.offered, hotline.answered, hotline.abandoned) == (13, 9, 4)
        assert hotline.timed_out == 0 and hotline.waiting == 0


def test_freepbx_repeats_and_a_rotation_between_did_and_enterqueue() -> None:
    """FreePBX writes the same ENTERQUEUE several times; a rotation can put the DID line
    in one file and its ENTERQUEUE in the next. This used to raise CommandIdReused."""
    did = f"{E}|R1|NONE|NONE|DID|4008001234|"
    enter = f"{E}|R1|hotline|NONE|ENTERQUEUE||13912345678|1|"
    connect = f"{E + 6}|R1|hotline|SIP/1001|CONNECT|6|R1.2|3|"
    complete = f"{E + 60}|R1|hotline|SIP/1001|COMPLETEAGENT|6|54|1|"
    with centre() as center:
        feed = ingest(center, [[enter, complete], [did, enter, enter, connect]])
        assert feed.report.refused == {}, feed.report.refusals
        assert feed.report.duplicates == 2
        offered = center.history("call-R1")[0].event
        assert offered.did == "4008001234"
        (hotline,) = center.views.queues(LATER).queues
        assert (hotline.offered, hotline.answered, hotline.asa_seconds) == (1, 1, 6.0)


def test_a_caller_moved_to_another_queue_is_counted_in_each_queue() -> None:
    lines = [
        # F1: hotline's timeout after 30 s, then the sales queue answers in 12 s
        f"{E}|F1|hotline|NONE|ENTERQUEUE||REDACTED|1|",
        f"{E + 30}|F1|hotline|NONE|EXITWITHTIMEOUT|1|1|30|",
        f"{E + 30}|F1|sales|NONE|ENTERQUEUE||REDACTED|1|",
        f"{E + 42}|F1|sales|SIP/2001|CONNECT|12|F1.5|4|",
        f"{E + 100}|F1|sales|SIP/2001|COMPLETECALLER|12|58|1|",
        # T1: answered in hotline after 5 s, blind-transferred by the agent to sales,
        # answered there after 20 s by another agent
        f"{E + 200}|T1|hotline|NONE|ENTERQUEUE||REDACTED|1|",
        f"{E + 205}|T1|hotline|SIP/1001|CONNECT|5|T1.2|5|",
        f"{E + 260}|T1|hotline|SIP/1001|BLINDTRANSFER|600|from-queue|5|55|1|",
        f"{E + 260}|T1|sales|NONE|ENTERQUEUE||REDACTED|1|",
        f"{E + 280}|T1|sales|SIP/2002|CONNECT|20|T1.7|5|",
        f"{E + 400}|T1|sales|SIP/2002|COMPLETEAGENT|20|120|1|",
    ]
    with centre() as center:
        feed = ingest(center, [list(reversed(lines))])
        assert feed.report.refused == {}, feed.report.refusals
        rows = {row.queue: row for row in center.views.queues(LATER).queues}
        hotline, sales = rows["hotline"], rows["sales"]
        assert (hotline.offered, hotline.answered, hotline.timed_out) == (2, 1, 1)
        assert (sales.offered, sales.answered, sales.answered_within_target) == (2, 2, 1)
        assert hotline.asa_seconds == 5 and sales.asa_seconds == (12 + 20) / 2
        f1, t1 = center.calls.get("F1"), center.calls.get("T1")
        assert (f1.leg, f1.queue, f1.outcome, f1.agent) == (2, "sales", "answered", "2001")
        assert (t1.leg, t1.queue, t1.agent) == (2, "sales", "2002")
        legs = [r.event for r in center.history("call-F1")]
        assert [e.queue for e in legs if isinstance(e, call.CallEnteredQueue)] == ["sales"]
        # the answer clock is the first queue's: F1 waited 30 s there and timed out,
        # past the 15 s target: breached; T1 was answered in 5 s: met
        clocks = {
            row.subject: row
            for row in center.views.sla(LATER).clocks
            if row.clock == "answer"
        }
        assert clocks["call-F1"].state == "breached"
        assert clocks["call-T1"].state == "met"


def test_the_wait_is_the_pbx_hold_time_not_the_difference_of_the_stamps() -> None:
    """Asterisk measures the hold time from the real start of the wait: the stamps say
    15 s (within the 15 s target), data1 says 16 s (not)."""
    lines = [
        f"{E}|H1|hotline|NONE|ENTERQUEUE||REDACTED|1|",
        f"{E + 15}|H1|hotline|SIP/1001|CONNECT|16|H1.2|4|",
        f"{E + 90}|H1|hotline|SIP/1001|COMPLETECALLER|16|75|1|",
        f"{E + 100}|H2|hotline|NONE|ENTERQUEUE||REDACTED|1|",
        f"{E + 100}|H2|hotline|NONE|ABANDON|1|1|3|",  # abandons keep data3
    ]
    with centre() as center:
        ingest(center, [lines])
        h1 = center.calls.get("H1")
        assert h1.waited_seconds == 16 and h1.within_target is False
        (hotline,) = center.views.queues(LATER).queues
        assert hotline.asa_seconds == 16 and hotline.answered_within_target == 0
        assert hotline.short_abandoned == 1
        (clock,) = [
            row
            for row in center.views.sla(LATER).clocks
            if row.clock == "answer" and row.subject == "call-H1"
        ]
        assert clock.state == "breached"  # 16 s > 15 s, though the stamps are 15 s apart


def test_a_call_completed_without_an_answer_is_not_left_waiting() -> None:
    with centre() as center:
        center.handle(call.OfferCall(call_id="W1", queue="hotline", occurred_at=T0))
        center.handle(
            call.CompleteCall(call_id="W1", occurred_at=T0 + timedelta(seconds=40))
        )
        (hotline,) = center.views.queues(LATER).queues
        assert (hotline.offered, hotline.waiting, hotline.abandoned) == (1, 0, 1)


def test_refusals_name_the_line_they_came_from() -> None:
    lines = [
        f"{E}|X1|hotline|NONE|ABANDON|1|1|3|",  # a call never offered
        "not a line",
    ]
    with centre() as center:
        feed = ingest(center, [lines])
        (refusal,) = feed.report.refusals
        assert refusal.where == "queue_log.0:1" and refusal.reason.startswith("must-exist")
        (rejection,) = feed.report.rejected
        assert rejection.where == "queue_log.0:2"
        summary = feed.report.summary()
        assert "queue_log.0:1" in summary and "queue_log.0:2" in summary


@pytest.mark.parametrize("seed", range(3))
def test_the_fixture_in_any_order_gives_the_hand_worked_figures(seed: int) -> None:
    from .test_queue_log import FIXTURE
    from .test_queue_log import T0 as FIXTURE_T0

    lines = list(FIXTURE)
    random.Random(seed).shuffle(lines)
    with CallCenter.open(
        "memory://", clock=ManualClock(FIXTURE_T0 + timedelta(hours=6))
    ) as center:
        feed = ingest(center, [lines])
        assert feed.report.refused == {}
        (hotline,) = center.views.queues(FIXTURE_T0 + timedelta(hours=6)).queues
        assert (hotline.offered, hotline.answered, hotline.answered_within_target) == (12, 6, 5)
        assert (hotline.abandoned, hotline.short_abandoned, hotline.timed_out) == (3, 1, 3)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=400), st.booleans())
def test_no_file_gives_a_traceback(tmp_path_factory: Any, data: bytes, gzipped: bool) -> None:
    """Any bytes, plain or gzip-compressed (whole or cut short): lines are read, counted,
    rejected by name, or the file is refused as a damaged gzip file; nothing else."""
    import gzip

    from callcore.adapters.telephony.queue_log import QueueLogFileError, read_lines

    path = tmp_path_factory.mktemp("bytes") / "queue_log"
    payload = gzip.compress(data)[: max(2, len(data))] if gzipped else data
    path.write_bytes(payload)
    with centre() as center:
        feed = Feed(center)
        source = QueueLogFeed(feed)
        refused_as = ""
        try:
            source.read((text, f"queue_log:{n}") for n, text in read_lines(path))
        except QueueLogFileError as error:
            refused_as = str(error)
        assert not refused_as or "damaged gzip file" in refused_as
        assert all(r.where and r.reason for r in feed.report.rejected)


def test_following_decides_each_time_the_file_goes_quiet(tmp_path: Any) -> None:
    """`--follow` hands the feed what the file had each time it is read to its end:
    the lines of a call read out of order within that stretch are assembled first."""
    from callcore.adapters.telephony.queue_log import follow_lines

    path = tmp_path / "queue_log"
    lines = [
        f"{E + 9}|Q1|hotline|SIP/1001|CONNECT|9|Q1.2|3|",  # out of order: before its offer
        f"{E}|Q1|hotline|NONE|ENTERQUEUE||REDACTED|1|",
    ]
    path.write_text("\n".join(lines) + "\n")
    with centre() as center:
        feed = Feed(center)
        source = QueueLogFeed(feed)
        idle: list[int] = []

        def quiet() -> None:
            idle.append(len(source.pending))
            source.flush()

        for where, text in follow_lines(
            path, should_stop=lambda: bool(idle), sleep=lambda _: None, on_idle=quiet
        ):
            source.line(text, where)
        assert idle == [2]  # both lines were collected before the feed decided
        assert feed.report.refused == {}
        assert center.calls.get("Q1").waited_seconds == 9
