"""Time zones by name, each built once (the directory and the calendar both need them;
neither imports the other for it)."""

from __future__ import annotations

import functools
from zoneinfo import ZoneInfo


@functools.cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
