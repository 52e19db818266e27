"""Phone numbers, validated and normalised by the maintained ``phonenumbers`` library.

Numbers are stored in E.164 (``+8613912345678``) so that look-ups by phone match
whatever way an agent typed the number (``139 1234 5678``, ``+86-139-1234-5678``).
"""

from __future__ import annotations

import functools
import re

import phonenumbers

from callcore.domain.common import DomainError, Rule

INVALID_PHONE = Rule("valid-phone-number", "domain.md §4.1: phone numbers are validated")

PSEUDONYM = re.compile(r"^\+999\d{10}$")
"""The pseudonyms a redacted event log gives phone numbers (``callcore.adapters.redaction``):
+999 is a country code the ITU keeps unassigned, so they ring no one. They are accepted
as they are, so a redacted log's directory and history can be loaded and worked on."""


# A centre's customers ring again and again, and every command that carries a number
# normalises it: parsing by ``phonenumbers`` was about 9 % of a simulation. The function is
# pure, so its answers are kept — bounded, so a long-running worker does not grow with
# every number it has ever seen. A refused number raises and is not kept.
@functools.lru_cache(maxsize=65_536)
def normalise_phone(raw: str, region: str = "CN") -> str:
    """E.164 form of ``raw`` read in ``region``; :class:`DomainError` if it is not a
    valid number there."""
    if PSEUDONYM.match(raw.strip()):
        return raw.strip()
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as error:
        raise DomainError(INVALID_PHONE, f"{raw!r} is not a phone number ({error})") from None
    if not phonenumbers.is_valid_number(number):
        raise DomainError(INVALID_PHONE, f"{raw!r} is not a valid phone number in {region}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
