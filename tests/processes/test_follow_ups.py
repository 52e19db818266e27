"""Follow-up calls scheduled as work, and the seeded daily sample (domain.md §5)."""

from __future__ import annotations

from datetime import timedelta

import attrs

from callcore.domain import customer, order
from callcore.domain.common import Window
from callcore.projections.follow_ups import FollowUps, picked
from tests.support import Scenario, at


def deliveries(n: int) -> Scenario:
    s = Scenario(start=at(23, 8))
    s.given(customer.OpenAccount(name="New", phone="13912345678", address="1 Road", area="XIHU"))
    for k in range(n):
        s.given(
            order.PlaceOrder(
                order_id=f"O{k}",
                registered=False,
                name="Li",
                phone="13800001111",
                address="x",
                area="XIHU",
                lines=(order.OrderLineRequest("LPG-15", 1),),
                delivery_window=Window(at(23, 10), at(23, 12)),
            ),
            order.AssignOrderWorker(order_id=f"O{k}", worker_id=("W004", "W005")[k % 2]),
            order.RecordDelivery(order_id=f"O{k}"),
        )
    return s


def test_the_work_list_shows_the_next_follow_up_of_each_purchase() -> None:
    s = deliveries(2)
    work = s.center.views.follow_ups(at=at(24, 9))
    assert [(w.clock, w.subject) for w in work] == [
        ("post-purchase-follow-up-1", "order-O0"),
        ("post-purchase-follow-up-1", "order-O1"),
    ]
    assert work[0].due_at == at(23, 8) + timedelta(days=3)


def test_every_new_account_is_sampled_and_the_sample_is_reproducible() -> None:
    s = deliveries(20)  # two delivery workers in Xihu: 12 + 10 a day at most
    first = s.center.views.follow_up_sample(at(23, 0).date())
    again = (
        FollowUps(s.directory)
        .apply_all(p.recorded for p in s.center.store.read_all())
        .sample(at(23, 0).date())
    )
    assert first == again
    assert [x.subject for x in first if x.reason == "new-account"] == ["customer-C000001"]
    sampled = [x for x in first if x.reason == "sampled"]
    assert 0 < len(sampled) < 20  # about a fifth of twenty
    other_seed = attrs.evolve(
        s.directory, follow_ups=attrs.evolve(s.directory.follow_ups, sample_seed="another")
    )
    differently = (
        FollowUps(other_seed)
        .apply_all(p.recorded for p in s.center.store.read_all())
        .sample(at(23, 0).date())
    )
    assert differently != first


def test_the_draw_is_close_to_the_share() -> None:
    hits = sum(picked("s", at(23, 0).date(), f"order-O{k}", 0.2) for k in range(5000))
    assert 900 < hits < 1100
