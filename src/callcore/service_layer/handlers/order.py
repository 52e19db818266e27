"""Handlers of the order commands."""
