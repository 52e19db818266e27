"""The vocabulary every aggregate shares: actors, rules, events, commands, value objects.

An aggregate module (customer, order, ticket, complaint, dispatch, call) is a *decider*:

* its events are frozen attrs classes that subclass :class:`Event`; an event's stable
  type name is its class name and is what the event log stores, so renaming an event
  class is a schema change (see ``docs/event-log.md``);
* ``State``, ``initial`` and ``evolve(state, event)`` fold a stream into its state;
* public decision functions take the state, a command and a :class:`Context` and
  return the events to record, or raise :class:`DomainError` naming the broken
  :class:`Rule`. A decision that changes nothing returns an empty tuple.

Nothing here reads the clock: the time of a decision is ``Context.now``, injected by
the service layer from the clock port, so a replay reproduces every decision.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Generic, Never, TypeVar, get_args

import attrs
from attrs import field, frozen

# --------------------------------------------------------------------------- rules


@frozen
class Rule:
    """A named business rule. ``name`` is stable: error messages, the HTTP API (409
    bodies) and tests use it. ``source`` says where the rule comes from in the spec, so
    a newcomer can find it with one search."""

    name: str
    source: str

    def __str__(self) -> str:
        return self.name


class DomainError(Exception):
    """A command broke a business rule. Nothing was recorded."""

    def __init__(self, rule: Rule, detail: str) -> None:
        super().__init__(f"{rule.name}: {detail}")
        self.rule = rule
        self.detail = detail


class NotFound(DomainError):
    """The command names an aggregate that does not exist."""


VALID_INPUT = Rule("valid-input", "interfaces.md §2: bad input gets one clear error")
EXISTS = Rule("must-exist", "domain.md §4: a command acts on a record that exists")
ALREADY_EXISTS = Rule("must-not-exist", "domain.md §4: an id names one record only")


def require(condition: bool, rule: Rule, detail: str) -> None:
    """Raise a :class:`DomainError` for ``rule`` unless ``condition`` holds."""
    if not condition:
        raise DomainError(rule, detail)


# --------------------------------------------------------------------------- actors


class Role(enum.StrEnum):
    """Who can act. The values are stored in every event and in the event log."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    FIELD_WORKER = "field-worker"
    SYSTEM = "system"
    INTEGRATION = "integration"
    CUSTOMER = "customer"


@frozen
class Actor:
    """Who did it: an agent's seat id, a supervisor, a field worker's 工号, the system
    (a process), or an integration (a PBX, a web front office)."""

    role: Role
    id: str

    def __str__(self) -> str:
        # a StrEnum formats as its value; ``.value`` is a slow descriptor on 3.11, and
        # every stored event's actor goes through here
        return f"{self.role}:{self.id}"

    @classmethod
    def parse(cls, text: str) -> Actor:
        role, _, ident = text.partition(":")
        return cls(Role(role), ident or role)


SYSTEM = Actor(Role.SYSTEM, "callcore")


# --------------------------------------------------------------------------- validators

_MONEY_QUANTUM = Decimal("0.01")


def _aware(_: Any, attribute: attrs.Attribute[Any], value: datetime | None) -> None:
    if value is not None and (value.tzinfo is None or value.utcoffset() is None):
        raise ValueError(f"{attribute.name} must be a time with a UTC offset, got {value!r}")


def _non_blank(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    if value is not None and not value.strip():
        raise ValueError(f"{attribute.name} must not be blank")


aware = _aware
"""attrs validator: the time has an offset (naive times are ambiguous across a centre's
time zone and break replays on another machine)."""

non_blank = _non_blank
"""attrs validator: the text is not empty or only spaces."""


def money(value: Decimal | int | str) -> Decimal:
    """Money is a Decimal rounded to the cent (never a float)."""
    return Decimal(value).quantize(_MONEY_QUANTUM)


# --------------------------------------------------------------------------- events


@frozen(kw_only=True)
class Event:
    """Base of every domain event: when it happened and who did it.

    ``schema`` is the version of the event's shape; when a field changes, bump it and
    register an upcaster in ``callcore.adapters.upcasting`` so that old logs replay.
    """

    at: datetime = field(validator=aware)
    actor: Actor

    schema: ClassVar[int] = 1

    @classmethod
    def type_name(cls) -> str:
        return cls.__name__


E = TypeVar("E", bound=Event)
S = TypeVar("S")


class UnknownEvent(TypeError):
    """An aggregate's ``evolve`` was handed an event outside its closed union: a stream
    holds another kind's event, or a new event class was never added to the union.
    Folding on would silently drop a recorded fact, so the fold stops here."""

    def __init__(self, kind: str, event: object) -> None:
        super().__init__(
            f"the {kind} fold does not know the event {type(event).__name__}; "
            f"add it to the {kind} module's Event union and to its evolve"
        )
        self.kind = kind
        self.event = event


def unknown_event(kind: str, event: Never) -> UnknownEvent:
    """The last case of an exhaustive ``evolve``, ``raise unknown_event(KIND, event)``:
    mypy --strict proves it unreachable for the union (``event`` must be narrowed to
    ``Never``, so a forgotten case is a type error), and at run time what reached it from
    outside the union raises :class:`UnknownEvent`."""
    return UnknownEvent(kind, event)


def events_in(union: Any) -> tuple[type[Event], ...]:
    """The event classes of a closed union (``Event = A | B``), in declaration order."""
    members = get_args(union) or (union,)
    for member in members:
        if not (isinstance(member, type) and issubclass(member, Event)):
            raise TypeError(f"{member!r} in an event union is not an Event class")
    return tuple(members)


@frozen
class Fold(Generic[S]):
    """How to rebuild one kind of aggregate from its events.

    ``evolve`` takes the module's closed union (typed there, checked exhaustive by mypy)
    and raises :class:`UnknownEvent` on anything else; ``events`` is that union's classes
    (:func:`events_in`), the event log's catalogue of type names."""

    kind: str
    initial: S
    evolve: Callable[[S, Any], S]
    events: tuple[type[Event], ...]

    def fold(self, events: Iterable[Event], state: S | None = None) -> S:
        current = self.initial if state is None else state
        for event in events:
            current = self.evolve(current, event)
        return current


# --------------------------------------------------------------------------- commands


@frozen(kw_only=True)
class Command:
    """Base of every command.

    ``command_id`` makes retries harmless: handling a command whose id was already
    handled returns the first outcome and records nothing. Integrators pass the id of
    the request that carries the command (an Idempotency-Key, a PBX's event id). Left
    as ``None`` the command gets a fresh id when handled, and a retry is a new command.
    ``occurred_at`` is for facts reported after they happened (a PBX event, a field
    worker's SMS): when given, events are stamped with it instead of the clock's now,
    within the directory's back-dating bounds (a supervisor's ``correction`` lifts the
    lateness bound, with its reason on record).
    """

    command_id: str | None = field(default=None, validator=non_blank)
    actor: Actor = SYSTEM
    occurred_at: datetime | None = field(default=None, validator=aware)
    correction: str | None = field(default=None, validator=non_blank)
    """A supervisor's reason for dating a fact beyond the back-dating bounds (domain.md
    §6, ``callcore.domain.backdating``): recorded as its own ``TimeCorrected`` event."""


@frozen
class Context:
    """What a decision may know besides the state and the command."""

    now: datetime = field(validator=aware)
    actor: Actor

    @classmethod
    def for_command(cls, command: Command, now: datetime) -> Context:
        return cls(now=command.occurred_at or now, actor=command.actor)


# --------------------------------------------------------------------------- values


class Priority(enum.StrEnum):
    """How pressing a ticket or work order is: emergency, urgent or normal."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    NORMAL = "normal"

    @property
    def rank(self) -> int:
        """Lower is more pressing (used to order work queues)."""
        return {"emergency": 0, "urgent": 1, "normal": 2}[self.value]


class Channel(enum.StrEnum):
    """How the contact reached the centre, or how a report came in."""

    PHONE = "phone"
    VOICEMAIL = "voicemail"
    WEB = "web"
    EMAIL = "email"
    WALK_IN = "walk-in"
    SMS = "sms"
    APP = "app"


@frozen
class Window:
    """A time window promised to a customer (送瓶时间, 收瓶时间, an appointment)."""

    start: datetime = field(validator=aware)
    end: datetime = field(validator=aware)

    def __attrs_post_init__(self) -> None:
        if self.end <= self.start:
            raise ValueError(f"a window must end after it starts: {self.start} .. {self.end}")

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def contains(self, instant: datetime) -> bool:
        return self.start <= instant <= self.end


@frozen
class Contact:
    """Who to call back: a name and a phone number (normalised when recorded)."""

    name: str = field(validator=non_blank)
    phone: str = field(validator=non_blank)


_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def valid_id(_: Any, attribute: attrs.Attribute[Any], value: str | None) -> None:
    """attrs validator for record ids: letters, digits and ``. _ : -``, ≤ 128 chars.
    Ids become part of stream ids (``ticket-<id>``), URLs and file names."""
    if value is not None and not _ID.match(value):
        raise ValueError(f"{attribute.name} is not a valid id: {value!r}")


def seconds(_: Any, attribute: attrs.Attribute[Any], value: float | None) -> None:
    """attrs validator: a duration in seconds is a finite number ≥ 0."""
    if value is not None and not (value >= 0 and value != float("inf")):
        raise ValueError(f"{attribute.name} must be a finite number of seconds ≥ 0, got {value}")


def positive(_: Any, attribute: attrs.Attribute[Any], value: int) -> None:
    if value <= 0:
        raise ValueError(f"{attribute.name} must be greater than 0, got {value}")


def stream_kind(stream: str) -> str:
    """The aggregate kind of a stream id: ``ticket-T-1`` → ``ticket``."""
    return stream.partition("-")[0]


def one_of(values: Sequence[str]) -> Callable[[Any, attrs.Attribute[Any], str], None]:
    allowed = tuple(values)

    def check(_: Any, attribute: attrs.Attribute[Any], value: str) -> None:
        if value not in allowed:
            raise ValueError(f"{attribute.name} must be one of {', '.join(allowed)}, got {value!r}")

    return check


_ADDRESS_NOISE = re.compile(r"[\s,.，。#\-]+")


def address_key(address: str) -> str:
    """Addresses compare ignoring case, width (全角/半角), spaces and punctuation."""
    folded = unicodedata.normalize("NFKC", address).casefold()
    return _ADDRESS_NOISE.sub(" ", folded).strip()


def same_name(a: str, b: str) -> bool:
    """Names compare ignoring case, width and spacing (an agent types what it hears)."""
    return " ".join(unicodedata.normalize("NFKC", a).casefold().split()) == " ".join(
        unicodedata.normalize("NFKC", b).casefold().split()
    )


# --------------------------------------------------------------------------- SLA pauses


@frozen(kw_only=True)
class ClockPaused(Event):
    """The centre is waiting on the customer (asked to be called later, nobody home):
    the subject's running SLA clocks — or only the named ones — stop counting."""

    reason: str
    clocks: tuple[str, ...] = ()


@frozen(kw_only=True)
class ClockResumed(Event):
    clocks: tuple[str, ...] = ()


CLOCK_EVENTS: tuple[type[Event], ...] = (ClockPaused, ClockResumed)


@frozen(kw_only=True)
class PauseClocks(Command):
    """Pause the SLA clocks of a record (a ticket, complaint, dispatch or order) while the
    centre waits on the customer. Every pause is an event, so the arithmetic replays."""

    stream: str = field(validator=non_blank)
    reason: str = field(validator=non_blank)
    clocks: tuple[str, ...] = ()


@frozen(kw_only=True)
class ResumeClocks(Command):
    """Resume the paused SLA clocks of a record (or only the named ones): the customer
    is back."""

    stream: str = field(validator=non_blank)
    clocks: tuple[str, ...] = ()


PAUSE_ON_RECORD = Rule(
    "pause-clocks-of-a-record",
    "domain.md §6: a clock can pause while the centre waits on the customer",
)
NOT_PAUSED = Rule("resume-a-paused-clock", "domain.md §6: every pause and resume is an event")
