"""``callcore tour``: one scripted business day at the Hexi gas retailer's phone centre.

Every step is a real command through ``CallCenter.handle`` on a SQLite file, on a clock
that the script moves through the day; what was recorded is printed as it happens. The
day shows the manuals' rules at work: branch routing, registered and walk-in prices,
work orders assigned by skill, zone and capacity, callbacks and transfers, an emergency,
the consumables quota, a complaint from lodging to the customer's acceptance, calls
answered within three rings or not, and an after-hours voicemail.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from callcore.adapters.clock import ManualClock
from callcore.center import CallCenter
from callcore.domain import call, complaint, customer, dispatch, order, ticket
from callcore.domain.calendar import zone
from callcore.domain.common import (
    Actor,
    Channel,
    Command,
    Contact,
    DomainError,
    Event,
    Priority,
    Role,
    Window,
)
from callcore.projections.sla import SlaClocks
from callcore.service_layer.messagebus import Outcome

DEMO_DAY = datetime(2026, 11, 24, 7, 55, tzinfo=zone("Asia/Shanghai"))  # a Tuesday

AGENT_LI = Actor(Role.AGENT, "A01")
AGENT_ZHOU = Actor(Role.AGENT, "A02")
SUPERVISOR = Actor(Role.SUPERVISOR, "S01")
PBX = Actor(Role.INTEGRATION, "asterisk")

_WORDS = re.compile(r"(?<!^)(?=[A-Z])")


def describe(event: Event) -> str:
    """A line for a person: the event's name in words and its telling fields."""
    words = _WORDS.sub(" ", type(event).__name__).lower()
    details = []
    for name in (
        "customer_number",
        "order_id",
        "ticket_id",
        "complaint_id",
        "dispatch_id",
        "worker_id",
        "branch",
        "total",
        "department",
        "category",
        "agent",
        "waited_seconds",
        "rings",
        "callback_due",
        "reason",
        "rating",
        "item",
        "quantity",
        "status",
        "kind",
    ):
        value = getattr(event, name, None)
        if value is None or value == "":
            continue
        if isinstance(value, datetime):
            value = value.astimezone(DEMO_DAY.tzinfo).strftime("%a %H:%M")
        details.append(f"{name.replace('_', ' ')} {getattr(value, 'value', value)}")
    return words + (f" ({', '.join(details[:4])})" if details else "")


class Day:
    """Moves the clock and tells the story."""

    def __init__(self, center: CallCenter, clock: ManualClock, console: Console) -> None:
        self.center = center
        self.clock = clock
        self.console = console
        self.recorded: Counter[str] = Counter()
        self.refused: list[str] = []

    def at(self, hour: int, minute: int = 0, second: int = 0) -> datetime:
        instant = DEMO_DAY.replace(hour=hour, minute=minute, second=second)
        if instant < self.clock.now():
            raise ValueError(f"the demo script went back in time to {instant:%H:%M}")
        self.clock.set(instant)
        return instant

    def at_time(self, hour: int, minute: int = 0) -> datetime:
        """An instant of the demo day, without moving the clock."""
        return DEMO_DAY.replace(hour=hour, minute=minute)

    def do(self, what: str, command: Command) -> Outcome | None:
        when = (command.occurred_at or self.clock.now()).astimezone(DEMO_DAY.tzinfo)
        if when > self.clock.now():  # the PBX reports as it happens: never ahead of the clock
            self.clock.set(when)
        try:
            outcome = self.center.handle(command)
        except DomainError as error:
            self.refused.append(error.rule.name)
            self.console.print(
                f"[dim]{when:%H:%M:%S}[/] {what}\n"
                f"         [red]refused[/]: {error.rule.name} — {error.detail}"
            )
            return None
        lines = [describe(e) for e in outcome.events] or ["nothing new to record"]
        if outcome.repeated:
            lines = ["the same command id again: first outcome returned, nothing recorded"]
        for event in outcome.events if not outcome.repeated else ():
            self.recorded[type(event).__name__] += 1
        self.console.print(f"[dim]{when:%H:%M:%S}[/] [bold]{what}[/]")
        for line in lines:
            self.console.print(f"         [green]✓[/] {line}")
        return outcome


def script(day: Day) -> Iterator[None]:
    """The day, step by step (a generator so that tests can stop it anywhere)."""
    tz = DEMO_DAY.tzinfo
    wang = Contact("Wang Xiuying", "139 1234 5678")

    day.console.rule("[bold]06:00 the centre opens")
    day.at(8, 0)
    opened = day.do(
        "Agent Li opens an account for Wang Xiuying in Dongmen",
        customer.OpenAccount(
            command_id="demo-open-wang",
            name="Wang Xiuying",
            phone="139 1234 5678",
            address="5 Dongmen Road, Hexi",
            area="DONGMEN",
            actor=AGENT_LI,
        ),
    )
    assert opened is not None
    wang_number = opened.first(customer.AccountOpened).customer_number
    day.do(
        "The web front office retries the same request (a network timeout)",
        customer.OpenAccount(
            command_id="demo-open-wang",
            name="Wang Xiuying",
            phone="139 1234 5678",
            address="5 Dongmen Road, Hexi",
            area="DONGMEN",
            actor=AGENT_LI,
        ),
    )
    day.at(8, 10)
    merchant = day.do(
        "A supermarket opens a merchant account with its card terminal on record",
        customer.OpenAccount(
            name="Xihu Supermarket",
            phone="0931 880 2233",
            address="120 Xihu Avenue",
            area="XIHU",
            customer_type=customer.CustomerType.MERCHANT,
            devices={"POS-7781": "PAX S90"},
            actor=AGENT_ZHOU,
        ),
    )
    assert merchant is not None
    shop = merchant.first(customer.AccountOpened).customer_number
    yield

    day.console.rule("[bold]The phone queue: answer within three rings (15 s)")
    day.at(8, 30)
    for n, (ring_after, answer_after) in enumerate([(2, 9), (3, 14), (4, 21)], start=1):
        offered = day.clock.now() + timedelta(minutes=n)
        call_id = f"1795999{n:03d}.{n}"
        day.do(
            f"Call {n} offered to the queue",
            call.OfferCall(
                call_id=call_id,
                queue="hotline",
                caller_phone="139 1234 5678",
                occurred_at=offered,
                actor=PBX,
            ),
        )
        day.do(
            "…rings agent Li",
            call.RingAgent(
                call_id=call_id,
                agent="A01",
                occurred_at=offered + timedelta(seconds=ring_after),
                actor=PBX,
            ),
        )
        day.do(
            f"…answered after {answer_after} s",
            call.AnswerCall(
                call_id=call_id,
                agent="A01",
                occurred_at=offered + timedelta(seconds=answer_after),
                actor=PBX,
            ),
        )
    day.at(8, 40)
    day.do(
        "Call 4 offered to the queue",
        call.OfferCall(
            call_id="1795999004.4", queue="hotline", caller_phone="138 0000 1111", actor=PBX
        ),
    )
    day.at(8, 40, 40)
    day.do(
        "…and the caller hangs up after 40 s",
        call.AbandonCall(call_id="1795999004.4", position=1, actor=PBX),
    )
    yield

    day.console.rule("[bold]Phone orders (电话受订)")
    day.at(9, 0)
    placed = day.do(
        "Wang orders two 15 kg cylinders at the registered price, delivery 11:00–13:00",
        order.PlaceOrder(
            registered=True,
            customer_number=wang_number,
            name="wang xiuying",
            lines=(order.OrderLineRequest("LPG-15", 2),),
            delivery_window=Window(day.at_time(11), day.at_time(13)),
            actor=AGENT_LI,
        ),
    )
    assert placed is not None
    wang_order = placed.first(order.OrderPlaced)
    day.do(
        "A caller gives a name that is not on the account",
        order.PlaceOrder(
            registered=True,
            customer_number=wang_number,
            name="Zhang San",
            lines=(order.OrderLineRequest("LPG-15", 1),),
            delivery_window=Window(day.at_time(11), day.at_time(13)),
            actor=AGENT_LI,
        ),
    )
    walk_in = day.do(
        "A walk-in caller in Qilihe orders one 15 kg cylinder: told the West Lake store's number",
        order.PlaceOrder(
            registered=False,
            name="Li Lei",
            phone="138 0000 1111",
            address="9 Qilihe Lane",
            area="QILIHE",
            lines=(order.OrderLineRequest("LPG-15", 1),),
            delivery_window=Window(day.at_time(14), day.at_time(16)),
            actor=AGENT_ZHOU,
        ),
    )
    assert walk_in is not None
    day.do(
        "The East Gate store assigns the least-loaded delivery worker",
        dispatch.AssignDispatch(dispatch_id=wang_order.dispatch_id or "", actor=AGENT_LI),
    )
    yield

    day.console.rule("[bold]Inquiries and cases")
    day.at(9, 5)
    asked = day.do(
        "Wang asks how often a regulator should be replaced: answered on the spot",
        ticket.OpenTicket(
            category=ticket.Category.INQUIRY,
            caller=wang,
            customer_number=wang_number,
            description="Regulator replacement interval",
            actor=AGENT_LI,
        ),
    )
    assert asked is not None
    asked_id = asked.first(ticket.TicketOpened).ticket_id
    day.do(
        "…from the knowledge base",
        ticket.AnswerOnTheSpot(
            ticket_id=asked_id,
            answer="Every 5 years; check it yearly.",
            knowledge_article="KB-017",
            actor=AGENT_LI,
        ),
    )
    day.at(9, 30)
    case = day.do(
        "The supermarket's terminal rejects cards: a fault report, device checked on record",
        ticket.OpenTicket(
            category=ticket.Category.FAULT_REPORT,
            caller=Contact("Manager Sun", "0931 880 2233"),
            customer_number=shop,
            device_id="POS-7781",
            description="Card payments rejected since this morning",
            actor=AGENT_ZHOU,
        ),
    )
    assert case is not None
    case_id = case.first(ticket.TicketOpened).ticket_id
    day.do(
        "A callback is promised within the hour",
        ticket.PromiseCallback(
            ticket_id=case_id,
            phone="0931 880 2233",
            reply_due=day.clock.now() + timedelta(hours=1),
            actor=AGENT_ZHOU,
        ),
    )
    day.at(9, 42)
    day.do(
        "…and the case is transferred to Technical Support",
        ticket.TransferTicket(
            ticket_id=case_id,
            department="TECH",
            note="Terminal rejects all cards",
            actor=AGENT_ZHOU,
        ),
    )
    day.at(10, 20)
    day.do(
        "Technical Support replies",
        ticket.RecordDepartmentReply(
            ticket_id=case_id,
            reply="Key download failed; re-download from the menu.",
            actor=AGENT_ZHOU,
        ),
    )
    day.do(
        "The agent calls the merchant back",
        ticket.ReplyToCustomer(
            ticket_id=case_id, reply="Guided through the key re-download.", actor=AGENT_ZHOU
        ),
    )
    day.do(
        "Resolved with cause and solution, proposed to the knowledge base",
        ticket.ResolveTicket(
            ticket_id=case_id,
            cause="Terminal keys expired",
            solution="Re-download keys",
            propose_to_knowledge_base=True,
            actor=AGENT_ZHOU,
        ),
    )
    yield

    day.console.rule("[bold]Consumables quota: 1 roll of thermal paper a month")
    day.at(10, 40)
    paper = day.do(
        "The supermarket asks for thermal paper",
        ticket.OpenTicket(
            category=ticket.Category.CONSUMABLES,
            caller=Contact("Manager Sun", "0931 880 2233"),
            customer_number=shop,
            device_id="POS-7781",
            description="Thermal paper",
            actor=AGENT_ZHOU,
        ),
    )
    assert paper is not None
    paper_id = paper.first(ticket.TicketOpened).ticket_id
    day.do(
        "One roll: within the quota",
        ticket.RequestConsumables(
            ticket_id=paper_id, item="thermal-paper", quantity=1, actor=AGENT_ZHOU
        ),
    )
    day.at(10, 45)
    more = day.do(
        "They ask for another roll the same month",
        ticket.OpenTicket(
            category=ticket.Category.CONSUMABLES,
            caller=Contact("Manager Sun", "0931 880 2233"),
            customer_number=shop,
            device_id="POS-7781",
            description="More thermal paper",
            actor=AGENT_ZHOU,
        ),
    )
    assert more is not None
    more_id = more.first(ticket.TicketOpened).ticket_id
    day.do(
        "Over the quota: refused, the business interface is told",
        ticket.RequestConsumables(
            ticket_id=more_id, item="thermal-paper", quantity=1, actor=AGENT_ZHOU
        ),
    )
    day.do(
        "An agent cannot grant an exception",
        ticket.GrantQuotaException(ticket_id=more_id, actor=AGENT_ZHOU),
    )
    day.do(
        "The supervisor grants one", ticket.GrantQuotaException(ticket_id=more_id, actor=SUPERVISOR)
    )
    yield

    day.console.rule("[bold]Emergency: a gas smell reported (报险)")
    day.at(11, 3)
    leak = day.do(
        "A caller smells gas in a stairwell: escalated to the supervisor at once",
        ticket.ReportEmergency(
            reporter=Contact("Mr Zhao", "138 0931 7777"),
            location="Building 4, Huayuan Estate",
            description="Strong gas smell in the stairwell",
            actor=AGENT_LI,
        ),
    )
    assert leak is not None
    leak_id = leak.first(ticket.TicketOpened).ticket_id
    day.at(11, 5)
    day.do(
        "The emergency repair centre is notified (2 minutes: within 5)",
        ticket.RecordRepairCentreNotified(ticket_id=leak_id, actor=AGENT_LI),
    )
    yield

    day.console.rule("[bold]Field work: a repair within 2 hours")
    day.at(11, 10)
    repair = day.do(
        "A boiler will not light in Xihu: a repair is requested",
        dispatch.RequestDispatch(
            kind=dispatch.DispatchKind.REPAIR,
            site_address="120 Xihu Avenue",
            area="XIHU",
            contact=Contact("Manager Sun", "0931 880 2233"),
            wished=Window(day.at_time(11, 30), day.at_time(13)),
            job="Boiler will not light",
            priority=Priority.URGENT,
            actor=AGENT_ZHOU,
        ),
    )
    assert repair is not None
    repair_id = repair.first(dispatch.DispatchRequested).dispatch_id
    day.do(
        "Assigned by skill, zone and capacity",
        dispatch.AssignDispatch(dispatch_id=repair_id, actor=AGENT_ZHOU),
    )
    technician = day.center.dispatches.get(repair_id).worker_id or ""
    tech = Actor(Role.FIELD_WORKER, technician)
    day.at(11, 20)
    day.do(
        "En route",
        dispatch.RecordFieldFeedback(
            dispatch_id=repair_id, feedback=dispatch.Feedback.EN_ROUTE, actor=tech
        ),
    )
    day.at(12, 40)
    day.do(
        "Arrived (1 h 30 after the request: within 2 h)",
        dispatch.RecordFieldFeedback(
            dispatch_id=repair_id, feedback=dispatch.Feedback.ARRIVED, actor=tech
        ),
    )
    day.at(12, 45)
    worker_id = day.center.orders.get(wang_order.order_id).worker_id or ""
    day.do(
        f"{worker_id} reports by SMS: delivered, empty collected",
        dispatch.RecordFieldFeedback(
            dispatch_id=wang_order.dispatch_id or "",
            feedback=dispatch.Feedback.DONE,
            outcome="delivered",
            via=Channel.SMS,
            actor=Actor(Role.FIELD_WORKER, worker_id),
        ),
    )
    day.do("The order is closed", order.CloseOrder(order_id=wang_order.order_id, actor=AGENT_LI))
    day.at(13, 5)
    day.do(
        "Done",
        dispatch.RecordFieldFeedback(
            dispatch_id=repair_id,
            feedback=dispatch.Feedback.DONE,
            outcome="Igniter replaced",
            actor=tech,
        ),
    )
    yield

    day.console.rule("[bold]A complaint, from lodging to acceptance")
    day.at(13, 10)
    lodged = day.do(
        "Wang complains: the delivery man was rude",
        complaint.LodgeComplaint(
            complainant=wang,
            customer_number=wang_number,
            about=complaint.Subject(complaint.SubjectKind.FIELD_WORKER, "W002"),
            what="Delivery man was rude and left the cylinder at the door",
            wanted_outcome="An apology",
            actor=AGENT_LI,
        ),
    )
    assert lodged is not None
    k = lodged.first(complaint.ComplaintLodged).complaint_id
    day.at(13, 15)
    day.do(
        "A reply time is committed",
        complaint.CommitReplyTime(
            complaint_id=k, reply_by=day.clock.now() + timedelta(hours=4), actor=AGENT_LI
        ),
    )
    day.do("Judged valid", complaint.JudgeComplaint(complaint_id=k, valid=True, actor=AGENT_LI))
    day.at(13, 18)
    day.do(
        "The East Gate store's business office is notified (8 minutes: within 10)",
        complaint.NotifyDepartment(complaint_id=k, department="BUSINESS", actor=AGENT_LI),
    )
    day.at(13, 35)
    day.do(
        "Wang is told it is being handled",
        complaint.UpdateCustomer(
            complaint_id=k, note="The store manager is looking into it", actor=AGENT_LI
        ),
    )
    day.at(14, 50)
    day.do(
        "Followed up with the department",
        complaint.FollowUpDepartment(
            complaint_id=k, note="Manager spoke to the worker", actor=AGENT_LI
        ),
    )
    day.at(15, 30)
    day.do(
        "A resolution is proposed (confidential)",
        complaint.RecordResolution(
            complaint_id=k, resolution="Apology visit and a free regulator check", actor=AGENT_LI
        ),
    )
    day.do(
        "Closing before the customer accepts is refused",
        complaint.CloseComplaint(complaint_id=k, actor=AGENT_LI),
    )
    day.at(15, 45)
    day.do(
        "Wang accepts",
        complaint.RecordCustomerResponse(complaint_id=k, accepted=True, actor=AGENT_LI),
    )
    day.do("The complaint is closed", complaint.CloseComplaint(complaint_id=k, actor=AGENT_LI))
    day.at(17, 0)
    day.do(
        "The satisfaction call: reached, 4 of 5",
        complaint.RecordSatisfactionCall(
            complaint_id=k, reached=True, rating=4, on_time=True, actor=AGENT_ZHOU
        ),
    )
    yield

    day.console.rule("[bold]After hours")
    day.at(22, 40)
    day.do(
        "A caller leaves a voicemail at 22:40",
        ticket.RecordVoicemail(
            caller=Contact("Ms Qian", "137 0931 5555"),
            message="Please call about my bill",
            actor=Actor(Role.SYSTEM, "voicemail"),
        ),
    )
    _ = tz


def run(url: str | None = None, console: Console | None = None) -> dict[str, Any]:
    """Run the demo day; returns what was recorded and refused (for tests)."""
    console = console or Console()
    if url is None:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='callcore-demo-')) / 'centre.db'}"
    clock = ManualClock(DEMO_DAY)
    with CallCenter.open(url, clock=clock) as center:
        console.print(f"[bold]{center.directory.centre}[/] — a business day, recorded in {url}\n")
        day = Day(center, clock, console)
        for _ in script(day):
            pass
        sla = (
            SlaClocks(center.directory)
            .apply_all(p.recorded for p in center.store.read_all())
            .view(DEMO_DAY.replace(hour=23, minute=59))
        )
        clocks = Table(title="SLA clocks at 23:59 (domain.md §6)")
        clocks.add_column("clock", no_wrap=True)
        for column in ("met", "breached", "running", "at risk", "compliance"):
            clocks.add_column(column, justify="right")
        for row in sla.summary():
            share = "—" if row.compliance is None else f"{row.compliance:.0%}"
            clocks.add_row(
                row.key, str(row.met), str(row.breached), str(row.running), str(row.at_risk), share
            )
        console.print(clocks)
        summary = Table(title="What the day recorded")
        summary.add_column("event")
        summary.add_column("count", justify="right")
        for name, count in sorted(day.recorded.items()):
            summary.add_row(name, str(count))
        console.print(summary)
        console.print(
            f"{sum(day.recorded.values())} events in {center.store.last_position()} stored "
            f"records; {len(day.refused)} commands refused by the rules: "
            f"{', '.join(day.refused)}"
        )
        return {"recorded": dict(day.recorded), "refused": list(day.refused), "url": url}


Runner = Callable[..., dict[str, Any]]
