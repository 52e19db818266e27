"""What every aggregate's Hypothesis state machine checks after each step."""

from __future__ import annotations

from typing import Any

from callcore import CallCenter
from callcore.domain import AGGREGATES
from callcore.domain.common import Fold
from callcore.service_layer.messagebus import Outcome

FOLDS: dict[str, Fold[Any]] = {fold.kind: fold for fold in AGGREGATES}


class StreamLedger:
    """Keeps, per stream, the state obtained by folding each outcome's events onto the
    previous state — independently of the store — and compares it with the store."""

    def __init__(self) -> None:
        self.states: dict[str, Any] = {}
        self.versions: dict[str, int] = {}

    def apply(self, outcome: Outcome) -> None:
        for record in outcome.recorded:
            kind = record.stream.partition("-")[0]
            fold = FOLDS[kind]
            assert record.version == self.versions.get(record.stream, 0) + 1, (
                f"{record.stream} jumped from {self.versions.get(record.stream, 0)} "
                f"to {record.version}"
            )
            self.states[record.stream] = fold.evolve(
                self.states.get(record.stream, fold.initial), record.event
            )
            self.versions[record.stream] = record.version

    def check(self, center: CallCenter) -> None:
        for stream, state in self.states.items():
            records = center.store.read_stream(stream)
            assert [r.version for r in records] == list(range(1, len(records) + 1)), (
                f"{stream} has version gaps"
            )
            assert len(records) == self.versions[stream]
            fold = FOLDS[stream.partition("-")[0]]
            assert fold.fold(r.event for r in records) == state, f"{stream}: store ≠ state"
