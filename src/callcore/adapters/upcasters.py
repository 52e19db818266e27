"""Upcasters: old shapes of events, read as the current ones (interfaces.md §3).

Events are never rewritten: a store or a log keeps every event in the shape it was
recorded in, with that shape's ``schema`` number. When an event's shape changes, its
class gets the next ``schema`` number and this module an upcaster from the previous
one — a pure function of the stored ``data`` object (``at`` and ``actor`` included) —
so that the store and ``callcore import``/``replay`` read every old event as the current
class. Upcasters chain: schema 1 → 2 → 3 …

The golden logs in ``tests/golden`` were written before any change and must keep
replaying to the views recorded for them; they fail when an upcaster is missing or
wrong.

History of changes:

* ``FollowUpRecorded`` 1 → 2: ``not_reached`` says why a follow-up did not reach the
  customer (domain.md §7: no answer, or only a child at home). Schema 1 had only
  ``reached`` and ``call_again_at``; only someone who answered could be told when we
  would call again, so an unreached call with a ``call_again_at`` was a child at home.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Data = dict[str, Any]


def _follow_up_recorded_1(data: Data) -> Data:
    reached = data.get("reached", False)
    if reached:
        why = None
    elif data.get("call_again_at") is not None:
        why = "child-at-home"
    else:
        why = "no-answer"
    return {**data, "not_reached": why}


UPCASTERS: dict[tuple[str, int], Callable[[Data], Data]] = {
    ("FollowUpRecorded", 1): _follow_up_recorded_1,
}
"""(event type, schema) → the function that turns that schema's data into the next's."""


class NewerSchema(ValueError):
    """An event written by a newer callcore than this one."""


def upcast(type_name: str, schema: int, current: int, data: Data) -> Data:
    """``data`` of ``type_name`` at ``schema``, brought to ``current``."""
    if schema > current:
        raise NewerSchema(
            f"{type_name} schema {schema} was written by a newer callcore (this one reads "
            f"up to schema {current}); upgrade callcore"
        )
    while schema < current:
        step = UPCASTERS.get((type_name, schema))
        if step is None:
            raise ValueError(f"no upcaster for {type_name} from schema {schema}")
        data = step(data)
        schema += 1
    return data
