"""Issue 20 (4): ``cc.history`` finds a record's stream from its id alone and refuses a
stream the store does not hold, naming the nearest ones it does."""

from __future__ import annotations

import pytest

from callcore.center import UnknownStream
from callcore.domain import customer, ticket
from callcore.domain.common import Contact, NotFound
from tests.support import AGENT, Scenario, at


def story() -> tuple[Scenario, str]:
    s = Scenario(start=at(23, 9))
    opened = s.center.handle(
        ticket.OpenTicket(
            category=ticket.Category.INQUIRY,
            caller=Contact("Wang", "13912345678"),
            description="bill",
            actor=AGENT,
        )
    )
    return s, opened.first(ticket.TicketOpened).ticket_id


def test_a_records_id_alone_finds_its_stream() -> None:
    s, t = story()
    by_stream = s.center.history(f"ticket-{t}")
    assert by_stream and s.center.history(t) == by_stream
    assert by_stream[0].stream == f"ticket-{t}"


def test_a_customers_number_alone_finds_the_customers_stream() -> None:
    s = Scenario(start=at(23, 9))
    opened = s.center.handle(
        customer.OpenAccount(
            name="Wang",
            phone="13912345678",
            address="1 Dongmen Road",
            area="DONGMEN",
            actor=AGENT,
        )
    )
    number = opened.first(customer.AccountOpened).customer_number
    assert s.center.history(number) == s.center.history(customer.stream_id(number))


def test_an_unknown_stream_names_the_nearest_ones() -> None:
    s, t = story()
    typo = f"ticket-{t[:-1]}"
    with pytest.raises(UnknownStream, match=f"no stream '{typo}'; did you mean") as raised:
        s.center.history(typo)
    assert raised.value.nearest[0] == f"ticket-{t}"
    assert isinstance(raised.value, NotFound)  # the domain's "must-exist" error
    with pytest.raises(UnknownStream) as by_id:
        s.center.history(t[:-1] + "Z")  # a mistyped id alone
    assert f"ticket-{t}" in by_id.value.nearest


def test_a_stream_like_none_is_said_so() -> None:
    s, _ = story()
    with pytest.raises(UnknownStream, match="none of the store's streams is like it") as raised:
        s.center.history("zzzz-9999")
    assert raised.value.nearest == ()
