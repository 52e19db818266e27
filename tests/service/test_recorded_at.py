"""Two times on every event (issue 19, deliverable 1): ``at`` is when it happened, the
caller's word within the back-dating bounds; ``recorded_at`` is when the store took it,
from the centre's clock port, never from the caller. Given/when/then on every store kind."""

from __future__ import annotations

from datetime import timedelta

import attrs

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.directory_file import demo_directory
from callcore.adapters.eventstore import open_store
from callcore.domain import call, complaint
from callcore.domain.common import Actor, Contact, Role
from callcore.domain.complaint import Subject, SubjectKind
from tests.support import at

AGENT = Actor(Role.AGENT, "A01")
PBX = Actor(Role.INTEGRATION, "pbx")


def test_a_late_fact_keeps_when_it_happened_and_when_the_store_took_it(store_url: str) -> None:
    # Given a centre whose clock says 12:35:00
    clock = ManualClock(at(23, 12, 35))
    center = CallCenter.open(store_url, clock=clock, directory=demo_directory())
    try:
        # When the PBX reports a call offered at 12:30 (five minutes late), with a command id
        offered = center.handle(
            call.OfferCall(
                call_id="c1",
                queue="hotline",
                actor=PBX,
                occurred_at=at(23, 12, 30),
                command_id="pbx-1",
            )
        )
        # and, a minute on, an agent lodges a complaint giving no time
        clock.set(at(23, 12, 36))
        lodged = center.handle(
            complaint.LodgeComplaint(
                complaint_id="K-1",
                complainant=Contact("Wang Xiuying", "139 1234 5678"),
                about=Subject(SubjectKind.FIELD_WORKER, "W001"),
                what="Late again",
                wanted_outcome="An apology",
                actor=AGENT,
            )
        )
        # Then the outcome, the stream and the global order all carry both times
        assert {(r.event.at, r.recorded_at) for r in offered.recorded} == {
            (at(23, 12, 30), at(23, 12, 35))
        }
        assert {(r.event.at, r.recorded_at) for r in lodged.recorded} == {
            (at(23, 12, 36), at(23, 12, 36))
        }
        stored = [p.recorded for p in center.store.read_all()]
        late = [r for r in stored if r.stream == "call-c1"]
        assert [(r.event.at, r.recorded_at) for r in late] == [(at(23, 12, 30), at(23, 12, 35))]
        # and the command's receipt is recorded when the store took it too
        receipts = [r for r in stored if r.stream.startswith("command-")]
        assert receipts and all(r.recorded_at == at(23, 12, 35) for r in receipts)
        # And a repeat of the command answers the first outcome, times and all
        again = center.handle(
            call.OfferCall(
                call_id="c1",
                queue="hotline",
                actor=PBX,
                occurred_at=at(23, 12, 30),
                command_id="pbx-1",
            )
        )
        assert again.repeated
        assert [r.recorded_at for r in again.recorded] == [at(23, 12, 35)]
    finally:
        center.close()
    # And a store opened afresh reads the same times back (memory:// lives in its object)
    if not store_url.startswith("memory"):
        store = open_store(store_url)
        try:
            again_stored = [p.recorded for p in store.read_all()]
        finally:
            store.close()
        assert again_stored == stored


def test_no_command_can_set_recorded_at(store_url: str) -> None:
    # Given a clock at 12:35 and a command dated a minute ahead (within the 2 minutes' skew)
    clock = ManualClock(at(23, 12, 35))
    center = CallCenter.open(store_url, clock=clock, directory=demo_directory())
    try:
        ahead = at(23, 12, 35) + timedelta(minutes=1)
        outcome = center.handle(
            call.OfferCall(call_id="c2", queue="hotline", actor=PBX, occurred_at=ahead)
        )
        # Then the fact is dated as the caller says, and recorded when the clock says
        assert [(r.event.at, r.recorded_at) for r in outcome.recorded] == [(ahead, at(23, 12, 35))]
        # and no command has a field through which a caller could give it
        assert "recorded_at" not in {f.name for f in attrs.fields(call.OfferCall)}
    finally:
        center.close()
