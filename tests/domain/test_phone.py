"""Phone-number normalisation: answers kept for numbers seen before, refusals never."""

from __future__ import annotations

import phonenumbers
import pytest

from callcore.domain.common import DomainError
from callcore.domain.phone import INVALID_PHONE, normalise_phone


def _counting_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    normalise_phone.cache_clear()  # what earlier tests normalised is not this test's
    parsed: list[str] = []
    real = phonenumbers.parse

    def parse(raw: str, region: str | None = None) -> phonenumbers.PhoneNumber:
        parsed.append(raw)
        return real(raw, region)

    monkeypatch.setattr(phonenumbers, "parse", parse)
    return parsed


def test_a_number_seen_before_is_not_parsed_again(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _counting_parses(monkeypatch)
    first = normalise_phone("139 2222 7311")
    again = normalise_phone("139 2222 7311")
    assert first == again == "+8613922227311"
    assert parsed == ["139 2222 7311"]
    # the region is part of what was asked: the same digits read elsewhere are parsed
    assert normalise_phone("+86 139 2222 7311", "GB") == "+8613922227311"
    assert parsed == ["139 2222 7311", "+86 139 2222 7311"]


def test_a_refused_number_is_refused_every_time(monkeypatch: pytest.MonkeyPatch) -> None:
    parsed = _counting_parses(monkeypatch)
    for _ in range(2):
        with pytest.raises(DomainError) as refused:
            normalise_phone("139 12")
        assert refused.value.rule == INVALID_PHONE
    assert parsed == ["139 12", "139 12"]


def test_what_is_kept_is_bounded() -> None:
    maxsize = normalise_phone.cache_info().maxsize
    assert maxsize is not None and maxsize > 0
