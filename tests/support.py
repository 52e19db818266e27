"""Test support: a given/when/then scenario over a real CallCenter, and fixed times."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from callcore import CallCenter, DomainError
from callcore.adapters.clock import ManualClock
from callcore.adapters.notifiers import RecordingNotifier
from callcore.domain.common import Actor, Command, Event, Role, Rule
from callcore.domain.directory import Directory
from callcore.service_layer.messagebus import Outcome

CST = timezone(timedelta(hours=8), "CST")
MONDAY_9AM = datetime(2026, 11, 23, 9, 0, tzinfo=CST)
AGENT = Actor(Role.AGENT, "A01")
SUPERVISOR = Actor(Role.SUPERVISOR, "S01")
WORKER = Actor(Role.FIELD_WORKER, "W001")


def at(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=CST)


class Scenario:
    """A story told to a real CallCenter on an in-memory store::

    s = Scenario()
    s.given(OpenAccount(...))
    s.when(PlaceOrder(...))
    s.then(OrderPlaced)             # the types of what was recorded, in order
    s.then_broken(REGISTERED_NAME)  # or: the rule the command broke
    """

    def __init__(
        self,
        url: str = "memory://",
        *,
        directory: Directory | None = None,
        start: datetime = MONDAY_9AM,
    ) -> None:
        self.clock = ManualClock(start)
        self.notifier = RecordingNotifier()
        self.center = CallCenter.open(
            url, clock=self.clock, notifier=self.notifier, directory=directory
        )
        self.outcome: Outcome | None = None
        self.error: DomainError | None = None
        self.history: list[Outcome] = []

    @property
    def directory(self) -> Directory:
        return self.center.directory

    def handle(self, command: Command) -> Outcome:
        """A fact dated ahead of the clock is reported when it happens: the clock shows
        its time while it is handled (no fact may be dated in the future, domain.md §6),
        then goes back to where the story had it."""
        now = self.clock.now()
        if command.occurred_at is None or command.occurred_at <= now:
            return self.center.handle(command)
        self.clock.set(command.occurred_at)
        try:
            return self.center.handle(command)
        finally:
            self.clock.set(now)

    def given(self, *commands: Command) -> Scenario:
        for command in commands:
            self.history.append(self.handle(command))
        return self

    def after(self, **delta: float) -> Scenario:
        self.clock.advance(timedelta(**delta))
        return self

    def when(self, command: Command) -> Scenario:
        self.outcome, self.error = None, None
        before = self.center.store.last_position()
        try:
            self.outcome = self.handle(command)
        except DomainError as error:
            self.error = error
            assert self.center.store.last_position() == before, "a broken rule stored events"
        return self

    def then(self, *event_types: type[Event]) -> list[Event]:
        assert self.error is None, f"expected events, the command broke {self.error}"
        assert self.outcome is not None
        recorded = [type(event) for event in self.outcome.events]
        assert recorded == list(event_types), f"recorded {[t.__name__ for t in recorded]}"
        return list(self.outcome.events)

    def then_nothing(self) -> None:
        assert self.error is None, f"expected no events, the command broke {self.error}"
        assert self.outcome is not None and len(self.outcome) == 0

    def then_broken(self, rule: Rule) -> DomainError:
        assert self.error is not None, (
            f"expected {rule.name} to be broken, recorded "
            f"{[type(e).__name__ for e in (self.outcome.events if self.outcome else ())]}"
        )
        assert self.error.rule == rule, f"broke {self.error.rule.name}, not {rule.name}"
        return self.error

    def last(self, event_type: type[Any]) -> Any:
        for outcome in reversed([*self.history, *([self.outcome] if self.outcome else [])]):
            for event in reversed(outcome.events):
                if isinstance(event, event_type):
                    return event
        raise LookupError(event_type.__name__)


def types_of(events: Iterable[Event]) -> list[str]:
    return [type(event).__name__ for event in events]


def raises_rule(rule: Rule) -> Any:
    """``with raises_rule(X): decide(...)`` for pure decision tests."""
    return pytest.raises(DomainError, match=f"^{rule.name}:")
