"""A store written before ``AnswerCall.waited_seconds`` existed: its receipts' digests
lack the field, and re-ingesting the same queue_log must record nothing and refuse
nothing (issue 17: it gave ``command-id-reused`` for every CONNECT)."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import callcore.center
from callcore import CallCenter
from callcore.adapters.clock import ManualClock
from callcore.adapters.converter import CONVERTER, dumps
from callcore.domain import call
from callcore.service_layer.messagebus import CommandIdReused

from .test_queue_log import FIXTURE, T0, ingest


def fingerprint_before_waited_seconds(command: Any) -> str:
    """The fingerprint as callcore computed it before the field was added: the command's
    fields as that version had them (no ``waited_seconds``)."""
    data = CONVERTER.unstructure(command)
    data.pop("command_id", None)
    if data.get("correction") is None:
        data.pop("correction", None)
    if isinstance(command, call.AnswerCall):
        data.pop("waited_seconds", None)
    return hashlib.sha256(dumps([type(command).__name__, data])).hexdigest()[:32]


def _old_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/old.db"
    with monkeypatch.context() as patch:
        patch.setattr(callcore.center, "fingerprint", fingerprint_before_waited_seconds)
        with CallCenter.open(url, clock=ManualClock(T0 + timedelta(hours=6))) as center:
            feed = ingest(center, FIXTURE)
            assert feed.report.recorded > 0 and not feed.report.refused
    return url


def test_re_ingesting_an_old_stores_log_records_nothing_and_refuses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    url = _old_store(tmp_path, monkeypatch)
    with CallCenter.open(url, clock=ManualClock(T0 + timedelta(hours=6))) as center:
        before = sum(1 for _ in center.store.read_all())
        feed = ingest(center, FIXTURE)
        assert not feed.report.refused, feed.report.summary()
        assert feed.report.recorded == 0
        assert sum(1 for _ in center.store.read_all()) == before


def test_an_old_receipt_matches_the_command_at_its_default_and_a_new_receipt_still_guards(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    url = _old_store(tmp_path, monkeypatch)
    offer = call.OfferCall(command_id="t:offer", call_id="T1", queue="hotline",
                           occurred_at=T0)
    answer = call.AnswerCall(command_id="t:answer", call_id="T1", agent="1001",
                             occurred_at=T0)
    with monkeypatch.context() as patch:
        patch.setattr(callcore.center, "fingerprint", fingerprint_before_waited_seconds)
        with CallCenter.open(url, clock=ManualClock(T0 + timedelta(hours=6))) as center:
            center.handle(offer)
            center.handle(answer)
    with CallCenter.open(url, clock=ManualClock(T0 + timedelta(hours=6))) as center:
        assert center.handle(answer).repeated
        # a receipt stored today carries the field: another wait under its id conflicts
        center.handle(call.OfferCall(command_id="t:offer2", call_id="T2", queue="hotline",
                                     occurred_at=T0))
        center.handle(call.AnswerCall(command_id="t:answer2", call_id="T2", agent="1001",
                                      occurred_at=T0))
        with pytest.raises(CommandIdReused):
            center.handle(call.AnswerCall(command_id="t:answer2", call_id="T2", agent="1001",
                                          occurred_at=T0, waited_seconds=9.0))
        with pytest.raises(CommandIdReused):
            center.handle(call.AnswerCall(command_id="t:answer", call_id="T1", agent="1002",
                                          occurred_at=T0))
