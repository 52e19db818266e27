"""The horizon of a command's values (domain.md §6): every instant, day and number a
caller sets lies within bounds a call centre can mean.

Back-dating (``callcore.domain.backdating``) bounds *when a fact happened*; this bounds
the other times a command carries — delivery and pickup windows, appointments, a
promised callback, a committed reply, a follow-up's call-again time, the day installs are
planned — and its numbers. Without it a delivery window ending 9999-12-31 was stored, and
every view that rendered the order in the centre's zone failed (year 10000).

* An instant is at most :data:`AHEAD` (366 days) after the command's own time (its
  ``occurred_at``, or the centre's clock when it carries none): nobody books a delivery or
  promises a callback more than a year ahead.
* It is at most the actor's back-dating bound before it, and never less than
  :data:`BEHIND_AT_LEAST` (a day): a window of today that began this morning is taken;
  an integration back-filling a day of appointments gets its own bound.
* A count (a quantity, a rating, a queue position) is at most :data:`COUNT_MAX`, a
  duration in seconds (a ring, a wait) a finite number of at most :data:`SECONDS_MAX`.

A value outside is refused with :data:`WITHIN_HORIZON` or :data:`WITHIN_NUMBER_BOUNDS`,
naming the field and the bound; nothing is stored. Everything here is pure.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Final

import attrs

from callcore.domain.common import Command, DomainError, Rule
from callcore.domain.directory import Directory, SlaPolicy

AHEAD: Final = timedelta(days=366)
"""How far after the command's time an instant it carries may lie."""
BEHIND_AT_LEAST: Final = timedelta(days=1)
"""How far before it an instant may always lie, whatever the actor's back-dating bound."""
COUNT_MAX: Final = 1_000_000
"""The largest count a command may carry: no order has a million cylinders."""
SECONDS_MAX: Final = 86_400.0
"""The longest duration in seconds: no ring, wait or talk lasts a day."""

WITHIN_HORIZON = Rule(
    "instant-within-horizon",
    "domain.md §6, the horizon: an instant a command carries lies at most a year after "
    "its time and no further before it than its actor may back-date (at least a day)",
)
WITHIN_NUMBER_BOUNDS = Rule(
    "number-within-bounds",
    "domain.md §6, the horizon: counts at most 1,000,000, seconds finite and at most a day",
)

SET_ELSEWHERE: Final = frozenset({"command_id", "actor", "occurred_at", "correction"})
"""Fields bounded by their own rules (``occurred_at`` by back-dating)."""
REFERENCE_DATA: Final = (Directory, SlaPolicy)
"""Values with a history of their own (a price list effective since years), checked when
the directory is read: not a caller's instant about this command's work."""


def values(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every instant, day and number inside ``value`` (an attrs instance, nested ones and
    tuples included), with its dotted path (``lines[0].quantity``)."""
    if isinstance(value, REFERENCE_DATA):
        return
    if attrs.has(type(value)):
        for field in attrs.fields(type(value)):
            if not path and field.name in SET_ELSEWHERE:
                continue
            item = getattr(value, field.name)
            # most of a command is text (ids, names, notes, text enums) or unset: nothing
            # to bound, and building its path was most of this check's time (issue 21)
            if item is None or isinstance(item, str):
                continue
            yield from values(item, f"{path}.{field.name}".lstrip("."))
    elif isinstance(value, tuple | list | frozenset):
        for index, item in enumerate(value):
            yield from values(item, f"{path}[{index}]")
    elif isinstance(value, datetime | date | Decimal | float) or (
        isinstance(value, int) and not isinstance(value, bool)
    ):
        yield path, value


def check_command_values(command: Command, when: datetime, behind: timedelta | None) -> None:
    """Refuse ``command`` if an instant it carries is off the horizon around ``when`` (its
    time), or a number out of bounds. ``behind`` is the actor's back-dating bound
    (``None``: unbounded, the centre's own processes, still at least a day)."""
    earliest = when - max(behind or BEHIND_AT_LEAST, BEHIND_AT_LEAST)
    latest = when + AHEAD
    name = type(command).__name__
    for path, value in values(command):
        if isinstance(value, datetime):
            if not earliest <= value <= latest:
                raise DomainError(
                    WITHIN_HORIZON,
                    f"{path}: {name} sets {value.isoformat()}, outside "
                    f"{earliest.isoformat()} .. {latest.isoformat()} (at most 366 days "
                    f"after the command's time {when.isoformat()}, and no further before "
                    "it than its actor may back-date, at least a day)",
                )
        elif isinstance(value, date):
            if not earliest.date() <= value <= latest.date():
                raise DomainError(
                    WITHIN_HORIZON,
                    f"{path}: {name} sets the day {value.isoformat()}, outside "
                    f"{earliest.date().isoformat()} .. {latest.date().isoformat()} (at "
                    "most 366 days after the command's time)",
                )
        elif isinstance(value, int):
            if abs(value) > COUNT_MAX:
                raise DomainError(
                    WITHIN_NUMBER_BOUNDS,
                    f"{path}: {value} is more than any count a command carries "
                    f"(at most {COUNT_MAX:,})",
                )
        elif isinstance(value, float):
            if not math.isfinite(value) or abs(value) > SECONDS_MAX:
                raise DomainError(
                    WITHIN_NUMBER_BOUNDS,
                    f"{path}: {value} is not a duration a call centre measures "
                    f"(a finite number of seconds, at most {SECONDS_MAX:,.0f})",
                )
        elif not value.is_finite() or abs(value) > COUNT_MAX * 100:
            raise DomainError(
                WITHIN_NUMBER_BOUNDS,
                f"{path}: {value} is not an amount of money a command carries",
            )
