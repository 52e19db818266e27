"""``CallCenter``: the application service that wires the domain to its adapters.

This is the composition root (interfaces.md §2): ``CallCenter.open(url)`` picks the
store for the URL, finds the directory, and injects the clock and the notifier. Every
command goes through :meth:`CallCenter.handle`.

**The directory is the store's** (issue 18). A store records the directory it runs under
(``DirectoryAdopted`` events, ``callcore.domain.reference``), so ``CallCenter.open(url)``
uses the one recorded. A directory given to ``open`` is recorded when the store has none
yet; given to a store that records a different one it is refused
(:class:`DirectoryConflict`): a change is :meth:`CallCenter.adopt_directory`, with who and
why, and a what-if is ``cc.views.sla(directory=...)``, which records nothing. The demo
directory is used only for a new store opened without one, and
:attr:`CallCenter.directory_notice` (also a :class:`DirectoryNotice` warning) says so.

``CallCenter.open(url, read_only=True)`` opens a store for reading only (views, history,
reports): nothing is written, not even the policy or directory in force.
"""

from __future__ import annotations

import difflib
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import Generic, Self, TypeVar

from callcore.adapters.clock import SystemClock
from callcore.adapters.converter import earlier_fingerprints, fingerprint
from callcore.adapters.directory_file import demo_directory, load_directory
from callcore.adapters.eventstore import open_store
from callcore.adapters.notifiers import LogNotifier
from callcore.domain import (
    agent,
    call,
    complaint,
    customer,
    dispatch,
    notification,
    numbering,
    order,
    policy,
    reference,
    ticket,
)
from callcore.domain.calendar import zone
from callcore.domain.common import EXISTS, SYSTEM, Actor, Command, Fold, NotFound
from callcore.domain.directory import Directory
from callcore.domain.phone import normalise_phone
from callcore.ports import Clock, EventStore, Notifier, Recorded
from callcore.projections.lookups import CustomerIndex
from callcore.service_layer.bootstrap import handler_table
from callcore.service_layer.messagebus import MessageBus, Outcome
from callcore.service_layer.processes import (
    DailySummaryProcess,
    EscalationProcess,
    FollowUpRetryProcess,
    NotificationProcess,
    VoicemailProcess,
)
from callcore.service_layer.unit_of_work import StateCache
from callcore.views import Instant, Views, instant_of

S = TypeVar("S")


class Records(Generic[S]):
    """Typed look-ups of one kind of aggregate: ``cc.tickets.get("T-1")``."""

    def __init__(self, center: CallCenter, fold: Fold[S], stream_of: str) -> None:
        self._center = center
        self._fold = fold
        self._prefix = stream_of

    def stream(self, record_id: str) -> str:
        return f"{self._prefix}-{record_id}"

    def get(self, record_id: str) -> S:
        stream = self.stream(record_id)
        snapshot = self._center.store.load_state(self._fold, stream)  # snapshots (P4)
        if snapshot is not None:
            version, state = snapshot
            if not version:
                raise NotFound(EXISTS, f"no {self._fold.kind} {record_id!r}")
            found: S = state
            return found
        records = self._center.store.read_stream(stream)
        if not records:
            raise NotFound(EXISTS, f"no {self._fold.kind} {record_id!r}")
        return self._fold.fold(record.event for record in records)

    def exists(self, record_id: str) -> bool:
        return bool(self._center.store.read_stream(self.stream(record_id)))


class Customers(Records[customer.State]):
    def __init__(self, center: CallCenter) -> None:
        super().__init__(center, customer.FOLD, customer.KIND)
        self._index = CustomerIndex()
        self._lock = threading.Lock()

    def _caught_up(self) -> CustomerIndex:
        with self._lock:
            for positioned in self._center.store.read_all(self._index.position):
                self._index.apply(positioned.recorded)
                self._index.position = positioned.position
        return self._index

    def find_by_phone(self, phone: str) -> list[customer.State]:
        """Customers with this phone number, however it is written."""
        e164 = normalise_phone(phone, self._center.directory.phone_region)
        return [self.get(number) for number in self._caught_up().numbers_with_phone(e164)]

    def find_by_address(self, address: str) -> list[customer.State]:
        """Customers at this address, ignoring case, spaces and punctuation."""
        return [self.get(number) for number in self._caught_up().numbers_at_address(address)]


class DirectoryNotice(UserWarning):
    """The directory a centre runs under was not found in its store (a new store under
    the demo directory, or a store made before directories were recorded)."""


class DirectoryConflict(ValueError):
    """A directory was given to a store that records a different one."""


class ReadOnlyCentre(RuntimeError):
    """A command was given to a centre opened read-only."""


class UnknownStream(NotFound):
    """``cc.history`` was asked for a stream the store does not hold; ``nearest`` are
    the streams it holds that look most like it (difflib), best first."""

    def __init__(self, stream: str, nearest: Sequence[str]) -> None:
        self.stream = stream
        self.nearest = tuple(nearest)
        hint = (
            f"; did you mean {', '.join(repr(n) for n in self.nearest)}?"
            if self.nearest
            else "; none of the store's streams is like it"
        )
        super().__init__(EXISTS, f"no stream {stream!r}{hint}")


STREAM_KINDS: tuple[str, ...] = (
    customer.KIND,
    order.KIND,
    ticket.KIND,
    complaint.KIND,
    dispatch.KIND,
    call.KIND,
    agent.KIND,
    notification.KIND,
    policy.KIND,
    reference.KIND,
    numbering.KIND,
)
"""The prefixes of the streams (``ticket-T-…``): an id given alone is looked for under each."""


def find_stream(store: EventStore, stream: str) -> Sequence[Recorded]:
    """The events of ``stream``, or of the one record whose id it is (under one of
    :data:`STREAM_KINDS`); else :class:`UnknownStream` with the nearest streams held."""
    records = store.read_stream(stream)
    if records:
        return records
    found = [
        (kind, held) for kind in STREAM_KINDS if (held := store.read_stream(f"{kind}-{stream}"))
    ]
    if len(found) == 1:
        return found[0][1]
    if found:  # ids carry their kind's letter, so this is a hand-made id
        raise UnknownStream(stream, [f"{kind}-{stream}" for kind, _ in found])
    # the error path alone reads the store's streams (no index of them is kept)
    streams = {positioned.recorded.stream for positioned in store.read_all()}
    by_id = {name.partition("-")[2]: name for name in streams}
    nearest = difflib.get_close_matches(stream, sorted(streams), n=3, cutoff=0.6)
    for close in difflib.get_close_matches(stream, sorted(by_id), n=3, cutoff=0.6):
        if by_id[close] not in nearest:
            nearest.append(by_id[close])
    raise UnknownStream(stream, nearest[:3])


def _lasting(store: EventStore) -> bool:
    url = store.url
    return not (url.startswith("memory:") or ":memory:" in url)


class CallCenter:
    """One centre: its store, directory, clock and notifier. Open it with
    :meth:`CallCenter.open`, send every command through :meth:`handle`, read records with
    ``cc.customers``, ``cc.orders``, ``cc.tickets``… and the supervisors' views with
    ``cc.views`` (docs/commands.md lists every command)."""

    def __init__(
        self,
        store: EventStore,
        *,
        directory: Directory | None = None,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        cache_states: bool = True,
        command_ids: Callable[[], str] | None = None,
        read_only: bool = False,
    ) -> None:
        self.store = store
        self.read_only = read_only
        self.clock: Clock = clock or SystemClock()
        self.notifier: Notifier = notifier or LogNotifier()
        self._recorded: list[reference.DirectoryAdopted] = []
        recorded = self.directories().latest
        self.directory_notice: str | None = None
        """Why the directory in use is not the store's own, when it is not (else None)."""
        record_given: str | None = None
        guessed = False  # the demo directory standing in for a history's unknown one
        if recorded is not None:
            if directory is not None and directory != recorded:
                raise DirectoryConflict(
                    f"the store records its own directory ({recorded.centre}, adopted "
                    f"{self._recorded[-1].at.isoformat()} by {self._recorded[-1].actor}) and "
                    "the one given differs: adopt it as a change (who and why), or use it "
                    "as a what-if"
                )
            chosen = recorded
        elif directory is not None:
            chosen = directory
            if store.last_position():
                self.directory_notice = (
                    "this store records no directory (made before directories were kept); "
                    "using the one given" + ("" if read_only else ", recorded from now")
                )
            record_given = "the directory the store was opened with"
        else:
            chosen = demo_directory()
            if store.last_position():
                guessed = True
                self.directory_notice = (
                    "this store records no directory (made before directories were kept); "
                    "using the demo directory: adopt the centre's own one"
                )
            else:
                self.directory_notice = "a new store: running under the demo directory"
                record_given = "the demo directory: a new store opened without one"
        if self.directory_notice is not None and _lasting(store):
            # a store in memory is new and gone with the process: the demo directory is
            # its documented default, not news (the attribute says it all the same)
            warnings.warn(self.directory_notice, DirectoryNotice, stacklevel=3)
        self.bus = MessageBus(
            store,
            chosen,
            self.clock,
            fingerprint,
            handler_table(),
            cache=StateCache() if cache_states else None,
            earlier_fingerprints=earlier_fingerprints,
        )
        self.customers = Customers(self)
        self.orders: Records[order.State] = Records(self, order.FOLD, order.KIND)
        self.tickets: Records[ticket.State] = Records(self, ticket.FOLD, ticket.KIND)
        self.complaints: Records[complaint.State] = Records(self, complaint.FOLD, complaint.KIND)
        self.dispatches: Records[dispatch.State] = Records(self, dispatch.FOLD, dispatch.KIND)
        self.calls: Records[call.State] = Records(self, call.FOLD, call.KIND)
        self.views = Views(self)
        if not read_only:
            if record_given is not None:
                self.bus.handle(reference.AdoptDirectory(directory=chosen, reason=record_given))
            if not guessed:  # a guess is not recorded as the policy the centre adopted
                self._adopt_policy()
        if command_ids is not None:
            # Only now: whether the opening adopted a directory or a policy depends on
            # what the store held, and a seeded source must name the caller's records
            # the same either way.
            self.bus.command_ids = command_ids

    def _adopt_policy(self) -> None:
        """Record the SLA policy in force when it differs from the last one recorded."""
        self.handle(policy.AdoptSlaPolicy(policy=self.directory.sla))

    def directories(self) -> reference.DirectoryHistory:
        """The directories the store records, oldest first (read again from the store,
        only what is new: another process may have adopted one)."""
        after = len(self._recorded)
        for record in self.store.read_stream(reference.DIRECTORY_STREAM, after_version=after):
            if isinstance(record.event, reference.DirectoryAdopted):
                self._recorded.append(record.event)
        return reference.DirectoryHistory(tuple(self._recorded))

    def directory_at(self, instant: Instant | None) -> Directory:
        """The directory in force at an instant (None: now): the views of that instant
        are evaluated under it. The instant is a datetime or an ISO 8601 string; one
        without an offset is the centre's local time."""
        if instant is not None:
            instant = instant_of(instant, "instant", zone(self.directory.calendar.timezone))
        return self.directories().at(instant) or self.directory

    def adopt_directory(
        self, directory: Directory, *, by: Actor | str = SYSTEM, reason: str
    ) -> Outcome:
        """Run under another directory from now on (new prices, a worker leaving), and
        record it with who and why; history keeps the values it was decided with."""
        actor = Actor.parse(by) if isinstance(by, str) else by
        outcome = self.handle(
            reference.AdoptDirectory(directory=directory, reason=reason, actor=actor)
        )
        self.bus.use_directory(directory)
        self.directory_notice = None
        self._adopt_policy()
        return outcome

    @classmethod
    def open(
        cls,
        url: str = "memory://",
        *,
        directory: Directory | str | Path | None = None,
        clock: Clock | None = None,
        notifier: Notifier | None = None,
        cipher_key: str | None = None,
        cache_states: bool = True,
        command_ids: Callable[[], str] | None = None,
        read_only: bool = False,
    ) -> Self:
        """Open a centre on a store URL: ``memory://``, ``sqlite:///centre.db`` (the
        embedded default), ``postgresql://user@host/db`` or any SQLAlchemy URL.
        Every option of the constructor passes through: ``cache_states`` keeps folded
        states between commands; ``command_ids`` names the commands sent without an id
        (a simulation passes a seeded source so its records are named the same on every
        run); ``read_only``: for reading only (nothing is written; the store must exist
        and be a callcore store)."""
        if isinstance(directory, (str, Path)):
            directory = load_directory(directory)
        store = open_store(url, cipher_key=cipher_key, read_only=read_only)
        try:
            return cls(
                store,
                directory=directory,
                clock=clock,
                notifier=notifier,
                cache_states=cache_states,
                command_ids=command_ids,
                read_only=read_only,
            )
        except BaseException:
            store.close()
            raise

    @property
    def directory(self) -> Directory:
        return self.bus.directory

    def use_directory(self, directory: Directory, *, reason: str = "directory changed") -> None:
        """Change the reference data for commands from now on (history keeps its
        values); recorded in the store, see :meth:`adopt_directory`."""
        self.adopt_directory(directory, reason=reason)

    def handle(self, command: Command) -> Outcome:
        """Decide a command and record its events atomically; see ``MessageBus.handle``."""
        if self.read_only:
            raise ReadOnlyCentre(
                f"this centre was opened read-only; {type(command).__name__} is not recorded"
            )
        outcome = self.bus.handle(command)
        if (
            isinstance(command, reference.AdoptDirectory)
            and outcome.events
            and not outcome.repeated
        ):
            # the command is the change itself: decide what follows under it, as
            # adopt_directory does (else the store and the centre would disagree)
            self.bus.use_directory(command.directory)
            self.directory_notice = None
            self._adopt_policy()
        return outcome

    def notification_process(self, notifier: Notifier | None = None) -> NotificationProcess:
        """The process that sends what the rules require (domain.md §5) through the
        notifier; call ``run_once()`` on a timer, or let ``callcore worker`` run it."""
        return NotificationProcess(self.bus, self.store, notifier or self.notifier)

    def escalation_process(self, notifier: Notifier | None = None) -> EscalationProcess:
        """The deadlines process (domain.md §5); call ``run_once()`` on a timer."""
        return EscalationProcess(self.bus, self.store, notifier or self.notifier, self.clock)

    def follow_up_retry_process(self, notifier: Notifier | None = None) -> FollowUpRetryProcess:
        """Unreached follow-ups: pause their clocks, retry, give up (domain.md §5)."""
        return FollowUpRetryProcess(self.bus, self.store, notifier or self.notifier, self.clock)

    def voicemail_process(self, notifier: Notifier | None = None) -> VoicemailProcess:
        """After-hours voicemails become callback work due at 08:30 (domain.md §4.3)."""
        return VoicemailProcess(self.bus, self.store, notifier or self.notifier)

    def daily_summary_process(self, notifier: Notifier | None = None) -> DailySummaryProcess:
        """The 17:30 summary to every branch (domain.md §5)."""
        return DailySummaryProcess(self.bus, self.store, notifier or self.notifier, self.clock)

    def history(self, stream: str) -> Sequence[Recorded]:
        """Every event of one stream, in order: ``cc.history("ticket-T-3F9A0C12B4")``, or
        a record's id alone (``"T-3F9A0C12B4"``, ``"C000001"``), found under the kinds'
        prefixes (``record.stream`` says which). A stream the store does not hold raises
        :class:`UnknownStream` naming the nearest ones it does."""
        return find_stream(self.store, stream)

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
