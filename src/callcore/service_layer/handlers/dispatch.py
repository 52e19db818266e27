"""Handlers of the dispatch commands."""
