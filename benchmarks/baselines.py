"""The baselines the P-figures are measured against, in the same run (quality.md).

* ``HelpDesk`` — a plain ``eventsourcing`` application written the way the library's
  documentation teaches: ``Aggregate`` classes with ``@event`` methods, the library's
  own mapper and JSON transcoder, ``repository.get`` → method → ``save`` per command.
  It does the same work as the mix in ``workload.py`` (the same rules on status, a
  sequence aggregate saved with each new account).
* raw ``sqlite3``: one row per transaction (P1) and one ``executemany`` (P2).
* the fastest JSON parser installed, over the same lines (P3).
"""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from benchmarks.workload import START

_NAMESPACE = uuid.UUID("5c1b0e9e-31a7-4e8e-8f0d-6d7cf1d2a8b1")


class Ticket(Aggregate):
    @event("Opened")
    def __init__(self, ticket_id: str, category: str, caller: str, phone: str, text: str):
        self.ticket_id = ticket_id
        self.status = "open"
        self.history: list[str] = []

    def _require(self, *statuses: str) -> None:
        if self.status not in statuses:
            raise ValueError(f"ticket {self.ticket_id} is {self.status}")

    def promise_callback(self, phone: str, reply_due: str) -> None:
        self._require("open")
        self._callback_promised(phone, reply_due)

    @event("CallbackPromised")
    def _callback_promised(self, phone: str, reply_due: str) -> None:
        self.status = "awaiting-callback"

    def transfer(self, department: str, note: str) -> None:
        self._require("open", "awaiting-callback")
        self._transferred(department, note)

    @event("Transferred")
    def _transferred(self, department: str, note: str) -> None:
        self.history.append(department)

    def department_replied(self, reply: str) -> None:
        self._require("awaiting-callback", "open")
        self._department_replied(reply)

    @event("DepartmentReplied")
    def _department_replied(self, reply: str) -> None:
        self.history.append(reply)

    def replied(self, reply: str) -> None:
        self._require("awaiting-callback", "open")
        self._replied(reply)

    @event("CustomerReplied")
    def _replied(self, reply: str) -> None:
        self.status = "open"

    def resolve(self, cause: str, solution: str) -> None:
        self._require("open")
        self._resolved(cause, solution)

    @event("Resolved")
    def _resolved(self, cause: str, solution: str) -> None:
        self.status = "resolved"

    @staticmethod
    def create_id(ticket_id: str, *args: Any, **kwargs: Any) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"ticket-{ticket_id}")


class CustomerNumbers(Aggregate):
    @event("Started")
    def __init__(self) -> None:
        self.last = 0

    @event("Issued")
    def issue(self) -> None:
        self.last += 1

    @staticmethod
    def create_id(*args: Any, **kwargs: Any) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, "customer-numbers")


class Customer(Aggregate):
    @event("Opened")
    def __init__(self, number: str, name: str, phone: str, address: str, area: str):
        self.number = number
        self.phone = phone

    def change_phone(self, phone: str) -> None:
        if phone != self.phone:
            self._phone_changed(phone)

    @event("PhoneChanged")
    def _phone_changed(self, phone: str) -> None:
        self.phone = phone

    @staticmethod
    def create_id(number: str, *args: Any, **kwargs: Any) -> uuid.UUID:
        return uuid.uuid5(_NAMESPACE, f"customer-{number}")


class HelpDesk(Application[uuid.UUID]):
    """The same work with the library's ``Aggregate`` classes."""

    def open_ticket(self, ticket_id: str) -> None:
        self.save(Ticket(ticket_id, "inquiry", "Wang Fang", "13912345678", "bill"))

    def _ticket(self, ticket_id: str) -> Ticket:
        found: Ticket = self.repository.get(uuid.uuid5(_NAMESPACE, f"ticket-{ticket_id}"))
        return found

    def step(self, ticket_id: str, action: Callable[[Ticket], None]) -> None:
        ticket = self._ticket(ticket_id)
        action(ticket)
        self.save(ticket)

    def open_account(self) -> str:
        numbers_id = CustomerNumbers.create_id()
        try:
            numbers: CustomerNumbers = self.repository.get(numbers_id)
        except Exception:  # the first account: the sequence starts
            numbers = CustomerNumbers()
        numbers.issue()
        number = f"C{numbers.last:06d}"
        self.save(numbers, Customer(number, "Zhao Lei", "13812345678", "Dongmen Road", "Dongmen"))
        return number

    def change_phone(self, number: str, phone: str) -> None:
        found: Customer = self.repository.get(Customer.create_id(number))
        found.change_phone(phone)
        self.save(found)


def run_help_desk(app: HelpDesk, cases: int, prefix: str) -> int:
    """The mix of ``workload.py`` on the library's aggregates; returns the command count."""
    due = (START + timedelta(hours=2)).isoformat()
    count = 0
    for n in range(cases):
        ticket_id = f"T-{prefix}{n:06d}"
        app.open_ticket(ticket_id)
        app.step(ticket_id, lambda t: t.promise_callback("13912345678", due))
        app.step(ticket_id, lambda t: t.transfer("BUSINESS", "Check the reading"))
        app.step(ticket_id, lambda t: t.department_replied("Estimated reading corrected"))
        app.step(ticket_id, lambda t: t.replied("Told the caller"))
        app.step(ticket_id, lambda t: t.resolve("Estimated reading", "Corrected"))
        count += 6
        if n % 10 == 0:
            number = app.open_account()
            app.change_phone(number, "13987654321")
            count += 2
    return count


def help_desk(path: Path) -> HelpDesk:
    return HelpDesk(env={"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": str(path)})


# raw sqlite3 ---------------------------------------------------------------------------

RAW_TABLE = (
    "CREATE TABLE events (stream TEXT NOT NULL, version INTEGER NOT NULL, "
    "type TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (stream, version))"
)


def raw_connection(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")  # as eventsourcing.sqlite does
    connection.execute(RAW_TABLE)
    return connection


def raw_one_row_per_transaction(path: Path, rows: int) -> int:
    """``rows`` inserts, each in its own transaction (P1's lower bound)."""
    connection = raw_connection(path)
    data = orjson.dumps({"reply": "Estimated reading corrected", "actor": "agent:A01"})
    for n in range(rows):
        connection.execute("BEGIN")
        connection.execute(
            "INSERT INTO events VALUES (?, ?, ?, ?)", (f"ticket-T-{n // 6}", n % 6 + 1, "X", data)
        )
        connection.execute("COMMIT")
    connection.close()
    return rows


def log_rows(path: Path) -> Iterator[tuple[str, int, str, bytes]]:
    """The rows of an event-log file, parsed with orjson (no validation)."""
    with open(path, "rb") as lines:
        next(lines)
        for line in lines:
            item = orjson.loads(line)
            yield item["stream"], item["version"], item["type"], orjson.dumps(item["data"])


def raw_executemany(path: Path, log: Path) -> int:
    """Every event of a log in one ``executemany`` transaction (P2's upper bound)."""
    connection = raw_connection(path)
    rows = list(log_rows(log))
    connection.execute("BEGIN")
    connection.executemany("INSERT INTO events VALUES (?, ?, ?, ?)", rows)
    connection.execute("COMMIT")
    connection.close()
    return len(rows)


class LoggedEvent:
    """A logged event as the library stores any object with these three attributes."""

    def __init__(
        self, originator_id: str, originator_version: int, timestamp: str, data: dict[str, Any]
    ) -> None:
        self.originator_id = originator_id
        self.originator_version = originator_version
        self.timestamp = timestamp
        self.data = data


def library_save(path: Path, log: Path) -> int:
    """Every event of a log saved with one ``Application.save`` (P2's library baseline)."""
    app: Application[str] = Application(
        env={
            "PERSISTENCE_MODULE": "eventsourcing.sqlite",
            "SQLITE_DBNAME": str(path),
            "ORIGINATOR_ID_TYPE": "text",
        }
    )
    events = []
    with open(log, "rb") as lines:
        next(lines)
        for line in lines:
            item = orjson.loads(line)
            events.append(LoggedEvent(item["stream"], item["version"], item["at"], item["data"]))
    app.save(*events)
    app.close()
    return len(events)


def json_parsers() -> dict[str, Callable[[bytes], Any]]:
    """The JSON parsers installed here (orjson is a dependency; msgspec when present)."""
    parsers: dict[str, Callable[[bytes], Any]] = {"orjson": orjson.loads}
    try:
        import msgspec

        parsers["msgspec"] = msgspec.json.decode
    except ImportError:
        pass
    return parsers


def parse_rates(log: Path) -> dict[str, float]:
    """Lines per second each installed JSON parser reads the log at (P3's baseline: the
    fastest of them). The lines are read into memory first, so only parsing is timed."""
    with open(log, "rb") as source:
        lines = source.readlines()[1:]
    rates = {}
    for name, loads in json_parsers().items():
        start = time.perf_counter()
        for line in lines:
            loads(line)
        rates[name] = len(lines) / (time.perf_counter() - start)
    return rates
