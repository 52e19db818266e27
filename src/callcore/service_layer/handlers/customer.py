"""Handlers of the Customer commands (domain.md §4.1) and of the centre's bookkeeping
(policy, directory, notifications): opening an account also issues its number; the
others are decided on one stream (wired with ``on_one_stream`` and the streams here)."""

from __future__ import annotations

from typing import Protocol

from callcore.domain import customer, notification, numbering, policy, reference
from callcore.service_layer.unit_of_work import UnitOfWork


def open_account(uow: UnitOfWork, command: customer.OpenAccount) -> None:
    sequence = numbering.stream_id(numbering.CUSTOMER_NUMBERS)
    issued = numbering.issue_next(uow.load(numbering.FOLD, sequence), uow.context)
    uow.record(numbering.FOLD, sequence, (issued,))
    uow.decide(
        customer.FOLD,
        customer.stream_id(issued.issued_as),
        lambda state: customer.open_account(
            state,
            command,
            customer.OpeningContext(
                now=uow.now,
                actor=uow.context.actor,
                directory=uow.directory,
                calendar=uow.calendar,
                customer_number=issued.issued_as,
            ),
        ),
    )


class OfACustomer(Protocol):
    @property
    def customer_number(self) -> str: ...


def customer_stream(command: OfACustomer) -> str:
    return customer.stream_id(command.customer_number)


def policy_stream(command: policy.AdoptSlaPolicy) -> str:
    return policy.SLA_STREAM


def directory_stream(command: reference.AdoptDirectory) -> str:
    return reference.DIRECTORY_STREAM


def notification_stream(command: notification.RecordNotificationSent) -> str:
    return notification.stream_id(command.notification_id)
