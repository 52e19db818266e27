"""The ports through which callcore reaches the world (interfaces.md §7).

Each is a typing Protocol. ``callcore.adapters`` holds the built-in implementations and
a fake of each for tests; integrators write their own and run the published contract
tests (``callcore.testing.contracts``) against them. Third-party adapters are found
through the ``callcore.adapters`` entry-point group.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol, TypeVar, runtime_checkable

from attrs import field, frozen

from callcore.domain.common import Event, Fold
from callcore.domain.directory import Directory

S = TypeVar("S")


@frozen
class Recorded:
    """An event as stored: which stream, at which version (from 1, no gaps), and when
    the store took it.

    ``event.at`` is when the fact happened (the caller's word, held to the back-dating
    bounds); ``recorded_at`` is when the store took it, from the centre's clock port
    (the message bus stamps it; no command can set it). It belongs to the envelope, not
    to the event: an event stored or logged before it existed, or a record built without
    one, has ``recorded_at = at``."""

    stream: str
    version: int
    event: Event
    recorded_at: datetime = field()

    @recorded_at.default
    def _recorded_when_it_happened(self) -> datetime:
        return self.event.at


@frozen
class Positioned:
    """A recorded event with its position in the store's global order (from 1)."""

    position: int
    recorded: Recorded


class StreamConflict(Exception):
    """An append found a stream further on than expected (another writer won)."""


@runtime_checkable
class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, with a UTC offset."""
        ...


@frozen
class Notification:
    """A message to a branch, field worker, department or supervisor."""

    notification_id: str
    recipient: str
    """``branch:B01``, ``field-worker:W007``, ``department:TECH``, ``supervisor``…"""
    channel: str
    subject: str
    body: str


@runtime_checkable
class Notifier(Protocol):
    def send(self, notification: Notification) -> None:
        """Deliver or raise. Called at least once per notification; a notifier should
        use ``notification_id`` to drop a repeat where its transport allows."""
        ...


@runtime_checkable
class EventStore(Protocol):
    """Streams of events with optimistic concurrency and one global order."""

    def read_stream(self, stream: str, after_version: int = 0) -> Sequence[Recorded]: ...

    def append(self, records: Sequence[Recorded]) -> None:
        """Store every record or none. Raises :class:`StreamConflict` when a record's
        version is taken (another writer appended first)."""
        ...

    def read_all(self, after_position: int = 0, limit: int | None = None) -> Iterator[Positioned]:
        """Events in global order, after a position."""
        ...

    def last_position(self) -> int: ...

    def close(self) -> None: ...

    # Capabilities every store declares (a store without one answers its plain way), so
    # no caller has to probe for them:

    @property
    def url(self) -> str:
        """Where the store keeps its events (``memory://`` for one gone with the process,
        ``""`` for a history with no files of its own): writers of logs and exports
        refuse to write over the store's files."""
        ...

    def load_state(self, fold: Fold[S], stream: str) -> tuple[int, S] | None:
        """A stream's version and folded state from the store's snapshots (P4), or
        ``None`` when the store keeps none: the caller then folds :meth:`read_stream`."""
        ...

    def wait_for_events(self, timeout: float) -> None:
        """Return when new events may have been appended, or after ``timeout`` seconds
        (a store with no signal of new appends just sleeps)."""
        ...


@runtime_checkable
class DirectorySource(Protocol):
    """Where a centre's reference data comes from: a TOML file (built in), or an
    integrator's HR or ERP system. ``load`` returns a complete, checked directory or
    raises one ``ValueError`` naming what is wrong (never a half-read directory)."""

    def load(self) -> Directory: ...
