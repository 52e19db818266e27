"""A writer for the concurrency tests, importable by spawned processes."""

from __future__ import annotations

from callcore import CallCenter, ConcurrencyConflict
from callcore.domain.customer import ChangeContactDetails, OpenAccount

AREAS = ("DONGMEN", "XIHU", "BEIZHAN", "HUAYUAN")


def write(url: str, writer: int, rounds: int, shared_customers: int) -> list[tuple[str, int]]:
    """Open accounts (all writers contend for the customer-number sequence), change the
    same few customers' areas, and deliver shared command ids that every writer sends too.
    Returns the (stream, version) of every event this writer's own outcomes recorded."""
    recorded: list[tuple[str, int]] = []
    with CallCenter.open(url) as center:
        center.bus.max_attempts = 50
        for round_ in range(rounds):
            commands = [
                OpenAccount(
                    name=f"Writer {writer} #{round_}",
                    phone="13912345678",
                    address=f"{writer} Road",
                    area=AREAS[round_ % 4],
                ),
                ChangeContactDetails(
                    customer_number=f"C{1 + round_ % shared_customers:06d}",
                    area=AREAS[(round_ + writer) % 4],
                ),
                # the same id from every writer: exactly one of them may record it
                ChangeContactDetails(
                    command_id=f"shared-{round_}",
                    customer_number=f"C{1 + round_ % shared_customers:06d}",
                    address=f"shared address {round_}",
                ),
            ]
            for command in commands:
                try:
                    outcome = center.handle(command)
                except ConcurrencyConflict:
                    continue
                if not outcome.repeated:
                    recorded.extend((r.stream, r.version) for r in outcome.recorded)
    return recorded
