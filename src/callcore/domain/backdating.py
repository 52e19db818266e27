"""Bounded back-dating (domain.md §6): how late, and how early, a fact may be dated.

A fact reported after it happened is real — a PBX catching up, an SMS from the field, an
agent typing up a call — so a command may carry ``occurred_at``. But an SLA figure is
worth what its times are worth, so the time is bounded, against the centre's clock:

* never later than the clock's now plus a small skew (clocks of two machines differ);
* never earlier than now minus the bound of whoever reports it: people (agents,
  supervisors, field workers) type a fact up within minutes; an integration forwards its
  own timestamps, and may be hours behind after an outage; the centre's own processes
  (the ``system`` actor, also the Python API's default) derive their times from facts
  already recorded, and catch up after an outage of at most a month;
* never before the record's previous event — and so never before the start of any clock
  the record runs: every clock of a record starts at or after the record's first event.

A supervisor may date a fact beyond the lateness bound with a ``correction`` (the
reason): the fact is recorded with a :class:`TimeCorrected` event beside it, so history
and audit show that it rests on a correction. The future and the record's order still
hold, and a correction has its own bound (a month: the figures of a month are signed
after it), so a correction dated 1970 that opens a record is refused too. The bounds
live in the directory (``[back_dating]``). Everything here is pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from attrs import field, frozen

from callcore.domain.common import Actor, ClockPaused, ClockResumed, DomainError, Event, Role, Rule

NOT_IN_THE_FUTURE = Rule(
    "not-dated-in-the-future",
    "domain.md §6, bounded back-dating: never in the future beyond a small clock skew",
)
WITHIN_BACK_DATING_BOUND = Rule(
    "back-dating-within-bounds",
    "domain.md §6, bounded back-dating: people minutes, integrations hours (the "
    "directory's [back_dating])",
)
CORRECTION_WITHIN_BOUND = Rule(
    "correction-within-bounds",
    "domain.md §6, bounded back-dating: a supervisor's correction reaches back at most "
    "its own bound (the directory's back_dating.corrections)",
)
NOT_BEFORE_PREVIOUS_EVENT = Rule(
    "not-before-the-previous-event",
    "domain.md §6, bounded back-dating: never before its record's previous event",
)
NOT_BEFORE_CLOCK_START = Rule(
    "not-before-the-clock-start",
    "domain.md §6, bounded back-dating: never before the start of the clock it stops",
)


CORRECTION_NEEDS_A_TIME = Rule(
    "correction-dates-a-fact",
    "domain.md §6, bounded back-dating: a supervisor's correction gives the fact's time",
)


@frozen(kw_only=True)
class TimeCorrected(Event):
    """A supervisor dated a fact beyond the back-dating bounds, with a reason. Recorded on
    each record the fact was recorded on, right after it: ``at`` is the fact's own time,
    ``corrected_at`` the centre's clock when the supervisor recorded it."""

    command_type: str
    reason: str
    corrected_at: datetime
    late_by_seconds: int
    bound_seconds: int | None


EVENTS: tuple[type[Event], ...] = (TimeCorrected,)

RecordNote = ClockPaused | ClockResumed | TimeCorrected
"""What the centre notes on a ticket, complaint, dispatch, order or call without changing
the record itself: its SLA clocks paused or resumed, a supervisor's correction of a
reported time. Each of those aggregates' ``evolve`` takes them and keeps its state."""


def _not_negative(_: object, attribute: object, value: int) -> None:
    if value < 0:
        raise ValueError(f"a back-dating bound cannot be negative, got {value} seconds")


@frozen
class BackDating:
    """The directory's bounds, in seconds. Defaults: people 15 minutes, integrations 24
    hours, the centre's own processes 31 days, corrections 31 days, 2 minutes of clock
    skew. Every actor has a bound: none dates a fact undated by a rule."""

    people_seconds: int = field(default=15 * 60, validator=_not_negative)
    """Agents, supervisors, field workers (and a customer's own report)."""
    integration_seconds: int = field(default=24 * 3600, validator=_not_negative)
    """A PBX, a front office, a CRM: their own timestamps."""
    future_skew_seconds: int = field(default=2 * 60, validator=_not_negative)
    by_source: Mapping[str, int] = field(factory=dict)
    """One integration's own bound, by its id (``asterisk``: a queue_log back-fill)."""
    system_seconds: int = field(default=31 * 86400, validator=_not_negative)
    """The centre's own processes and the Python API's default actor (``system``)."""
    corrections_seconds: int = field(default=31 * 86400, validator=_not_negative)
    """How far back a supervisor's correction may date a fact."""

    def bound(self, actor: Actor) -> tuple[int, str]:
        """How far back ``actor`` may date a fact, and the directory key that says so.
        Every role has one: people's is the default of any role not named here."""
        if actor.role is Role.SYSTEM:
            return self.system_seconds, "back_dating.system"
        if actor.role is Role.INTEGRATION:
            if actor.id in self.by_source:
                return self.by_source[actor.id], f"back_dating.sources.{actor.id}"
            return self.integration_seconds, "back_dating.integrations"
        return self.people_seconds, "back_dating.people"


def span(seconds: float) -> str:
    """``900`` → ``15 minutes``; ``11100`` → ``3 hours 5 minutes``; ``1`` → ``1 second``."""
    total = round(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days >= 2:  # a fact years off reads in days, not in hours and seconds
        return f"{days} days"
    hours += 24 * days
    parts = [(hours, "hour"), (minutes, "minute")]
    if not hours:
        parts.append((secs, "second"))
    named = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(named) or "0 seconds"


def check_reported_time(
    occurred_at: datetime,
    now: datetime,
    actor: Actor,
    what: str,
    bounds: BackDating,
    *,
    corrected: bool = False,
) -> None:
    """Refuse a time outside the actor's bounds, naming the rule and the bound. A
    supervisor's correction (``corrected``) replaces the lateness bound with the
    corrections' bound; never the future's."""
    ahead = (occurred_at - now).total_seconds()
    if ahead > bounds.future_skew_seconds:
        raise DomainError(
            NOT_IN_THE_FUTURE,
            f"{actor} dated {what} {occurred_at.isoformat()}, {span(ahead)} after the "
            f"centre's clock ({now.isoformat()}); at most {span(bounds.future_skew_seconds)} "
            f"of clock skew (back_dating.future_skew)",
        )
    if corrected:
        if occurred_at < now - timedelta(seconds=bounds.corrections_seconds):
            raise DomainError(
                CORRECTION_WITHIN_BOUND,
                f"{actor} corrected {what} to {occurred_at.isoformat()}, "
                f"{span((now - occurred_at).total_seconds())} before the centre's clock "
                f"({now.isoformat()}); a correction reaches back at most "
                f"{span(bounds.corrections_seconds)} (back_dating.corrections)",
            )
        return
    seconds, key = bounds.bound(actor)
    if occurred_at < now - timedelta(seconds=seconds):
        raise DomainError(
            WITHIN_BACK_DATING_BOUND,
            f"{actor} dated {what} {occurred_at.isoformat()}, "
            f"{span((now - occurred_at).total_seconds())} before the centre's clock "
            f"({now.isoformat()}); {actor.role} may back-date at most {span(seconds)} "
            f"({key})",
        )


def check_record_order(
    at: datetime,
    record: str,
    previous: datetime,
    opened: datetime | None,
    actor: Actor,
    what: str,
) -> None:
    """Refuse a time before the record's previous event (``previous``); when it is
    even before the record's first event (``opened``), before which none of its clocks
    had started, the rule named is the clock's."""
    if at >= previous:
        return
    if opened is not None and at < opened:
        raise DomainError(
            NOT_BEFORE_CLOCK_START,
            f"{actor} dated {what} {at.isoformat()}, before {record} was opened "
            f"({opened.isoformat()}), when its clocks started",
        )
    raise DomainError(
        NOT_BEFORE_PREVIOUS_EVENT,
        f"{actor} dated {what} {at.isoformat()}, before the previous event of {record} "
        f"({previous.isoformat()})",
    )
