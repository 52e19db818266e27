"""Handlers of the call commands."""
