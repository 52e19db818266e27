"""The event-log file (interfaces.md §3): the QA contract.

JSON Lines, UTF-8. Line 1 is the header::

    {"format": "callcore-event-log", "format_version": 1, "centre": ..., "exported_at": ...,
     "redacted": false, "directory": {...the reference data in force...}}

and every other line one event, in global order::

    {"stream": "ticket-T-1", "aggregate": "ticket", "version": 1, "type": "TicketOpened",
     "schema": 1, "at": "2026-11-24T09:05:00+08:00",
     "recorded_at": "2026-11-24T01:05:00.120000+00:00", "actor": "agent:A01", "data": {...}}

``at`` is when the fact happened, ``recorded_at`` when the store took it. A log is a copy
of a store's history: export writes every event's ``recorded_at``, import keeps it (the
importer does not re-stamp history with its own clock), redaction leaves it alone, and a
line without it (a log written before it existed) reads with ``recorded_at = at``.

Writing streams (constant memory). Reading validates every line — JSON, keys, known event
type, the event's fields, versions from 1 with no gap — and names the line of the first
problem; importing reads the whole file before it stores anything, then appends all of it
at once, so a bad file leaves the store unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import attrs
import cattrs
import orjson

from callcore.adapters.converter import (
    CONVERTER,
    event_from_dict,
    event_to_dict,
    stored_event_types,
)
from callcore.adapters.directory_file import DirectoryFileError, structure_directory
from callcore.adapters.redaction import Redactor
from callcore.adapters.safe_output import check_output, safe_output
from callcore.domain import reference
from callcore.domain.common import Actor, Event, Role, stream_kind
from callcore.domain.directory import Directory
from callcore.ports import EventStore, Recorded, StreamConflict

FORMAT = "callcore-event-log"
FORMAT_VERSION = 1
IMPORTER = Actor(Role.SYSTEM, "import")
EVENT_KEYS = ("stream", "aggregate", "version", "type", "schema", "at", "actor", "data")
"""The keys every event line has; ``recorded_at`` is added by logs since issue 19 and
optional on reading (absent: the event's ``at``)."""


class EventLogError(ValueError):
    """A malformed event-log file: which line, and why."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@attrs.frozen
class Header:
    centre: str
    exported_at: datetime
    redacted: bool
    directory: Directory
    format_version: int = FORMAT_VERSION


def header_object(header: Header) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "format_version": header.format_version,
        "centre": header.centre,
        "exported_at": header.exported_at.isoformat(),
        "redacted": header.redacted,
        "directory": CONVERTER.unstructure(header.directory),
    }


def header_line(header: Header) -> bytes:
    return orjson.dumps(header_object(header), option=orjson.OPT_SORT_KEYS)


def event_object(record: Recorded) -> dict[str, Any]:
    """A recorded event as the log's object (interfaces.md §3)."""
    data = event_to_dict(record.event)
    at = data.pop("at")
    actor = data.pop("actor")
    return {
        "stream": record.stream,
        "aggregate": stream_kind(record.stream),
        "version": record.version,
        "type": record.event.type_name(),
        "schema": record.event.schema,
        "at": at,
        "recorded_at": record.recorded_at.isoformat(),
        "actor": actor,
        "data": data,
    }


def event_line(record: Recorded) -> bytes:
    return orjson.dumps(event_object(record), option=orjson.OPT_SORT_KEYS)


def write_log(
    out: IO[bytes],
    header: Header,
    records: Iterable[Recorded],
    progress: Callable[[int], None] | None = None,
    redactor: Redactor | None = None,
) -> int:
    """Write a header and the records, one line each; returns how many events.
    ``progress`` is told how many events are written, now and then; with a
    ``redactor``, personal data is pseudonymised and the header says so."""
    if redactor is None:
        out.write(header_line(header) + b"\n")
    else:
        head = header_object(attrs.evolve(header, redacted=True))
        head["directory"] = redactor.directory(head["directory"])
        out.write(orjson.dumps(head, option=orjson.OPT_SORT_KEYS) + b"\n")
    count = 0
    for record in records:
        if redactor is None:
            out.write(event_line(record) + b"\n")
        else:
            line = redactor.event(event_object(record))
            out.write(orjson.dumps(line, option=orjson.OPT_SORT_KEYS) + b"\n")
        count += 1
        if progress is not None and count % 4096 == 0:
            progress(count)
    return count


def export_log(
    store: EventStore,
    path: str | Path,
    header: Header,
    progress: Callable[[int], None] | None = None,
    redactor: Redactor | None = None,
    *,
    force: bool = False,
) -> int:
    """Write the store's history to ``path`` through :func:`safe_output`: never over
    the store's own files, over an existing file only with ``force``, and in place only
    when complete."""
    from callcore.adapters.eventstore import store_files

    url = store.url
    with safe_output(path, store_files(url) if url else (), force=force) as out:
        return write_log(out, header, (p.recorded for p in store.read_all()), progress, redactor)


def redact_log(
    source: str | Path,
    target: str | Path,
    redactor: Redactor,
    progress: Callable[[int], None] | None = None,
    *,
    force: bool = False,
) -> int:
    """Write a redacted copy of a log (every line is validated on the way); never over
    the log itself, however it is named."""
    check_output(target, (source,), force=force)
    with open(source, "rb") as file:
        header, events = read_log(file)
        with safe_output(target, (source,), force=force) as out:
            return write_log(out, header, events, progress, redactor)


def _parse_header(line: bytes) -> Header:
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise EventLogError(1, f"the header is not JSON ({error})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise EventLogError(1, f"not a callcore event log (format must be {FORMAT!r})")
    if data.get("format_version") != FORMAT_VERSION:
        raise EventLogError(
            1,
            f"format_version {data.get('format_version')!r} is not "
            f"{FORMAT_VERSION}, the version this callcore reads",
        )
    missing = [k for k in ("centre", "exported_at", "redacted", "directory") if k not in data]
    if missing:
        raise EventLogError(1, f"the header lacks {', '.join(missing)}")
    try:
        directory = structure_directory(data["directory"], "the header's directory")
    except DirectoryFileError as error:
        raise EventLogError(1, str(error)) from None
    try:
        exported_at = datetime.fromisoformat(data["exported_at"])
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError, AttributeError) as error:
        raise EventLogError(1, f"the header's exported_at is invalid ({error})") from None
    return Header(str(data["centre"]), exported_at, bool(data["redacted"]), directory)


def _parse_event(number: int, line: bytes, versions: dict[str, int]) -> Recorded:
    data = _line_object(number, line)
    stream, version, type_name, schema = _check_envelope(number, data, versions)
    event = _decode(number, data, type_name, schema)
    try:  # what is stored must be writable again: JSON numbers beyond 64 bits are not
        orjson.dumps(data["data"])
    except TypeError as error:
        raise EventLogError(number, f"{type_name}: {error}") from None
    versions[stream] = version
    recorded_at = data.get("recorded_at")
    if recorded_at is None:  # a log written before recorded_at existed
        return Recorded(stream, version, event)
    return Recorded(stream, version, event, _recorded_at(number, recorded_at))


def _line_object(number: int, line: bytes) -> dict[str, Any]:
    try:
        data = orjson.loads(line)
    except orjson.JSONDecodeError as error:
        raise EventLogError(number, f"not JSON ({error})") from None
    if not isinstance(data, dict):
        raise EventLogError(number, "an event line is a JSON object")
    return data


def _check_envelope(
    number: int, data: dict[str, Any], versions: dict[str, int]
) -> tuple[str, int, str, int]:
    """The line's stream, version, type and schema, checked (the event's own fields are
    not); ``versions`` is not advanced."""
    try:  # the common case, a good line, checked in one expression
        stream, version, type_name, schema = (
            data["stream"],
            data["version"],
            data["type"],
            data["schema"],
        )
        if (
            type(stream) is str
            and type(version) is int
            and type(schema) is int
            and schema >= 1
            and type(type_name) is str
            and type_name in stored_event_types()
            and version == versions.get(stream, 0) + 1
            and type(data["data"]) is dict
            and stream.partition("-")[0] == data["aggregate"]
            and "at" in data
            and "actor" in data
        ):
            return stream, version, type_name, schema
    except KeyError:
        pass
    missing = [k for k in EVENT_KEYS if k not in data]
    if missing:
        raise EventLogError(number, f"missing {', '.join(missing)}")
    stream, version, type_name = data["stream"], data["version"], data["type"]
    if not isinstance(stream, str) or not isinstance(version, int) or isinstance(version, bool):
        raise EventLogError(number, "stream must be a string and version an integer")
    if not isinstance(type_name, str):
        raise EventLogError(number, "type must be a string")
    if stream_kind(stream) != data["aggregate"]:
        raise EventLogError(number, f"stream {stream!r} is not of aggregate {data['aggregate']!r}")
    if type_name not in stored_event_types():
        raise EventLogError(number, f"unknown event type {type_name!r}")
    expected = versions.get(stream, 0) + 1
    if version != expected:
        raise EventLogError(
            number,
            f"{stream} version {version} where {expected} was expected "
            "(versions start at 1 with no gaps)",
        )
    if not isinstance(data["data"], dict):
        raise EventLogError(number, "data must be a JSON object")
    schema = data["schema"]
    if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
        raise EventLogError(number, f"schema must be a whole number from 1, got {schema!r}")
    return stream, version, type_name, schema


def _decode(number: int, data: dict[str, Any], type_name: str, schema: int) -> Event:
    """The typed, validated event of a line whose envelope was checked."""
    try:
        return event_from_dict(
            type_name, {**data["data"], "at": data["at"], "actor": data["actor"]}, schema
        )
    except (cattrs.BaseValidationError, ValueError, TypeError, KeyError, AttributeError) as error:
        messages = (
            cattrs.transform_error(error)
            if isinstance(error, cattrs.BaseValidationError)
            else [str(error)]
        )
        raise EventLogError(number, f"{type_name}: {'; '.join(messages)}") from None


@attrs.frozen
class Envelope:
    """What a reader needs of an event line without decoding its event: where it
    belongs, its type, and its two times (the line's number names it in errors)."""

    number: int
    stream: str
    version: int
    type: str
    schema: int
    at: datetime
    recorded_at: datetime


def read_envelopes(source: IO[bytes]) -> tuple[Header, Iterator[tuple[Envelope, bytes]]]:
    """The header, and each event line with its checked envelope — JSON, keys, known
    type, versions from 1 with no gap, ``at`` and ``recorded_at`` times with their
    offsets — as they are read. The event's own fields are *not* validated: a reader
    decodes the lines it needs with :func:`decode_line`, which names the line of a bad
    event. :func:`read_log` (import, redaction) validates everything."""
    first = source.readline()
    if not first.strip():
        raise EventLogError(1, "the file is empty: the first line must be the header")
    header = _parse_header(first)

    def envelopes() -> Iterator[tuple[Envelope, bytes]]:
        versions: dict[str, int] = {}
        for number, line in enumerate(source, start=2):
            if not line.strip():
                continue
            if not line.endswith(b"\n"):
                try:
                    orjson.loads(line)
                except orjson.JSONDecodeError:
                    raise EventLogError(number, "truncated line (the file is cut off)") from None
            data = _line_object(number, line)
            stream, version, type_name, schema = _check_envelope(number, data, versions)
            versions[stream] = version
            at = _instant(number, "at", data["at"])
            recorded = data.get("recorded_at")
            recorded_at = at if recorded is None else _instant(number, "recorded_at", recorded)
            yield Envelope(number, stream, version, type_name, schema, at, recorded_at), line

    return header, envelopes()


def decode_line(number: int, line: bytes) -> Recorded:
    """The record of an event line whose envelope :func:`read_envelopes` checked: its
    event decoded and validated (:class:`EventLogError` naming line ``number`` if not)."""
    return decode_object(number, orjson.loads(line))


def decode_object(number: int, data: dict[str, Any]) -> Recorded:
    """:func:`decode_line` of a line already parsed."""
    event = _decode(number, data, data["type"], data["schema"])
    recorded_at = data.get("recorded_at")
    if recorded_at is None:
        return Recorded(data["stream"], data["version"], event)
    return Recorded(data["stream"], data["version"], event, datetime.fromisoformat(recorded_at))


def _instant(number: int, key: str, value: object) -> datetime:
    when: datetime | None = None
    if isinstance(value, str):
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            when = None
    if when is None or when.utcoffset() is None:
        raise EventLogError(
            number, f"{key} must be an ISO 8601 time with its UTC offset, got {value!r}"
        )
    return when


def _recorded_at(number: int, value: object) -> datetime:
    return _instant(number, "recorded_at", value)


def read_log(source: IO[bytes]) -> tuple[Header, Iterator[Recorded]]:
    """The header, and the events as they are read (each line validated)."""
    first = source.readline()
    if not first.strip():
        raise EventLogError(1, "the file is empty: the first line must be the header")
    header = _parse_header(first)

    def events() -> Iterator[Recorded]:
        versions: dict[str, int] = {}
        for number, line in enumerate(source, start=2):
            if not line.strip():
                continue
            if not line.endswith(b"\n"):
                # the last line of a complete log ends with a newline: a cut-off file
                try:
                    orjson.loads(line)
                except orjson.JSONDecodeError:
                    raise EventLogError(number, "truncated line (the file is cut off)") from None
            yield _parse_event(number, line, versions)

    return header, events()


def import_log(
    path: str | Path, store: EventStore, progress: Callable[[int], None] | None = None
) -> tuple[Header, int]:
    """Validate the whole file, then store it in batches (two passes, bounded memory):
    a log with any bad line stores nothing. ``progress`` is told how many bytes have
    been read, now and then.

    The store keeps the log's directory: a log that records none (``DirectoryAdopted``,
    logs written before directories were kept) has its header's recorded first, in
    force from its first event."""
    checked = check_log(path, progress)
    return checked.header, store_log(path, store, checked)


IMPORT_BATCH = 2000
"""Events appended per transaction by :func:`store_log`: memory stays bounded whatever
the log's size (a month's log held whole took ~5.8 GB; docs/performance.md)."""


@attrs.frozen
class CheckedLog:
    """What the validating pass (:func:`check_log`) learnt of a log, without keeping
    its events: enough to store it in a second pass."""

    header: Header
    events: int
    first_at: datetime | None
    streams: frozenset[str]
    records_directory: bool


def check_log(path: str | Path, progress: Callable[[int], None] | None = None) -> CheckedLog:
    """Read a whole log and validate every line (the first problem raises
    :class:`EventLogError`), keeping only its streams' names: the first pass of an
    import, before anything is stored."""
    count, first_at, streams, directory = 0, None, set(), False
    with open(path, "rb") as source:
        header, events = read_log(source)
        for record in events:
            count += 1
            streams.add(record.stream)
            directory = directory or record.stream == reference.DIRECTORY_STREAM
            if first_at is None or record.event.at < first_at:
                first_at = record.event.at
            if progress is not None and count % 4096 == 0:
                progress(source.tell())
    return CheckedLog(header, count, first_at, frozenset(streams), directory)


def store_log(
    path: str | Path,
    store: EventStore,
    checked: CheckedLog,
    progress: Callable[[int], None] | None = None,
    *,
    batch: int = IMPORT_BATCH,
) -> int:
    """The second pass of an import: the log :func:`check_log` validated, read again
    and appended ``batch`` events per transaction. Before the first batch, a store that
    holds any of the log's streams is refused, so no batch can conflict with what was
    there; returns how many of the log's events were stored."""
    if store.last_position():
        for stream in sorted(checked.streams):
            if store.read_stream(stream):
                raise EventLogError(2, f"{stream} already exists in the target store")
    pending: list[Recorded] = []
    if not checked.records_directory and not store.read_stream(reference.DIRECTORY_STREAM):
        header = checked.header
        adopted = reference.DirectoryAdopted(
            at=checked.first_at or header.exported_at,
            actor=IMPORTER,
            directory=header.directory,
            reason=f"the directory of the imported log (exported {header.exported_at})",
        )
        pending.append(Recorded(reference.DIRECTORY_STREAM, 1, adopted))
    stored = 0

    def flush() -> None:
        try:
            store.append(pending)
        except StreamConflict as conflict:  # another writer, between the check and now
            raise EventLogError(
                0, f"the target store already holds some of these streams ({conflict})"
            ) from None
        pending.clear()

    with open(path, "rb") as source:
        _, events = read_log(source)
        for record in events:
            pending.append(record)
            stored += 1
            if len(pending) >= batch:
                flush()
                if progress is not None:
                    progress(source.tell())
    if pending:
        flush()
    return stored


def read_records(
    path: str | Path, progress: Callable[[int], None] | None = None
) -> tuple[Header, list[Recorded]]:
    """Every event of a log, validated (the first problem raises :class:`EventLogError`)."""
    with open(path, "rb") as source:
        header, events = read_log(source)
        records = []
        for record in events:
            records.append(record)
            if progress is not None and len(records) % 4096 == 0:
                progress(source.tell())
    return header, records


def append_records(store: EventStore, header: Header, records: list[Recorded]) -> int:
    """Append a log's validated events to a store at once (see :func:`import_log`);
    returns how many of the log's events were stored."""
    for record in records[:1]:
        if store.read_stream(record.stream):
            raise EventLogError(2, f"{record.stream} already exists in the target store")
    recorded_directory = any(r.stream == reference.DIRECTORY_STREAM for r in records)
    stored = records
    if not recorded_directory and not store.read_stream(reference.DIRECTORY_STREAM):
        first = min((r.event.at for r in records), default=header.exported_at)
        adopted = reference.DirectoryAdopted(
            at=first,
            actor=IMPORTER,
            directory=header.directory,
            reason=f"the directory of the imported log (exported {header.exported_at})",
        )
        stored = [Recorded(reference.DIRECTORY_STREAM, 1, adopted), *records]
    try:
        store.append(stored)
    except StreamConflict as conflict:
        raise EventLogError(
            0, f"the target store already holds some of these streams ({conflict})"
        ) from None
    return len(records)


def history(records: Iterable[Recorded], stream: str) -> list[dict[str, Any]]:
    """One stream's timeline, event by event, as the log's own objects."""
    return [orjson.loads(event_line(r)) for r in records if r.stream == stream]
