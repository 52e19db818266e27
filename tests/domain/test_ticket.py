"""Ticket (domain.md §4.3), told as given/when/then stories."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from callcore.domain import customer, ticket
from callcore.domain import directory as directory_module
from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import (
    ALREADY_EXISTS,
    EXISTS,
    Channel,
    Contact,
    Priority,
    Window,
)
from callcore.domain.customer import (
    CloseAccount,
    ConsumablesIssued,
    CustomerType,
    OpenAccount,
)
from callcore.domain.dispatch import DispatchRequested
from callcore.domain.phone import INVALID_PHONE
from callcore.domain.ticket import (
    AbusiveCallEnded,
    AnsweredOnTheSpot,
    AnswerOnTheSpot,
    CallbackPromised,
    Category,
    CloseTicket,
    ConfirmVoicemailCallback,
    ConsumablesProvided,
    ConsumablesRefused,
    ConsumablesStatus,
    CustomerReplied,
    DepartmentReplied,
    Disposition,
    EndAbusiveCall,
    EscalatedToSupervisor,
    GrantQuotaException,
    KnowledgeArticleProposed,
    OpenTicket,
    PromiseCallback,
    QuotaExceptionGranted,
    RecordDepartmentReply,
    RecordRepairCentreNotified,
    RecordVoicemail,
    ReopenTicket,
    RepairCentreNotified,
    ReplyToCustomer,
    ReportEmergency,
    RequestConsumables,
    RequestServiceVisit,
    ResolveTicket,
    ServiceVisitRequested,
    Status,
    TicketClosed,
    TicketOpened,
    TicketReopened,
    TicketResolved,
    TicketTransferred,
    TransferTicket,
    VoicemailCallbackMade,
    VoicemailRecorded,
)
from tests.support import AGENT, CST, MONDAY_9AM, SUPERVISOR, Scenario, at, raises_rule

CALLER = Contact("Zhao Lei", "138 0000 1111")
HOUSEHOLD = "C000001"
MERCHANT = "C000002"


def accounts() -> tuple[OpenAccount, OpenAccount]:
    """C000001: a household in Dongmen; C000002: a merchant in Xihu with one terminal."""
    return (
        OpenAccount(
            name="Wang Xiuying",
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
    )


def with_accounts(**kwargs: object) -> Scenario:
    return Scenario(**kwargs).given(*accounts())  # type: ignore[arg-type]


def inquiry(ticket_id: str | None = "T-1", **changes: object) -> OpenTicket:
    fields: dict[str, object] = {
        "ticket_id": ticket_id,
        "category": Category.INQUIRY,
        "caller": CALLER,
        "description": "When is the next safety inspection?",
        "actor": AGENT,
    }
    fields.update(changes)
    return OpenTicket(**fields)  # type: ignore[arg-type]


def window(hours_from_now: float = 24, length: float = 2) -> Window:
    start = MONDAY_9AM + timedelta(hours=hours_from_now)
    return Window(start, start + timedelta(hours=length))


class TestOpening:
    def test_a_walk_in_inquiry_captures_who_what_where_and_the_channel(self) -> None:
        s = Scenario().when(
            inquiry(
                location="3 Beizhan Street", area="BEIZHAN", channel=Channel.WEB, call_id="PBX-77"
            )
        )
        (opened,) = s.then(TicketOpened)
        assert isinstance(opened, TicketOpened)
        assert opened.caller == Contact("Zhao Lei", "+8613800001111")  # normalised
        assert (opened.at, opened.actor) == (MONDAY_9AM, AGENT)  # when, and who took it
        assert (opened.location, opened.area, opened.branch) == (
            "3 Beizhan Street",
            "BEIZHAN",
            "B-NORTH",
        )
        assert opened.channel is Channel.WEB and opened.call_id == "PBX-77"
        assert opened.customer_number is None and opened.priority is Priority.NORMAL
        state = s.center.tickets.get("T-1")
        assert state.status is Status.OPEN and state.opened_at == MONDAY_9AM

    def test_a_registered_caller_is_placed_at_the_address_on_record(self) -> None:
        s = with_accounts().when(inquiry(customer_number=HOUSEHOLD))
        (opened,) = s.then(TicketOpened)
        assert isinstance(opened, TicketOpened)
        assert (opened.location, opened.area, opened.branch) == (
            "5 Dongmen Road",
            "DONGMEN",
            "B-EAST",
        )

    def test_an_unknown_customer_number_is_not_found(self) -> None:
        with_accounts().when(inquiry(customer_number="C000404")).then_broken(EXISTS)

    def test_the_ticket_id_is_derived_from_the_command_id_when_not_given(self) -> None:
        s = Scenario()
        first = s.center.handle(inquiry(ticket_id=None, command_id="web-req-1"))
        again = s.center.handle(inquiry(ticket_id=None, command_id="web-req-1"))
        opened = first.first(TicketOpened)
        assert opened.ticket_id.startswith("T-")
        assert again.repeated and again.first(TicketOpened).ticket_id == opened.ticket_id
        assert s.center.tickets.exists(opened.ticket_id)

    def test_an_id_names_one_ticket_only(self) -> None:
        s = Scenario().given(inquiry())
        s.when(inquiry()).then_broken(ALREADY_EXISTS)

    def test_bad_phone_and_area_are_refused(self) -> None:
        Scenario().when(inquiry(caller=Contact("X", "12345"))).then_broken(INVALID_PHONE)
        Scenario().when(inquiry(area="ATLANTIS")).then_broken(directory_module.UNKNOWN_AREA)

    def test_categories_and_channels_may_be_given_as_their_names(self) -> None:
        command = inquiry(category="sales-lead", channel="email")
        assert command.category is Category.SALES_LEAD and command.channel is Channel.EMAIL
        with pytest.raises(ValueError, match="not a valid Category"):
            inquiry(category="gossip")
        with pytest.raises(ValueError, match="description must not be blank"):
            inquiry(description=" ")

    def test_an_emergency_opened_as_a_ticket_is_still_escalated(self) -> None:
        s = Scenario().when(inquiry(category=Category.EMERGENCY, location="Gangkou market"))
        opened, _escalated = s.then(TicketOpened, EscalatedToSupervisor)
        assert isinstance(opened, TicketOpened) and opened.priority is Priority.EMERGENCY

    def test_a_voicemail_is_recorded_not_opened(self) -> None:
        Scenario().when(inquiry(category=Category.VOICEMAIL)).then_broken(
            ticket.VOICEMAIL_THROUGH_RECORDING
        )


class TestMerchantDevices:
    """For merchants, the device is checked against the record."""

    @pytest.mark.parametrize("category", sorted(ticket.DEVICE_CATEGORIES))
    def test_device_tickets_of_a_merchant_name_a_device_on_record(self, category: Category) -> None:
        s = with_accounts()
        s.when(inquiry(category=category, customer_number=MERCHANT))
        s.then_broken(ticket.MERCHANT_DEVICE_ON_RECORD)
        s.when(inquiry(category=category, customer_number=MERCHANT, device_id="POS-404"))
        error = s.then_broken(ticket.MERCHANT_DEVICE_ON_RECORD)
        assert "POS-404" in error.detail and "POS-1" in error.detail
        s.when(inquiry(category=category, customer_number=MERCHANT, device_id="POS-1"))
        (opened,) = s.then(TicketOpened)
        assert isinstance(opened, TicketOpened) and opened.device_id == "POS-1"

    def test_other_merchant_tickets_and_households_need_no_device(self) -> None:
        s = with_accounts()
        s.when(inquiry(category=Category.RECONCILIATION, customer_number=MERCHANT))
        s.then(TicketOpened)
        s.when(inquiry("T-2", category=Category.FAULT_REPORT, customer_number=HOUSEHOLD))
        s.then(TicketOpened)
        # a device named on any merchant ticket must still be theirs
        s.when(
            inquiry("T-3", category=Category.INQUIRY, customer_number=MERCHANT, device_id="POS-9")
        )
        s.then_broken(ticket.MERCHANT_DEVICE_ON_RECORD)


class TestAnsweringAndCallbacks:
    def test_answered_on_the_spot_from_the_knowledge_base_closes_the_ticket(self) -> None:
        s = Scenario().given(inquiry())
        s.when(
            AnswerOnTheSpot(ticket_id="T-1", answer="Every two years", knowledge_article="KB-12")
        )
        _answered, closed = s.then(AnsweredOnTheSpot, TicketClosed)
        assert isinstance(closed, TicketClosed)
        assert closed.disposition is Disposition.ANSWERED_ON_THE_SPOT
        state = s.center.tickets.get("T-1")
        assert state.status is Status.CLOSED and state.answered_on_the_spot
        assert state.resolution is not None and state.resolution.solution == "Every two years"

    def test_a_promised_callback_records_the_phone_and_a_future_due_time(self) -> None:
        s = Scenario().given(inquiry())
        due = MONDAY_9AM + timedelta(hours=4)
        s.when(PromiseCallback(ticket_id="T-1", phone="+86 138-0000-1111", reply_due=due))
        (promised,) = s.then(CallbackPromised)
        assert isinstance(promised, CallbackPromised)
        assert (promised.phone, promised.reply_due) == ("+8613800001111", due)
        s.when(PromiseCallback(ticket_id="T-1", phone="13800001111", reply_due=MONDAY_9AM))
        s.then_broken(ticket.REPLY_DUE_IN_THE_FUTURE)
        s.when(PromiseCallback(ticket_id="T-1", phone="999", reply_due=due))
        s.then_broken(INVALID_PHONE)

    def test_transferred_followed_up_and_replied_the_centre_tracks_it_until_closed(self) -> None:
        s = Scenario().given(
            inquiry(),
            PromiseCallback(
                ticket_id="T-1", phone="13800001111", reply_due=MONDAY_9AM + timedelta(hours=24)
            ),
        )
        s.when(TransferTicket(ticket_id="T-1", department="BUSINESS", note="tariff question"))
        (transferred,) = s.then(TicketTransferred)
        assert isinstance(transferred, TicketTransferred) and transferred.department == "BUSINESS"
        s.after(hours=1).when(RecordDepartmentReply(ticket_id="T-1", reply="new tariff in May"))
        (replied,) = s.then(DepartmentReplied)
        assert isinstance(replied, DepartmentReplied) and replied.department == "BUSINESS"
        s.when(ReplyToCustomer(ticket_id="T-1", reply="The new tariff starts in May"))
        s.then(CustomerReplied)
        state = s.center.tickets.get("T-1")
        assert state.status is Status.OPEN and state.department == "BUSINESS"
        assert (state.department_replies, state.customer_replies) == (1, 1)
        s.given(
            ResolveTicket(ticket_id="T-1", cause="tariff change", solution="explained"),
            CloseTicket(ticket_id="T-1"),
        )
        assert s.center.tickets.get("T-1").status is Status.CLOSED

    def test_a_transfer_goes_to_a_department_of_the_directory(self) -> None:
        s = Scenario().given(inquiry())
        s.when(TransferTicket(ticket_id="T-1", department="ASTROLOGY", note="?"))
        s.then_broken(directory_module.UNKNOWN_DEPARTMENT)

    def test_a_department_reply_comes_after_a_transfer(self) -> None:
        s = Scenario().given(inquiry())
        s.when(RecordDepartmentReply(ticket_id="T-1", reply="done"))
        s.then_broken(ticket.DEPARTMENT_REPLY_AFTER_TRANSFER)

    def test_work_on_an_unknown_ticket_is_not_found(self) -> None:
        Scenario().when(ReplyToCustomer(ticket_id="T-404", reply="hello")).then_broken(EXISTS)


class TestServiceVisits:
    def test_a_registered_customer_is_verified_and_a_simple_job_goes_to_their_branch(self) -> None:
        s = with_accounts().given(
            inquiry(category=Category.SERVICE_VISIT, customer_number=HOUSEHOLD)
        )
        s.when(RequestServiceVisit(ticket_id="T-1", wished=window(), address="5, DONGMEN road"))
        visit, work = s.then(ServiceVisitRequested, DispatchRequested)
        assert work.dispatch_id == visit.dispatch_id  # type: ignore[attr-defined]
        assert work.ticket_id == "T-1"  # type: ignore[attr-defined]
        assert isinstance(visit, ServiceVisitRequested)
        assert visit.dispatch_id.startswith("D-")
        assert (visit.handled_by, visit.fee, visit.complex) == ("B-EAST", None, False)
        assert (visit.address, visit.area, visit.customer_number) == (
            "5 Dongmen Road",
            "DONGMEN",
            HOUSEHOLD,
        )
        assert s.center.tickets.get("T-1").visits == (visit.dispatch_id,)
        assert s.center.dispatches.get(visit.dispatch_id).handled_by == "B-EAST"

    def test_a_complex_job_goes_to_the_regional_technical_staff(self) -> None:
        s = with_accounts().given(
            inquiry(category=Category.FAULT_REPORT, customer_number=HOUSEHOLD)
        )
        s.when(RequestServiceVisit(ticket_id="T-1", wished=window(), complex=True))
        visit, work = s.then(ServiceVisitRequested, DispatchRequested)
        assert work.dispatch_id == visit.dispatch_id  # type: ignore[attr-defined]
        assert work.ticket_id == "T-1"  # type: ignore[attr-defined]
        assert isinstance(visit, ServiceVisitRequested) and visit.handled_by == "TECH"
        assert work.complex  # type: ignore[attr-defined]
        assert work.handled_by == "TECH"  # type: ignore[attr-defined]

    def test_the_address_given_must_be_the_registered_one(self) -> None:
        s = with_accounts().given(
            inquiry(category=Category.SERVICE_VISIT, customer_number=HOUSEHOLD)
        )
        s.when(RequestServiceVisit(ticket_id="T-1", wished=window(), address="7 Xihu Avenue"))
        s.then_broken(ticket.REGISTERED_ADDRESS_MUST_MATCH)

    def test_a_closed_account_gets_no_registered_visit(self) -> None:
        s = with_accounts().given(
            inquiry(category=Category.SERVICE_VISIT, customer_number=HOUSEHOLD),
            CloseAccount(customer_number=HOUSEHOLD, reason="moved"),
        )
        s.when(RequestServiceVisit(ticket_id="T-1", wished=window()))
        s.then_broken(customer.ACCOUNT_CLOSED)

    def test_a_walk_in_caller_accepts_the_base_fee_first(self) -> None:
        s = Scenario().given(
            inquiry(category=Category.SERVICE_VISIT, location="8 Qilihe Lane", area="QILIHE")
        )
        s.when(RequestServiceVisit(ticket_id="T-1", wished=window()))
        error = s.then_broken(ticket.WALK_IN_FEE_ACCEPTED)
        assert "30.00" in error.detail
        s.when(RequestServiceVisit(ticket_id="T-1", wished=window(), fee_accepted=True))
        visit, work = s.then(ServiceVisitRequested, DispatchRequested)
        assert work.dispatch_id == visit.dispatch_id  # type: ignore[attr-defined]
        assert work.ticket_id == "T-1"  # type: ignore[attr-defined]
        assert isinstance(visit, ServiceVisitRequested)
        assert (visit.fee, visit.handled_by, visit.address) == (
            Decimal("30.00"),
            "B-WEST",
            "8 Qilihe Lane",
        )
        assert s.center.history("ticket-T-1")[-1].event == visit  # the fee survives storage

    def test_a_complex_walk_in_job_is_quoted_the_complex_fee(self) -> None:
        s = Scenario().given(inquiry(category=Category.FAULT_REPORT))
        s.when(
            RequestServiceVisit(
                ticket_id="T-1",
                wished=window(),
                complex=True,
                address="2 Gangkou Road",
                area="GANGKOU",
            )
        )
        error = s.then_broken(ticket.WALK_IN_FEE_ACCEPTED)
        assert "60.00" in error.detail
        s.when(
            RequestServiceVisit(
                ticket_id="T-1",
                wished=window(),
                complex=True,
                address="2 Gangkou Road",
                area="GANGKOU",
                fee_accepted=True,
            )
        )
        visit, work = s.then(ServiceVisitRequested, DispatchRequested)
        assert work.dispatch_id == visit.dispatch_id  # type: ignore[attr-defined]
        assert work.ticket_id == "T-1"  # type: ignore[attr-defined]
        assert isinstance(visit, ServiceVisitRequested)
        assert (visit.fee, visit.handled_by) == (Decimal("60.00"), "TECH")

    def test_a_walk_in_visit_needs_an_address_and_area(self) -> None:
        s = Scenario().given(inquiry(category=Category.SERVICE_VISIT))
        s.when(RequestServiceVisit(ticket_id="T-1", wished=window(), fee_accepted=True))
        s.then_broken(ticket.WALK_IN_VISIT_ADDRESS)

    def test_the_wished_window_is_not_over_already(self) -> None:
        s = Scenario().given(inquiry(category=Category.SERVICE_VISIT, location="x", area="XIHU"))
        s.when(
            RequestServiceVisit(
                ticket_id="T-1", wished=window(hours_from_now=-5), fee_accepted=True
            )
        )
        s.then_broken(ticket.WISHED_WINDOW_AHEAD)


class TestEmergencies:
    def report(self) -> ReportEmergency:
        return ReportEmergency(
            ticket_id="T-E1",
            reporter=Contact("Neighbour", "13912345678"),
            location="Block 4, Huayuan estate",
            description="smell of gas",
            call_id="PBX-1",
            actor=AGENT,
        )

    def test_an_emergency_is_opened_at_emergency_priority_and_escalated_at_once(self) -> None:
        s = Scenario().when(self.report())
        opened, escalated = s.then(TicketOpened, EscalatedToSupervisor)
        assert isinstance(opened, TicketOpened)
        assert (opened.category, opened.priority) == (Category.EMERGENCY, Priority.EMERGENCY)
        assert opened.location == "Block 4, Huayuan estate"
        assert opened.caller.phone == "+8613912345678"
        assert escalated.at == opened.at
        assert s.center.tickets.get("T-E1").escalated

    def test_notifying_the_repair_centre_is_recorded_once(self) -> None:
        s = Scenario().given(self.report())
        s.after(minutes=2).when(RecordRepairCentreNotified(ticket_id="T-E1"))
        (notified,) = s.then(RepairCentreNotified)
        assert isinstance(notified, RepairCentreNotified) and notified.department == "REPAIR"
        s.when(RecordRepairCentreNotified(ticket_id="T-E1")).then_nothing()

    def test_only_emergencies_go_to_the_repair_centre(self) -> None:
        s = Scenario().given(inquiry())
        s.when(RecordRepairCentreNotified(ticket_id="T-1"))
        s.then_broken(ticket.REPAIR_CENTRE_FOR_EMERGENCIES)


class TestConsumables:
    """A merchant over its quota (1 roll a month) is refused and the business interface told,
    unless a supervisor grants an exception."""

    def scenario(self) -> Scenario:
        return with_accounts().given(
            inquiry(
                "T-1", category=Category.CONSUMABLES, customer_number=MERCHANT, device_id="POS-1"
            ),
            inquiry(
                "T-2", category=Category.CONSUMABLES, customer_number=MERCHANT, device_id="POS-1"
            ),
        )

    def test_within_quota_the_roll_is_issued_on_the_merchant_record(self) -> None:
        s = self.scenario()
        s.when(RequestConsumables(ticket_id="T-1", item="thermal-paper", quantity=1))
        issued, _provided = s.then(ConsumablesIssued, ConsumablesProvided)
        assert isinstance(issued, ConsumablesIssued) and issued.ticket_id == "T-1"
        assert s.outcome is not None
        assert s.outcome.streams == ("customer-C000002", "ticket-T-1")
        consumables = s.center.tickets.get("T-1").consumables
        assert consumables is not None and consumables.status is ConsumablesStatus.PROVIDED

    def test_over_quota_it_is_refused_and_the_business_interface_told(self) -> None:
        s = self.scenario().given(
            RequestConsumables(ticket_id="T-1", item="thermal-paper", quantity=1)
        )
        s.when(RequestConsumables(ticket_id="T-2", item="thermal-paper", quantity=1))
        (refused,) = s.then(ConsumablesRefused)
        assert isinstance(refused, ConsumablesRefused)
        assert refused.business_interface == "IFACE" and "1 of 1" in refused.reason
        assert len(s.center.customers.get(MERCHANT).consumables) == 1

    def test_only_a_supervisor_grants_the_exception(self) -> None:
        s = self.scenario().given(
            RequestConsumables(ticket_id="T-1", item="thermal-paper", quantity=1),
            RequestConsumables(ticket_id="T-2", item="thermal-paper", quantity=1),
        )
        s.when(GrantQuotaException(ticket_id="T-2", actor=AGENT))
        s.then_broken(ticket.SUPERVISOR_GRANTS_QUOTA_EXCEPTION)
        s.when(GrantQuotaException(ticket_id="T-2", actor=SUPERVISOR))
        issued, granted = s.then(ConsumablesIssued, QuotaExceptionGranted)
        assert isinstance(issued, ConsumablesIssued) and issued.exception_granted_by == "S01"
        assert isinstance(granted, QuotaExceptionGranted) and granted.supervisor == "S01"
        assert len(s.center.customers.get(MERCHANT).consumables) == 2
        s.when(GrantQuotaException(ticket_id="T-2", actor=SUPERVISOR))
        s.then_broken(ticket.EXCEPTION_FOR_REFUSED_REQUEST)

    def test_an_exception_is_for_a_refused_request(self) -> None:
        s = self.scenario().given(
            RequestConsumables(ticket_id="T-1", item="thermal-paper", quantity=1)
        )
        s.when(GrantQuotaException(ticket_id="T-1", actor=SUPERVISOR))
        s.then_broken(ticket.EXCEPTION_FOR_REFUSED_REQUEST)
        s.when(GrantQuotaException(ticket_id="T-2", actor=SUPERVISOR))
        s.then_broken(ticket.EXCEPTION_FOR_REFUSED_REQUEST)

    def test_consumables_are_asked_for_on_a_consumables_ticket_of_a_merchant(self) -> None:
        s = with_accounts().given(
            inquiry("T-1", customer_number=MERCHANT),
            inquiry("T-2", category=Category.CONSUMABLES, customer_number=HOUSEHOLD),
            inquiry("T-3", category=Category.CONSUMABLES),
        )
        s.when(RequestConsumables(ticket_id="T-1", item="thermal-paper", quantity=1))
        s.then_broken(ticket.CONSUMABLES_TICKET)
        s.when(RequestConsumables(ticket_id="T-2", item="thermal-paper", quantity=1))
        s.then_broken(customer.NOT_A_MERCHANT)
        s.when(RequestConsumables(ticket_id="T-3", item="thermal-paper", quantity=1))
        s.then_broken(customer.NOT_A_MERCHANT)

    def test_an_item_without_a_quota_is_refused_as_unknown(self) -> None:
        s = self.scenario()
        s.when(RequestConsumables(ticket_id="T-1", item="ink", quantity=1))
        s.then_broken(customer.UNKNOWN_CONSUMABLE)


class TestResolvingClosingReopening:
    def test_a_resolution_may_be_proposed_to_the_knowledge_base(self) -> None:
        s = Scenario().given(inquiry(category=Category.FAULT_REPORT))
        s.when(
            ResolveTicket(
                ticket_id="T-1",
                cause="regulator worn",
                solution="replace it",
                propose_to_knowledge_base=True,
            )
        )
        _resolved, proposed = s.then(TicketResolved, KnowledgeArticleProposed)
        assert isinstance(proposed, KnowledgeArticleProposed)
        assert (proposed.department, proposed.category) == ("INFO", Category.FAULT_REPORT)
        assert proposed.question == "When is the next safety inspection?"
        state = s.center.tickets.get("T-1")
        assert state.status is Status.RESOLVED and state.resolution is not None
        assert (state.resolution.cause, state.resolution.solution) == (
            "regulator worn",
            "replace it",
        )

    def test_a_ticket_closes_only_once_resolved_and_once(self) -> None:
        s = Scenario().given(inquiry())
        s.when(CloseTicket(ticket_id="T-1")).then_broken(ticket.CLOSE_AFTER_RESOLUTION)
        s.given(ResolveTicket(ticket_id="T-1", cause="c", solution="s"))
        (closed,) = s.when(CloseTicket(ticket_id="T-1")).then(TicketClosed)
        assert isinstance(closed, TicketClosed) and closed.disposition is Disposition.RESOLVED
        s.when(CloseTicket(ticket_id="T-1")).then_nothing()

    def test_a_closed_ticket_refuses_work(self) -> None:
        s = Scenario().given(inquiry(), AnswerOnTheSpot(ticket_id="T-1", answer="yes"))
        for command in (
            TransferTicket(ticket_id="T-1", department="TECH", note="n"),
            ReplyToCustomer(ticket_id="T-1", reply="r"),
            ResolveTicket(ticket_id="T-1", cause="c", solution="s"),
            EndAbusiveCall(ticket_id="T-1", note="n"),
            PromiseCallback(
                ticket_id="T-1", phone="13800001111", reply_due=MONDAY_9AM + timedelta(hours=1)
            ),
        ):
            s.when(command).then_broken(ticket.TICKET_CLOSED)

    def test_a_resolved_ticket_takes_new_work_only_after_a_reopen(self) -> None:
        s = Scenario().given(inquiry(), ResolveTicket(ticket_id="T-1", cause="c", solution="s"))
        s.when(TransferTicket(ticket_id="T-1", department="TECH", note="n"))
        s.then_broken(ticket.TICKET_RESOLVED)
        s.when(ResolveTicket(ticket_id="T-1", cause="c", solution="s"))
        s.then_broken(ticket.TICKET_RESOLVED)
        s.when(ReplyToCustomer(ticket_id="T-1", reply="here is the solution"))
        s.then(CustomerReplied)

    def test_the_customer_calls_back_on_the_same_problem_and_it_reopens(self) -> None:
        s = Scenario().given(inquiry())
        s.when(ReopenTicket(ticket_id="T-1", reason="?")).then_broken(
            ticket.REOPEN_AFTER_RESOLUTION
        )
        s.given(
            ResolveTicket(ticket_id="T-1", cause="c", solution="s"), CloseTicket(ticket_id="T-1")
        )
        s.after(days=2).when(ReopenTicket(ticket_id="T-1", reason="the leak is back"))
        (reopened,) = s.then(TicketReopened)
        assert isinstance(reopened, TicketReopened) and reopened.reopen_count == 1
        state = s.center.tickets.get("T-1")
        assert state.status is Status.OPEN and state.resolution is None
        s.given(ResolveTicket(ticket_id="T-1", cause="c2", solution="s2"))
        s.when(ReopenTicket(ticket_id="T-1", reason="again"))  # resolved, not yet closed
        assert s.then(TicketReopened)[0] == TicketReopened(
            at=MONDAY_9AM + timedelta(days=2), actor=reopened.actor, reason="again", reopen_count=2
        )

    def test_an_abusive_call_is_ended_politely_and_recorded(self) -> None:
        s = Scenario().given(inquiry())
        s.when(EndAbusiveCall(ticket_id="T-1", note="caller insulted the agent; warned twice"))
        _ended, closed = s.then(AbusiveCallEnded, TicketClosed)
        assert isinstance(closed, TicketClosed)
        assert closed.disposition is Disposition.ABUSIVE_CALL
        state = s.center.tickets.get("T-1")
        assert state.abusive and state.status is Status.CLOSED


class TestAfterHoursVoicemail:
    """22:00–06:00 the phone records a message; call back before 08:30 of the next business
    morning (demo calendar: Asia/Shanghai, weekdays, CN public holidays)."""

    def left_at(self, when: object) -> Scenario:
        s = Scenario(start=when)  # type: ignore[arg-type]
        return s.when(RecordVoicemail(ticket_id="T-V1", caller=CALLER, call_id="PBX-9"))

    @pytest.mark.parametrize(
        ("left", "due"),
        [
            pytest.param(at(27, 23), at(30, 8, 30), id="friday-23h-due-monday"),
            pytest.param(at(24, 2), at(24, 8, 30), id="tuesday-2h-due-same-morning"),
            pytest.param(at(23, 22), at(24, 8, 30), id="monday-22h-due-tuesday"),
            pytest.param(at(30, 23, month=9), at(8, 8, 30, month=10), id="national-day-skipped"),
            pytest.param(at(1, 3, month=10), at(8, 8, 30, month=10), id="on-national-day-itself"),
        ],
    )
    def test_the_callback_is_due_at_0830_of_the_next_business_morning(
        self, left: object, due: object
    ) -> None:
        opened, recorded = self.left_at(left).then(TicketOpened, VoicemailRecorded)
        assert isinstance(opened, TicketOpened) and isinstance(recorded, VoicemailRecorded)
        assert (opened.category, opened.channel) == (Category.VOICEMAIL, Channel.VOICEMAIL)
        assert opened.caller.phone == "+8613800001111"
        assert recorded.callback_due == due

    @pytest.mark.parametrize("when", [at(23, 9), at(23, 6), at(23, 21, 59)])
    def test_only_after_hours(self, when: object) -> None:
        self.left_at(when).then_broken(ticket.VOICEMAIL_AFTER_HOURS)

    def test_a_reached_caller_resolves_the_ticket(self) -> None:
        s = self.left_at(at(27, 23))
        s.clock.set(at(30, 8, 5))
        s.when(ConfirmVoicemailCallback(ticket_id="T-V1", reached=False, note="no answer"))
        s.then(VoicemailCallbackMade)
        assert s.center.tickets.get("T-V1").status is Status.OPEN
        s.when(ConfirmVoicemailCallback(ticket_id="T-V1", reached=True, note="gas delivered"))
        _made, _resolved = s.then(VoicemailCallbackMade, TicketResolved)
        state = s.center.tickets.get("T-V1")
        assert state.status is Status.RESOLVED and state.voicemail_reached
        assert state.voicemail_attempts == 2 and state.voicemail_due == at(30, 8, 30)

    def test_a_voicemail_callback_is_for_a_voicemail_ticket(self) -> None:
        s = Scenario().given(inquiry())
        s.when(ConfirmVoicemailCallback(ticket_id="T-1", reached=True, note="n"))
        s.then_broken(ticket.VOICEMAIL_TICKET)


def opening(when: datetime, ticket_id: str = "T-X") -> ticket.OpeningContext:
    directory = Scenario().directory
    return ticket.OpeningContext(
        now=when,
        actor=AGENT,
        directory=directory,
        calendar=BusinessCalendar(directory.calendar),
        ticket_id=ticket_id,
    )


class TestPureDecisions:
    def test_record_voicemail_reads_time_only_from_the_context(self) -> None:
        command = RecordVoicemail(caller=CALLER)
        friday_night = opening(at(27, 23))
        events = ticket.record_voicemail(ticket.initial, command, friday_night)
        assert events == ticket.record_voicemail(ticket.initial, command, friday_night)
        assert ticket.FOLD.fold(events).voicemail_due == at(30, 8, 30)
        with raises_rule(ticket.VOICEMAIL_AFTER_HOURS):
            ticket.record_voicemail(ticket.initial, command, opening(at(27, 12)))

    def test_a_registered_ticket_without_the_record_is_not_found(self) -> None:
        with raises_rule(EXISTS):
            ticket.open_ticket(
                ticket.initial, inquiry(customer_number=HOUSEHOLD), opening(MONDAY_9AM, "T-1")
            )

    def test_a_voicemail_due_time_is_in_the_centres_zone(self) -> None:
        utc_night = at(27, 23).astimezone(CST)  # same instant, any offset
        context = opening(utc_night)
        events = ticket.record_voicemail(ticket.initial, RecordVoicemail(caller=CALLER), context)
        due = events[1]
        assert isinstance(due, VoicemailRecorded)
        assert context.calendar.local(due.callback_due).strftime("%A %H:%M") == "Monday 08:30"

    def test_every_event_has_one_stable_name_across_the_domain(self) -> None:
        from callcore.domain import event_types

        known = event_types()  # raises when two event classes share a name
        assert all(known[event.type_name()] is event for event in ticket.EVENTS)
        assert len(ticket.EVENTS) == 19
