"""A team importing callcore as a library: one morning at a phone centre.

Run: .venv/bin/python examples/quickstart.py [sqlite:///where.db]
"""

from __future__ import annotations

import sys
import tempfile
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from callcore import Actor, CallCenter, DomainError, Role, Window
from callcore.adapters.clock import ManualClock
from callcore.domain.common import Contact
from callcore.domain.complaint import (
    ComplaintLodged,
    JudgeComplaint,
    LodgeComplaint,
    NotifyDepartment,
    Subject,
    SubjectKind,
)
from callcore.domain.customer import AccountOpened, OpenAccount
from callcore.domain.dispatch import AssignDispatch
from callcore.domain.order import OrderLineRequest, OrderPlaced, PlaceOrder

SHANGHAI = ZoneInfo("Asia/Shanghai")


def main(url: str) -> None:
    # A clock we move by hand, so the example is the same every time it runs.
    clock = ManualClock(datetime(2026, 11, 24, 8, 0, tzinfo=SHANGHAI))
    agent = Actor(Role.AGENT, "A07")
    with CallCenter.open(url, clock=clock) as cc:
        opened = cc.handle(
            OpenAccount(
                name="Wang Xiuying",
                phone="139 1234 5678",
                address="5 Dongmen Road",
                area="DONGMEN",
                actor=agent,
            )
        )
        number = opened.first(AccountOpened).customer_number
        print(f"account {number} opened, served by {cc.customers.get(number).branch}")

        window = Window(clock.now() + timedelta(hours=2), clock.now() + timedelta(hours=4))
        placed = cc.handle(
            PlaceOrder(
                registered=True,
                customer_number=number,
                name="Wang Xiuying",
                lines=(OrderLineRequest("LPG-15", 2),),
                delivery_window=window,
                actor=agent,
            )
        ).first(OrderPlaced)
        print(f"order {placed.order_id}: {placed.total} yuan at the registered price")
        cc.handle(AssignDispatch(dispatch_id=placed.dispatch_id or "", actor=agent))
        print(f"delivery assigned to {cc.orders.get(placed.order_id).worker_id}")

        try:
            cc.handle(
                PlaceOrder(
                    registered=True,
                    customer_number=number,
                    name="Someone Else",
                    lines=(OrderLineRequest("LPG-15", 1),),
                    delivery_window=window,
                )
            )
        except DomainError as error:
            print(f"refused: {error.rule.name}")

        clock.advance(minutes=30)
        lodged = cc.handle(
            LodgeComplaint(
                complainant=Contact("Wang Xiuying", "139 1234 5678"),
                customer_number=number,
                about=Subject(SubjectKind.BRANCH, "B-EAST"),
                what="Nobody answered the store phone",
                wanted_outcome="A call back",
                actor=agent,
            )
        ).first(ComplaintLodged)
        clock.advance(minutes=4)
        cc.handle(JudgeComplaint(complaint_id=lodged.complaint_id, valid=True, actor=agent))
        clock.advance(minutes=12)  # 16 minutes after lodging: the 10-minute clock is missed
        cc.handle(
            NotifyDepartment(complaint_id=lodged.complaint_id, department="BUSINESS", actor=agent)
        )

        for instant in (clock.now() - timedelta(minutes=8), clock.now()):  # 08:38 and 08:46
            view = cc.views.sla(at=instant)
            states = ", ".join(f"{row.clock} {row.state}" for row in view.clocks)
            print(f"SLA as of {instant:%H:%M}: {states}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/centre.db")
