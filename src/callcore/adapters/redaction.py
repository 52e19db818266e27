"""Redaction of event logs (interfaces.md §3): personal data out, the history intact.

Names, phone numbers, addresses and free text become **pseudonyms from a keyed hash**
(HMAC-SHA256): the same value gets the same pseudonym throughout the file — and in every
file redacted with the same key — so a redacted log replays to the same clocks, counts
and ratings as the original, and QA can still follow one customer through an incident.
Without the key, a pseudonym cannot be turned back into the value, nor confirmed by
guessing (a bare hash of a phone number could be, by trying every number).

What is personal is decided **by field name**, for every event and the directory in the
header (:data:`REDACTED`); every other field an event has is listed in :data:`KEPT`, and
a test fails when an event gains a field that is in neither — so a new free-text field
cannot slip into production logs unredacted.

Kept on purpose: record ids and customer numbers (the history's joints), area, branch,
department and product codes, enumerations, times and amounts, staff ids in ``actor``,
and the public business data of the directory (branch and department names, addresses
and phones). Field workers are people: their names and phones are pseudonymised in the
directory and in the events alike.

Pseudonyms: ``Name-7KQ2M4XD``, ``Address-…``, ``Text-…``; phone numbers become
``+999`` and ten digits (+999 is a country code the ITU keeps unassigned, so a
pseudonym never rings a real phone).
"""

from __future__ import annotations

import base64
import enum
import functools
import hashlib
import hmac
import re
import typing
from collections.abc import Callable
from typing import Any, Final

from callcore.domain.common import address_key

NAME: Final = "name"
PHONE: Final = "phone"
ADDRESS: Final = "address"
TEXT: Final = "text"

REDACTED: Final[dict[str, str]] = {
    # people
    "name": NAME,
    "contact_name": NAME,
    # phone numbers
    "phone": PHONE,
    "caller": PHONE,  # CallOffered.caller is a number; TicketOpened.caller a contact
    "caller_id_raw": PHONE,
    "caller_phone": PHONE,
    "worker_phone": PHONE,
    # places
    "address": ADDRESS,
    "site_address": ADDRESS,
    "location": ADDRESS,
    # what people said and wrote
    "answer": TEXT,
    "cause": TEXT,
    "description": TEXT,
    "job": TEXT,
    "message": TEXT,
    "note": TEXT,
    "outcome": TEXT,
    "problem_restated": TEXT,
    "problems_raised": TEXT,
    "question": TEXT,
    "reason": TEXT,
    "reply": TEXT,
    "resolution": TEXT,
    "solution": TEXT,
    "suggestions": TEXT,
    "wanted_outcome": TEXT,
    "what": TEXT,
}
"""Field name → what kind of personal data it holds, wherever it appears in an event."""

KEPT: Final[frozenset[str]] = frozenset(
    {
        # ids and the joints of the history
        "agent",
        "business_interface",
        "call_id",
        "command_id",
        "complaint_id",
        "customer_number",
        "device_id",
        "dispatch_id",
        "dispatch_ids",
        "exception_granted_by",
        "id",
        "knowledge_article",
        "notification_id",
        "order_id",
        "re_complaint_id",
        "re_complaint_of",
        "record_id",
        "recorded",
        "stream",
        "subject",
        "supervisor",
        "ticket_id",
        "worker_id",
        "counts_against",
        "fingerprint",
        "issued_as",
        "source",
        # codes from the directory and enumerations
        "area",
        "branch",
        "branch_address",
        "branch_phone",
        "category",
        "channel",
        "clocks",
        "command_type",
        "customer_level",
        "customer_type",
        "department",
        "did",
        "disposition",
        "ended_by",
        "feedback",
        "handled_by",
        "item",
        "kind",
        "level",
        "model",
        "product",
        "purpose",
        "queue",
        "recipient",
        "record_kind",
        "requested_by",
        "to",
        "unit",
        "version",
        "via",
        # the SLA policy in force (SlaPolicyAdopted): clock ids and durations
        "by_customer_level",
        "by_priority",
        "targets",
    }
)
"""Fields that are not personal data (checked against every event by the tests)."""

_SPACES = re.compile(r"\s+")


class Redactor:
    """Pseudonymises the personal data of event-log objects with a secret key."""

    def __init__(self, key: bytes | str) -> None:
        if isinstance(key, str):
            key = key.encode()
        if len(key) < 16:
            raise ValueError("a redaction key needs at least 16 bytes (or characters)")
        self._key = key
        self._memo: dict[tuple[str, str], str] = {}

    def _digest(self, kind: str, value: str) -> bytes:
        return hmac.new(self._key, f"{kind}\0{value}".encode(), hashlib.sha256).digest()

    def pseudonym(self, kind: str, value: str) -> str:
        """The stable pseudonym of a value; equal values (as the domain compares them:
        names ignoring case and spacing, addresses by their key) get equal pseudonyms."""
        memo_key = (kind, value)
        found = self._memo.get(memo_key)
        if found is not None:
            return found
        if kind == NAME:
            normal = _SPACES.sub(" ", value.strip()).casefold()
        elif kind == ADDRESS:
            normal = address_key(value)
        else:
            normal = value.strip()
        digest = self._digest(kind, normal)
        if kind == PHONE:
            result = "+999" + str(int.from_bytes(digest[:8], "big") % 10**10).zfill(10)
        else:
            code = base64.b32encode(digest[:5]).decode()
            result = f"{kind.capitalize()}-{code}"
        self._memo[memo_key] = result
        return result

    def _value(self, kind: str, value: Any) -> Any:
        if isinstance(value, str):
            return self.pseudonym(kind, value) if value else value
        if isinstance(value, list):
            return [self._value(kind, item) for item in value]
        if isinstance(value, dict):
            # a Contact under a phone-ish key (TicketOpened.caller): redact its fields
            return self.data(value)
        return value

    def data(self, data: dict[str, Any], type_name: str | None = None) -> dict[str, Any]:
        """An event's ``data`` object with every personal field pseudonymised."""
        coded = _coded_fields(type_name) if type_name else frozenset()
        redacted: dict[str, Any] = {}
        for key, value in data.items():
            kind = REDACTED.get(key)
            if kind is not None and key not in coded:
                redacted[key] = self._value(kind, value)
            elif isinstance(value, dict):
                redacted[key] = self.data(value)
            elif isinstance(value, list):
                redacted[key] = [self.data(v) if isinstance(v, dict) else v for v in value]
            else:
                redacted[key] = value
        return redacted

    def directory(self, directory: dict[str, Any]) -> dict[str, Any]:
        """The header's directory: field workers' names and phones pseudonymised; the
        branches' and departments' public details kept."""
        workers = {
            worker_id: {
                **worker,
                "name": self.pseudonym(NAME, worker["name"]),
                "phone": self.pseudonym(PHONE, worker["phone"]) if worker.get("phone") else "",
            }
            for worker_id, worker in directory.get("field_workers", {}).items()
        }
        return {**directory, "field_workers": workers}

    def event(self, line: dict[str, Any]) -> dict[str, Any]:
        """An event-log line (``stream``, ``type``, ``data``…) with its data redacted."""
        if line["type"] == "DirectoryAdopted":  # the directory in force, as in the header
            data = line["data"]
            reason = data.get("reason") or ""
            return {
                **line,
                "data": {
                    **data,
                    "directory": self.directory(data["directory"]),
                    "reason": self.pseudonym(TEXT, reason) if reason else reason,
                },
            }
        return {**line, "data": self.data(line["data"], line["type"])}


@functools.cache
def _coded_fields(type_name: str) -> frozenset[str]:
    """The fields of an event whose values are codes (enumerations), never free text,
    even where the name says otherwise (``OutboundCallNotReached.reason``)."""
    from callcore.adapters.converter import stored_event_types

    event_type = stored_event_types().get(type_name)
    if event_type is None:
        return frozenset()
    hints = typing.get_type_hints(event_type)
    return frozenset(
        name
        for name, hint in hints.items()
        if any(
            isinstance(part, type) and issubclass(part, enum.Enum)
            for part in (hint, *typing.get_args(hint))
        )
    )


def redactor_from_key(key: str | None, warn: Callable[[str], None]) -> Redactor:
    """The CLI's redactor: the key given, or a one-time random key (with a warning that
    pseudonyms will not match another export's)."""
    if key:
        return Redactor(key)
    import secrets

    warn(
        "redacting with a one-time key: pseudonyms will differ from any other export; set "
        "CALLCORE_REDACTION_KEY to keep them stable"
    )
    return Redactor(secrets.token_bytes(32))
