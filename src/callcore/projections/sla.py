"""SLA clocks (domain.md §6): a pure fold from recorded events to clock instances.

A clock instance starts at one event and stops at another on the same subject (the
stream it belongs to). It is **met** if it stops by its due time and **breached**
otherwise; a clock still running past its due time is breached as of that moment, and
*at risk* once a configurable share of its target has passed (default 75 % and 90 %).

* **Targets** come from the SLA policy in force when the clock started, per priority and
  customer level; the instance keeps everything it started under — policy version,
  target, warning shares, priority and customer level — so a later policy change never
  rewrites it. A what-if is the same fold under another policy.
* **Pauses**: ``ClockPaused``/``ClockResumed`` on the subject pause its running clocks
  (all, or the named ones); the due time moves by the paused time — in business time for
  business clocks.
* **Business clocks** (``voicemail-callback``) count opening hours on business days of the
  centre's calendar; their due time is computed by :class:`BusinessCalendar`.
* **Reopen**: a start event on a subject whose previous instance has stopped starts a new
  instance (numbered); old instances are never rewritten.
* **As of an instant**: :meth:`SlaClocks.view` evaluates every instance at ``at``; folding
  only events with ``at`` up to that instant gives what the view showed then.

Clock ids and the events that start and stop them are listed in :data:`CATALOGUE` and in
``docs/sla.md``.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, TypeVar

import attrs
from attrs import field, frozen

from callcore.domain import call, complaint, dispatch, order, ticket
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import ClockPaused, ClockResumed, Event, Priority, Role
from callcore.domain.customer import AccountOpened
from callcore.domain.directory import ClockTarget, Directory, SlaPolicy
from callcore.domain.policy import SlaPolicyAdopted
from callcore.ports import Recorded
from callcore.projections.answering import (
    ABANDONED,
    ANSWERED,
    TIMED_OUT,
    VOICEMAIL,
    AnswerOutcome,
    AnswerRule,
    classify,
)


class ClockStatus(enum.StrEnum):
    """The state of an SLA clock as of an instant."""

    RUNNING = "running"
    AT_RISK = "at-risk"
    MET = "met"
    BREACHED = "breached"
    WITHDRAWN = "withdrawn"
    """The work was withdrawn before its due time (a cancelled order or dispatch, an
    invalid complaint, a call the answer figure does not count): neither met nor
    breached, and counted on its own."""


@frozen
class ClockDefinition:
    clock: str
    starts: str
    stops: str
    business: bool = False


CATALOGUE: tuple[ClockDefinition, ...] = (
    ClockDefinition("answer", "call offered to the queue", "call answered"),
    ClockDefinition("inquiry-transfer", "callback promised", "transferred to a department"),
    ClockDefinition("inquiry-department-reply", "transferred", "department replied"),
    ClockDefinition("inquiry-customer-reply", "callback promised", "customer replied"),
    ClockDefinition(
        "voicemail-callback",
        "voicemail left after hours",
        "customer called back and reached (due 08:30 of the next business day)",
        business=True,
    ),
    ClockDefinition("complaint-reply-committed", "lodged", "reply time committed"),
    ClockDefinition("complaint-department-notified", "lodged", "department notified"),
    ClockDefinition("complaint-customer-updated", "department notified", "customer updated"),
    ClockDefinition(
        "complaint-department-follow-up", "department notified", "department followed up"
    ),
    ClockDefinition(
        "complaint-satisfaction-call",
        "resolution accepted",
        "satisfaction call reached the customer",
    ),
    ClockDefinition("emergency-notification", "emergency ticket opened", "repair centre notified"),
    ClockDefinition("repair-arrival", "repair dispatch requested", "worker arrived"),
    ClockDefinition("install-completion", "install dispatch requested", "install completed"),
    ClockDefinition(
        "delivery", "order placed", "delivered (due at the end of the promised window)"
    ),
)


@frozen
class Attribution:
    """Whom a clock's result counts for in the compliance roll-ups."""

    branch: str | None = None
    department: str | None = None
    agent: str | None = None
    field_worker: str | None = None


@frozen
class ClockInstance:
    clock: str
    subject: str
    instance: int
    started_at: datetime
    policy_version: str
    target_seconds: int
    business: bool
    fixed_due: datetime | None = None
    """For clocks whose due time is a promise (a delivery window, 08:30 tomorrow)."""
    priority: str | None = None
    customer_level: str | None = None
    warning_shares: tuple[float, ...] = (0.75, 0.90)
    """The warning shares of the policy it started under (kept, like its target)."""
    due_kind: str = "policy"
    """What a ``fixed_due`` other than the policy's own due time is: ``appointment`` (an
    agreed window's end) or ``promise`` (a reply time promised to the customer)."""
    stopped_at: datetime | None = None
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()
    attribution: Attribution = field(factory=Attribution)
    attribution_changes: tuple[tuple[datetime, Attribution], ...] = ()
    """Later attributions (a department learnt on transfer), with when they were learnt:
    a view as of an earlier instant shows what was known then."""
    due_changes: tuple[tuple[datetime, datetime], ...] = ()
    """Later promises (a new delivery window agreed), with when they were agreed."""
    dropped_at: datetime | None = None
    """When the clock stopped applying (the work was withdrawn): *withdrawn* from then if
    it was not yet due, *breached* if it was (once breached, always breached)."""
    verdict: ClockStatus | None = None
    """The result decided when the clock stopped, for clocks whose result is not the
    stop time against the due time alone (the answer clock: :mod:`answering`)."""

    @property
    def running(self) -> bool:
        return self.stopped_at is None and self.dropped_at is None

    @property
    def ended_at(self) -> datetime | None:
        return self.stopped_at if self.stopped_at is not None else self.dropped_at

    def as_known_at(self, at: datetime) -> ClockInstance:
        """The instance as the view would have shown it at ``at``."""
        attribution = self.attribution
        for when, changed in self.attribution_changes:
            if when <= at:
                attribution = changed
        due = self.fixed_due
        for when, promised in self.due_changes:
            if when <= at:
                due = promised
        stopped = self.stopped_at if self.stopped_at is not None and self.stopped_at <= at else None
        dropped = self.dropped_at if self.dropped_at is not None and self.dropped_at <= at else None
        pauses = tuple(
            (start, end if end is not None and end <= at else None)
            for start, end in self.pauses
            if start <= at
        )
        return attrs.evolve(
            self,
            attribution=attribution,
            fixed_due=due,
            stopped_at=stopped,
            dropped_at=dropped,
            verdict=self.verdict if stopped is not None or dropped is not None else None,
            pauses=pauses,
            attribution_changes=(),
            due_changes=(),
        )

    @property
    def paused(self) -> bool:
        return bool(self.pauses) and self.pauses[-1][1] is None

    def paused_seconds(self, at: datetime, calendar: BusinessCalendar) -> float:
        total = 0.0
        for start, end in self.pauses:
            stop = min(end or at, at)
            if stop <= start:
                continue
            total += (
                calendar.business_seconds_between(start, stop)
                if self.business
                else (stop - start).total_seconds()
            )
        return total

    def due_at(self, at: datetime, calendar: BusinessCalendar) -> datetime:
        """The target (or promised time), moved by every pause that began before the clock
        was due: a pause after the due time cannot un-breach a clock."""
        until = self.ended_at or at
        if self.fixed_due is not None:
            due = self.fixed_due
        elif self.business:
            due = calendar.add_business_seconds(self.started_at, self.target_seconds)
        else:
            due = self.started_at + timedelta(seconds=self.target_seconds)
        for start, end in sorted(self.pauses):
            if start >= due or start >= until:
                break
            stop = min(end or until, until)
            if self.business:
                due = calendar.add_business_seconds(
                    due, calendar.business_seconds_between(start, stop)
                )
            else:
                due += stop - start
        return due

    @property
    def due_by(self) -> str:
        """``policy``, ``appointment`` or ``promise``: what the due time is."""
        if self.fixed_due is None or self.due_kind == "policy":
            return "policy"
        if not self.business and self.fixed_due == self.started_at + timedelta(
            seconds=self.target_seconds
        ):
            return "policy"  # moved back to the policy's own due time
        return self.due_kind

    def policy_due(self) -> datetime:
        """The policy's own due time, before pauses (for wall clocks)."""
        return self.started_at + timedelta(seconds=self.target_seconds)

    def target_span(self, calendar: BusinessCalendar) -> float:
        if self.fixed_due is None:
            return float(self.target_seconds)
        if self.business:
            return calendar.business_seconds_between(self.started_at, self.fixed_due)
        return (self.fixed_due - self.started_at).total_seconds()

    def elapsed(self, at: datetime, calendar: BusinessCalendar) -> float:
        end = min(self.ended_at or at, at)
        gross = (
            calendar.business_seconds_between(self.started_at, end)
            if self.business
            else max(0.0, (end - self.started_at).total_seconds())
        )
        return gross - self.paused_seconds(end, calendar)

    def status(self, at: datetime, calendar: BusinessCalendar) -> tuple[ClockStatus, float | None]:
        """The status as of ``at`` and, when at risk, the warning share passed."""
        due = self.due_at(at, calendar)
        ended = self.ended_at
        if ended is not None and ended <= at:
            if self.verdict is not None:
                return self.verdict, None
            if ended > due:
                return ClockStatus.BREACHED, None  # whatever stopped or withdrew it
            return (ClockStatus.MET if self.stopped_at is not None else ClockStatus.WITHDRAWN), None
        if at > due:
            return ClockStatus.BREACHED, None
        span = self.target_span(calendar)
        if span > 0:
            share = self.elapsed(at, calendar) / span
            passed = [w for w in self.warning_shares if share >= w]
            if passed:
                return ClockStatus.AT_RISK, max(passed)
        return ClockStatus.RUNNING, None


@frozen
class ClockRow:
    """One clock instance as the view shows it at an instant (interfaces.md §4)."""

    clock: str
    subject: str
    instance: int
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None
    paused_seconds: float
    state: ClockStatus
    warning: float | None
    policy_version: str
    priority: str | None
    attribution: Attribution
    customer_level: str | None = None
    warning_shares: tuple[float, ...] = ()
    """The warning shares it is evaluated under: those of its own policy."""
    due_by: str = "policy"
    """``policy``, ``appointment`` (an agreed window's end, later than the policy's due
    time) or ``promise`` (a reply time promised, earlier than the policy's)."""


@frozen
class ComplianceRow:
    key: str
    met: int
    breached: int
    running: int
    at_risk: int
    withdrawn: int = 0

    @property
    def compliance(self) -> float | None:
        decided = self.met + self.breached
        return None if decided == 0 else self.met / decided


@frozen
class SlaView:
    """Every SLA clock as of an instant (domain.md §6); ``summary()`` gives compliance
    by clock, branch, department, agent, field worker or day."""

    as_of: datetime
    clocks: tuple[ClockRow, ...]

    def summary(self, by: str = "clock") -> tuple[ComplianceRow, ...]:
        """Compliance per ``clock``, ``branch``, ``department``, ``agent``,
        ``field_worker`` or ``day`` (the centre-local day the clock started)."""
        counts: dict[str, list[int]] = {}
        for row in self.clocks:
            if by == "clock":
                key: str | None = row.clock
            elif by == "day":
                key = row.started_at.date().isoformat()
            else:
                key = getattr(row.attribution, by)
            if key is None:
                continue
            slot = counts.setdefault(key, [0, 0, 0, 0, 0])
            index = {
                ClockStatus.MET: 0,
                ClockStatus.BREACHED: 1,
                ClockStatus.RUNNING: 2,
                ClockStatus.AT_RISK: 3,
                ClockStatus.WITHDRAWN: 4,
            }[row.state]
            slot[index] += 1
        return tuple(ComplianceRow(key, *values) for key, values in sorted(counts.items()))

    def with_state(self, *states: ClockStatus) -> tuple[ClockRow, ...]:
        return tuple(row for row in self.clocks if row.state in states)


class SlaClocks:
    """The fold. Feed it recorded events in global order with :meth:`apply`; ask it for
    the view at any instant with :meth:`view`."""

    def __init__(
        self,
        directory: Directory,
        *,
        policy_override: SlaPolicy | None = None,
        handlers: SlaHandlers | None = None,
    ) -> None:
        self.directory = directory
        self.handlers = handlers if handlers is not None else BUILT_IN
        self._handlers_by_type = self.handlers.as_mapping()
        self.calendar = BusinessCalendar(directory.calendar)
        self.policy = policy_override or directory.sla
        self.policy_overridden = policy_override is not None
        self.instances: dict[tuple[str, str], list[ClockInstance]] = {}
        self.clocks_of: dict[str, list[str]] = {}
        """The clocks ever started on a subject (pausing one must not scan them all)."""
        self.customer_levels: dict[str, str] = {}
        self.subject_facts: dict[str, dict[str, Any]] = {}
        self.last_at: datetime | None = None
        self.current_at: datetime | None = None
        self.current_event: Event | None = None
        self.dirty: set[tuple[str, str]] = set()
        """Instances changed since the last :meth:`take_dirty` (for materialisers)."""

    # -- feeding -------------------------------------------------------------------

    def apply_all(self, records: Iterable[Recorded]) -> SlaClocks:
        for record in records:
            self.apply(record)
        return self

    @classmethod
    def consumes(cls) -> frozenset[type[Event]]:
        """The event types :meth:`apply` folds with the built-in handler table (a fold
        given extra clocks reads :meth:`SlaHandlers.event_types` of its own table); a
        reader may leave every other type undecoded. ``last_at``, the default instant of
        :meth:`view`, is then the latest of these."""
        return BUILT_IN.event_types()

    def apply(self, record: Recorded) -> None:
        event = record.event
        subject = record.stream
        if self.last_at is None or event.at > self.last_at:
            self.last_at = event.at
        self.current_at = event.at
        self.current_event = event
        for handler in self._handlers_by_type.get(type(event), ()):
            handler(self, subject, event)

    # -- the clock operations the handlers use --------------------------------------

    def facts(self, subject: str) -> dict[str, Any]:
        return self.subject_facts.setdefault(subject, {})

    def start(
        self,
        clock: str,
        subject: str,
        event: Event,
        *,
        priority: Priority | str | None = None,
        customer_level: str | None = None,
        fixed_due: datetime | None = None,
        default_due: bool = False,
        appointment_end: datetime | None = None,
        promised: datetime | None = None,
        attribution: Attribution | None = None,
    ) -> None:
        """Start an instance (unless one runs). ``fixed_due`` is a due instant instead of
        the target; ``default_due`` says it is only the policy's default (08:30 of the
        next business day), which a priority or customer-level override replaces."""
        existing = self._instances_of(clock, subject)
        if existing and existing[-1].running:
            return  # already running: the first start counts
        priority_value = getattr(priority, "value", priority)
        target = self._target(clock, priority_value, customer_level)
        if default_due and self._overridden(clock, priority_value, customer_level):
            fixed_due = None
        due_kind = "appointment" if clock == "delivery" else "policy"
        policy_due = event.at + timedelta(seconds=target.seconds)
        if appointment_end is not None and not target.business:
            # an agreed window: due at the later of the policy's due and its end
            due_kind = "appointment"
            fixed_due = appointment_end if appointment_end > policy_due else None
        if promised is not None and not target.business:
            # a promised reply time: due at the earlier of the policy's and the promise
            due_kind = "promise"
            fixed_due = promised if promised < policy_due else None
        self.dirty.add((clock, subject))
        existing.append(
            ClockInstance(
                clock=clock,
                subject=subject,
                instance=len(existing) + 1,
                started_at=event.at,
                policy_version=self.policy.version,
                target_seconds=target.seconds,
                business=target.business,
                fixed_due=fixed_due,
                priority=priority_value,
                customer_level=customer_level,
                warning_shares=tuple(self.policy.warning_shares),
                due_kind=due_kind,
                attribution=attribution or Attribution(agent=_agent(event)),
            )
        )

    def _overridden(self, clock: str, priority: str | None, level: str | None) -> bool:
        return clock in self.policy.by_priority.get(
            priority or "", {}
        ) or clock in self.policy.by_customer_level.get(level or "", {})

    def _target(self, clock: str, priority: str | None, level: str | None) -> ClockTarget:
        chosen = self.policy.targets.get(clock, ClockTarget(0))
        if clock == "answer" and "answer" not in self.policy.by_priority.get(priority or "", {}):
            # three rings of the country's ring cycle, unless a priority overrides it
            chosen = ClockTarget(self.policy.answer_seconds)
        if priority is not None:
            chosen = self.policy.by_priority.get(priority, {}).get(clock, chosen)
        if level is not None:
            chosen = self.policy.by_customer_level.get(level, {}).get(clock, chosen)
        return chosen

    def stop(
        self, clock: str, subject: str, event: Event, verdict: ClockStatus | None = None
    ) -> None:
        self.dirty.add((clock, subject))
        existing = self.instances.get((clock, subject))
        if existing and existing[-1].running:
            current = existing[-1]
            existing[-1] = attrs.evolve(
                current,
                stopped_at=event.at,
                pauses=_closed_pauses(current, event.at),
                verdict=verdict,
            )

    def drop(
        self,
        clock: str,
        subject: str,
        at: datetime | None = None,
        verdict: ClockStatus | None = None,
    ) -> None:
        """Withdraw a running instance that no longer applies (a cancelled dispatch or
        order, an invalid complaint): *withdrawn* if it was not yet due, and *breached*
        if it was — a withdrawal never hides a breach."""
        self.dirty.add((clock, subject))
        existing = self.instances.get((clock, subject))
        when = at or self.current_at
        if existing and existing[-1].running and when is not None:
            current = existing[-1]
            existing[-1] = attrs.evolve(
                current, dropped_at=when, pauses=_closed_pauses(current, when), verdict=verdict
            )

    def close(self, subject: str, event: Event, keep: Iterable[str] = ()) -> None:
        """The record closed: every clock still running on it stops (met or breached by
        then), except those that by design run after the close (``keep``)."""
        kept = set(keep)
        for clock in self.clocks_of.get(subject, ()):
            if clock not in kept:
                self.stop(clock, subject, event)

    def attribute(self, clock: str, subject: str, **changes: str | None) -> None:
        self.dirty.add((clock, subject))
        existing = self.instances.get((clock, subject))
        if existing and self.current_at is not None:
            current = existing[-1]
            latest = (
                current.attribution_changes[-1][1]
                if current.attribution_changes
                else (current.attribution)
            )
            changed = attrs.evolve(latest, **changes)
            existing[-1] = attrs.evolve(
                current,
                attribution_changes=(*current.attribution_changes, (self.current_at, changed)),
            )

    def move_due(
        self, clock: str, subject: str, due: datetime, *, not_before_policy: bool = False
    ) -> None:
        """A new promise (a new window agreed): the due time from now on — unless the
        clock is already past its due time, which no later promise un-breaches. With
        ``not_before_policy`` the due time is the later of ``due`` and the policy's."""
        self.dirty.add((clock, subject))
        existing = self.instances.get((clock, subject))
        now = self.current_at
        if existing and existing[-1].running and now is not None:
            current = existing[-1]
            if now > current.as_known_at(now).due_at(now, self.calendar):
                return  # once breached, always breached
            if not_before_policy and not current.business:
                due = max(due, current.policy_due())
            existing[-1] = attrs.evolve(current, due_changes=(*current.due_changes, (now, due)))

    def _instances_of(self, clock: str, subject: str) -> list[ClockInstance]:
        existing = self.instances.get((clock, subject))
        if existing is None:
            existing = self.instances[(clock, subject)] = []
            self.clocks_of.setdefault(subject, []).append(clock)
        return existing

    def restore(self, instance: ClockInstance) -> None:
        """Put back an instance saved earlier (the SQL read models load the fold so)."""
        self._instances_of(instance.clock, instance.subject).append(instance)

    def pause(self, subject: str, event: Event, clocks: tuple[str, ...]) -> None:
        for clock in self.clocks_of.get(subject, ()):
            if clocks and clock not in clocks:
                continue
            existing = self.instances[(clock, subject)]
            current = existing[-1]
            if current.running and not current.paused:
                self.dirty.add((clock, subject))
                existing[-1] = attrs.evolve(current, pauses=(*current.pauses, (event.at, None)))

    def resume(self, subject: str, event: Event, clocks: tuple[str, ...]) -> None:
        for clock in self.clocks_of.get(subject, ()):
            if clocks and clock not in clocks:
                continue
            existing = self.instances[(clock, subject)]
            current = existing[-1]
            if current.paused:
                self.dirty.add((clock, subject))
                start = current.pauses[-1][0]
                existing[-1] = attrs.evolve(
                    current, pauses=(*current.pauses[:-1], (start, event.at))
                )

    def take_dirty(self) -> set[tuple[str, str]]:
        dirty, self.dirty = self.dirty, set()
        return dirty

    # -- reading -------------------------------------------------------------------

    def view(self, at: datetime | None = None) -> SlaView:
        instant = at or self.last_at
        if instant is None:
            raise ValueError("no events yet: give the instant to evaluate the clocks at")
        rows = []
        for existing in self.instances.values():
            for clock in existing:
                if clock.started_at > instant:
                    continue
                visible = clock.as_known_at(instant)
                state, warning = visible.status(instant, self.calendar)
                rows.append(
                    ClockRow(
                        clock=clock.clock,
                        subject=clock.subject,
                        instance=clock.instance,
                        started_at=clock.started_at,
                        due_at=visible.due_at(instant, self.calendar),
                        stopped_at=visible.ended_at,
                        paused_seconds=visible.paused_seconds(
                            visible.ended_at or instant, self.calendar
                        ),
                        state=state,
                        warning=warning,
                        policy_version=clock.policy_version,
                        priority=clock.priority,
                        attribution=visible.attribution,
                        customer_level=clock.customer_level,
                        warning_shares=clock.warning_shares,
                        due_by=visible.due_by,
                    )
                )
        rows.sort(key=lambda r: (r.started_at, r.clock, r.subject, r.instance))
        return SlaView(as_of=instant, clocks=tuple(rows))


def _closed_pauses(
    instance: ClockInstance, at: datetime
) -> tuple[tuple[datetime, datetime | None], ...]:
    pauses = instance.pauses
    if instance.paused:
        pauses = (*pauses[:-1], (pauses[-1][0], at))
    return pauses


def _agent(event: Event) -> str | None:
    return event.actor.id if event.actor.role is Role.AGENT else None


# --------------------------------------------------------------------------- handlers

E = TypeVar("E", bound=Event)
Handler = Callable[[SlaClocks, str, Any], None]


class SlaHandlers:
    """Event type → the clock operations it triggers, in order. Typed like the write side's
    handler table: an entry's handler must take the event type it is added for."""

    def __init__(self) -> None:
        self._handlers: dict[type[Event], tuple[Handler, ...]] = {}

    def add(self, event_type: type[E], handler: Callable[[SlaClocks, str, E], None]) -> SlaHandlers:
        """Run ``handler`` after the ones already added for ``event_type``."""
        self._handlers[event_type] = (*self._handlers.get(event_type, ()), handler)
        return self

    def of(self, event_type: type[Event]) -> tuple[Handler, ...]:
        return self._handlers.get(event_type, ())

    def event_types(self) -> frozenset[type[Event]]:
        return frozenset(self._handlers)

    def as_mapping(self) -> Mapping[type[Event], tuple[Handler, ...]]:
        return MappingProxyType(self._handlers)


def _customer_level(fold: SlaClocks, subject: str, event: AccountOpened) -> None:
    fold.customer_levels[event.customer_number] = event.level


def _policy(fold: SlaClocks, subject: str, event: SlaPolicyAdopted) -> None:
    # New clocks start under the policy recorded in the log; a what-if keeps its own.
    if not fold.policy_overridden:
        fold.policy = event.policy


def _pause(fold: SlaClocks, subject: str, event: ClockPaused) -> None:
    fold.pause(subject, event, event.clocks)


def _resume(fold: SlaClocks, subject: str, event: ClockResumed) -> None:
    fold.resume(subject, event, event.clocks)


# tickets ---------------------------------------------------------------------------


def _ticket_opened(fold: SlaClocks, subject: str, event: ticket.TicketOpened) -> None:
    branch = None
    if event.area is not None and event.area in fold.directory.areas:
        branch = fold.directory.areas[event.area].branch
    level = fold.customer_levels.get(event.customer_number or "")
    fold.facts(subject).update(branch=branch, priority=event.priority, level=level)
    if event.category is ticket.Category.EMERGENCY:
        fold.start(
            "emergency-notification",
            subject,
            event,
            priority=event.priority,
            customer_level=level,
            attribution=Attribution(branch=branch, agent=_agent(event)),
        )


def _ticket_attribution(fold: SlaClocks, subject: str, event: Event) -> Attribution:
    facts = fold.facts(subject)
    return Attribution(
        branch=facts.get("branch"), department=facts.get("department"), agent=_agent(event)
    )


def _callback_promised(fold: SlaClocks, subject: str, event: ticket.CallbackPromised) -> None:
    facts = fold.facts(subject)
    for clock in ("inquiry-transfer", "inquiry-customer-reply"):
        fold.start(
            clock,
            subject,
            event,
            priority=facts.get("priority"),
            customer_level=facts.get("level"),
            # the reply the customer was promised is due when promised, if sooner
            promised=event.reply_due if clock == "inquiry-customer-reply" else None,
            attribution=_ticket_attribution(fold, subject, event),
        )


def _transferred(fold: SlaClocks, subject: str, event: ticket.TicketTransferred) -> None:
    fold.facts(subject)["department"] = event.department
    fold.stop("inquiry-transfer", subject, event)
    fold.attribute("inquiry-transfer", subject, department=event.department)
    fold.attribute("inquiry-customer-reply", subject, department=event.department)
    facts = fold.facts(subject)
    fold.start(
        "inquiry-department-reply",
        subject,
        event,
        priority=facts.get("priority"),
        customer_level=facts.get("level"),
        attribution=_ticket_attribution(fold, subject, event),
    )


def _department_replied(fold: SlaClocks, subject: str, event: ticket.DepartmentReplied) -> None:
    fold.stop("inquiry-department-reply", subject, event)


def _customer_replied(fold: SlaClocks, subject: str, event: ticket.CustomerReplied) -> None:
    fold.stop("inquiry-customer-reply", subject, event)


def _repair_centre(fold: SlaClocks, subject: str, event: ticket.RepairCentreNotified) -> None:
    fold.stop("emergency-notification", subject, event)


def _ticket_closed(fold: SlaClocks, subject: str, event: ticket.TicketClosed) -> None:
    # a closed ticket waits on nobody: whatever still ran stops, met or breached by now
    fold.close(subject, event)


def _voicemail(fold: SlaClocks, subject: str, event: ticket.VoicemailRecorded) -> None:
    facts = fold.facts(subject)
    fold.start(
        "voicemail-callback",
        subject,
        event,
        priority=facts.get("priority"),
        customer_level=facts.get("level"),
        fixed_due=event.callback_due,
        default_due=True,
        attribution=_ticket_attribution(fold, subject, event),
    )


def _voicemail_back(fold: SlaClocks, subject: str, event: ticket.VoicemailCallbackMade) -> None:
    if event.reached:
        fold.stop("voicemail-callback", subject, event)
        fold.attribute("voicemail-callback", subject, agent=_agent(event))


# complaints ------------------------------------------------------------------------


def _lodged(fold: SlaClocks, subject: str, event: complaint.ComplaintLodged) -> None:
    level = fold.customer_levels.get(event.customer_number or "")
    fold.facts(subject).update(level=level)
    for clock in ("complaint-reply-committed", "complaint-department-notified"):
        fold.start(
            clock,
            subject,
            event,
            customer_level=level,
            attribution=Attribution(agent=_agent(event)),
        )


def _judged_invalid(fold: SlaClocks, subject: str, event: complaint.ComplaintJudgedInvalid) -> None:
    # domain.md §4.4: an invalid complaint is explained and closed — no department is
    # told (its clock no longer applies) and the explanation is the reply
    fold.drop("complaint-department-notified", subject, event.at)
    fold.stop("complaint-reply-committed", subject, event)


def _committed(fold: SlaClocks, subject: str, event: complaint.ReplyTimeCommitted) -> None:
    fold.stop("complaint-reply-committed", subject, event)


def _notified(fold: SlaClocks, subject: str, event: complaint.DepartmentNotified) -> None:
    facts = fold.facts(subject)
    facts["department"] = event.department
    fold.stop("complaint-department-notified", subject, event)
    for clock in ("complaint-reply-committed", "complaint-department-notified"):
        fold.attribute(clock, subject, department=event.department)
    for clock in ("complaint-customer-updated", "complaint-department-follow-up"):
        fold.start(
            clock,
            subject,
            event,
            customer_level=facts.get("level"),
            attribution=Attribution(department=event.department, agent=_agent(event)),
        )


def _updated(fold: SlaClocks, subject: str, event: complaint.CustomerUpdated) -> None:
    fold.stop("complaint-customer-updated", subject, event)


def _followed_up(fold: SlaClocks, subject: str, event: complaint.DepartmentFollowedUp) -> None:
    fold.stop("complaint-department-follow-up", subject, event)


def _resolution_proposed(
    fold: SlaClocks, subject: str, event: complaint.ResolutionProposed
) -> None:
    # the department came back with a resolution: there is nothing left to chase it for
    fold.stop("complaint-department-follow-up", subject, event)


def _rejected(fold: SlaClocks, subject: str, event: complaint.ResolutionRejected) -> None:
    # the customer answered the resolution: they have been updated
    fold.stop("complaint-customer-updated", subject, event)


def _complaint_closed(fold: SlaClocks, subject: str, event: complaint.ComplaintClosed) -> None:
    # the satisfaction call follows acceptance even after the close (domain.md §4.4)
    fold.close(subject, event, keep=("complaint-satisfaction-call",))


def _accepted(fold: SlaClocks, subject: str, event: complaint.ResolutionAccepted) -> None:
    fold.stop("complaint-customer-updated", subject, event)
    fold.stop("complaint-department-follow-up", subject, event)
    facts = fold.facts(subject)
    fold.start(
        "complaint-satisfaction-call",
        subject,
        event,
        customer_level=facts.get("level"),
        attribution=Attribution(department=facts.get("department"), agent=_agent(event)),
    )


def _satisfaction(fold: SlaClocks, subject: str, event: complaint.SatisfactionCallRecorded) -> None:
    if event.reached:
        fold.stop("complaint-satisfaction-call", subject, event)


# calls -----------------------------------------------------------------------------


def _offered(fold: SlaClocks, subject: str, event: call.CallOffered) -> None:
    if event.after_hours:
        return  # nobody was there to answer: the voicemail-callback clock measures it
    rule = AnswerRule.of(fold.policy)
    fold.facts(subject).update(
        answer_short_abandon=rule.short_abandon_seconds,
        answer_counts_abandons=rule.counts_abandons,
    )
    fold.start("answer", subject, event, attribution=Attribution())


def _answer_outcome(
    fold: SlaClocks,
    subject: str,
    ending: str,
    waited: float,
    after_hours: bool = False,
    event: Event | None = None,
) -> None:
    # One answer figure: the same classification as the queue's service level.
    existing = fold.instances.get(("answer", subject))
    if not existing or not existing[-1].running:
        return
    facts = fold.facts(subject)
    rule = AnswerRule(
        target_seconds=existing[-1].target_seconds,
        short_abandon_seconds=facts.get("answer_short_abandon", 5),
        counts_abandons=facts.get("answer_counts_abandons", True),
    )
    outcome = classify(
        rule,
        offered_after_hours=False,
        ending=ending,
        waited_seconds=waited,
        ended_after_hours=after_hours,
    )
    event = event or fold.current_event
    assert event is not None
    if outcome is AnswerOutcome.WITHIN:
        fold.stop("answer", subject, event, verdict=ClockStatus.MET)
    elif outcome is AnswerOutcome.MISSED:
        fold.stop("answer", subject, event, verdict=ClockStatus.BREACHED)
    else:  # a short abandon, after hours: in neither count
        fold.drop("answer", subject, event.at, verdict=ClockStatus.WITHDRAWN)


def _entered_another_queue(fold: SlaClocks, subject: str, event: call.CallEnteredQueue) -> None:
    # The wait an answer reports (the PBX's hold time) is counted from the caller's entry
    # into the queue that answered.
    fold.facts(subject)["answer_leg_started"] = event.at


def _answered(fold: SlaClocks, subject: str, event: call.CallAnswered) -> None:
    # The answer clock is the caller's first queue's: a later leg (moved to another
    # queue) neither restarts nor moves it (the first leg's time-out already stopped it,
    # as missed, as the first queue's figure counts it). It stops after the wait the
    # PBX measured (Asterisk's hold time, from the entry into the queue that answered),
    # which is the wait the queue view classifies: one answer figure, even where the
    # lines' whole-second stamps say otherwise.
    existing = fold.instances.get(("answer", subject))
    if not existing or not existing[-1].running:
        return
    started = existing[-1].started_at
    leg_started = fold.facts(subject).get("answer_leg_started", started)
    answered = leg_started + timedelta(seconds=event.waited_seconds)
    waited = (answered - started).total_seconds()
    _answer_outcome(fold, subject, ANSWERED, waited, event=attrs.evolve(event, at=answered))
    fold.attribute("answer", subject, agent=event.agent)


def _abandoned(fold: SlaClocks, subject: str, event: call.CallAbandoned) -> None:
    _answer_outcome(fold, subject, ABANDONED, event.waited_seconds)


def _timed_out(fold: SlaClocks, subject: str, event: call.CallTimedOut) -> None:
    _answer_outcome(fold, subject, TIMED_OUT, event.waited_seconds)


def _completed_unanswered(fold: SlaClocks, subject: str, event: call.CallCompleted) -> None:
    # A call completed while still waiting (the PBX wrote no abandon line) was abandoned
    # when it ended, as the queue view counts it: one answer figure.
    existing = fold.instances.get(("answer", subject))
    if not existing or not existing[-1].running:
        return
    waited = max(0.0, (event.at - existing[-1].started_at).total_seconds())
    _answer_outcome(fold, subject, ABANDONED, waited)


def _to_voicemail(fold: SlaClocks, subject: str, event: call.CallSentToVoicemail) -> None:
    _answer_outcome(fold, subject, VOICEMAIL, event.waited_seconds, event.after_hours)


# field work and deliveries -----------------------------------------------------------


def _dispatch_requested(fold: SlaClocks, subject: str, event: dispatch.DispatchRequested) -> None:
    attribution = Attribution(branch=event.branch, agent=_agent(event))
    level = event.customer_level
    fold.facts(subject).update(
        kind=event.kind.value, branch=event.branch, priority=event.priority.value, level=level
    )
    # the window the customer asked for is the appointment until another is agreed
    if event.kind is dispatch.DispatchKind.REPAIR:
        fold.start(
            "repair-arrival",
            subject,
            event,
            priority=event.priority,
            customer_level=level,
            appointment_end=event.wished.end,
            attribution=attribution,
        )
    elif event.kind is dispatch.DispatchKind.INSTALL:
        fold.start(
            "install-completion",
            subject,
            event,
            priority=event.priority,
            customer_level=level,
            appointment_end=event.wished.end,
            attribution=attribution,
        )


def _appointment(fold: SlaClocks, subject: str, event: Any) -> None:
    for clock in ("repair-arrival", "install-completion"):
        fold.move_due(clock, subject, event.window.end, not_before_policy=True)


def _dispatch_assigned(fold: SlaClocks, subject: str, event: dispatch.FieldWorkerAssigned) -> None:
    fold.facts(subject)["worker"] = event.worker_id
    for clock in ("repair-arrival", "install-completion"):
        fold.attribute(clock, subject, field_worker=event.worker_id)


def _arrived(fold: SlaClocks, subject: str, event: dispatch.WorkerArrived) -> None:
    fold.stop("repair-arrival", subject, event)


def _dispatch_completed(fold: SlaClocks, subject: str, event: dispatch.DispatchCompleted) -> None:
    fold.stop("install-completion", subject, event)
    fold.stop("repair-arrival", subject, event)  # done without an "arrived" message


def _dispatch_cancelled(fold: SlaClocks, subject: str, event: dispatch.DispatchCancelled) -> None:
    fold.drop("repair-arrival", subject)
    fold.drop("install-completion", subject)


def _order_placed(fold: SlaClocks, subject: str, event: order.OrderPlaced) -> None:
    fold.facts(subject).update(
        branch=event.branch, level=fold.customer_levels.get(event.customer_number or "")
    )
    fold.start(
        "delivery",
        subject,
        event,
        fixed_due=event.delivery_window.end,
        customer_level=fold.customer_levels.get(event.customer_number or ""),
        attribution=Attribution(branch=event.branch, agent=_agent(event)),
    )


def _order_assigned(fold: SlaClocks, subject: str, event: order.OrderAssigned) -> None:
    fold.facts(subject)["worker"] = event.worker_id
    fold.attribute("delivery", subject, field_worker=event.worker_id)


def _order_rescheduled(fold: SlaClocks, subject: str, event: order.DeliveryRescheduled) -> None:
    # The customer agreed a new window: the promise, and so the due time, is the new end.
    fold.move_due("delivery", subject, event.window.end)


def _order_delivered(fold: SlaClocks, subject: str, event: order.OrderDelivered) -> None:
    fold.stop("delivery", subject, event)


def _order_cancelled(fold: SlaClocks, subject: str, event: order.OrderCancelled) -> None:
    fold.drop("delivery", subject)


# follow-ups ------------------------------------------------------------------------

POST_PURCHASE = (
    "post-purchase-follow-up-1",
    "post-purchase-follow-up-2",
    "post-purchase-follow-up-3",
)


def _purchase_follow_ups(fold: SlaClocks, subject: str, event: order.OrderDelivered) -> None:
    facts = fold.facts(subject)
    for clock in POST_PURCHASE:
        fold.start(
            clock,
            subject,
            event,
            customer_level=facts.get("level"),
            attribution=Attribution(branch=facts.get("branch"), field_worker=facts.get("worker")),
        )


def _repair_follow_up(fold: SlaClocks, subject: str, event: dispatch.DispatchCompleted) -> None:
    facts = fold.facts(subject)
    if facts.get("kind") in ("repair", "install"):
        fold.start(
            "post-repair-follow-up",
            subject,
            event,
            priority=facts.get("priority"),
            customer_level=facts.get("level"),
            attribution=Attribution(branch=facts.get("branch"), field_worker=facts.get("worker")),
        )


def _follow_up_recorded(fold: SlaClocks, subject: str, event: call.FollowUpRecorded) -> None:
    followed = event.subject or ""
    if event.reached:
        # the 1st, 2nd and 3rd reached follow-ups stop the three post-purchase clocks
        for clock in (*POST_PURCHASE, "post-repair-follow-up"):
            existing = fold.instances.get((clock, followed))
            if existing and existing[-1].running:
                fold.stop(clock, followed, event)
                fold.attribute(clock, followed, agent=_agent(event))
                break
    if event.problems_raised:
        followed_facts = fold.facts(followed)
        fold.facts(subject).update(
            followed=followed,
            priority=followed_facts.get("priority"),
            level=followed_facts.get("level"),
        )
        fold.start(
            "follow-up-relay",
            subject,
            event,
            priority=followed_facts.get("priority"),
            customer_level=followed_facts.get("level"),
            attribution=Attribution(agent=_agent(event), branch=fold.facts(followed).get("branch")),
        )


def _relayed(fold: SlaClocks, subject: str, event: call.FollowUpProblemRelayed) -> None:
    fold.stop("follow-up-relay", subject, event)
    fold.attribute("follow-up-relay", subject, department=event.department)
    facts = fold.facts(subject)
    fold.start(
        "follow-up-resolution-check",
        subject,
        event,
        priority=facts.get("priority"),
        customer_level=facts.get("level"),
        attribution=Attribution(department=event.department, agent=_agent(event)),
    )


def _resolution_confirmed(
    fold: SlaClocks, subject: str, event: call.FollowUpResolutionConfirmed
) -> None:
    fold.stop("follow-up-resolution-check", subject, event)


def sla_handlers() -> SlaHandlers:
    """The built-in clocks of domain.md §5-6, event by event (a centre's extra clocks are
    added to a copy of this table and given to :class:`SlaClocks`)."""
    return (
        SlaHandlers()
        .add(AccountOpened, _customer_level)
        .add(SlaPolicyAdopted, _policy)
        .add(ClockPaused, _pause)
        .add(ClockResumed, _resume)
        .add(ticket.TicketOpened, _ticket_opened)
        .add(ticket.CallbackPromised, _callback_promised)
        .add(ticket.TicketTransferred, _transferred)
        .add(ticket.DepartmentReplied, _department_replied)
        .add(ticket.CustomerReplied, _customer_replied)
        .add(ticket.RepairCentreNotified, _repair_centre)
        .add(ticket.TicketClosed, _ticket_closed)
        .add(ticket.VoicemailRecorded, _voicemail)
        .add(ticket.VoicemailCallbackMade, _voicemail_back)
        .add(complaint.ComplaintLodged, _lodged)
        .add(complaint.ComplaintJudgedInvalid, _judged_invalid)
        .add(complaint.ReplyTimeCommitted, _committed)
        .add(complaint.DepartmentNotified, _notified)
        .add(complaint.CustomerUpdated, _updated)
        .add(complaint.DepartmentFollowedUp, _followed_up)
        .add(complaint.ResolutionProposed, _resolution_proposed)
        .add(complaint.ResolutionRejected, _rejected)
        .add(complaint.ComplaintClosed, _complaint_closed)
        .add(complaint.ResolutionAccepted, _accepted)
        .add(complaint.SatisfactionCallRecorded, _satisfaction)
        .add(call.CallOffered, _offered)
        .add(call.CallEnteredQueue, _entered_another_queue)
        .add(call.CallAnswered, _answered)
        .add(call.CallAbandoned, _abandoned)
        .add(call.CallTimedOut, _timed_out)
        .add(call.CallCompleted, _completed_unanswered)
        .add(call.CallSentToVoicemail, _to_voicemail)
        .add(dispatch.DispatchRequested, _dispatch_requested)
        .add(dispatch.AppointmentConfirmed, _appointment)
        .add(dispatch.DispatchRescheduled, _appointment)
        .add(dispatch.FieldWorkerAssigned, _dispatch_assigned)
        .add(dispatch.WorkerArrived, _arrived)
        .add(dispatch.DispatchCompleted, _dispatch_completed)
        .add(dispatch.DispatchCancelled, _dispatch_cancelled)
        .add(order.OrderPlaced, _order_placed)
        .add(order.OrderAssigned, _order_assigned)
        .add(order.DeliveryRescheduled, _order_rescheduled)
        .add(order.OrderDelivered, _order_delivered)
        .add(order.OrderCancelled, _order_cancelled)
        .add(order.OrderDelivered, _purchase_follow_ups)
        .add(dispatch.DispatchCompleted, _repair_follow_up)
        .add(call.FollowUpRecorded, _follow_up_recorded)
        .add(call.FollowUpProblemRelayed, _relayed)
        .add(call.FollowUpResolutionConfirmed, _resolution_confirmed)
    )


BUILT_IN = sla_handlers()
"""The table every :class:`SlaClocks` uses unless it is given another."""
