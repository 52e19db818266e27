"""Command handlers, one module per aggregate. Importing this package registers them."""

from callcore.service_layer.handlers import (  # noqa: F401  (registration side effect)
    agent,
    call,
    clocks,
    complaint,
    customer,
    dispatch,
    order,
    ticket,
)
from callcore.service_layer.handlers.registry import HANDLERS, handles

__all__ = ["HANDLERS", "handles"]
