"""Customer (domain.md §4.1), told as given/when/then stories."""

from __future__ import annotations

from datetime import timedelta

import pytest

from callcore.domain import customer, numbering
from callcore.domain import directory as directory_module
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import ALREADY_EXISTS, EXISTS, Context, Window
from callcore.domain.context import DecisionContext
from callcore.domain.customer import (
    AccountClosed,
    AccountOpened,
    ChangeContactDetails,
    CloseAccount,
    ContactDetailsChanged,
    CustomerType,
    DeviceRegistered,
    OpenAccount,
    RegisterDevice,
)
from callcore.domain.directory import Directory
from callcore.domain.phone import INVALID_PHONE
from tests.support import AGENT, MONDAY_9AM, SUPERVISOR, Scenario, raises_rule


def open_wang(**changes: object) -> OpenAccount:
    fields: dict[str, object] = {
        "name": "Wang Xiuying",
        "phone": "139 1234 5678",
        "address": "5 Dongmen Road",
        "area": "DONGMEN",
        "actor": AGENT,
    }
    fields.update(changes)
    return OpenAccount(**fields)  # type: ignore[arg-type]



def decided(context: Context, directory: Directory) -> DecisionContext:
    return DecisionContext(
        now=context.now,
        actor=context.actor,
        directory=directory,
        calendar=BusinessCalendar(directory.calendar),
    )


def opening(context: Context, directory: Directory, number: str) -> customer.OpeningContext:
    return customer.OpeningContext(
        now=context.now,
        actor=context.actor,
        directory=directory,
        calendar=BusinessCalendar(directory.calendar),
        customer_number=number,
    )


class TestOpeningAnAccount:
    def test_the_branch_is_found_from_the_area_and_a_number_is_issued(self) -> None:
        s = Scenario()
        s.when(open_wang())
        _issued, opened = s.then(numbering.NumberIssued, AccountOpened)
        assert isinstance(opened, AccountOpened)
        assert opened.customer_number == "C000001"
        assert opened.branch == "B-EAST"  # DONGMEN is served by the East Gate store
        assert opened.actor == AGENT and opened.at == MONDAY_9AM

    def test_the_phone_number_is_validated_and_normalised(self) -> None:
        s = Scenario().when(open_wang(phone="+86 (139) 1234-5678"))
        opened = s.then(numbering.NumberIssued, AccountOpened)[1]
        assert isinstance(opened, AccountOpened) and opened.phone == "+8613912345678"
        Scenario().when(open_wang(phone="12345")).then_broken(INVALID_PHONE)

    def test_an_unknown_area_is_refused(self) -> None:
        Scenario().when(open_wang(area="ATLANTIS")).then_broken(directory_module.UNKNOWN_AREA)

    def test_the_same_number_is_never_issued_twice(self) -> None:
        s = Scenario()
        s.given(open_wang(), open_wang(name="Li Lei"), open_wang(name="Han Meimei"))
        numbers = [o.first(AccountOpened).customer_number for o in s.history]
        assert numbers == ["C000001", "C000002", "C000003"]

    def test_a_merchant_opens_with_its_terminals_on_record(self) -> None:
        s = Scenario().when(
            open_wang(customer_type=CustomerType.MERCHANT, devices={"POS-1": "Verifone V200"})
        )
        events = s.then(numbering.NumberIssued, AccountOpened, DeviceRegistered)
        assert isinstance(events[2], DeviceRegistered) and events[2].device_id == "POS-1"

    def test_opening_over_an_issued_number_is_refused_by_the_decision(self) -> None:
        context = Context(now=MONDAY_9AM, actor=AGENT)
        opened = customer.open_account(
            customer.initial, open_wang(), opening(context, Scenario().directory, "C000009")
        )
        state = customer.FOLD.fold(opened)
        with raises_rule(ALREADY_EXISTS):
            customer.open_account(
                state, open_wang(), opening(context, Scenario().directory, "C000009")
            )

    def test_bad_input_is_refused_when_the_command_is_built(self) -> None:
        with pytest.raises(ValueError, match="name must not be blank"):
            open_wang(name="  ")
        with pytest.raises(ValueError, match="UTC offset"):
            open_wang(occurred_at=MONDAY_9AM.replace(tzinfo=None))


class TestChangingContactDetails:
    def test_only_what_changed_is_recorded_and_the_branch_follows_the_area(self) -> None:
        s = Scenario().given(open_wang())
        s.when(
            ChangeContactDetails(
                customer_number="C000001",
                phone="13912345678",
                area="XIHU",
                address="88 Xihu Avenue",
            )
        )
        (changed,) = s.then(ContactDetailsChanged)
        assert isinstance(changed, ContactDetailsChanged)
        assert changed.phone is None  # the same number, written differently
        assert (changed.area, changed.branch) == ("XIHU", "B-WEST")
        assert s.center.customers.get("C000001").branch == "B-WEST"

    def test_no_change_records_nothing(self) -> None:
        s = Scenario().given(open_wang())
        s.when(ChangeContactDetails(customer_number="C000001", name="Wang Xiuying")).then_nothing()

    def test_an_unknown_customer_is_refused(self) -> None:
        Scenario().when(ChangeContactDetails(customer_number="C000404", name="X")).then_broken(
            EXISTS
        )


class TestClosingAnAccount:
    def test_a_closed_account_cannot_change_or_register_devices(self) -> None:
        s = Scenario().given(open_wang(), CloseAccount(customer_number="C000001", reason="moved"))
        assert s.center.customers.get("C000001").closed
        s.when(ChangeContactDetails(customer_number="C000001", name="X")).then_broken(
            customer.ACCOUNT_CLOSED
        )
        s.when(RegisterDevice(customer_number="C000001", device_id="D", model="M")).then_broken(
            customer.ACCOUNT_CLOSED
        )

    def test_closing_twice_records_once(self) -> None:
        s = Scenario().given(open_wang(), CloseAccount(customer_number="C000001", reason="moved"))
        s.when(CloseAccount(customer_number="C000001", reason="again")).then_nothing()
        assert [type(r.event) for r in s.center.history("customer-C000001")] == [
            AccountOpened,
            AccountClosed,
        ]


class TestDevices:
    def test_a_device_is_registered_once(self) -> None:
        s = Scenario().given(open_wang(customer_type=CustomerType.MERCHANT))
        s.when(RegisterDevice(customer_number="C000001", device_id="POS-9", model="PAX S90"))
        s.then(DeviceRegistered)
        s.when(RegisterDevice(customer_number="C000001", device_id="POS-9", model="PAX S90"))
        s.then_nothing()
        s.when(RegisterDevice(customer_number="C000001", device_id="POS-9", model="Other"))
        s.then_broken(customer.DEVICE_ALREADY_REGISTERED)


class TestConsumableQuota:
    """1 roll of thermal paper a month, 12 a year (domain.md §3, §4.3)."""

    def merchant(self) -> customer.State:
        context = Context(now=MONDAY_9AM, actor=AGENT)
        events = customer.open_account(
            customer.initial,
            open_wang(customer_type=CustomerType.MERCHANT),
            opening(context, Scenario().directory, "C000001"),
        )
        return customer.FOLD.fold(events)

    def test_within_quota_is_issued_and_over_it_is_refused(self) -> None:
        directory = Scenario().directory
        state = self.merchant()
        context = Context(now=MONDAY_9AM, actor=AGENT)
        issued = customer.issue_consumables(
            state,
            customer.ConsumablesIssue(
                item="thermal-paper", quantity=1, ticket_id="T1"
            ),
            decided(context, directory),
        )
        state = customer.FOLD.fold(issued, state)
        with raises_rule(customer.QUOTA_EXCEEDED):
            customer.issue_consumables(
                state,
                customer.ConsumablesIssue(
                    item="thermal-paper", quantity=1, ticket_id="T2"
                ),
                decided(context, directory),
            )

    def test_a_supervisor_exception_allows_going_over(self) -> None:
        directory = Scenario().directory
        context = Context(now=MONDAY_9AM, actor=SUPERVISOR)
        state = self.merchant()
        for ticket_id in ("T1", "T2"):
            events = customer.issue_consumables(
                state,
                customer.ConsumablesIssue(
                    item="thermal-paper",
                    quantity=1,
                    ticket_id=ticket_id,
                    exception_granted_by="S01",
                ),
                decided(context, directory),
            )
            state = customer.FOLD.fold(events, state)
        granted = list(state.consumables)
        assert len(granted) == 2

    def test_the_month_turns_over(self) -> None:
        directory = Scenario().directory
        state = self.merchant()
        november = Context(now=MONDAY_9AM, actor=AGENT)
        december = Context(now=MONDAY_9AM + timedelta(days=14), actor=AGENT)
        state = customer.FOLD.fold(
            customer.issue_consumables(
                state,
                customer.ConsumablesIssue(
                    item="thermal-paper", quantity=1, ticket_id="T1"
                ),
                decided(november, directory),
            ),
            state,
        )
        events = customer.issue_consumables(
            state,
            customer.ConsumablesIssue(
                item="thermal-paper", quantity=1, ticket_id="T2"
            ),
            decided(december, directory),
        )
        assert len(events) == 1

    def test_the_year_quota_binds_too(self) -> None:
        directory = Scenario().directory
        state = self.merchant()
        for month in range(1, 13):
            context = Context(now=MONDAY_9AM.replace(month=month, day=2), actor=AGENT)
            state = customer.FOLD.fold(
                customer.issue_consumables(
                    state,
                    customer.ConsumablesIssue(
                        item="thermal-paper", quantity=1, ticket_id=f"T{month}"
                    ),
                    decided(context, directory),
                ),
                state,
            )
        with raises_rule(customer.QUOTA_EXCEEDED):
            # a 13th roll in the year, even in a month with none yet (a new state, same year)
            late = Context(now=MONDAY_9AM.replace(month=12, day=30), actor=AGENT)
            customer.issue_consumables(
                state,
                customer.ConsumablesIssue(
                    item="thermal-paper", quantity=1, ticket_id="T13"
                ),
                decided(late, directory),
            )

    def test_only_merchants_get_consumables(self) -> None:
        context = Context(now=MONDAY_9AM, actor=AGENT)
        household = customer.FOLD.fold(
            customer.open_account(
                customer.initial, open_wang(), opening(context, Scenario().directory, "C000001")
            )
        )
        with raises_rule(customer.NOT_A_MERCHANT):
            customer.issue_consumables(
                household,
                customer.ConsumablesIssue(
                    item="thermal-paper", quantity=1, ticket_id="T1"
                ),
                decided(context, Scenario().directory),
            )


class TestLookUps:
    def test_by_number_phone_and_address(self) -> None:
        s = Scenario().given(
            open_wang(),
            open_wang(name="Wang Jun", address="5, Dongmen  ROAD"),  # same household
            open_wang(name="Li Lei", phone="138 0000 1111", address="9 Xihu Avenue", area="XIHU"),
        )
        customers = s.center.customers
        assert customers.get("C000003").name == "Li Lei"
        assert [c.customer_number for c in customers.find_by_phone("13912345678")] == [
            "C000001",
            "C000002",
        ]
        assert [c.customer_number for c in customers.find_by_address("5 dongmen road")] == [
            "C000001",
            "C000002",
        ]
        s.given(ChangeContactDetails(customer_number="C000001", phone="137 0000 2222"))
        assert [c.customer_number for c in customers.find_by_phone("13912345678")] == ["C000002"]

    def test_an_unknown_number_is_not_found(self) -> None:
        from callcore import NotFound

        with pytest.raises(NotFound):
            Scenario().center.customers.get("C999999")


def test_a_window_must_end_after_it_starts() -> None:
    with pytest.raises(ValueError, match="end after it starts"):
        Window(MONDAY_9AM, MONDAY_9AM)
