"""The wallboard and the kept folds are robust to any event the store accepts (issue 19,
deliverable 4): a late fact, a far-future fact stored before the back-dating rule (or
straight into the store, bypassing the bus), and a supervisor's correction all leave
every later event visible — on the board that was watching, and on one started afresh."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.directory_file import demo_directory
from callcore.adapters.web.live import LiveBoard
from callcore.domain import call, complaint
from callcore.domain.common import Actor, Contact, Role
from callcore.domain.complaint import Subject, SubjectKind
from callcore.ports import Recorded
from tests.support import at

PBX = Actor(Role.INTEGRATION, "pbx")
AGENT = Actor(Role.AGENT, "A01")
SUPERVISOR = Actor(Role.SUPERVISOR, "S01")
MORNING = at(24, 9, 0)


def offered(picture: dict[str, Any]) -> int:
    return sum(int(row["offered"]) for row in picture["queues"])


@pytest.fixture
def centre(tmp_path: Path) -> Any:
    clock = ManualClock(MORNING)
    center = CallCenter.open(f"sqlite:///{tmp_path}/c.db", clock=clock, directory=demo_directory())
    yield center, clock
    center.close()


def offer(center: CallCenter, call_id: str, **changes: Any) -> None:
    center.handle(call.OfferCall(call_id=call_id, queue="hotline", actor=PBX, **changes))


def later_calls_are_seen(center: CallCenter, clock: ManualClock, board: LiveBoard) -> None:
    """Three calls offered after the odd event, a minute apart: each on the watching
    board as it comes, and on a board started afresh (a restart)."""
    before = offered(board.picture())
    for n in range(3):
        clock.advance(minutes=1)
        offer(center, f"after-{n}")
        assert offered(board.picture()) == before + n + 1
    assert offered(LiveBoard(center).picture()) == before + 3
    assert offered(board.picture()) == offered(LiveBoard(center).picture())


def test_a_far_future_fact_in_the_store_hides_nothing_stored_after_it(centre: Any) -> None:
    center, clock = centre
    board = LiveBoard(center)
    offer(center, "first")
    assert offered(board.picture()) == 1
    # Given a call dated 2100 stored straight into the store, as an old store could hold
    # it (no recorded_at: read as recorded when it says it happened)
    future = datetime(2100, 1, 1, 9, 0, tzinfo=MORNING.tzinfo)
    elsewhere = CallCenter.open("memory://", clock=ManualClock(future), directory=demo_directory())
    stray = elsewhere.handle(call.OfferCall(call_id="stray", queue="hotline", actor=PBX))
    before = center.store.last_position()
    center.store.append([Recorded(r.stream, r.version, r.event) for r in stray.recorded])
    assert [p.recorded.recorded_at for p in center.store.read_all(before)] == [future]
    # Then the board, watching or restarted, shows every call offered after it
    later_calls_are_seen(center, clock, board)
    # and the stray is not on today's board (it has not happened yet)
    assert offered(board.picture()) == 4
    # And the views as of now agree with the board
    assert sum(row.offered for row in center.views.queues(clock.now()).queues) == 4


def test_a_late_fact_hides_nothing_stored_after_it(centre: Any) -> None:
    center, clock = centre
    board = LiveBoard(center)
    clock.set(MORNING + timedelta(minutes=30))
    offer(center, "on-time")
    # Given the PBX catching up with a call offered 20 minutes ago
    offer(center, "late", occurred_at=MORNING + timedelta(minutes=10))
    assert offered(board.picture()) == 2
    later_calls_are_seen(center, clock, board)


def test_a_supervisors_correction_hides_nothing_stored_after_it(centre: Any) -> None:
    center, clock = centre
    board = LiveBoard(center)
    center.handle(complaint.LodgeComplaint(
        complaint_id="K-1", complainant=Contact("Wang Xiuying", "139 1234 5678"),
        about=Subject(SubjectKind.FIELD_WORKER, "W001"), what="Late again",
        wanted_outcome="An apology", actor=AGENT,
    ))
    clock.advance(minutes=1)
    center.handle(complaint.JudgeComplaint(complaint_id="K-1", valid=True, actor=AGENT))
    board.picture()
    # Given a supervisor's correction, four hours on, of a notification made at 09:08
    clock.set(MORNING + timedelta(hours=4))
    center.handle(complaint.NotifyDepartment(
        complaint_id="K-1", department="TECH", actor=SUPERVISOR,
        occurred_at=MORNING + timedelta(minutes=8),
        correction="Phoned at 09:08; the ticket system was down until noon",
    ))
    stored = [p.recorded for p in center.store.read_all()]
    assert any(r.event.type_name() == "TimeCorrected" for r in stored)
    # Then the board shows the notification and every call offered after it
    picture = board.picture()
    notified = [row for row in center.views.sla().clocks
                if row.clock == "complaint-department-notified"]
    assert notified and notified[0].stopped_at == MORNING + timedelta(minutes=8)
    assert picture["clocks"] == LiveBoard(center).picture()["clocks"]
    later_calls_are_seen(center, clock, board)


def test_a_fact_dated_ahead_of_the_clock_is_held_until_it_happens(centre: Any) -> None:
    center, clock = centre
    board = LiveBoard(center)
    # Given a PBX whose clock runs 90 seconds ahead of the centre's
    offer(center, "ahead", occurred_at=MORNING + timedelta(seconds=90))
    offer(center, "now")
    # Then the call of the future is not on the board yet, and the one after it is
    assert offered(board.picture()) == 1
    assert sum(row.offered for row in center.views.queues().queues) == 1
    # and once its time comes it is, on the watching board and on a fresh one
    clock.advance(seconds=90)
    assert offered(board.picture()) == 2 == offered(LiveBoard(center).picture())
    later_calls_are_seen(center, clock, board)
