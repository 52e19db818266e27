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


def call_follow_up(s: Scenario, n: int, reached: bool, **answers: object) -> None:
    from callcore.domain import call

    s.given(
        call.PlaceOutboundCall(
            call_id=f"f{n}",
            agent="A02",
            phone="13800001111",
            purpose=call.Purpose.FOLLOW_UP,
            subject="order-O0",
        )
    )
    s.given(
        call.AnswerCall(call_id=f"f{n}", agent="A02")
        if reached
        else call.RecordNoAnswer(call_id=f"f{n}")
    )
    s.given(call.RecordFollowUp(call_id=f"f{n}", reached=reached, **answers))  # type: ignore[arg-type]


def test_an_unreached_follow_up_pauses_its_clock_until_the_customer_can_be_called() -> None:
    from callcore.adapters.notifiers import RecordingNotifier
    from callcore.projections.sla import ClockStatus

    s = deliveries(1)
    notifier = RecordingNotifier()
    retries = s.center.follow_up_retry_process(notifier)
    s.clock.set(at(26, 7))  # day 3 morning: a child answers, call again tomorrow at 18:00
    call_follow_up(s, 1, reached=False, call_again_at=at(27, 18))
    retries.run_once()
    s.clock.set(at(27, 18, 5))
    retries.run_once()  # the clock resumes at 18:00
    call_follow_up(s, 2, reached=True, attitude=5)
    row = next(r for r in s.center.views.sla().clocks if r.clock == "post-purchase-follow-up-1")
    # due day 3 at 08:00, moved by the 35 h pause (07:00 → 18:00 next day): met at 18:05
    assert row.paused_seconds == 35 * 3600
    assert row.state is ClockStatus.MET


def test_after_the_last_attempt_the_follow_up_is_given_up_and_the_supervisor_told() -> None:
    from callcore.adapters.notifiers import RecordingNotifier

    s = deliveries(1)
    notifier = RecordingNotifier()
    retries = s.center.follow_up_retry_process(notifier)
    for attempt in range(3):
        s.clock.set(at(24 + attempt, 10))
        call_follow_up(s, attempt, reached=False)
        retries.run_once()
        s.clock.set(at(24 + attempt, 13))
        retries.run_once()
    assert [(n.recipient, n.subject) for n in notifier.sent] == [
        ("supervisor", "Follow-up given up: order-O0")
    ]
