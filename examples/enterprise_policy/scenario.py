"""A group's enterprise policy for its service hotline, one morning.

The policy: every contact is registered and classified (each call is linked to the
record it opened); work is transferred to the department responsible for its kind; an
emergency goes to leadership when it is not handled in time; overdue work is reported to
the supervisor and explained to the caller; a complaint's outcome is confidential —
shown to the customer and to supervisors, never to others.

Run: .venv/bin/python examples/enterprise_policy/scenario.py [store URL]
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # examples/scenario.py

from scenario import Scenario

from callcore import Actor, Role
from callcore.adapters.notifiers import RecordingNotifier
from callcore.domain import call, complaint, complaint_reading, customer, ticket
from callcore.domain.common import Contact

AGENT = Actor(Role.AGENT, "A41")
PBX = Actor(Role.INTEGRATION, "pbx")
SUPERVISOR = Actor(Role.SUPERVISOR, "S01")
WEDNESDAY = date(2026, 11, 25)
GAO = Contact("Gao Yan", "139 3144 5555")

s = Scenario(__file__, WEDNESDAY)
c = s.center
owner = {kind: d.code for d in c.directory.departments.values() for kind in d.owns}

s.title("Every contact registered and classified")
s.at(8, 0)
opened = s.do(
    "Gao Yan's account",
    customer.OpenAccount(
        name="Gao Yan",
        phone="139 3144 5555",
        address="2 Gangkou Road",
        area="GANGKOU",
        actor=AGENT,
    ),
)
assert opened is not None
gao = opened.first(customer.AccountOpened).customer_number
contacts = (
    ("CALL-1", ticket.Category.INQUIRY, "Is there a discount for pensioners?"),
    ("CALL-2", ticket.Category.RECONCILIATION, "Two payments for one bill"),
)
for number, (call_id, category, text) in enumerate(contacts, start=1):
    s.at(9, number)
    s.do(
        f"{call_id} offered",
        call.OfferCall(call_id=call_id, queue="hotline", caller_phone="139 3144 5555", actor=PBX),
    )
    s.do("…answered", call.AnswerCall(call_id=call_id, agent="A41", actor=PBX))
    s.do(
        f"…registered as a {category.value} ticket",
        ticket.OpenTicket(
            ticket_id=f"T-ENT-{number}",
            category=category,
            caller=GAO,
            customer_number=gao,
            description=text,
            call_id=call_id,
            actor=AGENT,
        ),
    )
    s.do(
        "…the call is linked to it",
        call.LinkCall(
            call_id=call_id,
            record_kind=call.RecordKind.TICKET,
            record_id=f"T-ENT-{number}",
            actor=AGENT,
        ),
    )
    s.do(
        "…a callback promised",
        ticket.PromiseCallback(
            ticket_id=f"T-ENT-{number}", phone="139 3144 5555", reply_due=s.time(12, 0), actor=AGENT
        ),
    )
for call_id, _, _ in contacts:
    links = c.calls.get(call_id).links
    print(f"  {call_id} → {', '.join(f'{kind.value} {ref}' for kind, ref in links)}")

s.title("Transferred to the department responsible")
s.at(9, 20)
for number, (_, category, _) in enumerate(contacts, start=1):
    department = owner[category.value]
    s.do(
        f"T-ENT-{number} ({category.value}) → {department}",
        ticket.TransferTicket(
            ticket_id=f"T-ENT-{number}",
            department=department,
            note="Please answer the caller",
            actor=AGENT,
        ),
    )

s.title("An emergency not passed on in time")
s.at(9, 30)
s.do(
    "A gas smell at the harbour depot",
    ticket.ReportEmergency(
        ticket_id="T-ENT-SOS",
        reporter=Contact("Guard Wu", "138 0931 9999"),
        location="Gangkou depot, gate 2",
        description="Gas smell near the tanks",
        actor=AGENT,
    ),
)

s.title("A complaint whose outcome is confidential")
s.at(9, 40)
steps = (
    (
        "Gao Yan complains about a rude agent",
        complaint.LodgeComplaint(
            complaint_id="Q-ENT-1",
            complainant=GAO,
            customer_number=gao,
            about=complaint.Subject(complaint.SubjectKind.AGENT, "A07"),
            what="The agent hung up on me",
            wanted_outcome="An apology",
            actor=AGENT,
        ),
    ),
    ("Judged valid", complaint.JudgeComplaint(complaint_id="Q-ENT-1", valid=True, actor=AGENT)),
    (
        "The business office is told",
        complaint.NotifyDepartment(complaint_id="Q-ENT-1", department="BUSINESS", actor=AGENT),
    ),
    (
        "The outcome: the agent is warned and retrained",
        complaint.RecordResolution(
            complaint_id="Q-ENT-1", resolution="Agent A07 warned and retrained", actor=SUPERVISOR
        ),
    ),
)
for what, command in steps:
    s.do(what, command)
record = c.complaints.get("Q-ENT-1")
for reader in (AGENT, SUPERVISOR, Actor(Role.CUSTOMER, gao), Actor(Role.CUSTOMER, "C999999")):
    shown = complaint_reading.view_for(record, reader).resolutions[0].text
    print(f"  {reader} sees the outcome as: {shown or '(withheld)'}")

s.title("10:30: overdue work reported, and explained to the callers")
s.at(10, 30)
notifier = RecordingNotifier()
c.escalation_process(notifier).run_once()
for sent in sorted(notifier.sent, key=lambda n: (n.recipient, n.subject)):
    print(f"  to {sent.recipient}: {sent.subject}")
