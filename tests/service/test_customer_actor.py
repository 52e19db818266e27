"""A customer reads what is theirs and sends nothing (service_layer/authority.py).

The command reference listed ``customer`` among the senders of every command: the
object-level policy let that role through, and only the web matrix (which has no
customer tokens) kept customers out. Through the Python API a ``customer:`` actor opened
accounts and lodged complaints in their own name.
"""

from __future__ import annotations

import attrs
import pytest

from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.directory_file import demo_directory
from callcore.domain.common import Actor, Role
from callcore.service_layer import authority
from tests.domain.test_customer import open_wang
from tests.support import AGENT, MONDAY_9AM

CUSTOMER = Actor(Role.CUSTOMER, "C000001")


def test_a_customer_actor_is_refused_and_nothing_is_stored() -> None:
    centre = CallCenter.open("memory://", clock=ManualClock(MONDAY_9AM), directory=demo_directory())
    before = centre.store.last_position()
    with pytest.raises(authority.Forbidden) as refused:
        centre.handle(attrs.evolve(open_wang(), actor=CUSTOMER))
    assert refused.value.rule == authority.CUSTOMERS_READ_ONLY
    assert "customer:C000001 may not send OpenAccount" in refused.value.detail
    assert centre.store.last_position() == before


def test_the_same_command_from_an_agent_is_recorded() -> None:
    centre = CallCenter.open("memory://", clock=ManualClock(MONDAY_9AM), directory=demo_directory())
    assert len(centre.handle(attrs.evolve(open_wang(), actor=AGENT))) > 0
