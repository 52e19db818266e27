"""A manufacturer's customer-relations centre, over a month.

Its clocks: an inquiry is transferred within 30 minutes, the department replies within 3
hours, the customer has the answer within 24; a complaint gets a committed reply time
within 30 minutes, its department is told within 10 minutes and the customer updated
within 20, the department is followed up within 2 hours, and the satisfaction call is
made within 24 hours of closing; a purchase is followed up 3, 10 and 30 days after
delivery; a customer who rejects the department's assessment complains again, and the
re-complaint counts against that department.

Run: .venv/bin/python examples/customer_relations_centre/scenario.py [store URL]
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # examples/scenario.py

from scenario import Scenario

from callcore import Actor, Role, Window
from callcore.domain import call, complaint, customer, dispatch, order, ticket
from callcore.domain.common import Contact

AGENT = Actor(Role.AGENT, "A21")
MONDAY = date(2026, 11, 2)
CHEN = Contact("Chen Hui", "139 3122 8888")

s = Scenario(__file__, MONDAY)
c = s.center

s.title("Inquiries: 30 minutes to transfer, 3 hours to reply, 24 to answer")
s.at(9, 0)
for number in (1, 2):
    s.do(
        f"Inquiry {number}: the water heater's error code E4",
        ticket.OpenTicket(
            ticket_id=f"T-CR-{number}",
            category=ticket.Category.INQUIRY,
            caller=CHEN,
            description="Error code E4 on the display",
            actor=AGENT,
        ),
    )
s.at(9, 2)
for number in (1, 2):
    s.do(
        f"Inquiry {number}: an answer by phone is promised",
        ticket.PromiseCallback(
            ticket_id=f"T-CR-{number}",
            phone="139 3122 8888",
            reply_due=s.time(17, 0),
            actor=AGENT,
        ),
    )
for number, transferred in ((1, (9, 20)), (2, (9, 50))):
    s.at(*transferred)
    s.do(
        f"Inquiry {number} transferred to the service department",
        ticket.TransferTicket(
            ticket_id=f"T-CR-{number}", department="TECH", note="E4 on a WH-60", actor=AGENT
        ),
    )
for number, replied in ((1, (11, 0)), (2, (13, 30))):
    s.at(*replied)
    s.do(
        f"The department replies to inquiry {number}",
        ticket.RecordDepartmentReply(
            ticket_id=f"T-CR-{number}", reply="E4: water pressure low", actor=AGENT
        ),
    )
    s.do(
        "…and the customer is told",
        ticket.ReplyToCustomer(
            ticket_id=f"T-CR-{number}", reply="Open the inlet valve", actor=AGENT
        ),
    )

s.title("A purchase, delivered: its follow-up clocks start")
s.at(13, 40)
opened = s.do(
    "Chen Hui's account",
    customer.OpenAccount(
        name="Chen Hui",
        phone="139 3122 8888",
        address="8 Beizhan Road",
        area="BEIZHAN",
        actor=AGENT,
    ),
)
assert opened is not None
chen = opened.first(customer.AccountOpened).customer_number
s.do(
    "A 60 L water heater ordered",
    order.PlaceOrder(
        order_id="O-CR-1",
        registered=True,
        customer_number=chen,
        name="Chen Hui",
        lines=(order.OrderLineRequest("WH-60", 1),),
        delivery_window=Window(s.time(14, 0), s.time(18, 0)),
        actor=AGENT,
    ),
)
s.do("Assigned", dispatch.AssignDispatch(dispatch_id="D-O-CR-1", actor=AGENT))
s.at(16, 0)
s.do("Delivered", order.RecordDelivery(order_id="O-CR-1", actor=AGENT))
s.title("A complaint, and a re-complaint on the department's assessment")
DAY = MONDAY + timedelta(days=1)
s.at(14, 0, day=DAY)
s.do(
    "Chen Hui complains: the heater leaks",
    complaint.LodgeComplaint(
        complaint_id="Q-CR-1",
        complainant=CHEN,
        customer_number=chen,
        about=complaint.Subject(complaint.SubjectKind.OTHER),
        what="Water leaks under the heater",
        wanted_outcome="A replacement",
        actor=AGENT,
    ),
)
steps = (
    (
        (14, 4),
        "Judged valid",
        complaint.JudgeComplaint(complaint_id="Q-CR-1", valid=True, actor=AGENT),
    ),
    (
        (14, 8),
        "The quality department is told (8 min: within 10)",
        complaint.NotifyDepartment(complaint_id="Q-CR-1", department="TECH", actor=AGENT),
    ),
    (
        (14, 20),
        "A reply by 17:00 is committed (20 min: within 30)",
        complaint.CommitReplyTime(
            complaint_id="Q-CR-1", reply_by=s.time(17, 0, day=DAY), actor=AGENT
        ),
    ),
    (
        (14, 25),
        "The customer is updated (within 20 min)",
        complaint.UpdateCustomer(complaint_id="Q-CR-1", note="Quality is checking", actor=AGENT),
    ),
    (
        (17, 10),
        "The department is followed up (3 h after it was told: late)",
        complaint.FollowUpDepartment(complaint_id="Q-CR-1", note="Assessment?", actor=AGENT),
    ),
    (
        (17, 30),
        "The department's assessment: the installer's fitting, not the heater",
        complaint.RecordResolution(
            complaint_id="Q-CR-1", resolution="Refit the inlet pipe", department="TECH", actor=AGENT
        ),
    ),
    (
        (17, 40),
        "Chen Hui rejects the assessment",
        complaint.RecordCustomerResponse(
            complaint_id="Q-CR-1", accepted=False, note="The tank itself leaks", actor=AGENT
        ),
    ),
)
for (hour, minute), what, command in steps:
    s.at(hour, minute, day=DAY)
    s.do(what, command)
s.at(17, 45, day=DAY)
s.do(
    "…and complains again about the assessment",
    complaint.LodgeComplaint(
        complaint_id="Q-CR-2",
        complainant=CHEN,
        customer_number=chen,
        about=complaint.Subject(complaint.SubjectKind.OTHER),
        what="The assessment blames the fitting",
        wanted_outcome="A new heater",
        re_complaint_of="Q-CR-1",
        actor=AGENT,
    ),
)

s.title("The follow-ups, 3, 12 and 29 days after delivery")
for number, days in ((1, 3), (2, 12), (3, 29)):
    s.at(10, 0, day=MONDAY + timedelta(days=days))
    s.do(
        f"Follow-up {number}, {days} days after delivery",
        call.PlaceOutboundCall(
            call_id=f"OUT-CR-{number}",
            agent="A21",
            phone="139 3122 8888",
            purpose=call.Purpose.FOLLOW_UP,
            subject="order-O-CR-1",
            actor=AGENT,
        ),
    )
    s.at(10, 1, day=MONDAY + timedelta(days=days))
    s.do(
        "…Chen Hui answers",
        call.AnswerCall(call_id=f"OUT-CR-{number}", agent="A21", actor=AGENT),
    )
    s.do(
        "…reached: satisfied",
        call.RecordFollowUp(call_id=f"OUT-CR-{number}", reached=True, attitude=5, actor=AGENT),
    )

s.title("What the supervisor checks")
end = s.time(18, 0, day=MONDAY + timedelta(days=31))
s.clock.set(end)
s.clocks(
    c.views.sla(end),
    "inquiry-transfer",
    "inquiry-department-reply",
    "inquiry-customer-reply",
    "complaint-reply-committed",
    "complaint-department-notified",
    "complaint-customer-updated",
    "complaint-department-follow-up",
    "post-purchase-follow-up-1",
    "post-purchase-follow-up-2",
    "post-purchase-follow-up-3",
)
for row in c.views.satisfaction(end).departments:
    print(f"  re-complaints against department {row.id}'s assessments: {row.re_complaints}")
