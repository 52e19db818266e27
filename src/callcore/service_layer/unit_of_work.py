"""A unit of work: the streams one command reads and the events it records.

Handlers load the state of the streams they need, call pure decisions, and record the
events. Nothing touches the store until the bus commits the unit of work as *one*
atomic append, each stream at the version it was read at: if another writer got there
first the append conflicts and the whole command is decided again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import Actor, Event, Fold
from callcore.domain.context import DecisionContext
from callcore.domain.directory import Directory
from callcore.ports import EventStore, Recorded

S = TypeVar("S")


class StateCache:
    """Folded states of recently used streams, keyed by stream, with their version.

    A hit still reads the stream's events *after* the cached version, so a cache never
    serves stale state; it only saves re-folding history (a long-lived aggregate loads in
    time proportional to what is new since it was last used)."""

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._entries: dict[str, tuple[int, Any]] = {}

    def get(self, stream: str) -> tuple[int, Any] | None:
        return self._entries.get(stream)

    def put(self, stream: str, version: int, state: Any) -> None:
        entries = self._entries
        if len(entries) >= self.capacity and stream not in entries:
            entries.pop(next(iter(entries)))
        entries[stream] = (version, state)

    def clear(self) -> None:
        self._entries.clear()


class UnitOfWork:
    def __init__(
        self,
        store: EventStore,
        directory: Directory,
        calendar: BusinessCalendar,
        now: datetime,
        actor: Actor,
        cache: StateCache | None = None,
        command_id: str = "",
        recorded_at: datetime | None = None,
    ) -> None:
        self.store = store
        self.recorded_at = recorded_at or now
        """When the store takes what this unit of work records (the bus's clock)."""
        self.command_id = command_id
        self.directory = directory
        self.calendar = calendar
        self.context = DecisionContext(now=now, actor=actor, directory=directory, calendar=calendar)
        self._cache = cache
        self._states: dict[str, Any] = {}
        self._read_versions: dict[str, int] = {}
        self._versions: dict[str, int] = {}
        self.pending: list[Recorded] = []

    @property
    def now(self) -> datetime:
        return self.context.now

    def load(self, fold: Fold[S], stream: str) -> S:
        """The current state of a stream (the state including events recorded so far in
        this unit of work)."""
        if stream in self._states:
            state: S = self._states[stream]
            return state
        version, state = 0, fold.initial
        cached = self._cache.get(stream) if self._cache is not None else None
        snapshot = self.store.load_state(fold, stream) if cached is None else None
        if cached is not None:
            version, state = cached
        elif snapshot is not None:
            version, state = snapshot
        if snapshot is None:
            for record in self.store.read_stream(stream, after_version=version):
                state = fold.evolve(state, record.event)
                version = record.version
        self._states[stream] = state
        self._read_versions[stream] = version
        self._versions[stream] = version
        return state

    def new_id(self, prefix: str, given: str | None = None) -> str:
        """The id of a record this command creates: the one the caller gave, or one
        derived from the command id — so a retried command names the same record."""
        if given:
            return given
        digest = hashlib.sha256(self.command_id.encode()).hexdigest()[:10].upper()
        return f"{prefix}-{digest}"

    def version(self, stream: str) -> int:
        return self._versions[stream]

    def exists(self, fold: Fold[S], stream: str) -> bool:
        self.load(fold, stream)
        return self._versions[stream] > 0

    def record(self, fold: Fold[S], stream: str, events: Sequence[Event]) -> S:
        """Record events on a stream (loading it first if needed) and return its state."""
        state = self.load(fold, stream)
        version = self._versions[stream]
        for event in events:
            version += 1
            state = fold.evolve(state, event)
            self.pending.append(Recorded(stream, version, event, self.recorded_at))
        self._states[stream] = state
        self._versions[stream] = version
        return state

    def inputs_changed(self) -> bool:
        """Whether another writer appended to any stream this unit of work read.

        Streams are read one query at a time, so a decision can see two streams at
        different moments (a sequence before a rival's commit, a record after it). A rule
        broken on such mixed inputs is a lost race, not a verdict."""
        return any(
            self.store.read_stream(stream, after_version=version)
            for stream, version in self._read_versions.items()
        )

    def decide(self, fold: Fold[S], stream: str, decision: Callable[[S], Sequence[Event]]) -> S:
        """Load a stream, decide on its state, record what was decided; the new state."""
        return self.record(fold, stream, decision(self.load(fold, stream)))

    def remember(self) -> None:
        """After a successful commit: keep the new states for the next commands."""
        if self._cache is None:
            return
        for stream, state in self._states.items():
            self._cache.put(stream, self._versions[stream], state)
