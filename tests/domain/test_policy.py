"""The SLA policy in force is recorded when it changes (domain.md §6 "policy changes").

Given the policy a store last recorded, when a centre opens with a policy, then a new
``SlaPolicyAdopted`` is recorded only when the clocks would be timed differently."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs

from callcore.domain import policy
from callcore.domain.common import Actor, Context, Role
from callcore.domain.directory import DEFAULT_TARGETS, ClockTarget, SlaPolicy

NOW = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
SYSTEM = Actor(Role.SYSTEM, "callcore")


def adopted(recorded: SlaPolicy | None, given: SlaPolicy) -> tuple[object, ...]:
    state = policy.State(recorded)
    return policy.adopt_sla_policy(state, policy.AdoptSlaPolicy(policy=given), Context(NOW, SYSTEM))


def test_a_policy_written_in_rings_is_the_same_as_one_written_in_seconds() -> None:
    # Stores recorded before targets["answer"] was honoured wrote the rings and left the
    # seconds out; the default now gives neither: both mean three rings of five seconds.
    before = SlaPolicy(
        answer_rings=3, targets={k: v for k, v in DEFAULT_TARGETS.items() if k != "answer"}
    )
    assert adopted(before, SlaPolicy()) == ()
    in_seconds = SlaPolicy(targets={**DEFAULT_TARGETS, "answer": ClockTarget(15)})
    assert adopted(SlaPolicy(answer_rings=3), in_seconds) == ()


def test_another_answer_target_or_version_is_a_new_policy() -> None:
    four_rings = SlaPolicy(answer_rings=4)
    (event,) = adopted(SlaPolicy(), four_rings)
    assert isinstance(event, policy.SlaPolicyAdopted) and event.policy == four_rings
    assert len(adopted(SlaPolicy(), attrs.evolve(SlaPolicy(), version="lpg-2"))) == 1
    assert len(adopted(None, SlaPolicy())) == 1
