"""The event store: the ``eventsourcing`` library's recorders behind the EventStore port.

callcore stores bare events (the library's "functional" style): no library ``Aggregate``
classes, its own cattrs mapper, and readable stream ids (``ticket-T-20261122-0001``) as
the library's originator ids. URLs:

==============================  ==============================================  ========
URL                             eventsourcing persistence module                 ids
==============================  ==============================================  ========
``memory://``                   ``eventsourcing.popo``                           text
``sqlite:///path.db``           ``eventsourcing.sqlite`` (WAL mode)              text
``sqlite:///:memory:``          ``eventsourcing.sqlite`` in memory               text
``postgresql://u@host:p/db``    ``eventsourcing.postgres`` (psycopg 3)           text
any other SQLAlchemy URL        ``eventsourcing_sqlalchemy``                     UUID
==============================  ==============================================  ========

``eventsourcing_sqlalchemy`` keys streams by UUID, so for those databases the stream id
is mapped to a name-based UUID and also kept inside the stored record.

With a cipher key (``cipher_key=`` or ``CALLCORE_CIPHER_KEY``) every event body is
encrypted with the library's AES cipher before it reaches the database.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import hashlib
import importlib
import os
import time
import typing
import uuid
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import parse_qs, quote, unquote, urlsplit

import attrs
import cattrs
import orjson
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    InfrastructureFactory,
    IntegrityError,
    Mapper,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.utils import Environment

from callcore.adapters.converter import (
    CONVERTER,
    event_from_dict,
    event_to_dict,
    parse_topic,
    stored_event_types,
    stored_topic,
)
from callcore.domain.common import Fold
from callcore.ports import Positioned, Recorded, StreamConflict

S = TypeVar("S")

APPLICATION_NAME = "callcore"
RECORDED_AT_KEY = "_recorded_at"
"""Where a stored event's JSON keeps its ``recorded_at`` (absent: the event's ``at``)."""
_STREAM_NAMESPACE = uuid.UUID("8b7e0a34-7c61-4d43-9a2e-2f0a3c1c0c55")


class StoreUrlError(ValueError):
    """The store URL cannot be understood."""


class NotAStore(ValueError):
    """The file or database named is not a callcore store (or not one this user may
    open as asked): nothing was read from it or written to it."""


class CipherKeyError(ValueError):
    """The cipher key is not a usable AES key."""


class UnreadableEvent(RuntimeError):
    """A stored event cannot be read back (a wrong or missing cipher key, or damage)."""


def check_cipher_key(key: str) -> str:
    """An AES key is base64 of 16, 24 or 32 bytes (``callcore keygen`` makes one)."""
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raise CipherKeyError(
            "the cipher key is not base64; make one with `callcore keygen`"
        ) from None
    if len(raw) not in (16, 24, 32):
        raise CipherKeyError(f"the cipher key decodes to {len(raw)} bytes; AES needs 16, 24 or 32")
    return key


def environment_for(url: str, *, cipher_key: str | None = None) -> dict[str, str]:
    """The eventsourcing environment for a callcore store URL."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    env: dict[str, str] = {"ORIGINATOR_ID_TYPE": "text"}
    if scheme == "memory":
        env["PERSISTENCE_MODULE"] = "eventsourcing.popo"
    elif scheme == "sqlite":
        path = unquote(parts.path)
        if path in ("", "/") and not parts.netloc:
            raise StoreUrlError(f"{url!r}: give a file, e.g. sqlite:///centre.db")
        path = path[1:]  # sqlite:///rel.db → rel.db; sqlite:////abs.db → /abs.db
        if path in (":memory:", ""):
            path = f"file:callcore-{uuid.uuid4().hex}?mode=memory&cache=shared"
        env.update(
            PERSISTENCE_MODULE="eventsourcing.sqlite",
            SQLITE_DBNAME=path,
            SQLITE_LOCK_TIMEOUT="30",
        )
    elif scheme in ("postgresql", "postgres", "postgresql+psycopg"):
        if not parts.path.strip("/"):
            raise StoreUrlError(f"{url!r}: name the database, e.g. postgresql://user@host/db")
        query = parse_qs(parts.query)
        env.update(
            PERSISTENCE_MODULE="eventsourcing.postgres",
            POSTGRES_DBNAME=unquote(parts.path.strip("/")),
            POSTGRES_HOST=parts.hostname or "127.0.0.1",
            POSTGRES_PORT=str(parts.port or 5432),
            POSTGRES_USER=unquote(parts.username or os.environ.get("USER", "postgres")),
            POSTGRES_PASSWORD=unquote(parts.password or ""),
            POSTGRES_CONNECT_TIMEOUT="5",
            POSTGRES_POOL_SIZE="5",
        )
        if "schema" in query:
            env["POSTGRES_SCHEMA"] = query["schema"][0]
    elif "://" in url:
        env = {"PERSISTENCE_MODULE": "eventsourcing_sqlalchemy", "SQLALCHEMY_URL": url}
    else:
        raise StoreUrlError(
            f"{url!r} is not a store URL: use memory://, sqlite:///file.db or postgresql://..."
        )
    key = cipher_key or os.environ.get("CALLCORE_CIPHER_KEY")
    if key:
        env["CIPHER_TOPIC"] = "eventsourcing.cipher:AESCipher"
        env["CIPHER_KEY"] = check_cipher_key(key)
    return env


class CattrsMapper(Mapper[str]):
    """Maps :class:`Recorded` events to the library's ``StoredEvent`` and back.

    The topic is the event's stable type name (not a Python path), the state is the
    cattrs-unstructured event as compact JSON, then compressed and encrypted when the
    store is configured so.
    """

    def __init__(self, *args: Any, uuid_streams: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.uuid_streams = uuid_streams

    def originator_id(self, stream: str) -> Any:
        return uuid.uuid5(_STREAM_NAMESPACE, stream) if self.uuid_streams else stream

    def to_stored(self, record: Recorded) -> StoredEvent:
        data = event_to_dict(record.event)
        if self.uuid_streams:
            data["_stream"] = record.stream
        if record.recorded_at != record.event.at:
            # beside the event's own fields, under a key no event has: when the store
            # took it, kept only where it differs from ``at`` (the common case costs
            # nothing, and an event stored before the key existed reads the same way)
            data[RECORDED_AT_KEY] = record.recorded_at.isoformat()
        state = orjson.dumps(data)
        if self.compressor:
            state = self.compressor.compress(state)
        if self.cipher:
            state = self.cipher.encrypt(state)
        return StoredEvent(
            originator_id=self.originator_id(record.stream),
            originator_version=record.version,
            topic=stored_topic(record.event),
            state=state,
        )

    def to_recorded(self, stored: StoredEvent) -> Recorded:
        state = stored.state
        try:
            if self.cipher:
                state = self.cipher.decrypt(state)
            if self.compressor:
                state = self.compressor.decompress(state)
            data = orjson.loads(state)
        except Exception as error:  # the cipher and the codecs raise many kinds
            hint = (
                "wrong cipher key?" if self.cipher else "an encrypted store opened without its key?"
            )
            raise UnreadableEvent(
                f"event {stored.originator_version} of {stored.originator_id} cannot be read "
                f"({hint}): {error}"
            ) from None
        stream = data.pop("_stream") if self.uuid_streams else str(stored.originator_id)
        recorded_at = data.pop(RECORDED_AT_KEY, None)
        type_name, schema = parse_topic(stored.topic)
        event = event_from_dict(type_name, data, schema)
        if recorded_at is None:
            return Recorded(stream, stored.originator_version, event)
        return Recorded(
            stream, stored.originator_version, event, datetime.fromisoformat(recorded_at)
        )


class EventsourcingStore:
    """The :class:`~callcore.ports.EventStore` port over an eventsourcing recorder."""

    def __init__(
        self,
        url: str,
        *,
        cipher_key: str | None = None,
        create: bool = True,
        read_only: bool = False,
    ) -> None:
        self.url = url
        self.read_only = read_only
        env = environment_for(url, cipher_key=cipher_key)
        if read_only:
            create = False
        if not create:
            env["CREATE_TABLE"] = "no"
        module = env["PERSISTENCE_MODULE"]
        if module == "eventsourcing.sqlite" and (path := sqlite_path(url)) is not None:
            if read_only:
                _check_sqlite_store(path)
                env["SQLITE_DBNAME"] = f"file:{quote(os.path.abspath(path))}?mode=ro"
            else:
                _check_sqlite_writable(path)
        postgres = module == "eventsourcing.postgres"
        if postgres and create:
            env["CREATE_TABLE"] = "no"  # created below, under a lock
        factory = InfrastructureFactory.construct(Environment(APPLICATION_NAME, env))
        if postgres and read_only:
            # every transaction of this store's connections is READ ONLY: PostgreSQL
            # itself refuses a write, whatever the code above it tries
            factory.datastore.pool.kwargs["options"] = "-c default_transaction_read_only=on"  # type: ignore[attr-defined]
        if read_only and module == "eventsourcing_sqlalchemy":
            _read_only_engine(factory.datastore.engine)  # type: ignore[attr-defined]
        self._factory = factory
        self.recorder: ApplicationRecorder = factory.application_recorder()
        self.snapshot_recorder: AggregateRecorder = factory.aggregate_recorder("snapshots")
        if postgres and create:
            _create_postgres_tables(env, self.recorder, self.snapshot_recorder)
        self._env = env
        self._listener: Any = None
        self.mapper = CattrsMapper(
            transcoder=factory.transcoder(),
            cipher=factory.cipher(),
            compressor=factory.compressor(),
            uuid_streams=env["PERSISTENCE_MODULE"] == "eventsourcing_sqlalchemy",
        )
        if read_only and module != "eventsourcing.popo":
            self._check_tables()

    def _check_tables(self) -> None:
        """A store read must be a callcore store: its events table is there (a read
        never creates it)."""
        try:
            self.recorder.max_notification_id()
        except PersistenceError as error:
            self.close()
            first = (
                str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            )
            if "does not exist" in first or "no such table" in first:
                raise NotAStore(
                    f"{_shown(self.url)} is not a callcore store (it has no events table)"
                ) from None
            raise

    @property
    def encrypted(self) -> bool:
        return self.mapper.cipher is not None

    def read_stream(self, stream: str, after_version: int = 0) -> Sequence[Recorded]:
        stored = self.recorder.select_events(
            self.mapper.originator_id(stream), gt=after_version or None
        )
        return [self.mapper.to_recorded(item) for item in stored]

    def append(self, records: Sequence[Recorded]) -> None:
        stored = [self.mapper.to_stored(record) for record in records]
        try:
            self.recorder.insert_events(stored)
        except IntegrityError as conflict:
            raise StreamConflict(str(conflict)) from conflict

    def read_all(self, after_position: int = 0, limit: int | None = None) -> Iterator[Positioned]:
        page = 1000
        position = after_position
        remaining = limit
        while remaining is None or remaining > 0:
            size = page if remaining is None else min(page, remaining)
            notifications = self.recorder.select_notifications(
                position, size, inclusive_of_start=False
            )
            if not notifications:
                return
            for notification in notifications:
                yield Positioned(notification.id, self.mapper.to_recorded(notification))
            position = notifications[-1].id
            if remaining is not None:
                remaining -= len(notifications)
            if len(notifications) < size:
                return

    def read_types(self, after_position: int, types: Collection[str]) -> Iterator[Positioned]:
        """The events of these types (stable names) after a position, in global order:
        the recorder selects them by topic (every schema of each type), so the others
        are never read nor decoded (a view reads only what its folds consume)."""
        topics = sorted(topic for name in types for topic in _topics_of(name))
        page = 1000
        position = after_position
        while True:
            notifications = self.recorder.select_notifications(
                position, page, topics=topics, inclusive_of_start=False
            )
            for notification in notifications:
                yield Positioned(notification.id, self.mapper.to_recorded(notification))
            if len(notifications) < page:
                return
            position = notifications[-1].id

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    # Snapshots (quality.md P4): the folded state of a long stream at a version, so that
    # loading it reads only what came after. They sit in their own table (the library's
    # snapshot recorder), are encrypted like events, and are a cache: losing or ignoring
    # one changes nothing but speed.

    def snapshot(self, stream: str) -> tuple[int, str, Any] | None:
        """The latest snapshot of a stream: (version, kind of state, unstructured state)."""
        try:
            found = self.snapshot_recorder.select_events(
                self.mapper.originator_id(stream), desc=True, limit=1
            )
        except PersistenceError:  # a store opened read-only before snapshots existed
            return None
        if not found:
            return None
        state = found[0].state
        try:
            if self.mapper.cipher:
                state = self.mapper.cipher.decrypt(state)
            if self.mapper.compressor:
                state = self.mapper.compressor.decompress(state)
            data = orjson.loads(state)
        except Exception:  # unreadable (no key, wrong key): only a lost shortcut
            return None
        return found[0].originator_version, found[0].topic, data

    def load_state(self, fold: Fold[S], stream: str) -> tuple[int, S]:
        """A stream's version and folded state, from its latest snapshot and the events
        after it; a new snapshot is saved when SNAPSHOT_EVERY events were folded past
        the last one. Snapshots of another shape of state (the class changed) are
        ignored, so a new release never reads an old snapshot wrongly."""
        version, state = 0, fold.initial
        kind = _state_kind(fold)
        snapshot = self.snapshot(stream)
        if snapshot is not None and snapshot[1] == kind:
            try:
                state = CONVERTER.structure(snapshot[2], type(fold.initial))
                version = snapshot[0]
            except (cattrs.BaseValidationError, ValueError, TypeError, KeyError):
                version, state = 0, fold.initial
        base = version
        for record in self.read_stream(stream, after_version=version):
            state = fold.evolve(state, record.event)
            version = record.version
        if version - base >= SNAPSHOT_EVERY:
            self.save_snapshot(stream, version, kind, CONVERTER.unstructure(state))
        return version, state

    def save_snapshot(self, stream: str, version: int, kind: str, state: Any) -> None:
        data = orjson.dumps(state)
        if self.mapper.compressor:
            data = self.mapper.compressor.compress(data)
        if self.mapper.cipher:
            data = self.mapper.cipher.encrypt(data)
        # another reader may have saved the same snapshot first, or the store is read-only
        with contextlib.suppress(IntegrityError, PersistenceError):
            self.snapshot_recorder.insert_events(
                [StoredEvent(self.mapper.originator_id(stream), version, kind, data)]
            )

    def wait_for_events(self, timeout: float) -> None:
        """Return when new events may have been appended, or after ``timeout`` seconds.

        On PostgreSQL this LISTENs to the channel eventsourcing NOTIFYs on every append,
        so a follower wakes at once; elsewhere it just waits (SQLite has no such signal)."""
        channel = getattr(self.recorder, "channel_name", None)
        if self._env["PERSISTENCE_MODULE"] != "eventsourcing.postgres" or channel is None:
            time.sleep(timeout)
            return
        if self._listener is None:
            import psycopg
            from psycopg import sql

            env = self._env
            self._listener = psycopg.connect(
                dbname=env["POSTGRES_DBNAME"],
                host=env["POSTGRES_HOST"],
                port=int(env["POSTGRES_PORT"]),
                user=env["POSTGRES_USER"],
                password=env.get("POSTGRES_PASSWORD") or None,
                autocommit=True,
            )
            self._listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        for _ in self._listener.notifies(timeout=timeout, stop_after=1):
            pass

    def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
        self._factory.close()


SNAPSHOT_EVERY = 100
"""Events folded past a stream's last snapshot before a new one is saved."""


@functools.cache
def _state_shape(module: str, qualname: str) -> str:
    """A digest of the state class's fields and their types, down through every attrs
    class inside it: a release that changes any of them ignores older snapshots."""
    shapes: dict[str, list[tuple[str, str]]] = {}

    def name(kind: Any) -> str:  # ``tuple[Note, ...]``, without module paths
        origin = typing.get_origin(kind) or kind
        base = getattr(origin, "__qualname__", repr(origin))
        arguments = typing.get_args(kind)
        return f"{base}[{', '.join(map(name, arguments))}]" if arguments else base

    def walk(kind: Any) -> None:
        if attrs.has(kind) and kind.__qualname__ not in shapes:
            fields = attrs.fields(attrs.resolve_types(kind))
            shapes[kind.__qualname__] = [(field.name, name(field.type)) for field in fields]
            for field in fields:
                walk(field.type)
        for argument in typing.get_args(kind):
            walk(argument)

    walk(getattr(importlib.import_module(module), qualname))
    return hashlib.sha256(orjson.dumps(sorted(shapes.items()))).hexdigest()[:12]


def _state_kind(fold: Fold[Any]) -> str:
    """The snapshot's topic: the aggregate kind and the shape of its state class."""
    state_type = type(fold.initial)
    return f"{fold.kind}-state:{_state_shape(state_type.__module__, state_type.__qualname__)}"


def _read_only_engine(engine: Any) -> None:
    """Every connection of an SQLAlchemy engine reads only, whatever the code above it
    tries: the database itself refuses a write (SQLite ``query_only``; PostgreSQL, MySQL
    and MariaDB a read-only transaction; others through ``SET TRANSACTION READ ONLY``,
    the SQL standard's)."""
    from sqlalchemy import event

    dialect = engine.dialect.name

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _: Any) -> None:
        cursor = dbapi_connection.cursor()
        try:
            if dialect == "sqlite":
                cursor.execute("PRAGMA query_only = ON")
            elif dialect == "postgresql":
                cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
            elif dialect in ("mysql", "mariadb"):
                cursor.execute("SET SESSION TRANSACTION READ ONLY")
        finally:
            cursor.close()

    if dialect not in ("sqlite", "postgresql", "mysql", "mariadb"):

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")

    engine.dispose()  # a connection opened before the listeners would not read only


def _create_postgres_tables(
    env: Mapping[str, str], *recorders: ApplicationRecorder | AggregateRecorder
) -> None:
    """Create the tables once, even when several processes open a new store at the same
    moment (concurrent CREATE ... IF NOT EXISTS races in PostgreSQL's catalog)."""
    import psycopg

    with psycopg.connect(
        dbname=env["POSTGRES_DBNAME"],
        host=env["POSTGRES_HOST"],
        port=int(env["POSTGRES_PORT"]),
        user=env["POSTGRES_USER"],
        password=env.get("POSTGRES_PASSWORD") or None,
        autocommit=True,
        connect_timeout=int(env.get("POSTGRES_CONNECT_TIMEOUT", "5")),
    ) as connection:
        connection.execute("SELECT pg_advisory_lock(%s)", (_CREATE_LOCK,))
        try:
            for recorder in recorders:
                recorder.create_table()  # type: ignore[union-attr]
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (_CREATE_LOCK,))


_CREATE_LOCK = 0x63616C6C636F7265  # "callcore"


def sqlite_path(url: str) -> str | None:
    """The database file of an ``sqlite:///`` URL (None for other stores and memory)."""
    parts = urlsplit(url)
    if parts.scheme.lower() != "sqlite":
        return None
    path = unquote(parts.path)[1:]
    if path in ("", ":memory:") or parts.netloc:
        return None
    return path


def store_files(url: str) -> list[str]:
    """The files a store lives in (an SQLite database and its WAL and shared-memory
    files): what no output may overwrite."""
    path = sqlite_path(url)
    return [] if path is None else [path, f"{path}-wal", f"{path}-shm", f"{path}-journal"]


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _shown(url: str) -> str:
    """A URL as it may be printed: without its password."""
    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@", 1)
    return url


def _sqlite_kind(path: str) -> str:
    """What is at ``path``: 'missing', 'directory', 'empty', 'sqlite' or 'other'."""
    if os.path.isdir(path):
        return "directory"
    try:
        with open(path, "rb") as file:
            head = file.read(len(_SQLITE_MAGIC))
    except FileNotFoundError:
        return "missing"
    except PermissionError:
        raise NotAStore(f"cannot read {path}: permission denied") from None
    except OSError as error:
        raise NotAStore(f"cannot read {path}: {error.strerror}") from None
    if not head:
        return "empty"
    return "sqlite" if head == _SQLITE_MAGIC else "other"


def _sqlite_tables(path: str) -> set[str]:
    """The tables of an SQLite file, read through a read-only connection."""
    import sqlite3

    try:
        connection = sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True)
        try:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return {name for (name,) in rows}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise NotAStore(f"{path} cannot be read as an SQLite database: {error}") from None


def _check_sqlite_store(path: str) -> None:
    """Before a read opens it: the file is an SQLite database holding callcore's events."""
    kind = _sqlite_kind(path)
    if kind == "missing":
        raise NotAStore(f"no such database file: {path}")
    if kind == "directory":
        raise NotAStore(f"{path} is a directory, not an SQLite database file")
    if kind == "empty":
        raise NotAStore(f"{path} is an empty file, not a callcore store")
    if kind == "other":
        raise NotAStore(f"{path} is not an SQLite database (is it an event log? use a file path)")
    if "stored_events" not in _sqlite_tables(path):
        raise NotAStore(
            f"{path} is an SQLite database but not a callcore store (no stored_events table)"
        )


def _check_sqlite_writable(path: str) -> None:
    """Before a write opens it: a new file, or a callcore store this user may write —
    never another program's database, which would get callcore's tables."""
    kind = _sqlite_kind(path)
    if kind == "missing":
        folder = os.path.dirname(os.path.abspath(path))
        if not os.path.isdir(folder):
            raise NotAStore(f"cannot create {path}: no such directory {folder}")
        return
    if kind == "directory":
        raise NotAStore(f"{path} is a directory, not an SQLite database file")
    if kind == "other":
        raise NotAStore(f"{path} is not an SQLite database (is it an event log? use a file path)")
    if kind == "sqlite":
        tables = _sqlite_tables(path)
        if tables and "stored_events" not in tables:
            raise NotAStore(
                f"{path} is another program's SQLite database (no stored_events table); "
                "callcore writes only to its own stores"
            )
    if not os.access(path, os.W_OK):
        raise NotAStore(f"cannot write {path}: the file is read-only")


def open_store(
    url: str, *, cipher_key: str | None = None, read_only: bool = False
) -> EventsourcingStore:
    """A store for ``url``; ``read_only`` opens it for reading only (SQLite ``mode=ro``,
    PostgreSQL read-only transactions), creates nothing, and refuses with
    :class:`NotAStore` what is not a callcore store."""
    return EventsourcingStore(url, cipher_key=cipher_key, read_only=read_only)


def describe(env: Mapping[str, str]) -> str:
    return env.get("PERSISTENCE_MODULE", "?")


def _topics_of(name: str) -> list[str]:
    """Every stored topic of an event type: its name (schema 1) and ``name@k`` for each
    later schema up to the current one (see :func:`stored_topic`)."""
    event_type = stored_event_types().get(name)
    schema = event_type.schema if event_type is not None else 1
    return [name, *(f"{name}@{k}" for k in range(2, schema + 1))]
