"""The SLA fold's handler table is explicit: built by ``sla_handlers()``, given to each
``SlaClocks``, never filled by a decorator's import-time side effect."""

from __future__ import annotations

from datetime import timedelta

from callcore.domain import AGGREGATES, ticket
from callcore.domain.common import CLOCK_EVENTS, Contact
from callcore.domain.policy import SlaPolicyAdopted
from callcore.projections import sla
from callcore.projections.sla import SlaClocks, SlaHandlers, sla_handlers
from tests.support import AGENT, Scenario, at

CALLER = Contact("Wang Xiuying", "139 1234 5678")


def test_the_built_in_table_names_only_recorded_events() -> None:
    recorded = {e for fold in AGGREGATES for e in fold.events} | set(CLOCK_EVENTS)
    table = sla_handlers()
    assert SlaPolicyAdopted in table.event_types()
    assert table.event_types() <= recorded
    assert not hasattr(sla, "_HANDLERS")
    assert not hasattr(sla, "register_handlers")


def test_a_fold_uses_the_table_it_is_given() -> None:
    s = Scenario(start=at(23, 9))
    opened = s.center.handle(
        ticket.OpenTicket(
            category=ticket.Category.INQUIRY, caller=CALLER, description="Bill", actor=AGENT
        )
    )
    s.given(
        ticket.PromiseCallback(
            ticket_id=opened.first(ticket.TicketOpened).ticket_id,
            phone="13912345678",
            reply_due=s.clock.now() + timedelta(hours=2),
            actor=AGENT,
        )
    )
    records = [p.recorded for p in s.center.store.read_all()]
    seen: list[str] = []

    def note_opened(fold: SlaClocks, subject: str, event: ticket.TicketOpened) -> None:
        seen.append(subject)

    custom = SlaClocks(s.directory, handlers=SlaHandlers().add(ticket.TicketOpened, note_opened))
    custom.apply_all(records)
    assert len(seen) == 1 and seen[0].startswith("ticket-")
    assert custom.view(at(23, 9) + timedelta(minutes=1)).clocks == ()

    built_in = SlaClocks(s.directory)
    built_in.apply_all(records)
    assert seen == [seen[0]]  # the custom handler is not in the built-in table
    assert built_in.view(at(23, 9) + timedelta(minutes=1)).clocks != ()
