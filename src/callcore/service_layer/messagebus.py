"""The one door every command goes through (interfaces.md §2).

``MessageBus.handle(command)``:

1. decides the command in a fresh :class:`UnitOfWork` (the handler loads the streams
   it needs and records events through pure decisions);
2. appends everything the command recorded — and, when the command carries a
   ``command_id``, its receipt — in one atomic append;
3. on a version conflict (another writer appended first) decides again from the new
   state, up to ``max_attempts`` times, then raises :class:`ConcurrencyConflict`;
4. when the ``command_id`` was handled before, returns the first outcome and records
   nothing.

A :class:`~callcore.domain.common.DomainError` propagates unchanged: nothing is stored.
Before the handler, :func:`callcore.service_layer.authority.check` refuses what the
command's actor may not do to the record it names (a field worker on a colleague's job),
and a command's ``occurred_at`` is held to the directory's back-dating bounds against the
clock port's now; after it, a back-dated fact may not precede its record's previous event
(:mod:`callcore.domain.backdating`).
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, TypeVar

from attrs import frozen

from callcore.domain import (
    backdating,
    call,
    complaint,
    customer,
    dispatch,
    horizon,
    order,
    ticket,
)
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import Command, DomainError, Event, Fold, Role, stream_kind
from callcore.domain.directory import Directory
from callcore.ports import Clock, EventStore, Recorded, StreamConflict
from callcore.service_layer import authority, receipts
from callcore.service_layer.handlers.table import HandlerTable
from callcore.service_layer.unit_of_work import StateCache, UnitOfWork

E = TypeVar("E", bound=Event)

RECORD_FOLDS: Mapping[str, Fold[Any]] = {
    fold.kind: fold for fold in (order.FOLD, ticket.FOLD, complaint.FOLD, dispatch.FOLD, call.FOLD)
}
"""The records whose events a back-dated fact may not precede (domain.md §6), and on
which a supervisor's correction is recorded. Not the customer's account, which gathers
facts of many records, nor bookkeeping streams."""
RECORD_KINDS = frozenset(RECORD_FOLDS)
CORRECTED_FOLDS: Mapping[str, Fold[Any]] = {**RECORD_FOLDS, customer.KIND: customer.FOLD}
"""Where a supervisor's correction is recorded: every record the fact was recorded on."""


class ConcurrencyConflict(Exception):
    """Other writers kept changing the same records; the command was not recorded.
    Retrying later is safe."""


class CommandIdReused(Exception):
    """A command id that was already used for a different command."""


class UnknownCommand(TypeError):
    """No handler is registered for this type."""


@frozen
class Outcome:
    """What handling a command recorded."""

    command_id: str
    recorded: tuple[Recorded, ...]
    repeated: bool = False
    """True when the command id had been handled before and nothing new was recorded."""

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(record.event for record in self.recorded)

    @property
    def streams(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(record.stream for record in self.recorded))

    def of_type(self, event_type: type[E]) -> list[E]:
        return [event for event in self.events if isinstance(event, event_type)]

    def first(self, event_type: type[E]) -> E:
        found = self.of_type(event_type)
        if not found:
            raise LookupError(f"the command recorded no {event_type.__name__}")
        return found[0]

    def __iter__(self) -> Iterator[Event]:
        return iter(self.events)

    def __len__(self) -> int:
        return len(self.recorded)


class MessageBus:
    def __init__(
        self,
        store: EventStore,
        directory: Directory,
        clock: Clock,
        fingerprint: Callable[[Command], str],
        handlers: HandlerTable,
        *,
        max_attempts: int = 8,
        cache: StateCache | None = None,
        command_ids: Callable[[], str] | None = None,
        earlier_fingerprints: Callable[[Command], Iterable[str]] | None = None,
    ) -> None:
        self.store = store
        # A receipt stored before a command's later fields existed has another digest
        # of the same request: it is the same command, not a reused id.
        self.earlier_fingerprints = earlier_fingerprints or (lambda command: ())
        self.handlers = handlers
        # Commands sent without an id get a fresh one; a simulation passes a seeded
        # source so that the records it creates are named the same on every run.
        self.command_ids = command_ids or (lambda: uuid.uuid4().hex)
        self.clock = clock
        self.fingerprint = fingerprint
        self.max_attempts = max_attempts
        self.cache = cache
        self.use_directory(directory)

    def use_directory(self, directory: Directory) -> None:
        """Changes take effect for new commands; recorded events keep their values."""
        self.directory = directory
        self.calendar = BusinessCalendar(directory.calendar)

    def handle(self, command: Command) -> Outcome:
        handler = self.handlers.handler_of(command)
        if handler is None:
            raise UnknownCommand(f"no handler for {type(command).__name__}")
        command_id = command.command_id or self.command_ids()
        for attempt in range(self.max_attempts):
            # One reading of the clock port per attempt: it dates a command given no
            # time, bounds a back-dated one, and is the records' ``recorded_at`` (the
            # store took them in this attempt; a lost race reads the clock again).
            clock_now = self.clock.now()
            now = command.occurred_at or clock_now
            uow = UnitOfWork(
                self.store,
                self.directory,
                self.calendar,
                now,
                command.actor,
                self.cache,
                command_id=command_id,
                recorded_at=clock_now,
            )
            try:
                # Whose record it is decides before what the record allows (docs/web.md).
                authority.check(uow, command)
                self.check_reported_time(command, clock_now)
                self.check_values(command, clock_now)
                handler(uow, command)
                if command.occurred_at is not None and command.actor.role is not Role.SYSTEM:
                    self._check_record_order(uow, command)
                if command.correction is not None:
                    self._record_correction(uow, command, clock_now)
            except DomainError:
                if uow.inputs_changed():
                    _back_off(attempt)
                    continue
                # A retried command may fail now only because it succeeded before.
                if command.command_id is not None:
                    prior = self._prior_outcome(command, command_id)
                    if prior is not None:
                        return prior
                raise
            if not uow.pending:
                # Nothing to do now — perhaps because this very command already did it.
                if command.command_id is not None:
                    prior = self._prior_outcome(command, command_id)
                    if prior is not None:
                        return prior
                return Outcome(command_id, ())
            records = list(uow.pending)
            if command.command_id is not None:
                records.append(self._receipt(command, command_id, uow, clock_now))
            try:
                self.store.append(records)
            except StreamConflict:
                if command.command_id is not None:
                    prior = self._prior_outcome(command, command_id)
                    if prior is not None:
                        return prior
                _back_off(attempt)
                continue
            uow.remember()
            return Outcome(command_id, tuple(uow.pending))
        raise ConcurrencyConflict(
            f"{type(command).__name__} {command_id} lost the race to other writers "
            f"{self.max_attempts} times; nothing was recorded, try again"
        )

    def check_reported_time(self, command: Command, clock_now: datetime) -> None:
        """The back-dating bounds of the command's ``occurred_at`` (domain.md §6)."""
        if command.occurred_at is None:
            if command.correction is not None:
                raise DomainError(
                    backdating.CORRECTION_NEEDS_A_TIME,
                    "a correction dates a fact: give its occurred_at",
                )
            return
        backdating.check_reported_time(
            command.occurred_at,
            clock_now,
            command.actor,
            type(command).__name__,
            self.directory.back_dating,
            corrected=command.correction is not None,
        )

    def check_values(self, command: Command, clock_now: datetime) -> None:
        """The horizon of the instants and numbers ``command`` carries (domain.md §6)."""
        behind = timedelta(seconds=self.directory.back_dating.bound(command.actor)[0])
        horizon.check_command_values(command, command.occurred_at or clock_now, behind)

    def _record_correction(self, uow: UnitOfWork, command: Command, now: datetime) -> None:
        """A supervisor's correction is its own event on each record the fact touched."""
        assert command.occurred_at is not None
        assert command.correction is not None
        bound = self.directory.back_dating.bound(command.actor)
        streams = dict.fromkeys(
            r.stream for r in uow.pending if stream_kind(r.stream) in CORRECTED_FOLDS
        )
        for stream in streams:
            corrected = backdating.TimeCorrected(
                at=command.occurred_at,
                actor=command.actor,
                command_type=type(command).__name__,
                reason=command.correction,
                corrected_at=now,
                late_by_seconds=max(0, round((now - command.occurred_at).total_seconds())),
                bound_seconds=bound[0],
            )
            uow.record(CORRECTED_FOLDS[stream_kind(stream)], stream, [corrected])

    def _check_record_order(self, uow: UnitOfWork, command: Command) -> None:
        """A back-dated fact may not precede its record's previous event (domain.md §6).
        The centre's own processes are exempt: their times come from recorded facts."""
        checked: set[str] = set()
        for record in uow.pending:
            stream = record.stream
            if stream in checked or stream_kind(stream) not in RECORD_KINDS:
                continue
            checked.add(stream)
            stored_version = record.version - 1  # the first new event follows the stored
            if stored_version < 1:
                continue
            previous = self.store.read_stream(stream, after_version=stored_version - 1)
            if not previous:
                continue
            earliest = min(r.event.at for r in uow.pending if r.stream == stream)
            if earliest >= previous[0].event.at:
                continue
            opened = self.store.read_stream(stream)[0].event.at
            backdating.check_record_order(
                earliest,
                stream,
                previous[0].event.at,
                opened,
                command.actor,
                type(command).__name__,
            )

    def _receipt(
        self, command: Command, command_id: str, uow: UnitOfWork, recorded_at: datetime
    ) -> Recorded:
        spans: dict[str, list[int]] = {}
        for record in uow.pending:
            spans.setdefault(record.stream, []).append(record.version)
        receipt = receipts.CommandHandled(
            at=uow.now,
            actor=command.actor,
            command_id=command_id,
            command_type=type(command).__name__,
            fingerprint=self.fingerprint(command),
            recorded=tuple(
                receipts.StreamVersions(stream, min(versions), max(versions))
                for stream, versions in spans.items()
            ),
        )
        return Recorded(receipts.stream_id(command_id), 1, receipt, recorded_at)

    def _prior_outcome(self, command: Command, command_id: str) -> Outcome | None:
        stored = self.store.read_stream(receipts.stream_id(command_id))
        if not stored:
            return None
        receipt = stored[0].event
        assert isinstance(receipt, receipts.CommandHandled)
        if receipt.command_type != type(command).__name__ or (
            receipt.fingerprint != self.fingerprint(command)
            and receipt.fingerprint not in set(self.earlier_fingerprints(command))
        ):
            raise CommandIdReused(
                f"command id {command_id!r} was already used for a different "
                f"{receipt.command_type} command"
            )
        recorded: list[Recorded] = []
        for span in receipt.recorded:
            recorded.extend(
                record
                for record in self.store.read_stream(span.stream, after_version=span.first - 1)
                if record.version <= span.last
            )
        return Outcome(command_id, tuple(recorded), repeated=True)


def _back_off(attempt: int) -> None:
    # Jittered exponential back-off so that colliding writers spread out.
    time.sleep(random.uniform(0, 0.002 * (2**attempt)))
