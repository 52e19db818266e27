"""Handlers of the Customer commands (domain.md §4.1)."""

from __future__ import annotations

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


def change_contact_details(uow: UnitOfWork, command: customer.ChangeContactDetails) -> None:
    uow.decide(
        customer.FOLD,
        customer.stream_id(command.customer_number),
        lambda state: customer.change_contact_details(state, command, uow.context),
    )


def register_device(uow: UnitOfWork, command: customer.RegisterDevice) -> None:
    uow.decide(
        customer.FOLD,
        customer.stream_id(command.customer_number),
        lambda state: customer.register_device(state, command, uow.context),
    )


def close_account(uow: UnitOfWork, command: customer.CloseAccount) -> None:
    uow.decide(
        customer.FOLD,
        customer.stream_id(command.customer_number),
        lambda state: customer.close_account(state, command, uow.context),
    )


def adopt_sla_policy(uow: UnitOfWork, command: policy.AdoptSlaPolicy) -> None:
    state = uow.load(policy.FOLD, policy.SLA_STREAM)
    uow.record(policy.FOLD, policy.SLA_STREAM, policy.adopt_sla_policy(state, command, uow.context))


def adopt_directory(uow: UnitOfWork, command: reference.AdoptDirectory) -> None:
    state = uow.load(reference.FOLD, reference.DIRECTORY_STREAM)
    uow.record(
        reference.FOLD,
        reference.DIRECTORY_STREAM,
        reference.adopt_directory(state, command, uow.context),
    )


def record_notification_sent(uow: UnitOfWork, command: notification.RecordNotificationSent) -> None:
    uow.decide(
        notification.FOLD,
        notification.stream_id(command.notification_id),
        lambda state: notification.record_notification_sent(state, command, uow.context),
    )
