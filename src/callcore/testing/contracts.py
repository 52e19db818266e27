"""The published contract test suites of callcore's ports (interfaces.md §7).

An integrator who writes an adapter subclasses the suite of its port in their own tests
and fills in the few hooks; pytest then runs every ``test_*`` method against their
adapter — the same methods callcore runs against its built-in adapters::

    from callcore.testing.contracts import NotifierContract

    class TestSmsGateway(NotifierContract):
        def make_notifier(self):
            return SmsGatewayNotifier(self.gateway.url)
        def delivered(self, notifier):
            return self.gateway.received_ids()
        def break_transport(self, notifier):
            self.gateway.answer_with(503)

The suites need nothing but the standard library: a hook that cannot be honoured raises
``unittest.SkipTest`` and pytest reports the test as skipped, with the reason.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from callcore.domain.common import SYSTEM
from callcore.domain.customer import AccountClosed, AccountOpened, CustomerType
from callcore.domain.directory import Directory
from callcore.ports import (
    Clock,
    DirectorySource,
    EventStore,
    Notification,
    Notifier,
    Recorded,
    StreamConflict,
)


def notification(number: int = 1, **changes: str) -> Notification:
    """A notification as the processes send them (Chinese text included)."""
    fields = {
        "notification_id": f"complaint-Q-{number}:department-notified",
        "recipient": "department:TECH",
        "channel": "sms",
        "subject": "Complaint Q-1 needs your answer within 2 hours",
        "body": "客户投诉：燃气表读数异常 (meter reading). Reply by 11:20.",
    }
    fields.update(changes)
    return Notification(**fields)


class NotifierContract:
    """What every :class:`~callcore.ports.Notifier` must do.

    Hooks: :meth:`make_notifier`; :meth:`delivered`, the notification ids that reached
    the far side in order (repeats included); :meth:`break_transport`, to make the next
    sends fail (raise ``unittest.SkipTest`` if the transport cannot fail)."""

    def make_notifier(self) -> Notifier:
        raise NotImplementedError

    def delivered(self, notifier: Notifier) -> Sequence[str]:
        raise NotImplementedError

    def break_transport(self, notifier: Notifier) -> None:
        raise NotImplementedError

    def test_it_is_a_notifier(self) -> None:
        assert isinstance(self.make_notifier(), Notifier)

    def test_a_notification_reaches_the_far_side(self) -> None:
        notifier = self.make_notifier()
        notifier.send(notification(1))
        assert list(self.delivered(notifier)) == [notification(1).notification_id]

    def test_notifications_arrive_in_the_order_sent(self) -> None:
        notifier = self.make_notifier()
        for number in (1, 2, 3):
            notifier.send(notification(number))
        assert list(self.delivered(notifier)) == [
            notification(n).notification_id for n in (1, 2, 3)
        ]

    def test_a_repeat_carries_the_same_id_so_the_far_side_can_drop_it(self) -> None:
        # processes deliver at least once: a resend after a crash must be recognisable
        notifier = self.make_notifier()
        notifier.send(notification(7))
        notifier.send(notification(7))
        ids = list(self.delivered(notifier))
        assert set(ids) == {notification(7).notification_id}
        assert 1 <= len(ids) <= 2

    def test_a_failing_transport_raises_so_the_process_tries_again(self) -> None:
        notifier = self.make_notifier()
        self.break_transport(notifier)
        try:
            notifier.send(notification(9))
        except Exception:  # any error will do: the process records it and retries
            return
        raise AssertionError("send() returned although the transport failed: it was lost")

    def test_long_and_non_ascii_text_is_accepted(self) -> None:
        notifier = self.make_notifier()
        notifier.send(notification(4, body="请尽快上门检查。" * 40))
        assert notification(4).notification_id in list(self.delivered(notifier))


def _opened(number: str) -> AccountOpened:
    return AccountOpened(
        at=datetime(2026, 11, 23, 1, 0, tzinfo=UTC),
        actor=SYSTEM,
        customer_number=number,
        name="Wang Xiuying",
        phone="+8613912345678",
        address="5 Dongmen Road",
        area="DONGMEN",
        branch="B-EAST",
        customer_type=CustomerType.HOUSEHOLD,
        level="standard",
    )


def _closed() -> AccountClosed:
    return AccountClosed(at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC), actor=SYSTEM, reason="moved")


class EventStoreContract:
    """What every :class:`~callcore.ports.EventStore` must do. Hook: :meth:`make_store`,
    an empty store (the suite closes it)."""

    def make_store(self) -> EventStore:
        raise NotImplementedError

    def test_a_stream_keeps_its_events_in_version_order(self) -> None:
        store = self.make_store()
        try:
            store.append([Recorded("customer-C1", 1, _opened("C1"))])
            store.append([Recorded("customer-C1", 2, _closed())])
            assert [r.version for r in store.read_stream("customer-C1")] == [1, 2]
            assert store.read_stream("customer-C1")[0].event == _opened("C1")
            assert [r.version for r in store.read_stream("customer-C1", 1)] == [2]
            assert list(store.read_stream("customer-C404")) == []
        finally:
            store.close()

    def test_a_taken_version_conflicts_and_nothing_of_the_batch_is_stored(self) -> None:
        store = self.make_store()
        try:
            store.append([Recorded("customer-C1", 1, _opened("C1"))])
            try:
                store.append(
                    [
                        Recorded("customer-C2", 1, _opened("C2")),
                        Recorded("customer-C1", 1, _opened("C1")),
                    ]
                )
            except StreamConflict:
                pass
            else:
                raise AssertionError("appending a taken version did not raise StreamConflict")
            assert list(store.read_stream("customer-C2")) == []
            assert store.last_position() == 1 or len(list(store.read_all())) == 1
        finally:
            store.close()

    def test_read_all_is_one_global_order_with_rising_positions(self) -> None:
        store = self.make_store()
        try:
            for n in range(1, 6):
                store.append([Recorded(f"customer-C{n}", 1, _opened(f"C{n}"))])
            everything = list(store.read_all())
            assert [p.recorded.stream for p in everything] == [
                f"customer-C{n}" for n in range(1, 6)
            ]
            positions = [p.position for p in everything]
            assert positions == sorted(positions)
            assert len(set(positions)) == 5
            assert store.last_position() == positions[-1]
            after = list(store.read_all(positions[1], limit=2))
            assert [p.position for p in after] == positions[2:4]
        finally:
            store.close()

    def test_it_declares_the_capabilities_of_the_port(self) -> None:
        """url, load_state and wait_for_events are on the port: callers never probe
        for them, so a store answers each its plain way when it has no such feature."""
        from callcore.domain import customer

        store = self.make_store()
        try:
            assert isinstance(store.url, str)
            store.append([Recorded("customer-C1", 1, _opened("C1"))])
            found = store.load_state(customer.FOLD, "customer-C1")
            if found is not None:  # a store with snapshots folds the stream itself
                version, state = found
                assert version == 1
                assert state == customer.FOLD.fold(
                    r.event for r in store.read_stream("customer-C1")
                )
            store.wait_for_events(0.0)
        finally:
            store.close()

    def test_each_event_keeps_when_the_store_took_it_beside_when_it_happened(self) -> None:
        # given a fact reported 40 minutes late, and one whose envelope gives no time
        late = datetime(2026, 11, 23, 2, 40, 15, 123456, tzinfo=UTC)
        store = self.make_store()
        try:
            # when both are stored
            store.append([Recorded("customer-C1", 1, _opened("C1"), late)])
            store.append([Recorded("customer-C1", 2, _closed())])
            # then each reads back with both times, in the stream and in the global order
            stream = store.read_stream("customer-C1")
            assert [(r.event.at, r.recorded_at) for r in stream] == [
                (_opened("C1").at, late),
                (_closed().at, _closed().at),  # no recorded_at given: the event's own at
            ]
            assert [p.recorded for p in store.read_all()] == list(stream)
        finally:
            store.close()

    def test_recorded_at_survives_reopening_the_store(self) -> None:
        early = datetime(2026, 11, 23, 0, 59, 58, tzinfo=UTC)  # a fact dated after its recording
        store = self.make_store()
        try:
            store.append([Recorded("customer-C9", 1, _opened("C9"), early)])
            again = self.reopen(store)
            try:
                assert again.read_stream("customer-C9")[0].recorded_at == early
            finally:
                if again is not store:
                    again.close()
        finally:
            store.close()

    def reopen(self, store: EventStore) -> EventStore:
        """Hook: the same store opened afresh (default: the same object)."""
        return store


class ClockContract:
    """What every :class:`~callcore.ports.Clock` must do. Hook: :meth:`make_clock`."""

    def make_clock(self) -> Clock:
        raise NotImplementedError

    def test_it_is_a_clock(self) -> None:
        assert isinstance(self.make_clock(), Clock)

    def test_now_carries_its_utc_offset(self) -> None:
        # every rule compares instants across time zones: a naive time is a bug
        now = self.make_clock().now()
        assert now.tzinfo is not None
        assert now.utcoffset() is not None

    def test_now_never_goes_back_on_its_own(self) -> None:
        clock = self.make_clock()
        readings = [clock.now() for _ in range(50)]
        assert readings == sorted(readings)


class DirectorySourceContract:
    """What every :class:`~callcore.ports.DirectorySource` must do. Hooks:
    :meth:`make_source` (a good one) and :meth:`make_broken_source` (one whose data is
    wrong: a worker in a zone that does not exist, say)."""

    def make_source(self) -> DirectorySource:
        raise NotImplementedError

    def make_broken_source(self) -> DirectorySource:
        raise NotImplementedError

    def test_it_is_a_directory_source(self) -> None:
        assert isinstance(self.make_source(), DirectorySource)

    def test_it_loads_a_directory_whose_references_hold(self) -> None:
        directory = self.make_source().load()
        assert isinstance(directory, Directory)
        assert directory.branches, "a centre has at least one branch"
        for area in directory.areas.values():
            assert area.branch in directory.branches, area
        for worker in directory.field_workers.values():
            assert worker.branch in directory.branches, worker
            assert set(worker.zones) <= set(directory.areas), worker

    def test_phone_numbers_arrive_normalised(self) -> None:
        directory = self.make_source().load()
        phones = [b.phone for b in directory.branches.values()]
        phones += [w.phone for w in directory.field_workers.values()]
        assert all(phone.startswith("+") for phone in phones if phone), phones

    def test_a_wrong_source_is_one_clear_value_error(self) -> None:
        try:
            self.make_broken_source().load()
        except ValueError as error:
            message = str(error)
        else:
            raise AssertionError("a wrong directory was loaded without an error")
        assert message, "the error names what is wrong"
