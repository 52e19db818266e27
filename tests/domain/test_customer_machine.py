"""Customer as a Hypothesis state machine: random valid and invalid commands; after every
step the store equals the folded events, versions have no gaps, and rules hold."""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from callcore import CallCenter, DomainError
from callcore.adapters.clock import ManualClock
from callcore.domain import customer
from callcore.domain.customer import (
    AccountOpened,
    ChangeContactDetails,
    CloseAccount,
    CustomerType,
    OpenAccount,
    RegisterDevice,
)
from tests.machine_support import StreamLedger
from tests.support import AGENT, MONDAY_9AM

AREAS = ["DONGMEN", "HUAYUAN", "XIHU", "QILIHE", "BEIZHAN", "GANGKOU", "NOWHERE"]
PHONES = ["139 1234 5678", "138 0000 1111", "+86 137 0000 2222", "12345", "0931 880 1100"]


class CustomerMachine(RuleBasedStateMachine):
    numbers = Bundle("numbers")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(MONDAY_9AM)
        self.center = CallCenter.open("memory://", clock=self.clock)
        self.ledger = StreamLedger()
        self.issued: list[str] = []

    def _handle(self, command: object) -> bool:
        before = self.center.store.last_position()
        try:
            outcome = self.center.handle(command)  # type: ignore[arg-type]
        except DomainError:
            assert self.center.store.last_position() == before
            return False
        self.ledger.apply(outcome)
        return True

    @rule(
        target=numbers,
        area=st.sampled_from(AREAS),
        phone=st.sampled_from(PHONES),
        merchant=st.booleans(),
    )
    def open_account(self, area: str, phone: str, merchant: bool) -> str:
        kind = CustomerType.MERCHANT if merchant else CustomerType.HOUSEHOLD
        ok = self._handle(
            OpenAccount(
                name="Caller",
                phone=phone,
                address="1 Road",
                area=area,
                customer_type=kind,
                actor=AGENT,
            )
        )
        valid = area != "NOWHERE" and phone != "12345"
        assert ok == valid
        if ok:
            self.issued.append(f"C{len(self.issued) + 1:06d}")
            return self.issued[-1]
        return "C999999"

    @rule(number=numbers, area=st.sampled_from(AREAS), phone=st.sampled_from(PHONES))
    def change(self, number: str, area: str, phone: str) -> None:
        was = self.center.customers.get(number) if number in self.issued else None
        ok = self._handle(ChangeContactDetails(customer_number=number, area=area, phone=phone))
        if was is None or was.closed or area == "NOWHERE" or phone == "12345":
            assert not ok

    @rule(number=numbers, device=st.sampled_from(["D1", "D2"]), model=st.sampled_from(["M1", "M2"]))
    def register_device(self, number: str, device: str, model: str) -> None:
        was = self.center.customers.get(number) if number in self.issued else None
        ok = self._handle(RegisterDevice(customer_number=number, device_id=device, model=model))
        if was is not None and ok:
            assert self.center.customers.get(number).devices[device] == model
            assert was.devices.get(device, model) == model

    @rule(number=numbers)
    def close(self, number: str) -> None:
        self._handle(CloseAccount(customer_number=number, reason="moved away"))
        if number in self.issued:
            assert self.center.customers.get(number).closed

    @rule(minutes=st.integers(1, 600))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @invariant()
    def store_equals_folded_events(self) -> None:
        self.ledger.check(self.center)
        for number in self.issued:
            stream = customer.stream_id(number)
            assert self.center.customers.get(number) == self.ledger.states[stream]

    @invariant()
    def numbers_are_unique_and_dense(self) -> None:
        opened = [
            r.event.customer_number
            for p in self.center.store.read_all()
            if isinstance((r := p.recorded).event, AccountOpened)
        ]
        assert opened == self.issued


CustomerMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestCustomerMachine = CustomerMachine.TestCase
