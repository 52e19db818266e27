"""Handlers of the complaint commands."""
