"""Redaction (interfaces.md §3): every field of every event is either pseudonymised or
known not to be personal; pseudonyms are stable, keyed, and compare like the values."""

from __future__ import annotations

import enum
import typing
from datetime import date, datetime
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from callcore.adapters.converter import stored_event_types
from callcore.adapters.redaction import ADDRESS, KEPT, NAME, PHONE, REDACTED, TEXT, Redactor

PLAIN = (bool, int, float, Decimal, datetime, date)


def _fields(cls: type, prefix: str = "") -> typing.Iterator[tuple[str, str, object]]:
    """(path, field name, hint) of every field holding text, through nested classes."""
    hints = typing.get_type_hints(cls)
    for field in attrs.fields(cls):
        if field.name in ("at", "actor"):
            continue
        hint = hints[field.name]
        parts = [hint, *typing.get_args(hint)]
        for part in list(parts):
            parts += typing.get_args(part)
        nested = [p for p in parts if isinstance(p, type) and attrs.has(p)]
        for inner in nested:
            yield from _fields(inner, f"{prefix}{field.name}.")
        texty = [p for p in parts if p is str]
        if texty or not any(
            isinstance(p, type) and (issubclass(p, (enum.Enum, *PLAIN)) or attrs.has(p))
            for p in parts
        ):
            yield f"{prefix}{field.name}", field.name, hint


def test_every_text_field_of_every_event_is_classified() -> None:
    unclassified = sorted(
        f"{name}.{path}"
        for name, cls in stored_event_types().items()
        for path, field, _ in _fields(cls)
        if field not in REDACTED and field not in KEPT
        # the directory adopted is redacted as the header's is (tested below)
        and not (name == "DirectoryAdopted" and path.startswith("directory."))
    )
    assert unclassified == [], "add each to REDACTED or KEPT in callcore.adapters.redaction"


def test_a_directory_adopted_is_redacted_like_the_header() -> None:
    from callcore.adapters.converter import CONVERTER
    from callcore.adapters.directory_file import demo_directory

    directory = CONVERTER.unstructure(demo_directory())
    redactor = Redactor("a-key-of-sixteen-bytes-or-more")
    line = {
        "type": "DirectoryAdopted",
        "data": {"directory": directory, "reason": "Wang Wei left on Tuesday"},
    }
    redacted = redactor.event(line)["data"]
    assert redacted["directory"] == redactor.directory(directory)
    assert "Wang Wei" not in str(redacted["reason"])
    names = [w["name"] for w in directory["field_workers"].values()]
    assert names and not any(name in str(redacted) for name in names)


def test_nothing_is_both_redacted_and_kept() -> None:
    assert not set(REDACTED) & KEPT


KEY = "a-key-of-sixteen-bytes-or-more"


@given(st.text(min_size=1, max_size=40))
def test_pseudonyms_are_stable_and_keyed(value: str) -> None:
    one, same, other = Redactor(KEY), Redactor(KEY), Redactor(KEY + "!")
    for kind in (NAME, PHONE, ADDRESS, TEXT):
        assert one.pseudonym(kind, value) == same.pseudonym(kind, value)
        assert one.pseudonym(kind, value) != other.pseudonym(kind, value)


def test_pseudonyms_compare_like_the_values() -> None:
    redactor = Redactor(KEY)
    assert redactor.pseudonym(NAME, "Wang  Xiuying") == redactor.pseudonym(NAME, "wang xiuying")
    assert redactor.pseudonym(ADDRESS, "5 Dongmen Road") == redactor.pseudonym(
        ADDRESS, "5, dongmen road."
    )
    assert redactor.pseudonym(NAME, "Wang Xiuying") != redactor.pseudonym(NAME, "Wang Xiu")
    phone = redactor.pseudonym(PHONE, "+8613912345678")
    assert phone.startswith("+999") and len(phone) == 14 and phone[1:].isdigit()


def test_codes_keep_their_values_even_under_a_personal_name() -> None:
    redactor = Redactor(KEY)
    line = {"type": "OutboundCallNotReached", "data": {"reason": "no-answer"}}
    assert redactor.event(line)["data"] == {"reason": "no-answer"}
    line = {"type": "OrderCancelled", "data": {"reason": "moved to Lanzhou with Wang"}}
    assert redactor.event(line)["data"]["reason"].startswith("Text-")


def test_a_short_key_is_refused() -> None:
    with pytest.raises(ValueError, match="16"):
        Redactor("short")


def test_a_pseudonymous_phone_number_is_accepted_as_it_is() -> None:
    # a redacted log's directory and history load and can be worked on (+999 rings no one)
    from callcore.domain.common import DomainError
    from callcore.domain.phone import normalise_phone

    phone = Redactor(KEY).pseudonym(PHONE, "+8613912345678")
    assert normalise_phone(phone) == phone
    with pytest.raises(DomainError):
        normalise_phone("+999123")  # not the pseudonyms' shape: still refused
