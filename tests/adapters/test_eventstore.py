"""The event store adapter, the same tests on memory, SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from eventsourcing.cipher import AESCipher

from callcore.adapters.eventstore import (
    CipherKeyError,
    EventsourcingStore,
    StoreUrlError,
    UnreadableEvent,
    environment_for,
)
from callcore.domain.common import SYSTEM
from callcore.domain.customer import AccountClosed, AccountOpened, CustomerType
from callcore.ports import Recorded, StreamConflict
from tests import reliability
from tests.support import MONDAY_9AM


def opened(number: str, phone: str = "+8613912345678") -> AccountOpened:
    return AccountOpened(
        at=MONDAY_9AM,
        actor=SYSTEM,
        customer_number=number,
        name="Wang Xiuying",
        phone=phone,
        address="5 Dongmen Road",
        area="DONGMEN",
        branch="B-EAST",
        customer_type=CustomerType.HOUSEHOLD,
        level="standard",
    )


def closed() -> AccountClosed:
    return AccountClosed(at=MONDAY_9AM, actor=SYSTEM, reason="moved")


def test_streams_keep_their_events_in_version_order(store_url: str) -> None:
    store = EventsourcingStore(store_url)
    store.append([Recorded("customer-C1", 1, opened("C1")), Recorded("customer-C1", 2, closed())])
    store.append([Recorded("customer-C2", 1, opened("C2"))])
    assert [r.version for r in store.read_stream("customer-C1")] == [1, 2]
    assert store.read_stream("customer-C1")[0].event == opened("C1")
    assert [r.event for r in store.read_stream("customer-C1", after_version=1)] == [closed()]
    assert store.read_stream("customer-nobody") == []
    store.close()


def test_a_taken_version_conflicts_and_the_whole_batch_is_refused(store_url: str) -> None:
    store = EventsourcingStore(store_url)
    store.append([Recorded("customer-C1", 1, opened("C1"))])
    with pytest.raises(StreamConflict):
        store.append(
            [Recorded("customer-C2", 1, opened("C2")), Recorded("customer-C1", 1, closed())]
        )
    assert store.read_stream("customer-C2") == []  # atomic: nothing of the batch was kept
    assert store.last_position() == 1
    store.close()


def test_read_all_is_the_global_order_with_rising_positions(store_url: str) -> None:
    store = EventsourcingStore(store_url)
    for number in range(1, 6):
        store.append([Recorded(f"customer-C{number}", 1, opened(f"C{number}"))])
    store.append([Recorded("customer-C3", 2, closed())])
    everything = list(store.read_all())
    assert [p.recorded.stream for p in everything] == [
        "customer-C1",
        "customer-C2",
        "customer-C3",
        "customer-C4",
        "customer-C5",
        "customer-C3",
    ]
    positions = [p.position for p in everything]
    assert positions == sorted(positions) and len(set(positions)) == 6
    after = list(store.read_all(after_position=positions[2], limit=2))
    assert [p.recorded.stream for p in after] == ["customer-C4", "customer-C5"]
    assert store.last_position() == positions[-1]
    store.close()


def test_a_sqlite_file_is_reopened_with_its_history(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/centre.db"
    first = EventsourcingStore(url)
    first.append([Recorded("customer-C1", 1, opened("C1"))])
    first.close()
    again = EventsourcingStore(url)
    assert again.read_stream("customer-C1")[0].event == opened("C1")
    again.close()


@pytest.mark.reliability
def test_with_a_cipher_key_no_personal_data_is_readable_in_the_file(tmp_path: Path) -> None:
    key = AESCipher.create_key(num_bytes=32)
    url = f"sqlite:///{tmp_path}/secret.db"
    store = EventsourcingStore(url, cipher_key=key)
    assert store.encrypted
    store.append([Recorded("customer-C1", 1, opened("C1", phone="+8613987654321"))])
    assert store.read_stream("customer-C1")[0].event.phone == "+8613987654321"  # type: ignore[attr-defined]
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    readable = [text for text in (b"13987654321", b"Wang", b"Dongmen") if text in raw]
    reliability.record("R5", "personal data readable in an encrypted SQLite file", len(readable))
    assert readable == []
    plain = EventsourcingStore(url)  # opened without the key: an error, not garbage
    with pytest.raises(UnreadableEvent, match="without its key"):
        plain.read_stream("customer-C1")
    plain.close()


@pytest.mark.parametrize(
    ("url", "module"),
    [
        ("memory://", "eventsourcing.popo"),
        ("sqlite:///centre.db", "eventsourcing.sqlite"),
        ("postgresql://u@db.example:6543/calls", "eventsourcing.postgres"),
        ("mysql+pymysql://root@127.0.0.1/test", "eventsourcing_sqlalchemy"),
    ],
)
def test_urls_choose_the_persistence_module(url: str, module: str) -> None:
    assert environment_for(url)["PERSISTENCE_MODULE"] == module


def test_the_sqlite_path_forms() -> None:
    assert environment_for("sqlite:///centre.db")["SQLITE_DBNAME"] == "centre.db"
    assert environment_for("sqlite:////var/lib/cc.db")["SQLITE_DBNAME"] == "/var/lib/cc.db"
    assert "mode=memory" in environment_for("sqlite:///:memory:")["SQLITE_DBNAME"]


@pytest.mark.parametrize("url", ["centre.db", "sqlite://", "postgresql://host/", ""])
def test_a_bad_url_is_one_clear_error(url: str) -> None:
    with pytest.raises(StoreUrlError, match=r"e\.g\.|store URL|name the database|give a file"):
        environment_for(url)


@pytest.mark.parametrize("key", ["not base64!", "c2hvcnQ="])
def test_a_bad_cipher_key_is_refused_before_anything_is_stored(key: str) -> None:
    with pytest.raises(CipherKeyError, match=r"base64|AES needs"):
        environment_for("memory://", cipher_key=key)
