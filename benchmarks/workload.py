"""The realistic command mix the write benchmarks (P1, P7) run, and its twin for the
baselines.

One *case* is an inquiry that cannot be answered on the spot — the commonest piece of
written-down work in the manuals: the ticket is opened, a callback promised, the ticket
transferred to a department, the department's reply recorded and passed on, the ticket
resolved. Every tenth case also opens an account (a customer number from the sequence
stream, in the same transaction) and changes its phone number. Each command loads its
streams, decides and appends: load + decide + append, one transaction per command.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from callcore.adapters.clock import ManualClock
from callcore.domain import customer, ticket
from callcore.domain.common import Actor, Command, Contact, Role

AGENT = Actor(Role.AGENT, "A01")
START = datetime.fromisoformat("2026-11-24T09:00:00+08:00")
COMMANDS_PER_CASE = 6  # plus 2 for every tenth case


def ticket_case(ticket_id: str, now: datetime) -> list[Command]:
    return [
        ticket.OpenTicket(
            ticket_id=ticket_id,
            category=ticket.Category.INQUIRY,
            caller=Contact("Wang Fang", "13912345678"),
            description="Why is this month's gas bill higher?",
            actor=AGENT,
        ),
        ticket.PromiseCallback(
            ticket_id=ticket_id,
            phone="13912345678",
            reply_due=now + timedelta(hours=2),
            actor=AGENT,
        ),
        ticket.TransferTicket(
            ticket_id=ticket_id, department="BUSINESS", note="Check the reading", actor=AGENT
        ),
        ticket.RecordDepartmentReply(
            ticket_id=ticket_id, reply="Estimated reading corrected", actor=AGENT
        ),
        ticket.ReplyToCustomer(ticket_id=ticket_id, reply="Told the caller", actor=AGENT),
        ticket.ResolveTicket(
            ticket_id=ticket_id, cause="Estimated reading", solution="Corrected", actor=AGENT
        ),
    ]


def commands(cases: int, prefix: str, clock: ManualClock) -> Iterator[Command | str]:
    """The mix; the string ``"change-phone"`` stands for a change of the account just
    opened (its number is known only once it is opened)."""
    for n in range(cases):
        clock.advance(seconds=30)
        yield from ticket_case(f"T-{prefix}{n:06d}", clock.now())
        if n % 10 == 0:
            yield customer.OpenAccount(
                name="Zhao Lei",
                phone="13812345678",
                address=f"{n} Dongmen Road",
                area="DONGMEN",
                actor=AGENT,
            )
            yield "change-phone"


def run_mix(center: object, cases: int, prefix: str, clock: ManualClock) -> int:
    """Run the mix through ``center.handle``; returns how many commands were handled."""
    handle = center.handle  # type: ignore[attr-defined]
    last_customer = ""
    count = 0
    for command in commands(cases, prefix, clock):
        if command == "change-phone":
            command = customer.ChangeContactDetails(
                customer_number=last_customer, phone="13987654321", actor=AGENT
            )
        outcome = handle(command)
        if isinstance(command, customer.OpenAccount):
            last_customer = outcome.first(customer.AccountOpened).customer_number
        count += 1
    return count
