"""Ticket as a Hypothesis state machine: random valid and invalid commands on a few
tickets; after every step the store equals the folded events, versions have no gaps, the
lifecycle only moves along its arrows, a closed ticket takes nothing but a reopen, and a
merchant never gets consumables over its quota without a supervisor's exception."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from callcore import CallCenter, DomainError
from callcore.adapters.clock import ManualClock
from callcore.domain import customer, ticket
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import Command, Contact, Priority, Window
from callcore.domain.customer import ConsumablesIssued, CustomerType, OpenAccount
from callcore.domain.ticket import (
    AnswerOnTheSpot,
    Category,
    CloseTicket,
    ConfirmVoicemailCallback,
    EndAbusiveCall,
    GrantQuotaException,
    OpenTicket,
    PromiseCallback,
    RecordDepartmentReply,
    RecordRepairCentreNotified,
    RecordVoicemail,
    ReopenTicket,
    ReplyToCustomer,
    ReportEmergency,
    RequestConsumables,
    RequestServiceVisit,
    ResolveTicket,
    Status,
    TicketReopened,
    TransferTicket,
)
from tests.machine_support import StreamLedger
from tests.support import AGENT, MONDAY_9AM, SUPERVISOR

CALLERS = [Contact("Zhao Lei", "138 0000 1111"), Contact("Bad Number", "12345")]
CUSTOMERS = [None, "C000001", "C000002", "C000404"]  # walk-in, household, merchant, unknown
DEVICES = [None, "POS-1", "POS-9"]
DEPARTMENTS = ["BUSINESS", "TECH", "REPAIR", "NOWHERE"]
ARROWS = {
    (Status.OPEN, Status.RESOLVED),
    (Status.OPEN, Status.CLOSED),  # answered on the spot, abusive call
    (Status.RESOLVED, Status.CLOSED),
    (Status.RESOLVED, Status.OPEN),  # reopened
    (Status.CLOSED, Status.OPEN),  # reopened
}


class TicketMachine(RuleBasedStateMachine):
    tickets = Bundle("tickets")

    def __init__(self) -> None:
        super().__init__()
        self.clock = ManualClock(MONDAY_9AM)
        self.center = CallCenter.open("memory://", clock=self.clock)
        self.calendar = BusinessCalendar(self.center.directory.calendar)
        self.ledger = StreamLedger()
        self.count = 0
        for command in (
            OpenAccount(
                name="Wang",
                phone="139 1234 5678",
                address="5 Dongmen Road",
                area="DONGMEN",
                actor=AGENT,
            ),
            OpenAccount(
                name="Lucky Supermarket",
                phone="137 0000 2222",
                address="9 Xihu Avenue",
                area="XIHU",
                customer_type=CustomerType.MERCHANT,
                devices={"POS-1": "PAX S90"},
                actor=AGENT,
            ),
        ):
            self.ledger.apply(self.center.handle(command))

    # -- plumbing ------------------------------------------------------------------

    def state(self, ticket_id: str) -> ticket.State | None:
        found: ticket.State | None = self.ledger.states.get(ticket.stream_id(ticket_id))
        return found

    def _handle(self, command: Command) -> bool:
        before = self.center.store.last_position()
        prior = dict(self.ledger.states)
        try:
            outcome = self.center.handle(command)
        except DomainError:
            assert self.center.store.last_position() == before, "a broken rule stored events"
            return False
        self.ledger.apply(outcome)
        for stream in outcome.streams:
            if not stream.startswith("ticket-"):
                continue
            was: ticket.State | None = prior.get(stream)
            now: ticket.State = self.ledger.states[stream]
            if was is None:
                continue
            if was.status is not now.status:
                assert (was.status, now.status) in ARROWS, f"{was.status} → {now.status}"
            assert now.reopen_count >= was.reopen_count
            if was.status is Status.CLOSED:
                first = next(r.event for r in outcome.recorded if r.stream == stream)
                assert isinstance(first, TicketReopened), (
                    f"{type(first).__name__} on a closed ticket"
                )
        return True

    def _new_id(self) -> str:
        self.count += 1
        return f"T-{self.count}"

    # -- intake --------------------------------------------------------------------

    @rule(
        target=tickets,
        category=st.sampled_from(list(Category)),
        number=st.sampled_from(CUSTOMERS),
        device=st.sampled_from(DEVICES),
        caller=st.sampled_from(CALLERS),
    )
    def open_ticket(
        self, category: Category, number: str | None, device: str | None, caller: Contact
    ) -> str:
        ticket_id = self._new_id()
        ok = self._handle(
            OpenTicket(
                ticket_id=ticket_id,
                category=category,
                caller=caller,
                customer_number=number,
                device_id=device,
                description="a question",
                location="somewhere",
                actor=AGENT,
            )
        )
        merchant_device_ok = number != "C000002" or (
            device == "POS-1" or (device is None and category not in ticket.DEVICE_CATEGORIES)
        )
        valid = (
            category is not Category.VOICEMAIL
            and number != "C000404"
            and caller.phone != "12345"
            and merchant_device_ok
        )
        assert ok == valid, f"{category} {number} {device} {caller}: ok={ok}"
        return ticket_id

    @rule(
        target=tickets,
        number=st.sampled_from(["C000001", "C000002"]),
        category=st.sampled_from([c for c in Category if c is not Category.VOICEMAIL]),
    )
    def open_registered_ticket(self, number: str, category: Category) -> str:
        return self._open_registered(number, category)

    def _open_registered(self, number: str, category: Category) -> str:
        ticket_id = self._new_id()
        device = "POS-1" if number == "C000002" else None
        assert self._handle(
            OpenTicket(
                ticket_id=ticket_id,
                category=category,
                caller=CALLERS[0],
                customer_number=number,
                device_id=device,
                description="a question",
                actor=AGENT,
            )
        )
        state = self.state(ticket_id)
        assert state is not None and state.area is not None and state.location is not None
        return ticket_id

    @rule(target=tickets, quantity=st.integers(1, 2))
    def merchant_asks_for_paper(self, quantity: int) -> str:
        ticket_id = self._open_registered("C000002", Category.CONSUMABLES)
        self.request_consumables(ticket_id, quantity)
        state = self.state(ticket_id)
        assert state is not None and state.consumables is not None  # provided or refused
        return ticket_id

    @rule(target=tickets, note=st.just("gas smell"))
    def report_emergency(self, note: str) -> str:
        ticket_id = self._new_id()
        assert self._handle(
            ReportEmergency(
                ticket_id=ticket_id, reporter=CALLERS[0], location="Huayuan", description=note
            )
        )
        state = self.state(ticket_id)
        assert state is not None and state.escalated and state.priority is Priority.EMERGENCY
        return ticket_id

    @rule(target=tickets)
    def record_voicemail(self) -> str:
        ticket_id = self._new_id()
        ok = self._handle(RecordVoicemail(ticket_id=ticket_id, caller=CALLERS[0]))
        now = self.clock.now()
        assert ok == self.calendar.is_after_hours(now)
        if ok:
            state = self.state(ticket_id)
            assert state is not None and state.voicemail_due is not None
            assert state.voicemail_due > now
            assert self.calendar.is_business_day(self.calendar.local(state.voicemail_due).date())
            assert self.calendar.local(state.voicemail_due).strftime("%H:%M") == "08:30"
        return ticket_id

    # -- work ----------------------------------------------------------------------

    def _work(self, ticket_id: str, command: Command, *, on_resolved: bool = False) -> bool:
        """Handle a work command and check the status rules every work command obeys."""
        was = self.state(ticket_id)
        ok = self._handle(command)
        if was is None or was.status is Status.CLOSED:
            assert not ok, f"{type(command).__name__} worked on a missing or closed ticket"
        elif was.status is Status.RESOLVED and not on_resolved:
            assert not ok, f"{type(command).__name__} worked on a resolved ticket"
        return ok

    @rule(ticket_id=tickets)
    def answer(self, ticket_id: str) -> None:
        if self._work(ticket_id, AnswerOnTheSpot(ticket_id=ticket_id, answer="see KB-1")):
            state = self.state(ticket_id)
            assert state is not None and state.status is Status.CLOSED

    @rule(ticket_id=tickets, hours=st.integers(-2, 48))
    def promise_callback(self, ticket_id: str, hours: int) -> None:
        due = self.clock.now() + timedelta(hours=hours)
        ok = self._work(
            ticket_id, PromiseCallback(ticket_id=ticket_id, phone="13800001111", reply_due=due)
        )
        if hours <= 0:
            assert not ok

    @rule(ticket_id=tickets, department=st.sampled_from(DEPARTMENTS))
    def transfer(self, ticket_id: str, department: str) -> None:
        ok = self._work(
            ticket_id,
            TransferTicket(ticket_id=ticket_id, department=department, note="please answer"),
        )
        if department == "NOWHERE":
            assert not ok
        if ok:
            state = self.state(ticket_id)
            assert state is not None and state.department == department

    @rule(ticket_id=tickets)
    def department_reply(self, ticket_id: str) -> None:
        was = self.state(ticket_id)
        ok = self._work(
            ticket_id, RecordDepartmentReply(ticket_id=ticket_id, reply="answer"), on_resolved=True
        )
        if was is not None and not was.transfers:
            assert not ok

    @rule(ticket_id=tickets)
    def reply_to_customer(self, ticket_id: str) -> None:
        was = self.state(ticket_id)
        ok = self._work(
            ticket_id, ReplyToCustomer(ticket_id=ticket_id, reply="answer"), on_resolved=True
        )
        assert ok == (was is not None and was.status is not Status.CLOSED)

    @rule(
        ticket_id=tickets,
        complex_job=st.booleans(),
        fee_accepted=st.booleans(),
        address=st.sampled_from([None, "5 dongmen ROAD", "1 Elsewhere"]),
    )
    def service_visit(
        self, ticket_id: str, complex_job: bool, fee_accepted: bool, address: str | None
    ) -> None:
        start = self.clock.now() + timedelta(hours=20)
        was = self.state(ticket_id)
        ok = self._work(
            ticket_id,
            RequestServiceVisit(
                ticket_id=ticket_id,
                complex=complex_job,
                fee_accepted=fee_accepted,
                address=address,
                area="QILIHE",
                wished=Window(start, start + timedelta(hours=2)),
            ),
        )
        if ok:
            assert was is not None
            visit = self.ledger.states[ticket.stream_id(ticket_id)].visits
            assert len(visit) == len(was.visits) + 1
            if was.customer_number is None:
                assert fee_accepted
            if was.customer_number == "C000001" and address is not None:
                assert address == "5 dongmen ROAD"

    @rule(ticket_id=tickets)
    def repair_centre_notified(self, ticket_id: str) -> None:
        was = self.state(ticket_id)
        ok = self._work(
            ticket_id, RecordRepairCentreNotified(ticket_id=ticket_id), on_resolved=True
        )
        if was is not None and was.category is not Category.EMERGENCY:
            assert not ok

    @rule(ticket_id=tickets, quantity=st.integers(1, 2))
    def request_consumables(self, ticket_id: str, quantity: int) -> None:
        was = self.state(ticket_id)
        ok = self._work(
            ticket_id,
            RequestConsumables(ticket_id=ticket_id, item="thermal-paper", quantity=quantity),
        )
        if ok:
            assert was is not None and was.category is Category.CONSUMABLES
            assert was.customer_number == "C000002"

    @rule(ticket_id=tickets, supervisor=st.booleans())
    def grant_exception(self, ticket_id: str, supervisor: bool) -> None:
        actor = SUPERVISOR if supervisor else AGENT
        ok = self._work(ticket_id, GrantQuotaException(ticket_id=ticket_id, actor=actor))
        if not supervisor:
            assert not ok

    @rule(ticket_id=tickets, propose=st.booleans())
    def resolve(self, ticket_id: str, propose: bool) -> None:
        if self._work(
            ticket_id,
            ResolveTicket(
                ticket_id=ticket_id, cause="c", solution="s", propose_to_knowledge_base=propose
            ),
        ):
            state = self.state(ticket_id)
            assert state is not None and state.status is Status.RESOLVED

    @rule(ticket_id=tickets)
    def close(self, ticket_id: str) -> None:
        was = self.state(ticket_id)
        ok = self._handle(CloseTicket(ticket_id=ticket_id))
        if was is not None and was.status is Status.OPEN:
            assert not ok
        if ok:
            state = self.state(ticket_id)
            assert state is not None and state.status is Status.CLOSED

    @rule(ticket_id=tickets)
    def reopen(self, ticket_id: str) -> None:
        was = self.state(ticket_id)
        ok = self._handle(ReopenTicket(ticket_id=ticket_id, reason="called back"))
        assert ok == (was is not None and was.status is not Status.OPEN)

    @rule(ticket_id=tickets)
    def end_abusive_call(self, ticket_id: str) -> None:
        self._work(ticket_id, EndAbusiveCall(ticket_id=ticket_id, note="abuse"), on_resolved=True)

    @rule(ticket_id=tickets, reached=st.booleans())
    def confirm_voicemail(self, ticket_id: str, reached: bool) -> None:
        was = self.state(ticket_id)
        ok = self._work(
            ticket_id, ConfirmVoicemailCallback(ticket_id=ticket_id, reached=reached, note="called")
        )
        if was is not None and was.category is not Category.VOICEMAIL:
            assert not ok

    @rule(minutes=st.integers(1, 900))
    def time_passes(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)

    @rule()
    def night_falls(self) -> None:
        local = self.calendar.local(self.clock.now())
        night = local.replace(hour=22, minute=30, second=0, microsecond=0)
        self.clock.set(night if night > local else night + timedelta(days=1))

    # -- invariants ----------------------------------------------------------------

    @invariant()
    def store_equals_folded_events(self) -> None:
        self.ledger.check(self.center)
        for stream, state in self.ledger.states.items():
            if stream.startswith("ticket-"):
                assert self.center.tickets.get(stream.removeprefix("ticket-")) == state

    @invariant()
    def reopen_counts_match_the_reopens(self) -> None:
        reopens: dict[str, int] = {}
        for positioned in self.center.store.read_all():
            record = positioned.recorded
            if isinstance(record.event, TicketReopened):
                reopens[record.stream] = reopens.get(record.stream, 0) + 1
                assert record.event.reopen_count == reopens[record.stream]
        for stream, state in self.ledger.states.items():
            if isinstance(state, ticket.State):
                assert state.reopen_count == reopens.get(stream, 0)
                assert (
                    (state.resolution is not None) or state.status is Status.OPEN or (state.abusive)
                ), f"{stream} is {state.status} without a resolution"

    @invariant()
    def quota_is_kept_unless_a_supervisor_allowed_more(self) -> None:
        by_month: dict[str, int] = {}
        for record in self.center.history(customer.stream_id("C000002")):
            event = record.event
            if isinstance(event, ConsumablesIssued) and event.exception_granted_by is None:
                month = self.calendar.local(event.at).strftime("%Y-%m")
                by_month[month] = by_month.get(month, 0) + event.quantity
        assert all(count <= 1 for count in by_month.values()), by_month


TicketMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=30, deadline=None)
TestTicketMachine = TicketMachine.TestCase
