"""Which time buckets a fact into a day, and which decides whether it is visible as of T,
in the SQL read models and the in-memory views alike (docs/views.md, "Days and as of T").

A late fact — a PBX catching up the next morning on a call answered late in the evening —
is bucketed by when it happened (``at``) everywhere. As of a T before it was recorded, the
in-memory views do not count it (what was recorded by T); the SQL tables are rewritten as
facts arrive, so they hold what is known now about T: they equal ``views.knowing_now()``."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.readmodels import ProjectionWorker, SqlReadModels
from callcore.domain import call, order
from callcore.domain.common import Actor, Role, Window

CST = timezone(timedelta(hours=8))
EVENING = datetime(2026, 11, 3, 23, 50, tzinfo=CST)
PBX = Actor(Role.INTEGRATION, "pbx")
AGENT = Actor(Role.AGENT, "A07")
WORKER = Actor(Role.FIELD_WORKER, "W002")


def test_a_late_fact_is_bucketed_by_when_it_happened_and_seen_as_of_its_recording(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path}/centre.db"
    clock = ManualClock(EVENING)
    with CallCenter.open(url, clock=clock) as center:
        # Given a call offered at 23:50 on the 3rd and an order placed then, recorded then
        center.handle(call.OfferCall(call_id="c1", queue="hotline", actor=PBX))
        placed = center.handle(order.PlaceOrder(
            registered=False, name="Wang Xiuying", phone="139 1234 5678",
            address="3 East Gate Road", area="DONGMEN",
            lines=(order.OrderLineRequest("LPG-15", 1),),
            delivery_window=Window(EVENING, EVENING + timedelta(hours=1)), actor=AGENT,
        )).first(order.OrderPlaced)
        center.handle(order.AssignOrderWorker(order_id=placed.order_id, worker_id="W002",
                                              actor=AGENT))
        # And the answer at 23:52 and the delivery at 23:55, both recorded at 00:05 on
        # the 4th (the PBX catching up, the worker typing it up at the door)
        clock.set(EVENING + timedelta(minutes=15))
        center.handle(call.AnswerCall(call_id="c1", agent="A01", actor=PBX,
                                      occurred_at=EVENING + timedelta(minutes=2)))
        center.handle(order.RecordDelivery(order_id=placed.order_id, actor=WORKER,
                                           occurred_at=EVENING + timedelta(minutes=5)))
        read_models = SqlReadModels(url)
        ProjectionWorker(center.store, read_models, center.directory).catch_up()
        day = EVENING.date()
        end_of_day = EVENING.replace(hour=23, minute=59, second=59)
        recorded = center.views.daily(day, end_of_day)
        known_now = center.views.knowing_now().daily(day, end_of_day)
        tables = read_models.daily(day)
        assert tables is not None
        # Then every figure buckets the delivery into the 3rd (its at), not the 4th
        assert center.views.knowing_now().daily(day + timedelta(days=1)).totals.delivered == 0
        assert read_models.daily(day + timedelta(days=1)) is None
        # As of the 3rd's end, the in-memory view had not been told of the delivery ...
        assert (recorded.totals.orders, recorded.totals.delivered) == (1, 0)
        # ... knowing now, it was delivered; and the SQL tables say what is known now
        assert (known_now.totals.orders, known_now.totals.delivered) == (1, 1)
        assert tables.totals == known_now.totals
        # and the SQL queue and SLA tables as of T agree with knowing_now() too
        queues = read_models.queues(center.directory, end_of_day)
        assert queues.queues == center.views.knowing_now().queues(end_of_day).queues
        assert queues.queues != center.views.queues(end_of_day).queues
        assert read_models.sla(center.directory, end_of_day).clocks == \
            center.views.knowing_now().sla(end_of_day).clocks
