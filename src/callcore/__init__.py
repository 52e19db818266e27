"""callcore: an event-sourced domain library for customer-service call centres.

Everything a team needs is importable from here: :class:`CallCenter` (``CallCenter.open``
and ``cc.handle(command)``), every command with the values and enums its fields take
(also grouped in :mod:`callcore.commands`), the clock and notifier to test with
(:class:`ManualClock`, :class:`RecordingNotifier`), and :class:`Views` (the view types are
in :mod:`callcore.views`). The events the commands record, for
``outcome.first(TicketOpened)``, are in :mod:`callcore.events`. The reference of every
command is docs/commands.md.
"""

from callcore import commands, events  # noqa: F401  (callcore.events is public)
from callcore.adapters.clock import ManualClock
from callcore.adapters.notifiers import RecordingNotifier
from callcore.center import CallCenter, UnknownStream
from callcore.commands import *  # noqa: F403  (the commands are the public API; see __all__)
from callcore.domain.common import DomainError, NotFound, Rule
from callcore.service_layer.messagebus import CommandIdReused, ConcurrencyConflict, Outcome
from callcore.views import Views

__all__ = [
    "CallCenter",
    "CommandIdReused",
    "ConcurrencyConflict",
    "DomainError",
    "ManualClock",
    "NotFound",
    "Outcome",
    "RecordingNotifier",
    "Rule",
    "UnknownStream",
    "Views",
    *commands.__all__,
]
__version__ = "0.1.0"
