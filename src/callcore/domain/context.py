"""What a decision may know besides its state and its command.

Every public decision has one signature, ``decide(state, command, context) -> tuple[Event,
...]``. The context is built by the service layer for each command: when (``now``), who
(``actor``), and the reference data in force — the directory and the business calendar.
Decisions that need more (the customer record a ticket is about, the complaint a
re-complaint repeats) take a typed subclass of it, declared beside the decision.
"""

from __future__ import annotations

from attrs import frozen

from callcore.domain.calendar import BusinessCalendar
from callcore.domain.common import Context
from callcore.domain.directory import Directory


@frozen
class DecisionContext(Context):
    directory: Directory
    calendar: BusinessCalendar
