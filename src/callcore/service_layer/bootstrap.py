"""The composition root's handler table: every command, and the one handler that decides it.

This is where a command enters the write side; read it as a map. Commands decided on one
stream alone are wired with :func:`on_one_stream` (load, decide, record); the others have
a named handler in ``service_layer/handlers/<aggregate>.py`` because they reach several
streams (an order opening its delivery work order, a ticket its service visit, a
complaint its original). The table is typed: a command wired to a handler or a decision
that takes another command is a mypy error.
"""

from __future__ import annotations

from callcore.domain import (
    agent,
    call,
    complaint,
    customer,
    dispatch,
    notification,
    order,
    policy,
    reference,
    ticket,
)
from callcore.domain.common import PauseClocks, ResumeClocks
from callcore.service_layer.handlers import agent as agent_handlers
from callcore.service_layer.handlers import call as call_handlers
from callcore.service_layer.handlers import clocks as clock_handlers
from callcore.service_layer.handlers import complaint as complaint_handlers
from callcore.service_layer.handlers import customer as customer_handlers
from callcore.service_layer.handlers import dispatch as dispatch_handlers
from callcore.service_layer.handlers import order as order_handlers
from callcore.service_layer.handlers import ticket as ticket_handlers
from callcore.service_layer.handlers.table import HandlerTable, on_one_stream


def handler_table() -> HandlerTable:
    """A fresh table of every command the domain defines."""
    table = HandlerTable()

    # Customer accounts and reference data (domain.md §4.1, §6)
    table.add(customer.OpenAccount, customer_handlers.open_account)
    on_customer = customer_handlers.customer_stream
    table.add(
        customer.ChangeContactDetails,
        on_one_stream(customer.FOLD, on_customer, customer.change_contact_details),
    )
    table.add(
        customer.RegisterDevice,
        on_one_stream(customer.FOLD, on_customer, customer.register_device),
    )
    table.add(customer.RequestAccountVisit, dispatch_handlers.request_account_visit)
    table.add(
        customer.CloseAccount, on_one_stream(customer.FOLD, on_customer, customer.close_account)
    )
    table.add(
        policy.AdoptSlaPolicy,
        on_one_stream(policy.FOLD, customer_handlers.policy_stream, policy.adopt_sla_policy),
    )
    table.add(
        reference.AdoptDirectory,
        on_one_stream(
            reference.FOLD, customer_handlers.directory_stream, reference.adopt_directory
        ),
    )
    table.add(
        notification.RecordNotificationSent,
        on_one_stream(
            notification.FOLD,
            customer_handlers.notification_stream,
            notification.record_notification_sent,
        ),
    )

    # Orders (§4.2): each also moves its delivery work order
    table.add(order.PlaceOrder, order_handlers.place_order)
    table.add(order.AssignOrderWorker, order_handlers.assign_order_worker)
    table.add(order.RescheduleDelivery, order_handlers.reschedule_delivery)
    table.add(order.RecordDelivery, order_handlers.record_delivery)
    table.add(order.RecordEmptyCollected, order_handlers.record_empty_collected)
    table.add(order.CloseOrder, order_handlers.close_order)
    table.add(order.CancelOrder, order_handlers.cancel_order)

    # Tickets (§4.3)
    on_ticket = ticket_handlers.ticket_stream
    table.add(ticket.OpenTicket, ticket_handlers.open_ticket)
    table.add(ticket.ReportEmergency, ticket_handlers.report_emergency)
    table.add(ticket.RecordVoicemail, ticket_handlers.record_voicemail)
    table.add(ticket.RecordRepairCentreNotified, ticket_handlers.record_repair_centre_notified)
    table.add(ticket.RequestServiceVisit, ticket_handlers.request_service_visit)
    table.add(ticket.RequestConsumables, ticket_handlers.request_consumables)
    table.add(ticket.GrantQuotaException, ticket_handlers.grant_quota_exception)
    table.add(
        ticket.AnswerOnTheSpot,
        on_one_stream(ticket.FOLD, on_ticket, ticket.answer_on_the_spot),
    )
    table.add(
        ticket.PromiseCallback, on_one_stream(ticket.FOLD, on_ticket, ticket.promise_callback)
    )
    table.add(ticket.TransferTicket, on_one_stream(ticket.FOLD, on_ticket, ticket.transfer_ticket))
    table.add(
        ticket.RecordDepartmentReply,
        on_one_stream(ticket.FOLD, on_ticket, ticket.record_department_reply),
    )
    table.add(
        ticket.ReplyToCustomer, on_one_stream(ticket.FOLD, on_ticket, ticket.reply_to_customer)
    )
    table.add(ticket.ResolveTicket, on_one_stream(ticket.FOLD, on_ticket, ticket.resolve_ticket))
    table.add(ticket.CloseTicket, on_one_stream(ticket.FOLD, on_ticket, ticket.close_ticket))
    table.add(ticket.ReopenTicket, on_one_stream(ticket.FOLD, on_ticket, ticket.reopen_ticket))
    table.add(ticket.EndAbusiveCall, on_one_stream(ticket.FOLD, on_ticket, ticket.end_abusive_call))
    table.add(
        ticket.ConfirmVoicemailCallback,
        on_one_stream(ticket.FOLD, on_ticket, ticket.confirm_voicemail_callback),
    )

    # Complaints (§4.4)
    on_complaint = complaint_handlers.complaint_stream
    table.add(complaint.LodgeComplaint, complaint_handlers.lodge_complaint)
    table.add(
        complaint.CommitReplyTime,
        on_one_stream(complaint.FOLD, on_complaint, complaint.commit_reply_time),
    )
    table.add(
        complaint.JudgeComplaint,
        on_one_stream(complaint.FOLD, on_complaint, complaint.judge_complaint),
    )
    table.add(
        complaint.NotifyDepartment,
        on_one_stream(complaint.FOLD, on_complaint, complaint.notify_department),
    )
    table.add(
        complaint.UpdateCustomer,
        on_one_stream(complaint.FOLD, on_complaint, complaint.update_customer),
    )
    table.add(
        complaint.FollowUpDepartment,
        on_one_stream(complaint.FOLD, on_complaint, complaint.follow_up_department),
    )
    table.add(
        complaint.RecordResolution,
        on_one_stream(complaint.FOLD, on_complaint, complaint.record_resolution),
    )
    table.add(
        complaint.RecordCustomerResponse,
        on_one_stream(complaint.FOLD, on_complaint, complaint.record_customer_response),
    )
    table.add(
        complaint.CloseComplaint,
        on_one_stream(complaint.FOLD, on_complaint, complaint.close_complaint),
    )
    table.add(
        complaint.RecordSatisfactionCall,
        on_one_stream(complaint.FOLD, on_complaint, complaint.record_satisfaction_call),
    )

    # Dispatches (§4.5): the worker's day is a stream of its own
    table.add(dispatch.RequestDispatch, dispatch_handlers.request_dispatch)
    table.add(dispatch.ConfirmAppointment, dispatch_handlers.confirm_appointment)
    table.add(dispatch.AssignDispatch, dispatch_handlers.assign)
    table.add(dispatch.PlanInstalls, dispatch_handlers.plan)
    table.add(dispatch.RecordFieldFeedback, dispatch_handlers.field_feedback)
    table.add(dispatch.ResumeDispatch, dispatch_handlers.resume)
    table.add(dispatch.RescheduleDispatch, dispatch_handlers.reschedule)
    table.add(dispatch.CancelDispatch, dispatch_handlers.cancel)
    table.add(dispatch.CompleteDispatch, dispatch_handlers.complete)

    # Calls (§4.6)
    on_call = call_handlers.call_stream
    table.add(call.OfferCall, on_one_stream(call.FOLD, on_call, call.offer_call))
    table.add(call.RingAgent, on_one_stream(call.FOLD, on_call, call.ring_agent))
    table.add(
        call.RecordRingNoAnswer, on_one_stream(call.FOLD, on_call, call.record_ring_no_answer)
    )
    table.add(call.AnswerCall, on_one_stream(call.FOLD, on_call, call.answer_call))
    table.add(call.AbandonCall, on_one_stream(call.FOLD, on_call, call.abandon_call))
    table.add(call.TimeOutCall, on_one_stream(call.FOLD, on_call, call.time_out_call))
    table.add(call.SendToVoicemail, on_one_stream(call.FOLD, on_call, call.send_to_voicemail))
    table.add(call.TransferCall, on_one_stream(call.FOLD, on_call, call.transfer_call))
    table.add(call.CompleteCall, on_one_stream(call.FOLD, on_call, call.complete_call))
    table.add(call.LinkCall, on_one_stream(call.FOLD, on_call, call.link_call))
    table.add(call.PlaceOutboundCall, on_one_stream(call.FOLD, on_call, call.place_outbound_call))
    table.add(call.RecordNoAnswer, on_one_stream(call.FOLD, on_call, call.record_no_answer))
    table.add(call.RecordFollowUp, on_one_stream(call.FOLD, on_call, call.record_follow_up))
    table.add(
        call.RelayFollowUpProblem, on_one_stream(call.FOLD, on_call, call.relay_follow_up_problem)
    )
    table.add(
        call.ConfirmFollowUpResolution,
        on_one_stream(call.FOLD, on_call, call.confirm_follow_up_resolution),
    )

    # Agents' presence (issue 17)
    on_agent = agent_handlers.agent_stream
    table.add(agent.LogInAgent, on_one_stream(agent.FOLD, on_agent, agent.log_in_agent))
    table.add(agent.LogOutAgent, on_one_stream(agent.FOLD, on_agent, agent.log_out_agent))
    table.add(agent.PauseAgent, on_one_stream(agent.FOLD, on_agent, agent.pause_agent))
    table.add(agent.UnpauseAgent, on_one_stream(agent.FOLD, on_agent, agent.unpause_agent))

    # Any record's SLA clocks (§6)
    table.add(PauseClocks, clock_handlers.pause_clocks)
    table.add(ResumeClocks, clock_handlers.resume_clocks)
    return table
