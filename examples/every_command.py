"""Every command of callcore, once, in one plausible day at the Hexi gas centre.

A centre on ``memory://`` under the demo directory, on a clock moved by hand, handles
each of the 72 commands through ``cc.handle`` and checks what it recorded. Each step
starts with a ``# --- <CommandName>`` marker: docs/commands.md takes the step as that
command's example (``make reference``), and tests/test_command_reference.py runs this
file and fails when a command has no step here.

Run: .venv/bin/python examples/every_command.py
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import attrs

from callcore import (
    AbandonCall,
    Actor,
    AdoptDirectory,
    AdoptSlaPolicy,
    AnswerCall,
    AnswerOnTheSpot,
    AssignDispatch,
    AssignOrderWorker,
    CallCenter,
    CancelDispatch,
    CancelOrder,
    Category,
    ChangeContactDetails,
    CloseAccount,
    CloseComplaint,
    CloseOrder,
    CloseTicket,
    CommitReplyTime,
    CompleteCall,
    CompleteDispatch,
    ConfirmAppointment,
    ConfirmFollowUpResolution,
    ConfirmVoicemailCallback,
    Contact,
    CustomerType,
    DispatchKind,
    DispatchRequestedBy,
    EndAbusiveCall,
    EndedBy,
    ExitReason,
    Feedback,
    FollowUpDepartment,
    GrantQuotaException,
    JudgeComplaint,
    LinkCall,
    LodgeComplaint,
    LogInAgent,
    LogOutAgent,
    ManualClock,
    NotifyDepartment,
    NotReachedReason,
    OfferCall,
    OpenAccount,
    OpenTicket,
    OrderLineRequest,
    OrderRequestedBy,
    Outcome,
    PauseAgent,
    PauseClocks,
    PlaceOrder,
    PlaceOutboundCall,
    PlanInstalls,
    Price,
    Priority,
    PromiseCallback,
    Purpose,
    RecordCustomerResponse,
    RecordDelivery,
    RecordDepartmentReply,
    RecordEmptyCollected,
    RecordFieldFeedback,
    RecordFollowUp,
    RecordKind,
    RecordNoAnswer,
    RecordNotificationSent,
    RecordRepairCentreNotified,
    RecordResolution,
    RecordRingNoAnswer,
    RecordSatisfactionCall,
    RecordVoicemail,
    RegisterDevice,
    RelayFollowUpProblem,
    ReopenTicket,
    ReplyToCustomer,
    ReportEmergency,
    RequestAccountVisit,
    RequestConsumables,
    RequestDispatch,
    RequestServiceVisit,
    RescheduleDelivery,
    RescheduleDispatch,
    ResolveTicket,
    ResumeClocks,
    ResumeDispatch,
    RingAgent,
    Role,
    SendToVoicemail,
    Subject,
    SubjectKind,
    TimeOutCall,
    TransferCall,
    TransferKind,
    TransferTicket,
    UnpauseAgent,
    UpdateCustomer,
    Window,
)

HEXI = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 11, 24, tzinfo=HEXI)  # a Tuesday
TOMORROW = DAY + timedelta(days=1)

LI = Actor(Role.AGENT, "A01")
ZHOU = Actor(Role.AGENT, "A02")
SUPERVISOR = Actor(Role.SUPERVISOR, "S01")
PBX = Actor(Role.INTEGRATION, "asterisk")


def at(hour: int, minute: int = 0, day: datetime = DAY) -> datetime:
    """An instant of the day, centre-local."""
    return day.replace(hour=hour, minute=minute)


def recorded(outcome: Outcome) -> list[str]:
    """The events a command recorded, by name, in order."""
    return [type(event).__name__ for event in outcome]


def main() -> CallCenter:
    clock = ManualClock(at(5, 40))
    cc = CallCenter.open("memory://", clock=clock)
    wang = Contact("Wang Xiuying", "139 1234 5678")
    sun = Contact("Manager Sun", "0931 880 2233")

    # 05:40, before the centre opens: a caller is sent to the voicemail box.
    cc.handle(OfferCall(call_id="C-0540", queue="hotline", caller_phone="137 0931 5555", actor=PBX))

    # --- SendToVoicemail
    sent = cc.handle(SendToVoicemail(call_id="C-0540", actor=PBX))
    assert recorded(sent) == ["CallSentToVoicemail"]

    # --- RecordVoicemail
    message = cc.handle(
        RecordVoicemail(
            ticket_id="T-VM-1",
            caller=Contact("Ms Qian", "137 0931 5555"),
            call_id="C-0540",
            message="Please call me about my bill",
            actor=PBX,
        )
    )
    assert recorded(message) == ["TicketOpened", "VoicemailRecorded"]

    clock.set(at(7, 45))
    # --- AdoptDirectory
    december = Price(
        "LPG-15", (DAY + timedelta(days=7)).date(), Decimal("112.00"), Decimal("128.00")
    )
    new_prices = attrs.evolve(cc.directory, prices=(*cc.directory.prices, december))
    adopted = cc.handle(
        AdoptDirectory(directory=new_prices, reason="December price list", actor=SUPERVISOR)
    )
    assert recorded(adopted) == ["DirectoryAdopted"]

    # --- AdoptSlaPolicy
    earlier_warnings = attrs.evolve(
        cc.directory.sla, version="hexi-2026-2", warning_shares=(0.5, 0.75)
    )
    policy = cc.handle(AdoptSlaPolicy(policy=earlier_warnings, actor=SUPERVISOR))
    assert recorded(policy) == ["SlaPolicyAdopted"]

    clock.set(at(7, 55))
    # --- LogInAgent
    logged_in = cc.handle(LogInAgent(agent="A01", queue="hotline", actor=PBX))
    assert recorded(logged_in) == ["AgentLoggedIn"]
    cc.handle(LogInAgent(agent="A02", queue="hotline", actor=PBX))

    # --- PauseAgent
    paused = cc.handle(PauseAgent(agent="A02", reason="briefing", actor=PBX))
    assert recorded(paused) == ["AgentPaused"]

    clock.set(at(8, 5))
    # --- UnpauseAgent
    back = cc.handle(UnpauseAgent(agent="A02", actor=PBX))
    assert recorded(back) == ["AgentUnpaused"]

    clock.set(at(8, 10))
    # --- PlaceOutboundCall
    calling = cc.handle(
        PlaceOutboundCall(
            call_id="C-0810",
            agent="A01",
            phone="137 0931 5555",
            purpose=Purpose.VOICEMAIL_CALLBACK,
            subject="T-VM-1",
            actor=LI,
        )
    )
    assert recorded(calling) == ["OutboundCallPlaced"]

    # --- ConfirmVoicemailCallback
    called_back = cc.handle(
        ConfirmVoicemailCallback(ticket_id="T-VM-1", reached=True, note="Bill explained", actor=LI)
    )
    assert recorded(called_back) == ["VoicemailCallbackMade", "TicketResolved"]

    # --- CompleteCall
    ended = cc.handle(CompleteCall(call_id="C-0810", ended_by=EndedBy.AGENT, actor=LI))
    assert recorded(ended) == ["CallCompleted"]

    # 08:30 the first caller of the day rings in.
    clock.set(at(8, 30))
    # --- OfferCall
    offered = cc.handle(
        OfferCall(call_id="C-0830", queue="hotline", caller_phone=wang.phone, actor=PBX)
    )
    assert recorded(offered) == ["CallOffered"]

    # --- RingAgent
    ringing = cc.handle(RingAgent(call_id="C-0830", agent="A02", actor=PBX))
    assert recorded(ringing) == ["AgentRang"]

    clock.advance(seconds=6)
    # --- RecordRingNoAnswer
    missed = cc.handle(RecordRingNoAnswer(call_id="C-0830", agent="A02", ring_seconds=6, actor=PBX))
    assert recorded(missed) == ["RingNotAnswered"]
    cc.handle(RingAgent(call_id="C-0830", agent="A01", actor=PBX))

    clock.advance(seconds=4)
    # --- AnswerCall
    answered = cc.handle(AnswerCall(call_id="C-0830", agent="A01", actor=PBX))
    assert recorded(answered) == ["CallAnswered"]

    # --- OpenAccount
    opened = cc.handle(
        OpenAccount(
            name="Wang Xiuying",
            phone=wang.phone,
            address="5 Dongmen Road, Hexi",
            area="DONGMEN",
            actor=LI,
        )
    )
    assert recorded(opened) == ["NumberIssued", "AccountOpened"]
    number = cc.customers.find_by_phone(wang.phone)[0].customer_number
    assert cc.customers.get(number).branch == "B-EAST"

    # --- ChangeContactDetails
    changed = cc.handle(
        ChangeContactDetails(customer_number=number, address="7 Dongmen Road, Hexi", actor=LI)
    )
    assert recorded(changed) == ["ContactDetailsChanged"]

    # --- PlaceOrder
    placed = cc.handle(
        PlaceOrder(
            order_id="O-0001",
            registered=True,
            customer_number=number,
            name="Wang Xiuying",
            lines=(OrderLineRequest("LPG-15", 2),),
            delivery_window=Window(at(11), at(13)),
            actor=LI,
        )
    )
    assert recorded(placed) == ["OrderPlaced", "DispatchRequested"]
    assert cc.orders.get("O-0001").total == Decimal("220.00")

    # --- LinkCall
    linked = cc.handle(
        LinkCall(call_id="C-0830", record_kind=RecordKind.ORDER, record_id="O-0001", actor=LI)
    )
    assert recorded(linked) == ["CallLinked"]

    # --- TransferCall
    transferred = cc.handle(
        TransferCall(call_id="C-0830", to="B-EAST", kind=TransferKind.ATTENDED, actor=LI)
    )
    assert recorded(transferred) == ["CallTransferred"]
    cc.handle(CompleteCall(call_id="C-0830", actor=PBX))

    # --- AssignOrderWorker
    assigned = cc.handle(AssignOrderWorker(order_id="O-0001", worker_id="W001", actor=LI))
    assert recorded(assigned) == ["FieldWorkerAssigned", "WorkOrderBooked", "OrderAssigned"]
    assert cc.orders.get("O-0001").worker_id == "W001"

    clock.set(at(8, 50))
    cc.handle(OfferCall(call_id="C-0850", queue="hotline", actor=PBX))
    clock.advance(seconds=40)
    # --- AbandonCall
    abandoned = cc.handle(AbandonCall(call_id="C-0850", position=1, actor=PBX))
    assert recorded(abandoned) == ["CallAbandoned"]

    clock.set(at(8, 55))
    cc.handle(OfferCall(call_id="C-0855", queue="hotline", actor=PBX))
    clock.advance(minutes=3)
    # --- TimeOutCall
    timed_out = cc.handle(TimeOutCall(call_id="C-0855", reason=ExitReason.TIMEOUT, actor=PBX))
    assert recorded(timed_out) == ["CallTimedOut"]

    clock.set(at(9, 0))
    # --- OpenTicket
    asked = cc.handle(
        OpenTicket(
            ticket_id="T-0001",
            category=Category.INQUIRY,
            caller=wang,
            customer_number=number,
            description="How often should a regulator be replaced?",
            actor=LI,
        )
    )
    assert recorded(asked) == ["TicketOpened"]

    # --- AnswerOnTheSpot
    answered_now = cc.handle(
        AnswerOnTheSpot(
            ticket_id="T-0001",
            answer="Every 5 years; check it yearly.",
            knowledge_article="KB-017",
            actor=LI,
        )
    )
    assert recorded(answered_now) == ["AnsweredOnTheSpot", "TicketClosed"]

    clock.set(at(9, 10))
    cc.handle(
        OpenAccount(
            name="Xihu Supermarket",
            phone=sun.phone,
            address="120 Xihu Avenue",
            area="XIHU",
            customer_type=CustomerType.MERCHANT,
            actor=ZHOU,
        )
    )
    merchant_number = cc.customers.find_by_phone(sun.phone)[0].customer_number

    # --- RegisterDevice
    device = cc.handle(
        RegisterDevice(
            customer_number=merchant_number, device_id="POS-7781", model="PAX S90", actor=ZHOU
        )
    )
    assert recorded(device) == ["DeviceRegistered"]

    clock.set(at(9, 30))
    cc.handle(
        OpenTicket(
            ticket_id="T-0002",
            category=Category.FAULT_REPORT,
            caller=sun,
            customer_number=merchant_number,
            device_id="POS-7781",
            description="Card payments rejected since this morning",
            actor=ZHOU,
        )
    )

    # --- PromiseCallback
    promised = cc.handle(
        PromiseCallback(ticket_id="T-0002", phone=sun.phone, reply_due=at(10, 30), actor=ZHOU)
    )
    assert recorded(promised) == ["CallbackPromised"]

    clock.set(at(9, 40))
    # --- TransferTicket
    passed_on = cc.handle(
        TransferTicket(
            ticket_id="T-0002", department="TECH", note="Terminal rejects all cards", actor=ZHOU
        )
    )
    assert recorded(passed_on) == ["TicketTransferred"]

    # --- PauseClocks
    waiting = cc.handle(
        PauseClocks(stream="ticket-T-0002", reason="the merchant is closed until 10:00", actor=ZHOU)
    )
    assert recorded(waiting) == ["ClockPaused"]

    clock.set(at(10, 0))
    # --- ResumeClocks
    resumed = cc.handle(ResumeClocks(stream="ticket-T-0002", actor=ZHOU))
    assert recorded(resumed) == ["ClockResumed"]

    clock.set(at(10, 15))
    # --- RecordDepartmentReply
    reply = cc.handle(
        RecordDepartmentReply(
            ticket_id="T-0002", reply="Keys expired; re-download them from the menu", actor=ZHOU
        )
    )
    assert recorded(reply) == ["DepartmentReplied"]

    # --- ReplyToCustomer
    told = cc.handle(
        ReplyToCustomer(ticket_id="T-0002", reply="Guided through the key download", actor=ZHOU)
    )
    assert recorded(told) == ["CustomerReplied"]

    # --- ResolveTicket
    resolved = cc.handle(
        ResolveTicket(
            ticket_id="T-0002",
            cause="Terminal keys expired",
            solution="Keys downloaded again",
            propose_to_knowledge_base=True,
            actor=ZHOU,
        )
    )
    assert recorded(resolved) == ["TicketResolved", "KnowledgeArticleProposed"]

    # --- CloseTicket
    closed = cc.handle(CloseTicket(ticket_id="T-0002", actor=ZHOU))
    assert recorded(closed) == ["TicketClosed"]

    clock.set(at(10, 30))
    # --- ReopenTicket
    reopened = cc.handle(
        ReopenTicket(ticket_id="T-0002", reason="Cards rejected again", actor=ZHOU)
    )
    assert recorded(reopened) == ["TicketReopened"]

    # --- RequestServiceVisit
    visit = cc.handle(
        RequestServiceVisit(ticket_id="T-0002", wished=Window(at(13), at(15)), actor=ZHOU)
    )
    assert recorded(visit) == ["ServiceVisitRequested", "DispatchRequested"]
    repair_visit = cc.tickets.get("T-0002").visits[-1]

    # --- ConfirmAppointment
    confirmed = cc.handle(
        ConfirmAppointment(
            dispatch_id=repair_visit,
            window=Window(at(13), at(14)),
            contact=sun,
            problem_restated="The terminal rejects every card after a key download",
            actor=ZHOU,
        )
    )
    assert recorded(confirmed) == ["AppointmentConfirmed"]

    # --- AssignDispatch
    technician = cc.handle(AssignDispatch(dispatch_id=repair_visit, actor=ZHOU))
    assert recorded(technician) == ["FieldWorkerAssigned", "WorkOrderBooked"]
    worker = Actor(Role.FIELD_WORKER, cc.dispatches.get(repair_visit).worker_id or "")

    clock.set(at(10, 40))
    cc.handle(
        OpenTicket(
            ticket_id="T-0003",
            category=Category.CONSUMABLES,
            caller=sun,
            customer_number=merchant_number,
            device_id="POS-7781",
            description="Thermal paper",
            actor=ZHOU,
        )
    )
    # --- RequestConsumables
    paper = cc.handle(
        RequestConsumables(ticket_id="T-0003", item="thermal-paper", quantity=1, actor=ZHOU)
    )
    assert recorded(paper) == ["ConsumablesIssued", "ConsumablesProvided"]

    cc.handle(
        OpenTicket(
            ticket_id="T-0004",
            category=Category.CONSUMABLES,
            caller=sun,
            customer_number=merchant_number,
            device_id="POS-7781",
            description="Another roll this month",
            actor=ZHOU,
        )
    )
    over_quota = cc.handle(
        RequestConsumables(ticket_id="T-0004", item="thermal-paper", quantity=1, actor=ZHOU)
    )
    assert recorded(over_quota) == ["ConsumablesRefused"]

    # --- GrantQuotaException
    granted = cc.handle(GrantQuotaException(ticket_id="T-0004", actor=SUPERVISOR))
    assert recorded(granted) == ["ConsumablesIssued", "QuotaExceptionGranted"]

    clock.set(at(11, 3))
    # --- ReportEmergency
    leak = cc.handle(
        ReportEmergency(
            ticket_id="T-0005",
            reporter=Contact("Mr Zhao", "138 0931 7777"),
            location="Building 4, Huayuan Estate",
            description="Strong gas smell in the stairwell",
            actor=LI,
        )
    )
    assert recorded(leak) == ["TicketOpened", "EscalatedToSupervisor"]

    clock.set(at(11, 5))
    # --- RecordRepairCentreNotified
    repair_centre = cc.handle(RecordRepairCentreNotified(ticket_id="T-0005", actor=LI))
    assert recorded(repair_centre) == ["RepairCentreNotified"]

    # --- RecordNotificationSent
    phoned = cc.handle(
        RecordNotificationSent(
            notification_id="N-LEAK-T-0005",
            recipient="REPAIR",
            channel="phone",
            subject="Gas smell, Building 4, Huayuan Estate",
            source="ticket-T-0005",
            actor=LI,
        )
    )
    assert recorded(phoned) == ["NotificationSent"]

    clock.set(at(11, 10))
    cc.handle(
        OpenTicket(
            ticket_id="T-0006",
            category=Category.INQUIRY,
            caller=Contact("Anonymous", "138 0000 4444"),
            description="Caller shouting abuse",
            actor=LI,
        )
    )
    # --- EndAbusiveCall
    ended_politely = cc.handle(
        EndAbusiveCall(ticket_id="T-0006", note="Warned twice, call ended politely", actor=LI)
    )
    assert recorded(ended_politely) == ["AbusiveCallEnded", "TicketClosed"]

    clock.set(at(11, 20))
    # --- RecordFieldFeedback
    en_route = cc.handle(
        RecordFieldFeedback(dispatch_id=repair_visit, feedback=Feedback.EN_ROUTE, actor=worker)
    )
    assert recorded(en_route) == ["FieldFeedbackReceived", "WorkerSetOff"]

    clock.set(at(12, 40))
    cc.handle(
        RecordFieldFeedback(dispatch_id=repair_visit, feedback=Feedback.ARRIVED, actor=worker)
    )
    cc.handle(
        RecordFieldFeedback(
            dispatch_id=repair_visit,
            feedback=Feedback.CANNOT_COMPLETE,
            note="Needs a new card reader from the branch",
            actor=worker,
        )
    )

    clock.set(at(13, 0))
    # --- ResumeDispatch
    carry_on = cc.handle(
        ResumeDispatch(dispatch_id=repair_visit, note="Reader brought from the branch", actor=LI)
    )
    assert recorded(carry_on) == ["DispatchResumed"]

    clock.set(at(13, 20))
    # --- CompleteDispatch
    done = cc.handle(
        CompleteDispatch(dispatch_id=repair_visit, outcome="Card reader replaced", actor=worker)
    )
    assert recorded(done) == ["DispatchCompleted"]

    # --- RescheduleDelivery
    moved = cc.handle(
        RescheduleDelivery(
            order_id="O-0001",
            window=Window(at(14), at(16)),
            reason="The East Gate store's van is late",
            requested_by=OrderRequestedBy.BRANCH,
            actor=LI,
        )
    )
    assert recorded(moved) == ["DispatchRescheduled", "DeliveryRescheduled"]

    clock.set(at(14, 30))
    delivery_man = Actor(Role.FIELD_WORKER, "W001")
    # --- RecordDelivery
    delivered = cc.handle(
        RecordDelivery(order_id="O-0001", empty_collected=False, actor=delivery_man)
    )
    assert recorded(delivered) == ["OrderDelivered", "DispatchCompleted"]

    clock.set(at(14, 45))
    # --- RecordEmptyCollected
    empty = cc.handle(RecordEmptyCollected(order_id="O-0001", actor=delivery_man))
    assert recorded(empty) == ["EmptyCylinderCollected"]

    # --- CloseOrder
    order_closed = cc.handle(CloseOrder(order_id="O-0001", actor=LI))
    assert recorded(order_closed) == ["OrderClosed"]

    clock.set(at(15, 0))
    cc.handle(
        PlaceOrder(
            order_id="O-0002",
            registered=False,
            name="Li Lei",
            phone="138 0000 1111",
            address="9 Qilihe Lane",
            area="QILIHE",
            lines=(OrderLineRequest("LPG-5", 1),),
            delivery_window=Window(at(17), at(19)),
            actor=ZHOU,
        )
    )
    # --- CancelOrder
    cancelled = cc.handle(
        CancelOrder(order_id="O-0002", reason="The caller found a cylinder", actor=ZHOU)
    )
    assert recorded(cancelled) == ["OrderCancelled", "DispatchCancelled"]

    clock.set(at(15, 10))
    # --- LodgeComplaint
    lodged = cc.handle(
        LodgeComplaint(
            complaint_id="Q-0001",
            complainant=wang,
            customer_number=number,
            about=Subject(SubjectKind.FIELD_WORKER, "W001"),
            what="The delivery was an hour late and nobody called",
            wanted_outcome="An apology",
            actor=LI,
        )
    )
    assert recorded(lodged) == ["ComplaintLodged"]

    clock.set(at(15, 15))
    # --- CommitReplyTime
    committed = cc.handle(CommitReplyTime(complaint_id="Q-0001", reply_by=at(19), actor=LI))
    assert recorded(committed) == ["ReplyTimeCommitted"]

    # --- JudgeComplaint
    judged = cc.handle(JudgeComplaint(complaint_id="Q-0001", valid=True, actor=LI))
    assert recorded(judged) == ["ComplaintJudgedValid"]

    clock.set(at(15, 20))
    # --- NotifyDepartment
    notified = cc.handle(NotifyDepartment(complaint_id="Q-0001", department="BUSINESS", actor=LI))
    assert recorded(notified) == ["DepartmentNotified"]

    clock.set(at(15, 30))
    # --- UpdateCustomer
    updated = cc.handle(
        UpdateCustomer(complaint_id="Q-0001", note="The store manager is on it", actor=LI)
    )
    assert recorded(updated) == ["CustomerUpdated"]

    clock.set(at(16, 30))
    # --- FollowUpDepartment
    chased = cc.handle(
        FollowUpDepartment(complaint_id="Q-0001", note="Manager spoke to the worker", actor=LI)
    )
    assert recorded(chased) == ["DepartmentFollowedUp"]

    clock.set(at(16, 45))
    # --- RecordResolution
    resolution = cc.handle(
        RecordResolution(
            complaint_id="Q-0001", resolution="Apology and a free regulator check", actor=LI
        )
    )
    assert recorded(resolution) == ["ResolutionProposed"]

    clock.set(at(17, 0))
    # --- RecordCustomerResponse
    accepted = cc.handle(RecordCustomerResponse(complaint_id="Q-0001", accepted=True, actor=LI))
    assert recorded(accepted) == ["ResolutionAccepted"]

    # --- CloseComplaint
    complaint_closed = cc.handle(CloseComplaint(complaint_id="Q-0001", actor=LI))
    assert recorded(complaint_closed) == ["ComplaintClosed"]

    clock.set(at(17, 10))
    # --- RecordSatisfactionCall
    rated = cc.handle(
        RecordSatisfactionCall(
            complaint_id="Q-0001", reached=True, rating=4, on_time=True, actor=ZHOU
        )
    )
    assert recorded(rated) == ["SatisfactionCallRecorded"]

    clock.set(at(17, 15))
    # --- RecordNoAnswer
    cc.handle(
        PlaceOutboundCall(
            call_id="C-1715",
            agent="A02",
            phone=wang.phone,
            purpose=Purpose.FOLLOW_UP,
            subject="O-0001",
            actor=ZHOU,
        )
    )
    nobody = cc.handle(
        RecordNoAnswer(call_id="C-1715", reason=NotReachedReason.NO_ANSWER, actor=ZHOU)
    )
    assert recorded(nobody) == ["OutboundCallNotReached"]

    clock.set(at(17, 25))
    cc.handle(
        PlaceOutboundCall(
            call_id="C-1725",
            agent="A02",
            phone=wang.phone,
            purpose=Purpose.FOLLOW_UP,
            subject="O-0001",
            actor=ZHOU,
        )
    )
    cc.handle(AnswerCall(call_id="C-1725", agent="A02", actor=PBX))
    # --- RecordFollowUp
    follow_up = cc.handle(
        RecordFollowUp(
            call_id="C-1725",
            reached=True,
            on_time=False,
            attitude=4,
            safety_check_done=True,
            problems_raised=("The regulator hisses",),
            worker_id="W001",
            branch="B-EAST",
            actor=ZHOU,
        )
    )
    assert recorded(follow_up) == ["FollowUpRecorded"]

    # --- RelayFollowUpProblem
    relayed = cc.handle(RelayFollowUpProblem(call_id="C-1725", department="TECH", actor=ZHOU))
    assert recorded(relayed) == ["FollowUpProblemRelayed"]

    clock.set(at(17, 50))
    # --- ConfirmFollowUpResolution
    fixed = cc.handle(ConfirmFollowUpResolution(call_id="C-1725", actor=ZHOU))
    assert recorded(fixed) == ["FollowUpResolutionConfirmed"]

    clock.set(at(18, 0))
    # --- RequestAccountVisit
    home_visit = cc.handle(
        RequestAccountVisit(
            customer_number=number,
            wished=Window(at(9, day=TOMORROW), at(11, day=TOMORROW)),
            dispatch_id="D-VISIT-1",
            actor=LI,
        )
    )
    assert recorded(home_visit) == ["AccountVisitRequested", "DispatchRequested"]

    # --- RescheduleDispatch
    later = cc.handle(
        RescheduleDispatch(
            dispatch_id="D-VISIT-1",
            window=Window(at(14, day=TOMORROW), at(16, day=TOMORROW)),
            reason="The branch has no one free in the morning",
            requested_by=DispatchRequestedBy.BRANCH,
            actor=LI,
        )
    )
    assert recorded(later) == ["DispatchRescheduled"]

    # --- RequestDispatch
    install = cc.handle(
        RequestDispatch(
            dispatch_id="D-INSTALL-1",
            kind=DispatchKind.INSTALL,
            site_address="3 Beizhan Street, Hexi",
            area="BEIZHAN",
            contact=Contact("Mr Huang", "139 3100 7777"),
            wished=Window(at(9, day=TOMORROW), at(12, day=TOMORROW)),
            job="Install a new water heater connection",
            priority=Priority.NORMAL,
            actor=LI,
        )
    )
    assert recorded(install) == ["DispatchRequested"]

    # --- PlanInstalls
    planned = cc.handle(
        PlanInstalls(day=TOMORROW.date(), dispatch_ids=("D-INSTALL-1",), actor=SUPERVISOR)
    )
    assert recorded(planned) == ["FieldWorkerAssigned", "WorkOrderBooked"]

    cc.handle(
        RequestDispatch(
            dispatch_id="D-INSPECT-1",
            kind=DispatchKind.INSPECTION,
            site_address="12 Gangkou Road, Hexi",
            area="GANGKOU",
            contact=Contact("Ms Lin", "139 3100 8888"),
            wished=Window(at(14, day=TOMORROW), at(16, day=TOMORROW)),
            job="Yearly safety inspection",
            actor=LI,
        )
    )
    # --- CancelDispatch
    not_needed = cc.handle(
        CancelDispatch(dispatch_id="D-INSPECT-1", reason="Inspected last week", actor=LI)
    )
    assert recorded(not_needed) == ["DispatchCancelled"]

    clock.set(at(18, 30))
    moving = cc.handle(
        OpenAccount(
            name="Zhao Lei",
            phone="138 0931 6666",
            address="2 Beizhan Street, Hexi",
            area="BEIZHAN",
            actor=LI,
        )
    )
    assert recorded(moving) == ["NumberIssued", "AccountOpened"]
    leaving = cc.customers.find_by_phone("138 0931 6666")[0].customer_number
    # --- CloseAccount
    gone = cc.handle(CloseAccount(customer_number=leaving, reason="Moved away", actor=LI))
    assert recorded(gone) == ["AccountClosed"]

    clock.set(at(22, 0))
    # --- LogOutAgent
    logged_out = cc.handle(LogOutAgent(agent="A01", actor=PBX))
    assert recorded(logged_out) == ["AgentLoggedOut"]
    return cc


if __name__ == "__main__":
    centre = main()
    print(f"{centre.store.last_position()} records stored; every command was handled.")
    centre.close()
