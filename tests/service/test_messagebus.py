"""The one door: idempotent command ids, atomic appends, bounded retries (interfaces.md §2)."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from callcore import CallCenter, CommandIdReused, ConcurrencyConflict
from callcore.adapters.clock import ManualClock
from callcore.adapters.eventstore import EventsourcingStore
from callcore.domain import numbering
from callcore.domain.customer import AccountOpened, ChangeContactDetails, OpenAccount
from callcore.ports import Recorded
from callcore.service_layer.messagebus import UnknownCommand
from tests.support import AGENT, MONDAY_9AM


def open_wang(command_id: str | None = None, name: str = "Wang Xiuying") -> OpenAccount:
    return OpenAccount(
        command_id=command_id,
        name=name,
        phone="139 1234 5678",
        address="5 Dongmen Road",
        area="DONGMEN",
        actor=AGENT,
    )


@pytest.mark.reliability
def test_a_repeated_command_id_returns_the_first_outcome_and_records_nothing(
    store_url: str,
) -> None:
    with CallCenter.open(store_url, clock=ManualClock(MONDAY_9AM)) as center:
        first = center.handle(open_wang("web-req-1"))
        before = center.store.last_position()
        again = center.handle(open_wang("web-req-1"))
        assert again.repeated and not first.repeated
        assert again.recorded == first.recorded
        assert center.store.last_position() == before
        # the retry did not issue a second number
        assert center.handle(open_wang()).first(AccountOpened).customer_number == "C000002"


def test_the_same_id_for_a_different_command_is_refused(store_url: str) -> None:
    with CallCenter.open(store_url, clock=ManualClock(MONDAY_9AM)) as center:
        center.handle(open_wang("req-7"))
        with pytest.raises(CommandIdReused, match="req-7"):
            center.handle(open_wang("req-7", name="Someone Else"))


def test_a_retried_command_that_would_now_break_a_rule_still_returns_its_outcome() -> None:
    center = CallCenter.open("memory://", clock=ManualClock(MONDAY_9AM))
    center.handle(open_wang())
    change = ChangeContactDetails(command_id="chg-1", customer_number="C000001", area="XIHU")
    first = center.handle(change)
    assert center.handle(change).recorded == first.recorded


def test_a_command_without_a_handler_is_a_type_error() -> None:
    from callcore.domain.common import Command

    with pytest.raises(UnknownCommand):
        CallCenter.open("memory://").handle(Command())


class RacingStore:
    """Wraps a store; before each of the first ``races`` appends, another writer appends
    to the same streams first — what a concurrent writer does."""

    def __init__(self, inner: EventsourcingStore, races: int) -> None:
        self.inner = inner
        self.races = races
        self.appends = 0

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)

    def append(self, records: Sequence[Recorded]) -> None:
        self.appends += 1
        if self.races > 0:
            self.races -= 1
            rival = CallCenter(self.inner, clock=ManualClock(MONDAY_9AM))
            rival.handle(open_wang(name=f"Rival {self.races}"))
        self.inner.append(records)


def test_a_lost_race_is_decided_again_from_the_new_state() -> None:
    store = RacingStore(EventsourcingStore("memory://"), races=0)
    center = CallCenter(store, clock=ManualClock(MONDAY_9AM))  # type: ignore[arg-type]
    store.races, store.appends = 2, 0
    outcome = center.handle(open_wang())
    # two rivals took C000001 and C000002 first; the third attempt got C000003
    assert outcome.first(AccountOpened).customer_number == "C000003"
    assert store.appends == 3
    issued = [r.event for r in store.inner.read_stream(numbering.stream_id("customer-number"))]
    assert [e.number for e in issued] == [1, 2, 3]  # type: ignore[attr-defined]


def test_losing_every_race_is_a_clear_conflict_and_records_nothing_of_ours() -> None:
    store = RacingStore(EventsourcingStore("memory://"), races=0)
    center = CallCenter(store, clock=ManualClock(MONDAY_9AM))  # type: ignore[arg-type]
    store.races = 100
    center.bus.max_attempts = 3
    with pytest.raises(ConcurrencyConflict, match="3 times"):
        center.handle(open_wang(name="Unlucky"))
    names = [
        p.recorded.event.name
        for p in store.inner.read_all()  # type: ignore[attr-defined]
        if isinstance(p.recorded.event, AccountOpened)
    ]
    assert "Unlucky" not in names and len(names) == 3


def test_events_are_stamped_with_the_clock_or_the_reported_time() -> None:
    clock = ManualClock(MONDAY_9AM)
    center = CallCenter.open("memory://", clock=clock)
    assert center.handle(open_wang()).first(AccountOpened).at == MONDAY_9AM
    reported = MONDAY_9AM.replace(hour=8)
    late = OpenAccount(
        name="Li", phone="13800001111", address="x", area="XIHU", occurred_at=reported
    )
    assert center.handle(late).first(AccountOpened).at == reported
