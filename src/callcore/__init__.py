"""callcore: an event-sourced domain library for customer-service call centres."""

from callcore.center import CallCenter
from callcore.domain.common import Actor, DomainError, NotFound, Role, Rule, Window
from callcore.service_layer.messagebus import CommandIdReused, ConcurrencyConflict, Outcome

__all__ = [
    "Actor",
    "CallCenter",
    "CommandIdReused",
    "ConcurrencyConflict",
    "DomainError",
    "NotFound",
    "Outcome",
    "Role",
    "Rule",
    "Window",
]
__version__ = "0.1.0"
