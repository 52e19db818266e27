"""A bottled-gas (LPG) retailer's phone centre, one Tuesday.

The rules it runs on: a new account is routed to the branch of its area and may ask for
a home visit; phone orders are priced at the registered or the walk-in price, delivered
in a promised window with the empty cylinder collected; questions the agent cannot answer
get a promised callback; a walk-in caller's service visit carries a fee the caller
accepts first; every new account is in the day's follow-up sample; an after-hours
voicemail is called back by 08:30 the next business day.

Run: .venv/bin/python examples/lpg_phone_centre/scenario.py [store URL]
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # examples/scenario.py

from scenario import Scenario

from callcore import Actor, Role, Window
from callcore.domain import customer, dispatch, order, ticket
from callcore.domain.common import Contact

AGENT = Actor(Role.AGENT, "A03")
VOICEMAIL = Actor(Role.SYSTEM, "voicemail")
TUESDAY = date(2026, 11, 24)

s = Scenario(__file__, TUESDAY)
c = s.center

s.title("Accounts: routed to the branch of their area")
s.at(8, 5)
opened = s.do(
    "Sun Mei opens an account in Xihu",
    customer.OpenAccount(
        name="Sun Mei", phone="139 3111 2222", address="7 Xihu Avenue", area="XIHU", actor=AGENT
    ),
)
assert opened is not None
sun = opened.first(customer.AccountOpened)
print(f"             {sun.customer_number} is served by {sun.branch}")
s.do(
    "…and asks for a home visit to check her installation",
    customer.RequestAccountVisit(
        customer_number=sun.customer_number,
        wished=Window(s.time(14, 0), s.time(16, 0)),
        dispatch_id="D-VISIT-SUN",
        actor=AGENT,
    ),
)

s.title("Phone orders: registered and walk-in prices, delivery, the empty collected")
s.at(9, 0)
registered = s.do(
    "Sun Mei orders two 15 kg cylinders (registered price)",
    order.PlaceOrder(
        order_id="O-20261124-001",
        registered=True,
        customer_number=sun.customer_number,
        name="Sun Mei",
        lines=(order.OrderLineRequest("LPG-15", 2),),
        delivery_window=Window(s.time(11, 0), s.time(13, 0)),
        actor=AGENT,
    ),
)
s.at(9, 10)
walk_in = s.do(
    "A walk-in caller in Qilihe orders one (walk-in price)",
    order.PlaceOrder(
        order_id="O-20261124-002",
        registered=False,
        name="Li Lei",
        phone="138 0000 1111",
        address="9 Qilihe Lane",
        area="QILIHE",
        lines=(order.OrderLineRequest("LPG-15", 1),),
        delivery_window=Window(s.time(14, 0), s.time(16, 0)),
        actor=AGENT,
    ),
)
assert registered is not None
assert walk_in is not None
first, second = registered.first(order.OrderPlaced), walk_in.first(order.OrderPlaced)
print(f"             registered: {first.total} yuan; walk-in: {second.total} yuan")
s.at(9, 20)
for placed in (first, second):
    s.do(
        f"The {placed.branch} branch assigns {placed.order_id} to its least-loaded worker",
        dispatch.AssignDispatch(dispatch_id=placed.dispatch_id or "", actor=AGENT),
    )

s.title("An inquiry the agent cannot answer: a promised callback")
s.at(10, 0)
asked = s.do(
    "Sun Mei asks why her bill doubled",
    ticket.OpenTicket(
        ticket_id="T-20261124-001",
        category=ticket.Category.INQUIRY,
        caller=Contact("Sun Mei", "139 3111 2222"),
        customer_number=sun.customer_number,
        description="Bill doubled this month",
        actor=AGENT,
    ),
)
assert asked is not None
inquiry = asked.first(ticket.TicketOpened).ticket_id
s.do(
    "A callback is promised by 12:00",
    ticket.PromiseCallback(
        ticket_id=inquiry, phone="139 3111 2222", reply_due=s.time(12, 0), actor=AGENT
    ),
)
s.at(10, 10)
s.do(
    "…transferred to the business office",
    ticket.TransferTicket(
        ticket_id=inquiry, department="BUSINESS", note="Check the account", actor=AGENT
    ),
)
s.at(11, 20)
s.do(
    "The business office replies",
    ticket.RecordDepartmentReply(ticket_id=inquiry, reply="Two deliveries billed", actor=AGENT),
)
s.at(11, 40)
s.do(
    "Sun Mei is called back before 12:00",
    ticket.ReplyToCustomer(ticket_id=inquiry, reply="Explained the two deliveries", actor=AGENT),
)

s.title("Deliveries: the empty cylinder collected")
s.at(12, 10)
s.do(
    "Sun Mei's cylinders delivered, the empties collected",
    order.RecordDelivery(order_id=first.order_id, empty_collected=True, actor=AGENT),
)
s.at(15, 20)
s.do(
    "Li Lei's cylinder delivered; the empty is not ready",
    order.RecordDelivery(order_id=second.order_id, empty_collected=False, actor=AGENT),
)
s.at(16, 40)
s.do(
    "…collected later in the afternoon",
    order.RecordEmptyCollected(order_id=second.order_id, actor=AGENT),
)

s.title("A service visit for a walk-in caller: the fee first")
s.at(17, 0)
visit = s.do(
    "A walk-in caller's stove will not light",
    ticket.OpenTicket(
        ticket_id="T-20261124-002",
        category=ticket.Category.SERVICE_VISIT,
        caller=Contact("Zhou Jie", "137 0931 4444"),
        description="Stove will not light",
        location="3 Beizhan Road",
        area="BEIZHAN",
        actor=AGENT,
    ),
)
assert visit is not None
visit_id = visit.first(ticket.TicketOpened).ticket_id
wished = Window(
    s.time(9, 0, day=TUESDAY + timedelta(days=1)), s.time(11, 0, day=TUESDAY + timedelta(days=1))
)
s.at(17, 5)
s.do(
    "A visit without the caller accepting the fee",
    ticket.RequestServiceVisit(ticket_id=visit_id, wished=wished, actor=AGENT),
)
s.do(
    "The caller accepts the 30.00 yuan fee",
    ticket.RequestServiceVisit(ticket_id=visit_id, wished=wished, fee_accepted=True, actor=AGENT),
)

s.title("After hours: a voicemail, called back by 08:30")
s.at(22, 40)
left = s.do(
    "A caller leaves a voicemail at 22:40",
    ticket.RecordVoicemail(
        ticket_id="T-20261124-003",
        caller=Contact("Qian Li", "137 0931 5555"),
        message="Call me about a leak",
        actor=VOICEMAIL,
    ),
)
assert left is not None
voicemail = left.first(ticket.TicketOpened).ticket_id
s.at(8, 20, day=TUESDAY + timedelta(days=1))
s.do(
    "Called back at 08:20 the next morning",
    ticket.ConfirmVoicemailCallback(
        ticket_id=voicemail, reached=True, note="Checked: no leak", actor=AGENT
    ),
)

s.title("What the supervisor checks")
now = s.clock.now()
view = c.views.sla(now)
s.clocks(
    view, "delivery", "inquiry-department-reply", "inquiry-customer-reply", "voicemail-callback"
)
sample = c.views.follow_up_sample(TUESDAY)
print(f"  follow-up sample for {TUESDAY}: {len(sample)} records")
for picked in sample:
    print(f"    {picked.subject}: {picked.reason}")
report = c.views.daily(TUESDAY, now)
totals = report.totals
print(
    f"  daily report {TUESDAY}: {totals.orders} orders, {totals.amount} yuan, "
    f"{totals.delivered} delivered"
)
