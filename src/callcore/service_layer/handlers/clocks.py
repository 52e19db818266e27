"""Pausing and resuming the SLA clocks of any record (domain.md §6)."""

from __future__ import annotations

from typing import Any

from callcore.domain import AGGREGATES
from callcore.domain.common import (
    EXISTS,
    NOT_PAUSED,
    PAUSE_ON_RECORD,
    ClockPaused,
    ClockResumed,
    DomainError,
    Fold,
    NotFound,
    PauseClocks,
    ResumeClocks,
    stream_kind,
)
from callcore.service_layer.unit_of_work import UnitOfWork

PAUSABLE = ("ticket", "complaint", "dispatch", "order", "call")


def _fold_of(stream: str) -> Fold[Any]:
    kind = stream_kind(stream)
    if kind not in PAUSABLE:
        raise DomainError(
            PAUSE_ON_RECORD, f"{stream!r} is not a ticket, complaint, dispatch, order or call"
        )
    return next(fold for fold in AGGREGATES if fold.kind == kind)


def _paused(uow: UnitOfWork, stream: str) -> bool:
    records = uow.store.read_stream(stream)
    state = False
    for record in records:
        if isinstance(record.event, ClockPaused):
            state = True
        elif isinstance(record.event, ClockResumed):
            state = False
    return state


def pause_clocks(uow: UnitOfWork, command: PauseClocks) -> None:
    fold = _fold_of(command.stream)
    if not uow.exists(fold, command.stream):
        raise NotFound(EXISTS, f"no record {command.stream!r}")
    if _paused(uow, command.stream):
        return
    event = ClockPaused(
        at=uow.now, actor=uow.context.actor, reason=command.reason, clocks=command.clocks
    )
    uow.record(fold, command.stream, (event,))


def resume_clocks(uow: UnitOfWork, command: ResumeClocks) -> None:
    fold = _fold_of(command.stream)
    if not uow.exists(fold, command.stream):
        raise NotFound(EXISTS, f"no record {command.stream!r}")
    if not _paused(uow, command.stream):
        raise DomainError(NOT_PAUSED, f"the clocks of {command.stream} are not paused")
    event = ClockResumed(at=uow.now, actor=uow.context.actor, clocks=command.clocks)
    uow.record(fold, command.stream, (event,))
