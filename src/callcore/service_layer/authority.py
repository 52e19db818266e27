"""Who may act on whose records: the object-level policy every command passes through.

The web adapter's role matrix (``callcore.adapters.web.access``) says which *kind* of
command a token's role may send; this module says whose *records* an actor may touch,
and the message bus consults it before a command is decided, so the Python API keeps
the rule too whenever a command carries its actor:

* a **field worker** sends only what is reported from the customer's door
  (:data:`FIELD_WORK`), and only about a dispatch or an order assigned to them;
* an **integration** (a PBX, a web front office, a CRM) reports telephony facts about any
  call and opens records on a customer's behalf (:data:`INTEGRATION_WORK`); it never
  changes an order, ticket, complaint or dispatch that exists;
* **agents and supervisors** act on every record of the centre: calls are transferred,
  customers call back whoever answers, and the actor of each event says who did it;
* the **system** (the centre's own processes) acts on what the rules require;
* a **customer** sends nothing: a customer reads what is theirs (a complaint's
  resolution), and what they ask is recorded by the agent who takes it or the front
  office that relays it (:data:`CUSTOMERS_READ_ONLY`);
* the **directory and the SLA policy** in force (:data:`REFERENCE_DATA`) are adopted by a
  supervisor, or by the system when it records what a store was made with — never by an
  agent, a field worker, an integration or a customer.

:func:`authorize` is pure: ``(actor, command, the assignment of the record it names)``.
:func:`check` finds that record in a unit of work and calls it. A refusal is a
:class:`Forbidden` naming the rule; nothing is recorded.
"""

from __future__ import annotations

from attrs import frozen

from callcore.domain import (
    agent,
    call,
    complaint,
    customer,
    dispatch,
    order,
    policy,
    reference,
    ticket,
)
from callcore.domain.common import Actor, Command, DomainError, Role, Rule
from callcore.service_layer.unit_of_work import UnitOfWork

OWN_WORK_ONLY = Rule(
    "own-work-only",
    "docs/web.md, the role matrix: a field worker acts only on the work assigned to them",
)
CORRECTION_BY_SUPERVISOR = Rule(
    "correction-by-a-supervisor",
    "domain.md §6, bounded back-dating: a correction beyond the bounds is a supervisor's",
)
INTEGRATION_SCOPE = Rule(
    "integration-scope",
    "docs/web.md, the role matrix: an integration reports calls and opens records; "
    "it never changes an existing order, ticket, complaint or dispatch",
)


REFERENCE_BY_SUPERVISOR = Rule(
    "reference-by-a-supervisor",
    "docs/web.md, whose records: the directory and the SLA policy in force are adopted "
    "by a supervisor (or the system, recording a store's first one)",
)
CUSTOMERS_READ_ONLY = Rule(
    "customers-act-through-the-centre",
    "docs/web.md, whose records: a customer reads what is theirs (a complaint's "
    "resolution); what a customer asks is recorded by the agent or the front office",
)


class Forbidden(DomainError):
    """The actor may not do this to this record (403 over HTTP). Nothing was recorded."""


FIELD_WORK: frozenset[type[Command]] = frozenset(
    {
        dispatch.ConfirmAppointment,
        dispatch.RecordFieldFeedback,
        dispatch.CompleteDispatch,
        order.RecordDelivery,
        order.RecordEmptyCollected,
    }
)
"""What a field worker's app or SMS reports from the customer's door."""

TELEPHONY: frozenset[type[Command]] = frozenset(
    {
        call.OfferCall,
        call.RingAgent,
        call.RecordRingNoAnswer,
        call.AnswerCall,
        call.AbandonCall,
        call.TimeOutCall,
        call.SendToVoicemail,
        call.TransferCall,
        call.CompleteCall,
        call.LinkCall,
        ticket.RecordVoicemail,
        agent.LogInAgent,
        agent.LogOutAgent,
        agent.PauseAgent,
        agent.UnpauseAgent,
    }
)
"""What a PBX or a telephony integration reports (about any call, and any agent's
presence in the queues: it sees them all)."""

FRONT_OFFICE: frozenset[type[Command]] = frozenset(
    {
        customer.OpenAccount,
        customer.ChangeContactDetails,
        order.PlaceOrder,
        ticket.OpenTicket,
        complaint.LodgeComplaint,
        dispatch.RequestDispatch,
    }
)
"""What a web front office or CRM opens on a customer's behalf (and the customer's
contact details, which a CRM keeps)."""

INTEGRATION_WORK: frozenset[type[Command]] = TELEPHONY | FRONT_OFFICE
"""Everything an integration may send."""

REFERENCE_DATA: frozenset[type[Command]] = frozenset(
    {reference.AdoptDirectory, policy.AdoptSlaPolicy}
)
"""What changes the rules every figure is computed under (prices, workers, targets):
a supervisor's decision, or the system's when it records what a store was made with."""

REFERENCE_ADOPTERS = frozenset({Role.SUPERVISOR, Role.SYSTEM})


@frozen
class Assignment:
    """The record a field-work command names and the worker it is assigned to."""

    kind: str
    id: str
    worker_id: str | None


def work_named(command: Command) -> tuple[str, str] | None:
    """The dispatch or order a field-work command acts on: (kind, id)."""
    if isinstance(
        command,
        (dispatch.ConfirmAppointment, dispatch.RecordFieldFeedback, dispatch.CompleteDispatch),
    ):
        return dispatch.KIND, command.dispatch_id
    if isinstance(command, (order.RecordDelivery, order.RecordEmptyCollected)):
        return order.KIND, command.order_id
    return None


def authorize(actor: Actor, command: Command, work: Assignment | None) -> None:
    """Refuse, with the rule named, what ``actor`` may not do to the record ``work``.

    ``work`` is the assignment of the dispatch or order the command names (``None``
    when it names none, or the record does not exist: the command's own decision then
    says ``must-exist``)."""
    name = type(command).__name__
    if command.correction is not None and actor.role is not Role.SUPERVISOR:
        raise Forbidden(
            CORRECTION_BY_SUPERVISOR,
            f"{actor} may not send {name} with a correction: only a supervisor dates a "
            f"fact beyond the back-dating bounds",
        )
    if type(command) in REFERENCE_DATA and actor.role not in REFERENCE_ADOPTERS:
        raise Forbidden(
            REFERENCE_BY_SUPERVISOR,
            f"{actor} may not send {name}: the directory and the SLA policy in force are "
            f"adopted by a supervisor",
        )
    if actor.role is Role.CUSTOMER:
        raise Forbidden(
            CUSTOMERS_READ_ONLY,
            f"{actor} may not send {name}: a customer's request is recorded by the agent "
            f"who takes it or by the front office (an integration), never by the customer",
        )
    if actor.role is Role.FIELD_WORKER:
        if type(command) not in FIELD_WORK:
            raise Forbidden(
                OWN_WORK_ONLY,
                f"{actor} may not send {name}: a field worker reports only the work "
                f"assigned to them ({', '.join(sorted(t.__name__ for t in FIELD_WORK))})",
            )
        if work is not None and work.worker_id != actor.id:
            owner = f"assigned to {work.worker_id}" if work.worker_id else "not assigned"
            raise Forbidden(
                OWN_WORK_ONLY,
                f"{actor} may not send {name} on {work.kind} {work.id}: it is {owner}, "
                f"and a field worker acts only on the work assigned to them",
            )
    elif actor.role is Role.INTEGRATION and type(command) not in INTEGRATION_WORK:
        raise Forbidden(
            INTEGRATION_SCOPE,
            f"{actor} may not send {name}: an integration reports calls and opens records "
            f"on a customer's behalf, it does not change existing work",
        )


def check(uow: UnitOfWork, command: Command) -> None:
    """Look up the record ``command`` names in ``uow`` and :func:`authorize` it."""
    work: Assignment | None = None
    if command.actor.role is Role.FIELD_WORKER:
        named = work_named(command)
        if named is not None:
            kind, record_id = named
            if kind == dispatch.KIND:
                job = uow.load(dispatch.FOLD, dispatch.stream_id(record_id))
                if job.exists:
                    work = Assignment(kind, record_id, job.worker_id)
            else:
                placed = uow.load(order.FOLD, order.stream_id(record_id))
                if placed.exists:
                    work = Assignment(kind, record_id, placed.worker_id)
    authorize(command.actor, command, work)
