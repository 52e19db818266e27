"""Twilio voice webhooks: incoming calls, status callbacks, ``<Enqueue>`` results,
the agent's dequeue and ``<Record>`` voicemails, as Call commands.

* Every request's ``X-Twilio-Signature`` is checked: base64(HMAC-SHA1(auth token, the
  full URL Twilio requested + each POST parameter's name and value, names sorted)),
  with and without the port, as Twilio's own validator does. Bad or missing: 403,
  nothing recorded. The URL is the *public* one Twilio was given (``--public-url``):
  behind a proxy the server sees another.
* Status callbacks can arrive out of order: they are applied in ``SequenceNumber``
  order per call; one that arrives early waits for those before it (at most
  ``gap_seconds``, then the rest are applied in order anyway). Events are stamped with
  the callback's ``Timestamp``.
* Answered, for the queue, means an agent dequeued the caller: the agent's
  ``<Dial><Queue url=".../dequeue?agent=A07">`` request. ``in-progress`` on the caller's
  leg only means Twilio picked up to play the queue.
* Command ids are ``twilio:<CallSid>:<fact>``: a re-delivered webhook records nothing.

A redelivery after a restart is recognised from the store (the web app stamps an
already-handled command as first recorded). The ordering buffer lives in the server's
memory: callbacks waiting in it when the
server stops are lost (Twilio does not redeliver a callback that was answered 204).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit
from xml.sax.saxutils import escape, quoteattr

import attrs
from attrs import frozen

from callcore.domain import call, ticket
from callcore.domain.common import Actor, Command, Contact, Role

TWILIO: Final = Actor(Role.INTEGRATION, "twilio")


def signature(auth_token: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    values: dict[str, set[str]] = {}
    for name, value in params:
        values.setdefault(name, set()).add(value)
    text = url + "".join(name + value for name in sorted(values) for value in sorted(values[name]))
    digest = hmac.new(auth_token.encode(), text.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _with_and_without_port(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    default = 443 if parts.scheme == "https" else 80
    netloc_without = host
    netloc_with = f"{host}:{parts.port or default}"
    if parts.username:
        credentials = parts.username + (f":{parts.password}" if parts.password else "") + "@"
        netloc_without, netloc_with = credentials + netloc_without, credentials + netloc_with
    return (
        urlunsplit(parts._replace(netloc=netloc_without)),
        urlunsplit(parts._replace(netloc=netloc_with)),
    )


def valid_signature(
    auth_token: str, url: str, params: Iterable[tuple[str, str]], given: str | None
) -> bool:
    if not given:
        return False
    pairs = list(params)
    return any(
        hmac.compare_digest(signature(auth_token, candidate, pairs), given)
        for candidate in _with_and_without_port(url)
    )


@frozen
class TwilioSettings:
    auth_token: str = attrs.field(repr=False)
    public_url: str
    """Where Twilio reaches this server, e.g. ``https://callcore.example.cn`` (no path)."""
    queue: str = "hotline"
    gap_seconds: float = 10.0
    voicemail_greeting: str = (
        "The service centre is closed. Please leave your name, number and message."
    )


class TwilioError(ValueError):
    """A webhook without a parameter it needs, or with one that is wrong."""


FORM_NAME_LIMIT = 64
FORM_VALUE_LIMIT = 1_024
"""The longest parameter name and value of a Twilio webhook (docs/telephony.md, field
limits): Twilio's own are far shorter (a CallSid is 34 characters, a URL well under)."""


def bounded_form(pairs: Iterable[tuple[str, str]]) -> None:
    """Raise :class:`TwilioError` naming the first parameter over its limit."""
    for name, value in pairs:
        if len(name) > FORM_NAME_LIMIT:
            raise TwilioError(
                f"a parameter name of {len(name):,} characters; at most {FORM_NAME_LIMIT}"
            )
        if len(value) > FORM_VALUE_LIMIT:
            raise TwilioError(f"{name} is {len(value):,} characters; at most {FORM_VALUE_LIMIT:,}")


def _required(form: Mapping[str, str], name: str) -> str:
    value = form.get(name, "").strip()
    if not value:
        raise TwilioError(f"{name} is missing")
    return value


def _number(form: Mapping[str, str], name: str) -> float | None:
    raw = form.get(name, "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise TwilioError(f"{name} {raw!r} is not a number") from None
    if not 0 <= value < 10**9:
        raise TwilioError(f"{name} {raw!r} is out of range")
    return value


def _timestamp(form: Mapping[str, str], fallback: datetime) -> datetime:
    raw = form.get("Timestamp", "").strip()
    if not raw:
        return fallback
    try:
        parsed = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        raise TwilioError(f"Timestamp {raw!r} is not an RFC 2822 date") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


@attrs.define
class _Waiting:
    next_sequence: int = 0
    early: dict[int, tuple[float, Mapping[str, str]]] = attrs.field(factory=dict)


class TwilioTranslator:
    """Webhooks → commands; keeps the per-call ordering of status callbacks."""

    def __init__(
        self,
        settings: TwilioSettings,
        *,
        now: Callable[[], datetime],
        answered: Callable[[str], bool],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.settings = settings
        self.now = now
        self.answered = answered
        self.monotonic = monotonic
        self._calls: dict[str, _Waiting] = {}
        self._lock = threading.Lock()

    def incoming(self, form: Mapping[str, str]) -> list[Command]:
        sid = _required(form, "CallSid")
        return [
            call.OfferCall(
                command_id=f"twilio:{sid}:incoming",
                call_id=sid,
                queue=self.settings.queue,
                caller_phone=form.get("From") or None,
                did=form.get("To") or None,
                actor=TWILIO,
                occurred_at=self.now(),
            )
        ]

    def dequeued(self, form: Mapping[str, str], agent: str) -> list[Command]:
        sid = _required(form, "CallSid")
        if not agent.strip():
            raise TwilioError("the dequeue URL names no agent (…/dequeue?agent=A07)")
        return [
            call.AnswerCall(
                command_id=f"twilio:{sid}:dequeued",
                call_id=sid,
                agent=agent.strip(),
                actor=TWILIO,
                occurred_at=self.now(),
            )
        ]

    def enqueue_result(self, form: Mapping[str, str]) -> list[Command]:
        sid = _required(form, "CallSid")
        result = _required(form, "QueueResult")
        waited = _number(form, "QueueTime")
        common: dict[str, Any] = {"actor": TWILIO, "occurred_at": self.now()}
        if result == "hangup":
            return [
                call.AbandonCall(
                    command_id=f"twilio:{sid}:left-queue",
                    call_id=sid,
                    waited_seconds=waited,
                    **common,
                )
            ]
        if result in {"leave", "error", "system-error", "system-shutdown", "queue-full"}:
            reason = call.ExitReason.EMPTY_QUEUE if result != "leave" else call.ExitReason.TIMEOUT
            return [
                call.TimeOutCall(
                    command_id=f"twilio:{sid}:left-queue",
                    call_id=sid,
                    reason=reason,
                    waited_seconds=waited,
                    **common,
                )
            ]
        if result in {"bridged", "bridging-in-process", "redirected"}:
            return []  # answered through the dequeue; or sent elsewhere by our own TwiML
        raise TwilioError(f"QueueResult {result!r} is not one Twilio sends")

    def voicemail(self, form: Mapping[str, str]) -> list[Command]:
        sid = _required(form, "CallSid")
        recording = form.get("RecordingUrl", "").strip()
        seconds = _number(form, "RecordingDuration")
        caller = form.get("From", "").strip()
        common: dict[str, Any] = {"actor": TWILIO, "occurred_at": self.now()}
        commands: list[Command] = [
            call.SendToVoicemail(command_id=f"twilio:{sid}:voicemail", call_id=sid, **common)
        ]
        if caller:
            message = f"Voicemail {recording}" if recording else "Voicemail"
            if seconds is not None:
                message += f" ({seconds:.0f} s)"
            commands.append(
                ticket.RecordVoicemail(
                    command_id=f"twilio:{sid}:voicemail-ticket",
                    caller=Contact("Voicemail caller", caller),
                    call_id=sid,
                    message=message,
                    **common,
                )
            )
        return commands

    def status(self, form: Mapping[str, str]) -> list[Command]:
        """A status callback; returns the commands of every callback now in order."""
        sid = _required(form, "CallSid")
        _required(form, "CallStatus")
        raw = form.get("SequenceNumber", "").strip()
        if raw and not raw.isdigit():
            raise TwilioError(f"SequenceNumber {raw!r} is not a number")
        _timestamp(form, self.now())  # a bad Timestamp is refused now, not later
        with self._lock:
            waiting = self._calls.setdefault(sid, _Waiting())
            if not raw or int(raw) < waiting.next_sequence:
                ready = [form]  # no order given, or a redelivery: apply as it comes
            else:
                waiting.early[int(raw)] = (self.monotonic(), form)
                ready = []
                while waiting.next_sequence in waiting.early:
                    ready.append(waiting.early.pop(waiting.next_sequence)[1])
                    waiting.next_sequence += 1
                if (
                    waiting.early
                    and self.monotonic() - min(t for t, _ in waiting.early.values())
                    > self.settings.gap_seconds
                ):
                    # A callback never came: apply the rest in order anyway.
                    for number in sorted(waiting.early):
                        ready.append(waiting.early.pop(number)[1])
                        waiting.next_sequence = number + 1
        commands: list[Command] = []
        for callback in ready:
            commands.extend(self._status_commands(callback))
        return commands

    def _status_commands(self, form: Mapping[str, str]) -> list[Command]:
        sid = form["CallSid"].strip()
        status = form["CallStatus"].strip()
        at = _timestamp(form, self.now())
        sequence = form.get("SequenceNumber", "").strip() or status
        common: dict[str, Any] = {"actor": TWILIO, "occurred_at": at}
        ident = f"twilio:{sid}:status:{sequence}"
        if status in {"queued", "initiated", "ringing"}:
            return [
                call.OfferCall(
                    command_id=ident,
                    call_id=sid,
                    queue=self.settings.queue,
                    caller_phone=form.get("From") or None,
                    did=form.get("To") or None,
                    **common,
                )
            ]
        if status == "in-progress":
            return []  # Twilio picked up the caller's leg; the agent answers on dequeue
        if status == "completed":
            if self.answered(sid):
                return [
                    call.CompleteCall(
                        command_id=ident, call_id=sid, ended_by=call.EndedBy.CALLER, **common
                    )
                ]
            return [call.AbandonCall(command_id=ident, call_id=sid, **common)]
        if status in {"busy", "no-answer", "failed", "canceled"}:
            return [call.AbandonCall(command_id=ident, call_id=sid, **common)]
        raise TwilioError(f"CallStatus {status!r} is not one Twilio sends")


def twiml(*verbs: str) -> str:
    return '<?xml version="1.0" encoding="UTF-8"?><Response>' + "".join(verbs) + "</Response>"


def enqueue_twiml(settings: TwilioSettings) -> str:
    action = quoteattr(settings.public_url.rstrip("/") + "/telephony/twilio/enqueue")
    return twiml(f"<Enqueue action={action}>{escape(settings.queue)}</Enqueue>")


def voicemail_twiml(settings: TwilioSettings) -> str:
    action = quoteattr(settings.public_url.rstrip("/") + "/telephony/twilio/voicemail")
    return twiml(
        f"<Say>{escape(settings.voicemail_greeting)}</Say>",
        f'<Record action={action} maxLength="120" playBeep="true"/>',
    )
