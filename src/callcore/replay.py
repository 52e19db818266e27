"""Replaying an event-log file: the views of a logged centre as of any instant.

``Replay.from_log("incident.jsonl")`` reads and validates a log (every line, as
``callcore import`` would); its ``views`` are the same ``cc.views`` a live centre has, on
the clock of the log (the last event, or the instant asked for). Nothing is written
anywhere: a replay is a read-only look at history, which is what QA wants from an
incident log.

**Constant memory** (quality.md P5). A log small enough (up to ``IN_MEMORY_EVENTS``
events) is kept in memory, decoded once. A bigger one is *streamed*: the first reading
keeps only the byte offset of every 1024th event, and each view reads the file again
from there, so a month of a 50-seat centre (a million events, 300 MB) replays in the
memory of its views, not of its log. The file must stay where it is while the replay
is in use.
"""

from __future__ import annotations

import time
from array import array
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import TypeVar

import orjson

from callcore.adapters.clock import ManualClock
from callcore.adapters.eventlog import (
    Envelope,
    Header,
    decode_line,
    decode_object,
    read_envelopes,
)
from callcore.domain.common import Fold
from callcore.domain.directory import Directory
from callcore.domain.reference import DirectoryAdopted, DirectoryHistory
from callcore.ports import Clock, Positioned, Recorded
from callcore.views import Views

IN_MEMORY_EVENTS = 100_000
"""Logs with more events than this are streamed from the file instead of kept decoded."""

S = TypeVar("S")
_STRIDE = 1024  # one remembered byte offset per this many events
_ADOPTED = DirectoryAdopted.type_name()


class LoggedHistory:
    """The events of a log, in memory, read like a store (read-only).

    Built from a log (:meth:`of_lines`), it keeps each line and its envelope and decodes
    an event the first time a reader asks for it; :meth:`read_types` leaves the lines of
    other types undecoded."""

    def __init__(self, records: Sequence[Recorded]) -> None:
        self._records: list[Recorded | None] = list(records)
        self._lines: list[bytes] = []
        self._numbers: list[int] = []
        self._types = [record.event.type_name() for record in records]
        self._streams: dict[str, list[int]] = {}
        for index, record in enumerate(records):
            self._streams.setdefault(record.stream, []).append(index)

    @classmethod
    def of_lines(cls, lines: Sequence[tuple[Envelope, bytes]]) -> LoggedHistory:
        """A history of checked log lines (:func:`read_envelopes`), decoded on demand."""
        history = cls(())
        history._records = [None] * len(lines)
        history._lines = [line for _, line in lines]
        history._numbers = [envelope.number for envelope, _ in lines]
        history._types = [envelope.type for envelope, _ in lines]
        for index, (envelope, _) in enumerate(lines):
            history._streams.setdefault(envelope.stream, []).append(index)
        return history

    def _record(self, index: int) -> Recorded:
        record = self._records[index]
        if record is None:
            record = self._records[index] = decode_line(self._numbers[index], self._lines[index])
        return record

    def read_all(self, after_position: int = 0, limit: int | None = None) -> Iterator[Positioned]:
        end = (
            len(self._records) if limit is None else min(len(self._records), after_position + limit)
        )
        for position in range(after_position, end):
            yield Positioned(position + 1, self._record(position))

    def read_types(self, after_position: int, types: Collection[str]) -> Iterator[Positioned]:
        """The events of these types (stable names) after a position, in global order;
        the others are skipped without being decoded."""
        kinds = self._types
        for position in range(after_position, len(kinds)):
            if kinds[position] in types:
                yield Positioned(position + 1, self._record(position))

    def read_stream(self, stream: str, after_version: int = 0) -> Sequence[Recorded]:
        found = (self._record(index) for index in self._streams.get(stream, ()))
        return [r for r in found if r.version > after_version]

    def streams(self) -> list[str]:
        return list(self._streams)

    def last_position(self) -> int:
        return len(self._records)

    def close(self) -> None:
        pass

    url = ""
    """A log read like a store has no store files of its own."""

    def load_state(self, fold: Fold[S], stream: str) -> tuple[int, S] | None:
        return None  # no snapshots: the log is folded

    def wait_for_events(self, timeout: float) -> None:
        time.sleep(timeout)  # a log does not grow


class StreamedHistory:
    """The events of a checked log, read from the file each time (read-only).

    Only the byte offset (and line number) of every 1024th event is kept; positions are
    line order."""

    def __init__(
        self, path: Path, offsets: array[int], count: int, numbers: array[int] | None = None
    ) -> None:
        self.path = path
        self._offsets = offsets
        self._count = count
        self._numbers = numbers

    def _lines(self, after_position: int, end: int) -> Iterator[tuple[int, int, bytes]]:
        """(position, line number, line) of the events after a position, up to ``end``."""
        if after_position >= end:
            return
        index = after_position // _STRIDE
        position = index * _STRIDE
        # the line number only names a bad line in an error: without the kept numbers,
        # counted from the position (exact when the log has no blank lines)
        number = self._numbers[index] if self._numbers is not None else position + 1
        with open(self.path, "rb") as source:
            source.seek(self._offsets[index])
            for line in source:
                number += 1
                if not line.strip():
                    continue
                position += 1
                if position > after_position:
                    yield position, number, line
                if position >= end:
                    return

    def read_all(self, after_position: int = 0, limit: int | None = None) -> Iterator[Positioned]:
        end = self._count if limit is None else min(self._count, after_position + limit)
        for position, number, line in self._lines(after_position, end):
            yield Positioned(position, decode_line(number, line))

    def read_types(self, after_position: int, types: Collection[str]) -> Iterator[Positioned]:
        """The events of these types (stable names) after a position, in global order;
        the lines of other types are parsed for their type only, not decoded."""
        loads = orjson.loads
        for position, number, line in self._lines(after_position, self._count):
            data = loads(line)
            if data["type"] in types:
                yield Positioned(position, decode_object(number, data))

    def read_stream(self, stream: str, after_version: int = 0) -> Sequence[Recorded]:
        # a line of the stream holds its id as a JSON string, however the writer spaced
        # its keys (stream ids are ASCII): decode only those lines, then compare
        needle = orjson.dumps(stream)
        found = []
        with open(self.path, "rb") as source:
            for number, line in enumerate(source, start=1):
                if number > 1 and needle in line:
                    record = decode_line(number, line)
                    if record.stream == stream and record.version > after_version:
                        found.append(record)
        return found

    def last_position(self) -> int:
        return self._count

    def close(self) -> None:
        pass

    url = ""
    """A log read like a store has no store files of its own."""

    def load_state(self, fold: Fold[S], stream: str) -> tuple[int, S] | None:
        return None  # no snapshots: the log is folded

    def wait_for_events(self, timeout: float) -> None:
        time.sleep(timeout)  # a log does not grow


class Replay:
    """A logged centre: its directory, its history and its views."""

    def __init__(
        self,
        header: Header,
        history: LoggedHistory | StreamedHistory,
        clock: Clock,
        directories: DirectoryHistory | None = None,
    ) -> None:
        self.header = header
        self.store = history
        self.clock = clock
        self.directories = directories or DirectoryHistory()
        """The directories the log records (``DirectoryAdopted``), oldest first."""
        self.views = Views(self)

    @property
    def directory(self) -> Directory:
        """The directory the log was written under (its header's)."""
        return self.header.directory

    def directory_at(self, instant: datetime | None) -> Directory:
        """The directory in force at an instant: the log's record of them, else (a log
        that records none) its header's."""
        return self.directories.at(instant) or self.header.directory

    @classmethod
    def from_log(
        cls,
        path: str | Path,
        *,
        until: datetime | None = None,
        progress: Callable[[int], None] | None = None,
        in_memory: bool | None = None,
    ) -> Replay:
        """Read and validate a log; the replay's clock stands at ``until`` (default: the
        last event). ``in_memory`` keeps the decoded events (default: only for logs of up
        to ``IN_MEMORY_EVENTS`` events; bigger ones are streamed from the file).

        ``progress`` is told how many bytes have been read so far."""
        path = Path(path)
        lines: list[tuple[Envelope, bytes]] | None = [] if in_memory is not False else None
        offsets, numbers = array("q"), array("q")
        count = 0
        last: datetime | None = None
        adopted: list[DirectoryAdopted] = []
        with open(path, "rb") as source:
            header, envelopes = read_envelopes(source)
            offsets.append(source.tell())
            numbers.append(1)
            for envelope, line in envelopes:
                count += 1
                if lines is not None:
                    lines.append((envelope, line))
                    if in_memory is None and count > IN_MEMORY_EVENTS:
                        lines = None  # too big to keep: stream it
                # the log's now: when the last fact was known (recorded, and happened)
                at = max(envelope.at, envelope.recorded_at)
                if envelope.type == _ADOPTED:
                    found = decode_line(envelope.number, line).event
                    assert isinstance(found, DirectoryAdopted)
                    adopted.append(found)
                if last is None or at > last:
                    last = at
                if count % _STRIDE == 0:
                    offsets.append(source.tell())
                    numbers.append(envelope.number)
                if progress is not None and count % 2048 == 0:
                    progress(source.tell())
        history: LoggedHistory | StreamedHistory
        if lines is not None:
            history = LoggedHistory.of_lines(lines)
        else:
            history = StreamedHistory(path, offsets, count, numbers)
        clock = ManualClock(until or last or header.exported_at)
        return cls(header, history, clock, DirectoryHistory(tuple(adopted)))

    @property
    def as_of(self) -> datetime:
        return self.clock.now()
