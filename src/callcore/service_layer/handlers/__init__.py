"""Command handlers, one module per aggregate. The composition root wires them into a
:class:`~callcore.service_layer.handlers.table.HandlerTable`
(:func:`callcore.service_layer.bootstrap.handler_table`)."""
