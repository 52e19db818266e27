"""Handlers of the Call commands (domain.md §4.6)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from callcore.domain import call
from callcore.domain.common import Event
from callcore.service_layer.handlers.registry import handles, on_one_stream
from callcore.service_layer.unit_of_work import UnitOfWork


def _on_call(
    uow: UnitOfWork, call_id: str, decide: Callable[[call.State], tuple[Event, ...]]
) -> None:
    uow.decide(call.FOLD, call.stream_id(call_id), decide)


def _call_stream(command: Any) -> str:
    return call.stream_id(command.call_id)


for _command, _decision in (
    (call.RingAgent, call.ring),
    (call.RecordRingNoAnswer, call.ring_no_answer),
    (call.AbandonCall, call.abandon),
    (call.TimeOutCall, call.time_out),
    (call.TransferCall, call.transfer),
    (call.CompleteCall, call.complete),
    (call.LinkCall, call.link),
    (call.RecordNoAnswer, call.not_reached),
    (call.RecordFollowUp, call.record_follow_up),
    (call.ConfirmFollowUpResolution, call.confirm_resolution),
):
    on_one_stream(_command, call.FOLD, _call_stream, _decision)


@handles(call.OfferCall)
def offer_call(uow: UnitOfWork, command: call.OfferCall) -> None:
    _on_call(
        uow,
        command.call_id,
        lambda s: call.offer(s, command, uow.context, uow.directory, uow.calendar),
    )


@handles(call.AnswerCall)
def answer_call(uow: UnitOfWork, command: call.AnswerCall) -> None:
    _on_call(uow, command.call_id, lambda s: call.answer(s, command, uow.context, uow.directory))


@handles(call.SendToVoicemail)
def send_to_voicemail(uow: UnitOfWork, command: call.SendToVoicemail) -> None:
    _on_call(
        uow, command.call_id, lambda s: call.to_voicemail(s, command, uow.context, uow.calendar)
    )


@handles(call.PlaceOutboundCall)
def place_outbound_call(uow: UnitOfWork, command: call.PlaceOutboundCall) -> None:
    _on_call(
        uow, command.call_id, lambda s: call.place_outbound(s, command, uow.context, uow.directory)
    )


@handles(call.RelayFollowUpProblem)
def relay_follow_up_problem(uow: UnitOfWork, command: call.RelayFollowUpProblem) -> None:
    _on_call(
        uow, command.call_id, lambda s: call.relay_problem(s, command, uow.context, uow.directory)
    )
