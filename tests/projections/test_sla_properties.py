"""Properties of the SLA fold: its arithmetic against a naive minute-by-minute reference,
folding in chunks, and "as of T" against the log cut at T."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from callcore.adapters.directory_file import demo_directory
from callcore.domain import ticket
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import Actor, ClockPaused, ClockResumed, Contact, Priority, Role
from callcore.ports import Recorded
from callcore.projections.sla import ClockInstance, SlaClocks
from tests.support import CST

DIRECTORY = demo_directory()
CALENDAR = BusinessCalendar(DIRECTORY.calendar)
AGENT = Actor(Role.AGENT, "A01")
START = datetime(2026, 9, 28, 0, 0, tzinfo=CST)  # spans National Day (1–7 October)


def naive_due(
    start: datetime, target_minutes: int, pauses: list[tuple[datetime, datetime]], business: bool
) -> datetime:
    """Walk minute by minute; count a minute when it is not paused and (for business
    clocks) the centre is open on a business day; the due time is when the count reaches
    the target."""
    counted, cursor = 0, start
    while counted < target_minutes:
        local = cursor.astimezone(CST)
        open_now = not business or (CALENDAR.is_business_day(local.date()) and 6 <= local.hour < 22)
        paused = any(a <= cursor < b for a, b in pauses)
        if open_now and not paused:
            counted += 1
        cursor += timedelta(minutes=1)
    # the due instant is the end of the last counted minute
    return cursor


minutes = st.integers(0, 60 * 24 * 4)


@settings(max_examples=80, deadline=None)
@given(
    start=minutes,
    target=st.integers(1, 60 * 20),
    business=st.booleans(),
    pause_at=st.lists(st.tuples(minutes, st.integers(1, 600)), max_size=3),
)
def test_due_times_agree_with_counting_minutes(
    start: int, target: int, business: bool, pause_at: list[tuple[int, int]]
) -> None:
    started = START + timedelta(minutes=start)
    pauses: list[tuple[datetime, datetime]] = []
    cursor = started
    for offset, length in sorted(pause_at):
        a = max(cursor, started + timedelta(minutes=offset % (target + 60)))
        pauses.append((a, a + timedelta(minutes=length)))
        cursor = a + timedelta(minutes=length)
    clock = ClockInstance(
        clock="x",
        subject="s",
        instance=1,
        started_at=started,
        policy_version="p",
        target_seconds=target * 60,
        business=business,
        pauses=tuple(pauses),
    )
    far = started + timedelta(days=60)
    expected = naive_due(started, target, pauses, business)
    if business:
        # the fold keeps a business clock's pauses in business time; a due instant that
        # falls on a closing time is the same as the next opening for the reference
        assert CALENDAR.business_seconds_between(
            started, clock.due_at(far, CALENDAR)
        ) == CALENDAR.business_seconds_between(started, expected)
    else:
        assert clock.due_at(far, CALENDAR) == expected


def history(draws: list[tuple[int, int, int, int, bool]]) -> list[Recorded]:
    """Tickets: opened, callback promised, maybe paused and resumed, maybe transferred."""
    records: list[tuple[datetime, int, Recorded]] = []
    for n, (open_after, promise_after, transfer_after, pause_len, pause) in enumerate(draws):
        stream = f"ticket-T{n}"
        t0 = START + timedelta(minutes=open_after)
        t1 = t0 + timedelta(minutes=promise_after)
        events: list[ticket.Event] = [
            ticket.TicketOpened(
                at=t0,
                actor=AGENT,
                ticket_id=f"T{n}",
                category=ticket.Category.INQUIRY,
                channel=ticket.Channel.PHONE,
                priority=Priority.NORMAL,
                caller=Contact("C", "+8613912345678"),
                description="d",
            ),
            ticket.CallbackPromised(
                at=t1, actor=AGENT, phone="+8613912345678", reply_due=t1 + timedelta(hours=2)
            ),
        ]
        if pause:
            events += [
                ClockPaused(at=t1 + timedelta(minutes=5), actor=AGENT, reason="later"),
                ClockResumed(at=t1 + timedelta(minutes=5 + pause_len), actor=AGENT),
            ]
        if transfer_after:
            t2 = t1 + timedelta(minutes=transfer_after + (5 + pause_len if pause else 0))
            events.append(
                ticket.TicketTransferred(at=t2, actor=AGENT, department="BUSINESS", note="n")
            )
        for version, event in enumerate(events, start=1):
            records.append((event.at, n, Recorded(stream, version, event)))
    return [r for _, _, r in sorted(records, key=lambda item: (item[0], item[1], item[2].version))]


histories = st.lists(
    st.tuples(
        st.integers(0, 600),
        st.integers(0, 60),
        st.integers(0, 90),
        st.integers(1, 120),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
).map(history)


@settings(max_examples=60, deadline=None)
@given(records=histories, split=st.integers(0, 40), probe=st.integers(0, 900))
def test_folding_in_chunks_equals_folding_at_once(
    records: list[Recorded], split: int, probe: int
) -> None:
    at = START + timedelta(minutes=probe)
    whole = SlaClocks(DIRECTORY).apply_all(records).view(at)
    chunked = SlaClocks(DIRECTORY).apply_all(records[:split]).apply_all(records[split:]).view(at)
    assert whole == chunked


@settings(max_examples=60, deadline=None)
@given(records=histories, probe=st.integers(0, 900))
def test_as_of_an_instant_equals_the_log_cut_there(records: list[Recorded], probe: int) -> None:
    at = START + timedelta(minutes=probe)
    full = SlaClocks(DIRECTORY).apply_all(records).view(at)
    cut = SlaClocks(DIRECTORY).apply_all(r for r in records if r.event.at <= at).view(at)
    assert full == cut
