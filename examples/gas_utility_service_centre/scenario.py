"""A piped-gas utility's service centre, over one week.

Its rules: a new household opens an account and books its connection; connection and
meter work are appointments agreed with the customer (the problem restated, the window
confirmed) and a technician is sent within them; a gas leak is an emergency, escalated at
once and passed to the emergency repair centre within 5 minutes; a complaint is judged
valid or not before a department is told; meter faults are answered from the knowledge
base; the supervisor reads the day, the week and the month.

Run: .venv/bin/python examples/gas_utility_service_centre/scenario.py [store URL]
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # examples/scenario.py

from scenario import Scenario

from callcore import Actor, Role, Window
from callcore.domain import complaint, customer, dispatch, ticket
from callcore.domain.common import Contact

AGENT = Actor(Role.AGENT, "A31")
MONDAY = date(2026, 11, 16)
LIU = Contact("Liu Fang", "139 3133 4444")

s = Scenario(__file__, MONDAY)
c = s.center

s.title("A new household: the account, then the connection appointment")
s.at(8, 30)
opened = s.do(
    "Liu Fang opens a gas account for her new flat",
    customer.OpenAccount(
        name="Liu Fang",
        phone="139 3133 4444",
        address="12 Huayuan Road, flat 301",
        area="HUAYUAN",
        actor=AGENT,
    ),
)
assert opened is not None
liu = opened.first(customer.AccountOpened).customer_number
tuesday = MONDAY + timedelta(days=1)
s.do(
    "The connection is requested for Tuesday morning",
    dispatch.RequestDispatch(
        dispatch_id="D-GAS-CONNECT",
        kind=dispatch.DispatchKind.INSTALL,
        site_address="12 Huayuan Road, flat 301",
        area="HUAYUAN",
        contact=LIU,
        wished=Window(s.time(9, 0, day=tuesday), s.time(12, 0, day=tuesday)),
        job="Connect the gas supply and fit the meter",
        customer_number=liu,
        actor=AGENT,
    ),
)
s.at(8, 40)
s.do(
    "The appointment is confirmed with her: 10:00–11:00, the job restated",
    dispatch.ConfirmAppointment(
        dispatch_id="D-GAS-CONNECT",
        window=Window(s.time(10, 0, day=tuesday), s.time(11, 0, day=tuesday)),
        contact=LIU,
        problem_restated="New flat: connect the supply, fit a meter",
        actor=AGENT,
    ),
)
s.do("A fitter is assigned", dispatch.AssignDispatch(dispatch_id="D-GAS-CONNECT", actor=AGENT))

s.title("A meter question: answered from the knowledge base")
s.at(9, 15)
s.do(
    "A customer's meter display is blank",
    ticket.OpenTicket(
        ticket_id="T-GAS-001",
        category=ticket.Category.INQUIRY,
        caller=Contact("Ma Jun", "138 0931 6666"),
        description="Meter display blank",
        actor=AGENT,
    ),
)
s.do(
    "…the battery: answered on the call",
    ticket.AnswerOnTheSpot(
        ticket_id="T-GAS-001",
        answer="Replace the meter's AA battery; the reading is kept",
        knowledge_article="KB-METER-004",
        actor=AGENT,
    ),
)

s.title("Emergency: a gas leak")
s.at(10, 2)
leak = s.do(
    "A smell of gas in a stairwell: an emergency, escalated at once",
    ticket.ReportEmergency(
        ticket_id="T-GAS-LEAK",
        reporter=Contact("Mr Zhao", "138 0931 7777"),
        location="Building 4, Beizhan Estate",
        description="Strong gas smell in the stairwell",
        actor=AGENT,
    ),
)
s.at(10, 5)
s.do(
    "The emergency repair centre is told (3 minutes: within 5)",
    ticket.RecordRepairCentreNotified(ticket_id="T-GAS-LEAK", actor=AGENT),
)

s.title("Complaints: judged before a department is told")
s.at(11, 0)
for number, what in (
    (1, "The meter reader never came"),
    (2, "Gas is more expensive than last year"),
):
    s.do(
        f"Complaint {number}: {what.lower()}",
        complaint.LodgeComplaint(
            complaint_id=f"Q-GAS-{number}",
            complainant=Contact("Hu Bin", "137 0931 2222"),
            about=complaint.Subject(complaint.SubjectKind.OTHER),
            what=what,
            wanted_outcome="An answer",
            actor=AGENT,
        ),
    )
s.at(11, 3)
s.do(
    "Telling a department before judging it",
    complaint.NotifyDepartment(complaint_id="Q-GAS-1", department="BUSINESS", actor=AGENT),
)
s.do(
    "Complaint 1 is valid",
    complaint.JudgeComplaint(complaint_id="Q-GAS-1", valid=True, actor=AGENT),
)
s.do(
    "Complaint 2 is not: prices are set by the regulator",
    complaint.JudgeComplaint(
        complaint_id="Q-GAS-2",
        valid=False,
        reason="Tariffs are set by the price bureau",
        actor=AGENT,
    ),
)
s.at(11, 6)
s.do(
    "The business office is told of complaint 1",
    complaint.NotifyDepartment(complaint_id="Q-GAS-1", department="BUSINESS", actor=AGENT),
)

s.title("Tuesday: the connection is made")
fitter = Actor(Role.FIELD_WORKER, c.dispatches.get("D-GAS-CONNECT").worker_id or "")
for hour, minute, feedback in (
    (9, 40, dispatch.Feedback.EN_ROUTE),
    (10, 10, dispatch.Feedback.ARRIVED),
    (11, 0, dispatch.Feedback.DONE),
):
    s.at(hour, minute, day=tuesday)
    s.do(
        f"The fitter reports: {feedback.value}",
        dispatch.RecordFieldFeedback(
            dispatch_id="D-GAS-CONNECT",
            feedback=feedback,
            actor=fitter,
            outcome="Connected, meter 0000.0 m³" if feedback is dispatch.Feedback.DONE else None,
        ),
    )

s.title("What the supervisor reads: the day, the week, the month")
end = s.time(23, 0, day=MONDAY + timedelta(days=6))
s.clock.set(end)
s.clocks(
    c.views.sla(end),
    "emergency-notification",
    "install-completion",
    "complaint-department-notified",
)
day = c.views.daily(MONDAY, end).totals
week = c.views.period(MONDAY, MONDAY + timedelta(days=6), end).totals
month = c.views.period(date(2026, 11, 1), date(2026, 11, 30), end).totals
for label, figures in (("Monday", day), ("the week", week), ("November", month)):
    opened_tickets = sum(count.count for count in figures.tickets_opened)
    print(
        f"  {label}: {opened_tickets} tickets opened, {figures.complaints} complaints, "
        f"{sum(d.count for d in figures.dispatches)} dispatches"
    )
