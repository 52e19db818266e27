"""Look-ups agents need (domain.md §4.1): customers by number, phone or address.

A pure fold over customer events; ``CallCenter.customers`` keeps one caught up with the
store.
"""

from __future__ import annotations

from collections import defaultdict

from callcore.domain import customer
from callcore.domain.common import address_key
from callcore.ports import Recorded


class CustomerIndex:
    def __init__(self) -> None:
        self.position = 0
        self._phone: dict[str, str] = {}
        self._address: dict[str, str] = {}
        self._by_phone: defaultdict[str, set[str]] = defaultdict(set)
        self._by_address: defaultdict[str, set[str]] = defaultdict(set)

    def apply(self, record: Recorded) -> None:
        event = record.event
        number = record.stream.partition("-")[2]
        if isinstance(event, customer.AccountOpened):
            self._set_phone(number, event.phone)
            self._set_address(number, event.address)
        elif isinstance(event, customer.ContactDetailsChanged):
            if event.phone is not None:
                self._set_phone(number, event.phone)
            if event.address is not None:
                self._set_address(number, event.address)

    def _set_phone(self, number: str, phone: str) -> None:
        if number in self._phone:
            self._by_phone[self._phone[number]].discard(number)
        self._phone[number] = phone
        self._by_phone[phone].add(number)

    def _set_address(self, number: str, address: str) -> None:
        key = address_key(address)
        if number in self._address:
            self._by_address[self._address[number]].discard(number)
        self._address[number] = key
        self._by_address[key].add(number)

    def numbers_with_phone(self, phone_e164: str) -> list[str]:
        return sorted(self._by_phone.get(phone_e164, ()))

    def numbers_at_address(self, address: str) -> list[str]:
        return sorted(self._by_address.get(address_key(address), ()))
