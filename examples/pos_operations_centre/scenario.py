"""A point-of-sale terminal operations centre, one Tuesday.

Its rules: a merchant's case names the terminal on record (checked) and a problem type;
what the knowledge base answers is closed on the call; a transfer to a department is
tracked until it comes back; thermal paper is limited to one roll a month unless a
supervisor grants more; complaints go to the complaint desk; a repair technician must be
on site within 2 hours and an installation finished within 48; technicians are assigned
by skill, zone and what is left of their day; they report by SMS; at 17:30 every branch
gets the day's summary.

Run: .venv/bin/python examples/pos_operations_centre/scenario.py [store URL]
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # examples/scenario.py

from scenario import Scenario

from callcore import Actor, Role, Window
from callcore.adapters.notifiers import RecordingNotifier
from callcore.domain import complaint, customer, dispatch, ticket
from callcore.domain.common import Contact, Priority

AGENT = Actor(Role.AGENT, "A11")
SUPERVISOR = Actor(Role.SUPERVISOR, "S01")
TUESDAY = date(2026, 11, 24)
MANAGER = Contact("Manager Sun", "0931 880 2233")

s = Scenario(__file__, TUESDAY)
c = s.center

s.title("A merchant and its terminal")
s.at(8, 0)
opened = s.do(
    "Xihu Supermarket is on record with terminal POS-7781",
    customer.OpenAccount(
        name="Xihu Supermarket",
        phone="0931 880 2233",
        address="120 Xihu Avenue",
        area="XIHU",
        customer_type=customer.CustomerType.MERCHANT,
        devices={"POS-7781": "PAX S90"},
        actor=AGENT,
    ),
)
assert opened is not None
shop = opened.first(customer.AccountOpened).customer_number

s.title("Cases: the device checked, the problem typed")
s.at(9, 0)
s.do(
    "A case for a terminal the merchant does not have",
    ticket.OpenTicket(
        ticket_id="T-POS-001",
        category=ticket.Category.FAULT_REPORT,
        caller=MANAGER,
        customer_number=shop,
        device_id="POS-0000",
        description="Cards rejected",
        actor=AGENT,
    ),
)
s.do(
    "A fault report on POS-7781",
    ticket.OpenTicket(
        ticket_id="T-POS-001",
        category=ticket.Category.FAULT_REPORT,
        caller=MANAGER,
        customer_number=shop,
        device_id="POS-7781",
        description="Cards rejected",
        actor=AGENT,
    ),
)
s.at(9, 10)
s.do(
    "How to print a settlement slip: answered from the knowledge base",
    ticket.OpenTicket(
        ticket_id="T-POS-002",
        category=ticket.Category.TRAINING,
        caller=MANAGER,
        customer_number=shop,
        device_id="POS-7781",
        description="Settlement slip",
        actor=AGENT,
    ),
)
s.do(
    "…closed on the call",
    ticket.AnswerOnTheSpot(
        ticket_id="T-POS-002",
        answer="Menu 5, then 2",
        knowledge_article="KB-POS-031",
        actor=AGENT,
    ),
)

s.title("A tracked transfer")
s.at(9, 15)
s.do(
    "The fault report goes to Technical Support",
    ticket.TransferTicket(
        ticket_id="T-POS-001", department="TECH", note="Key download failed?", actor=AGENT
    ),
)
s.at(10, 5)
s.do(
    "Technical Support answers",
    ticket.RecordDepartmentReply(
        ticket_id="T-POS-001", reply="Keys expired: a technician must reload them", actor=AGENT
    ),
)

s.title("Field work: 2 hours to arrive, 48 to install")
s.at(10, 10)
repair = s.do(
    "A repair visit for POS-7781",
    dispatch.RequestDispatch(
        dispatch_id="D-POS-REPAIR",
        kind=dispatch.DispatchKind.REPAIR,
        site_address="120 Xihu Avenue",
        area="XIHU",
        contact=MANAGER,
        wished=Window(s.time(10, 30), s.time(12, 0)),
        job="Reload terminal keys",
        priority=Priority.URGENT,
        customer_number=shop,
        device_id="POS-7781",
        ticket_id="T-POS-001",
        actor=AGENT,
    ),
)
s.do(
    "A new terminal for the supermarket's second till",
    dispatch.RequestDispatch(
        dispatch_id="D-POS-INSTALL",
        kind=dispatch.DispatchKind.INSTALL,
        site_address="120 Xihu Avenue",
        area="XIHU",
        contact=MANAGER,
        wished=Window(s.time(14, 0), s.time(17, 0)),
        job="Install a second terminal",
        customer_number=shop,
        actor=AGENT,
    ),
)
for dispatch_id in ("D-POS-REPAIR", "D-POS-INSTALL"):
    s.do(
        f"{dispatch_id}: assigned by skill, zone and capacity",
        dispatch.AssignDispatch(dispatch_id=dispatch_id, actor=AGENT),
    )
technician = c.dispatches.get("D-POS-REPAIR").worker_id or ""
installer = c.dispatches.get("D-POS-INSTALL").worker_id or ""
print(f"             repair → {technician}, install → {installer}")
texts = (
    ((10, 20), "The technician texts: en route", dispatch.Feedback.EN_ROUTE, None),
    ((11, 40), "…arrived (1 h 30 after the request)", dispatch.Feedback.ARRIVED, None),
    ((12, 0), "…done: keys reloaded", dispatch.Feedback.DONE, "Keys reloaded"),
)
for (hour, minute), what, feedback, outcome in texts:
    s.at(hour, minute)
    s.do(
        what,
        dispatch.RecordFieldFeedback(
            dispatch_id="D-POS-REPAIR",
            feedback=feedback,
            outcome=outcome,
            actor=Actor(Role.FIELD_WORKER, technician),
        ),
    )

s.title("Thermal paper: one roll a month")
s.at(13, 0)
for number in (3, 4):
    s.do(
        f"Thermal paper asked for (case {number})",
        ticket.OpenTicket(
            ticket_id=f"T-POS-00{number}",
            category=ticket.Category.CONSUMABLES,
            caller=MANAGER,
            customer_number=shop,
            device_id="POS-7781",
            description="Thermal paper",
            actor=AGENT,
        ),
    )
    s.do(
        "…one roll",
        ticket.RequestConsumables(
            ticket_id=f"T-POS-00{number}", item="thermal-paper", quantity=1, actor=AGENT
        ),
    )
s.do(
    "An agent cannot go over the quota",
    ticket.GrantQuotaException(ticket_id="T-POS-004", actor=AGENT),
)
s.do("The supervisor can", ticket.GrantQuotaException(ticket_id="T-POS-004", actor=SUPERVISOR))

s.title("The complaint desk")
s.at(14, 0)
s.do(
    "The merchant complains the technician came late last week",
    complaint.LodgeComplaint(
        complaint_id="Q-POS-001",
        complainant=MANAGER,
        customer_number=shop,
        about=complaint.Subject(complaint.SubjectKind.FIELD_WORKER, technician),
        what="Arrived three hours late",
        wanted_outcome="An explanation",
        actor=AGENT,
    ),
)
s.at(14, 5)
s.do(
    "Judged valid: the visit log shows a late arrival",
    complaint.JudgeComplaint(complaint_id="Q-POS-001", valid=True, actor=AGENT),
)
s.at(14, 8)
s.do(
    "Technical Support is told within 10 minutes",
    complaint.NotifyDepartment(complaint_id="Q-POS-001", department="TECH", actor=AGENT),
)

s.title("17:30: the summary to every branch")
s.at(17, 30)
notifier = RecordingNotifier()
c.daily_summary_process(notifier).run_once()
for sent in notifier.sent:
    print(f"  to {sent.recipient}: {sent.subject}")

s.title("What the supervisor checks")
s.clocks(
    c.views.sla(s.clock.now()),
    "repair-arrival",
    "install-completion",
    "complaint-department-notified",
)
load = c.views.worker_load(installer, TUESDAY)
print(f"  {installer} on {TUESDAY}: {load.booked} of {load.capacity} booked, {load.done} done")
