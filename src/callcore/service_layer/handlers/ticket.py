"""Handlers of the ticket commands."""
