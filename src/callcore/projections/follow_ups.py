"""Follow-up calls as work (domain.md §5): what agents must call, and when.

* **Scheduled follow-ups** are the follow-up SLA clocks still running: after a purchase on
  days 3, 10 and 30, after a repair or install within 3 days, after a complaint's accepted
  resolution within 24 hours. The work list shows each with its due time, most urgent
  first; a follow-up becomes callable once the previous one for the same purchase is done.
* **The daily sample** of completed work: every account opened that day, and a share of
  the day's completed orders and dispatches (``directory.follow_ups.sample_share``),
  picked by a keyed hash of the seed, the day and the record — so the same log and seed
  always pick the same sample, on any machine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime

from attrs import frozen

from callcore.domain import customer, dispatch, order
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.directory import Directory
from callcore.ports import Recorded
from callcore.projections.sla import ClockStatus, SlaClocks

FOLLOW_UP_CLOCKS = (
    "post-purchase-follow-up-1",
    "post-purchase-follow-up-2",
    "post-purchase-follow-up-3",
    "post-repair-follow-up",
    "complaint-satisfaction-call",
)


@frozen
class FollowUpWork:
    """A follow-up call (回访) to make: its clock, the record it is about, when it is
    due."""

    clock: str
    subject: str
    due_at: datetime
    state: ClockStatus
    paused: bool


@frozen
class Sampled:
    """A record picked for a follow-up call, and why (every new account, or the daily
    sample)."""

    subject: str
    reason: str
    """``new-account`` (always) or ``sampled``."""


def picked(seed: str, day: date, subject: str, share: float) -> bool:
    """A deterministic draw: the keyed hash of (seed, day, subject) against the share."""
    digest = hashlib.sha256(f"{seed}|{day.isoformat()}|{subject}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


class FollowUps:
    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self.calendar = BusinessCalendar(directory.calendar)
        self.sla = SlaClocks(directory)
        self.completed: list[tuple[datetime, str]] = []
        self.opened: list[tuple[datetime, str]] = []

    def apply_all(self, records: Iterable[Recorded]) -> FollowUps:
        for record in records:
            self.apply(record)
        return self

    def apply(self, record: Recorded) -> None:
        self.sla.apply(record)
        event = record.event
        if isinstance(event, customer.AccountOpened):
            self.opened.append((event.at, record.stream))
        elif isinstance(event, (order.OrderDelivered, dispatch.DispatchCompleted)):
            self.completed.append((event.at, record.stream))

    def work(self, at: datetime) -> tuple[FollowUpWork, ...]:
        """Follow-up calls to make, most urgent first (one per purchase at a time)."""
        rows = [
            r
            for r in self.sla.view(at).clocks
            if r.clock in FOLLOW_UP_CLOCKS and r.stopped_at is None
        ]
        next_per_subject: dict[str, FollowUpWork] = {}
        for row in sorted(rows, key=lambda r: (r.due_at, r.clock)):
            next_per_subject.setdefault(
                row.subject,
                FollowUpWork(
                    row.clock,
                    row.subject,
                    row.due_at,
                    row.state,
                    paused=row.paused_seconds > 0 and row.state is not ClockStatus.BREACHED,
                ),
            )
        return tuple(sorted(next_per_subject.values(), key=lambda w: (w.due_at, w.subject)))

    def sample(self, day: date) -> tuple[Sampled, ...]:
        settings = self.directory.follow_ups
        local = self.calendar.local
        chosen = [
            Sampled(stream, "new-account") for at, stream in self.opened if local(at).date() == day
        ]
        chosen += [
            Sampled(stream, "sampled")
            for at, stream in self.completed
            if local(at).date() == day
            and picked(settings.sample_seed, day, stream, settings.sample_share)
        ]
        return tuple(chosen)
