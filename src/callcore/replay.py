"""Replaying an event-log file: the views of a logged centre as of any instant.

``Replay.from_log("incident.jsonl")`` reads and validates a log (every line, as
``callcore import`` would) and keeps its events in memory, in global order; its
``views`` are the same ``cc.views`` a live centre has, on the clock of the log (the last
event, or the instant asked for). Nothing is written anywhere: a replay is a read-only
look at history, which is what QA wants from an incident log.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from callcore.adapters.clock import ManualClock
from callcore.adapters.eventlog import Header, read_log
from callcore.domain.directory import Directory
from callcore.ports import Clock, Positioned, Recorded
from callcore.views import Views


class LoggedHistory:
    """The events of a log, in memory, read like a store (read-only)."""

    def __init__(self, records: Sequence[Recorded]) -> None:
        self._records = list(records)
        self._streams: dict[str, list[Recorded]] = {}
        for record in self._records:
            self._streams.setdefault(record.stream, []).append(record)

    def read_all(self, after_position: int = 0, limit: int | None = None) -> Iterator[Positioned]:
        end = (
            len(self._records) if limit is None else min(len(self._records), after_position + limit)
        )
        for position in range(after_position, end):
            yield Positioned(position + 1, self._records[position])

    def read_stream(self, stream: str, after_version: int = 0) -> Sequence[Recorded]:
        return [r for r in self._streams.get(stream, ()) if r.version > after_version]

    def streams(self) -> list[str]:
        return list(self._streams)

    def last_position(self) -> int:
        return len(self._records)

    def close(self) -> None:
        pass


class Replay:
    """A logged centre: its directory, its history and its views."""

    def __init__(self, header: Header, history: LoggedHistory, clock: Clock) -> None:
        self.header = header
        self.store = history
        self.clock = clock
        self.views = Views(self)

    @property
    def directory(self) -> Directory:
        return self.header.directory

    @classmethod
    def from_log(
        cls,
        path: str | Path,
        *,
        until: datetime | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> Replay:
        """Read a log; the replay's clock stands at ``until`` (default: the last event).

        ``progress`` is told how many bytes have been read so far."""
        records: list[Recorded] = []
        with open(path, "rb") as source:
            header, events = read_log(source)
            for n, record in enumerate(events):
                records.append(record)
                if progress is not None and n % 2048 == 0:
                    progress(source.tell())
        if until is None:
            last = max((r.event.at for r in records), default=header.exported_at)
            until = last
        return cls(header, LoggedHistory(records), ManualClock(until))

    @property
    def as_of(self) -> datetime:
        return self.clock.now()
