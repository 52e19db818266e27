"""cattrs converters for callcore's attrs classes, organised like cattrs' ``preconf``
modules: :func:`configure_converter` adds callcore's hooks to any converter, and
:func:`make_converter` builds the JSON-ready one the store, the event-log file and the web
API share.

Encodings (part of the stored format, so they are stable):

* times: ISO 8601 with their offset; dates and clock times ISO 8601;
* money and other decimals: strings (``"12.50"``), never floats;
* actors: ``"role:id"`` strings (``"agent:A07"``);
* sets: sorted lists, so the same state always gives the same bytes.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, Final

import attrs
import cattrs
import orjson
from cattrs.preconf.orjson import make_converter as make_orjson_converter

from callcore.adapters.upcasters import upcast
from callcore.domain import event_types
from callcore.domain.common import Actor, Command, Event
from callcore.service_layer import receipts


def configure_converter(converter: cattrs.Converter) -> None:
    converter.register_unstructure_hook(datetime, datetime.isoformat)
    converter.register_structure_hook(datetime, lambda value, _: _parse_datetime(value))
    converter.register_unstructure_hook(date, date.isoformat)
    converter.register_structure_hook(
        date, lambda value, _: value if isinstance(value, date) else date.fromisoformat(value)
    )
    converter.register_unstructure_hook(time, time.isoformat)
    converter.register_structure_hook(
        time, lambda value, _: value if isinstance(value, time) else time.fromisoformat(value)
    )
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, lambda value, _: _decimal(value))
    converter.register_unstructure_hook(Actor, str)
    converter.register_structure_hook(Actor, lambda value, _: Actor.parse(value))
    converter.register_unstructure_hook_func(
        lambda cls: getattr(cls, "__origin__", None) is frozenset or cls is frozenset,
        lambda value: sorted(converter.unstructure(item) for item in value),
    )


def _parse_datetime(value: Any) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    return parsed


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError("money must be given as a string or integer, not a float")
    return Decimal(value)


def make_converter(*, detailed_validation: bool = True) -> cattrs.Converter:
    converter = make_orjson_converter(
        forbid_extra_keys=True, detailed_validation=detailed_validation
    )
    configure_converter(converter)
    return converter


CONVERTER = make_converter()
_FAST = make_converter(detailed_validation=False)
"""The same structuring without cattrs' error bookkeeping: about a third faster. Events
are structured with it first; only when it fails is the input structured again with
:data:`CONVERTER`, so the error (and its message) is always the detailed one."""


@functools.cache
def stored_event_types() -> dict[str, type[Event]]:
    """Stable name → class for every event the store may hold."""
    types = event_types()
    for event_type in receipts.EVENTS:
        types[event_type.type_name()] = event_type
    return types


def event_to_dict(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = CONVERTER.unstructure(event)
    return data


def event_from_dict(type_name: str, data: dict[str, Any], schema: int | None = None) -> Event:
    """The event of a stored or logged object; ``schema`` is the shape it was written in
    (default: the current one), and older shapes are upcast first."""
    try:
        event_type = stored_event_types()[type_name]
    except KeyError:
        raise ValueError(f"unknown event type {type_name!r}") from None
    if schema is not None and schema != event_type.schema:
        data = upcast(type_name, schema, event_type.schema, data)
    try:
        event: Event = _FAST.structure(data, event_type)
    except Exception:  # invalid: let the detailed converter say exactly why
        event = CONVERTER.structure(data, event_type)
    return event


def stored_topic(event: Event) -> str:
    """The store's topic of an event: its stable type name, and ``@<schema>`` from schema
    2 on (so events stored before the first schema change read as schema 1)."""
    name = event.type_name()
    return name if event.schema == 1 else f"{name}@{event.schema}"


def parse_topic(topic: str) -> tuple[str, int]:
    name, _, schema = topic.partition("@")
    return name, int(schema) if schema else 1


def dumps(data: Any) -> bytes:
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS)


ADDED_LATER: Final = "added_later"
"""Field metadata key (``field(..., metadata={ADDED_LATER: True})``) of a command field
added after stores already held receipts of that command."""


def _digest(command: Command, data: dict[str, Any]) -> str:
    return hashlib.sha256(dumps([type(command).__name__, data])).hexdigest()[:32]


def fingerprint(command: Command) -> str:
    """A digest of what a command asks, ignoring its id: two deliveries of the same
    request match; the same id reused for something else does not."""
    data = CONVERTER.unstructure(command)
    data.pop("command_id", None)
    if data.get("correction") is None:  # fingerprints from before corrections existed
        data.pop("correction", None)
    return _digest(command, data)


def earlier_fingerprints(command: Command) -> tuple[str, ...]:
    """The fingerprints a receipt stored before the command's later fields existed has:
    the command without its :data:`ADDED_LATER` fields. Such a receipt could not say what
    the field was, so whatever it is now (a CONNECT's hold time read from a log recorded
    before ``AnswerCall.waited_seconds`` existed) the command is the one already handled,
    and a re-read records nothing. A receipt stored since carries the field's key (even
    at its default), so this form never matches it: a reused id stays a conflict."""
    later = [field.name for field in attrs.fields(type(command)) if field.metadata.get(ADDED_LATER)]
    if not later:
        return ()
    data = CONVERTER.unstructure(command)
    data.pop("command_id", None)
    if data.get("correction") is None:
        data.pop("correction", None)
    for name in later:
        data.pop(name, None)
    return (_digest(command, data),)
