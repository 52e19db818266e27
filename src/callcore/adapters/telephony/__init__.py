"""Telephony sources (interfaces.md §6): a PBX's call events become commands on the Call
aggregate. Each source is a parser plus a translator; :class:`~.feed.Feed` hands the
commands to a centre and counts what happened to them."""

from callcore.adapters.telephony.feed import Feed, FeedReport, Rejection

__all__ = ["Feed", "FeedReport", "Rejection"]
