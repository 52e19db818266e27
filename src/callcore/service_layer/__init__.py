"""The service layer: one door for every command (see ``messagebus.MessageBus``)."""
