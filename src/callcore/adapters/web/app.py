"""The HTTP API and the wallboard (interfaces.md §5), as a Litestar ASGI application.

``create_app(center, tokens)`` is the whole adapter: command routes generated from the
command classes (``commands.py``), the views, typed record look-ups, a stream's history
(the audit trail), the wallboard page and its data. ``callcore serve`` runs it under
uvicorn; an application embedding callcore mounts it like any ASGI app.

Status codes, the contract integrators build on (``docs/web.md``):

* 200 a command was handled (or replayed: same Idempotency-Key and body), or a read;
* 400 the body or a parameter is malformed (the field is named);
* 401 no valid bearer token; 403 the token's role may not do this (the role matrix);
* 404 no such record or stream;
* 413 the body is too large; 415 it is not sent as ``application/json``;
* 409 a business rule refused the command (``rule`` names it) or other writers kept
  changing the same records (``concurrent-writers``; retry);
* 422 a value no rule could accept (a phone number that is not one, a window that ends
  before it starts), or an Idempotency-Key reused with a different command.

Nothing is recorded with any error. No input is answered with a 500.
"""

import hashlib
import inspect
import json
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping
from datetime import date, datetime, tzinfo
from importlib import resources
from typing import TYPE_CHECKING, Annotated, Any

import anyio
import attrs
from litestar import Litestar, MediaType, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.handlers.http_handlers import HTTPRouteHandler
from litestar.openapi import OpenAPIConfig, ResponseSpec
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.params import FromPath, HeaderParameter, JSONBody, Parameter
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

import callcore
from callcore.adapters.telephony.feed import Feed
from callcore.adapters.telephony.twilio import (
    TwilioError,
    TwilioSettings,
    TwilioTranslator,
    bounded_form,
    enqueue_twiml,
    twiml,
    valid_signature,
    voicemail_twiml,
)
from callcore.adapters.web.access import (
    RECORD_ROLES,
    SEES_RESOLUTIONS,
    VIEW_ROLES,
    Principal,
    TokenBook,
    WebRole,
    command_roles,
    roles_text,
)
from callcore.adapters.web.commands import (
    CommandResult,
    CommandRoute,
    Problem,
    RecordedEvent,
    command_result,
    command_routes,
    recorded_event,
)
from callcore.adapters.web.hardening import (
    BODY_MAX_BYTES,
    DEPTH_MAX,
    BodyError,
    default_access_log,
    hardened,
    json_depth,
    json_media_type,
    known_fields,
    misformed_time,
    strict_json,
    unknown_field,
)
from callcore.adapters.web.live import LiveBoard
from callcore.center import UnknownStream
from callcore.domain import complaint, complaint_reading
from callcore.domain.common import VALID_INPUT, DomainError, NotFound, stream_kind
from callcore.domain.phone import INVALID_PHONE
from callcore.formats import json_ready, parse_day, parse_instant, view_data
from callcore.service_layer import receipts
from callcore.service_layer.authority import Forbidden
from callcore.service_layer.messagebus import CommandIdReused, ConcurrencyConflict

if TYPE_CHECKING:  # the package root imports this adapter's users, not the other way
    from callcore.center import CallCenter

IDEMPOTENCY_KEY_MAX = 200

Time = Annotated[
    str | None,
    Parameter(
        description="ISO 8601; without an offset, the centre's local time; a bare date "
        "means the end of that day",
        max_length=64,
    ),
]
Day = Annotated[str | None, Parameter(description="YYYY-MM-DD, centre-local", max_length=32)]


# --------------------------------------------------------------------------- errors


def _problem(status: int, rule: str, detail: str, source: str | None = None) -> Response[Any]:
    headers = {"WWW-Authenticate": 'Bearer realm="callcore"'} if status == 401 else None
    body = attrs.asdict(Problem(status, rule, detail, source))
    return Response(body, status_code=status, headers=headers, media_type=MediaType.JSON)


_RULE_OF_STATUS = {
    400: "valid-input",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "too-large",
    415: "unsupported-media-type",
}


def _http_error(_: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    detail = error.detail
    if isinstance(error, ValidationException) and error.extra:
        problems = error.extra if isinstance(error.extra, list) else [error.extra]
        named = []
        for problem in problems:
            if isinstance(problem, Mapping):
                key = problem.get("key")
                message = problem.get("message", "")
                named.append(f"{key}: {message}" if key and key != "data" else str(message))
            else:
                named.append(str(problem))
        detail = "; ".join(named) or detail
    status = error.status_code
    if status == 413:
        detail = f"the body is larger than the {BODY_MAX_BYTES} bytes any request may have"
    return _problem(status, _RULE_OF_STATUS.get(status, "http-error"), detail)


INPUT_RULES = frozenset({VALID_INPUT, INVALID_PHONE})
"""Rules about the shape of a value rather than the state of the centre: 422, not 409."""


def _domain_error(_: Request[Any, Any, Any], error: DomainError) -> Response[Any]:
    if isinstance(error, Forbidden):  # whose record it is (service_layer.authority)
        return _problem(403, error.rule.name, error.detail, error.rule.source)
    if isinstance(error, NotFound):  # the record the command names does not exist
        return _problem(404, error.rule.name, error.detail, error.rule.source)
    status = 422 if error.rule in INPUT_RULES else 409
    return _problem(status, error.rule.name, error.detail, error.rule.source)


def _reused_key(_: Request[Any, Any, Any], error: CommandIdReused) -> Response[Any]:
    return _problem(
        422,
        "idempotency-key-reused",
        f"{error}; use a new Idempotency-Key for a different command",
        "interfaces.md §2: a command id names one command",
    )


def _conflict(_: Request[Any, Any, Any], error: ConcurrencyConflict) -> Response[Any]:
    response = _problem(409, "concurrent-writers", str(error))
    response.headers["Retry-After"] = "1"
    return response


def _server_error(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    request.logger.exception("unexpected error in %s %s", request.method, request.url.path)
    return _problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        "server-error",
        "callcore failed; nothing was recorded for this request. The server log has the cause.",
    )


BEARER: list[dict[str, list[str]]] = [{"bearer": []}]
"""Every operation but /health needs the bearer token."""

ERROR_RESPONSES: Mapping[int, ResponseSpec] = {
    400: ResponseSpec(Problem, description="A malformed body or parameter; `detail` names it"),
    401: ResponseSpec(Problem, description="No valid bearer token"),
    403: ResponseSpec(Problem, description="The token's role may not do this (the role matrix)"),
}
COMMAND_ERRORS: Mapping[int, ResponseSpec] = {
    **ERROR_RESPONSES,
    404: ResponseSpec(Problem, description="The record the command names does not exist"),
    409: ResponseSpec(Problem, description="A business rule refused the command; `rule` names it"),
    413: ResponseSpec(Problem, description="The body is larger than any command's"),
    415: ResponseSpec(Problem, description="The body is not sent as application/json"),
    422: ResponseSpec(
        Problem,
        description="A value the domain cannot accept, or an Idempotency-Key reused with "
        "a different command",
    ),
}
READ_ERRORS: Mapping[int, ResponseSpec] = {
    **ERROR_RESPONSES,
    404: ResponseSpec(Problem, description="No such record"),
}


# --------------------------------------------------------------------------- access


def guard(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    """Authenticate the bearer token and check the role matrix (``handler.opt['roles']``)."""
    roles: frozenset[WebRole] | None = handler.opt.get("roles")
    if roles is None:
        return
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthorizedException("send an Authorization: Bearer <token> header")
    tokens: TokenBook = connection.app.state.tokens
    principal = tokens.principal(token.strip())
    if principal is None:
        raise NotAuthorizedException("the bearer token is not one this server knows")
    connection.state.principal = principal  # the access log names who was refused too
    if principal.role not in roles:
        raise PermissionDeniedException(
            f"the {principal.role.value} role may not use {handler.opt.get('what', 'this')}; "
            f"allowed: {roles_text(roles)}"
        )
    connection.state.principal = principal


def _principal(request: Request[Any, Any, Any]) -> Principal:
    principal: Principal = request.state.principal
    return principal


# --------------------------------------------------------------------------- the app


def create_app(
    center: "CallCenter",
    tokens: TokenBook,
    *,
    poll_seconds: float = 5.0,
    debug: bool = False,
    twilio: TwilioSettings | None = None,
    access_log: logging.Logger | None = None,
) -> Litestar:
    """The web adapter over ``center``; ``tokens`` grant the roles (never hard-coded).
    Every request writes one line to ``access_log`` (default: the ``callcore.access``
    logger, to stderr when logging is not configured)."""
    zone = center.directory.local(center.clock.now()).tzinfo
    assert zone is not None
    board = LiveBoard(center)

    def centre_time(text: str | None, name: str) -> datetime | None:
        try:
            return None if text is None else parse_instant(text, zone)
        except ValueError as error:
            raise ValidationException(f"{name}: {error}") from None

    def centre_day(text: str | None, name: str) -> date | None:
        try:
            return None if text is None else parse_day(text)
        except ValueError as error:
            raise ValidationException(f"{name}: {error}") from None

    handlers: list[HTTPRouteHandler] = [
        *(_command_handler(center, route) for route in command_routes())
    ]

    # -- views ------------------------------------------------------------------

    @_read_route("/views/sla", "sla", tag="views", responses=ERROR_RESPONSES)
    def sla_view(at: Time = None) -> dict[str, Any]:
        """Every SLA clock instance and its state as of ``at`` (default: now), with the
        compliance per clock (the JSON of ``callcore views --view sla``)."""
        return view_data(center.views.sla(centre_time(at, "at")), zone)

    @_read_route("/views/queues", "queues", tag="views", responses=ERROR_RESPONSES)
    def queues_view(at: Time = None, since: Time = None, until: Time = None) -> dict[str, Any]:
        """Service level, average speed of answer and abandonment of the phone queues,
        for calls offered in [since, until), as of ``at``."""
        return view_data(
            center.views.queues(
                centre_time(at, "at"),
                since=centre_time(since, "since"),
                until=centre_time(until, "until"),
            ),
            zone,
        )

    @_read_route("/views/satisfaction", "satisfaction", tag="views", responses=ERROR_RESPONSES)
    def satisfaction_view(
        at: Time = None, since: Time = None, until: Time = None
    ) -> dict[str, Any]:
        """Satisfaction per field worker, branch and agent over [since, until)."""
        return view_data(
            center.views.satisfaction(
                centre_time(at, "at"),
                since=centre_time(since, "since"),
                until=centre_time(until, "until"),
            ),
            zone,
        )

    @_read_route("/views/daily", "daily", tag="views", responses=ERROR_RESPONSES)
    def daily_view(day: Day = None, at: Time = None) -> dict[str, Any]:
        """The daily report of a centre-local day (default: today), per branch."""
        when = centre_day(day, "day") or center.directory.local(center.clock.now()).date()
        return view_data(center.views.daily(when, centre_time(at, "at")), zone)

    @_read_route(
        "/views/work-queue/{branch:str}", "work-queue", tag="views", responses=ERROR_RESPONSES
    )
    def work_queue_view(branch: FromPath[str], at: Time = None) -> list[dict[str, Any]]:
        """A branch's dispatches waiting for a field worker, in the order to assign them."""
        rows = center.views.work_queue(branch, centre_time(at, "at"))
        result: list[dict[str, Any]] = json_ready(rows, zone)
        return result

    @_read_route(
        "/views/open-work/{branch:str}", "open-work", tag="views", responses=ERROR_RESPONSES
    )
    def open_work_view(branch: FromPath[str], at: Time = None) -> list[dict[str, Any]]:
        """A branch's open tickets, complaints, orders and dispatches, oldest first."""
        rows = center.views.open_work(branch, centre_time(at, "at"))
        result: list[dict[str, Any]] = json_ready(rows, zone)
        return result

    @_read_route(
        "/views/worker-load/{worker:str}", "worker-load", tag="views", responses=READ_ERRORS
    )
    def worker_load_view(
        request: Request[Any, Any, Any], worker: FromPath[str], day: Day = None, at: Time = None
    ) -> dict[str, Any]:
        """A field worker's booked work orders on a day and what is left. A field
        worker reads only their own."""
        principal = _principal(request)
        wanted_day, as_of = centre_day(day, "day"), centre_time(at, "at")  # 400 before 404
        if principal.role is WebRole.FIELD_WORKER and principal.id != worker:
            raise PermissionDeniedException("a field worker reads only their own load")
        if worker not in center.directory.field_workers:
            raise NotFoundException(f"no field worker {worker!r} in the directory")
        load = center.views.worker_load(worker, wanted_day, as_of)
        result: dict[str, Any] = json_ready(load, zone)
        return result

    @_read_route("/views/follow-ups", "follow-ups", tag="views", responses=ERROR_RESPONSES)
    def follow_ups_view(at: Time = None) -> list[dict[str, Any]]:
        """Follow-up calls to make now, most urgent first."""
        result: list[dict[str, Any]] = json_ready(
            center.views.follow_ups(centre_time(at, "at")), zone
        )
        return result

    handlers += [
        sla_view,
        queues_view,
        satisfaction_view,
        daily_view,
        work_queue_view,
        open_work_view,
        worker_load_view,
        follow_ups_view,
    ]

    # -- records and history -------------------------------------------------------

    handlers += [_record_handler(center, family, zone) for family in RECORD_ROLES]

    @_read_route("/streams/{stream:str}/history", "history", tag="audit", responses=READ_ERRORS)
    def stream_history(
        request: Request[Any, Any, Any], stream: FromPath[str]
    ) -> list[RecordedEvent]:
        """Who did what, when: every event of one stream in order, with its actor.
        Complaint texts are withheld from roles that may not read them."""
        try:
            records = center.history(stream)  # a record's id alone is found too
        except UnknownStream as unknown:
            raise NotFoundException(unknown.detail) from None
        confidential = (
            # the stream found, not the one asked: "K-1" is complaint-K-1's history
            stream_kind(records[0].stream) == complaint.KIND
            and _principal(request).role not in SEES_RESOLUTIONS
        )
        return [recorded_event(record, confidential=confidential) for record in records]

    @get(
        "/me",
        opt={"roles": frozenset(WebRole), "what": "/me"},
        tags=["access"],
        responses=ERROR_RESPONSES,
        security=BEARER,
    )
    async def me(request: Request[Any, Any, Any]) -> dict[str, str]:
        """The role and id the bearer token stands for."""
        principal = _principal(request)
        return {"role": principal.role.value, "id": principal.id, "actor": str(principal.actor)}

    @get("/health", tags=["access"], sync_to_thread=True)
    def health() -> dict[str, str]:
        """Up, and the centre it serves (no token needed)."""
        return {"status": "ok", "centre": center.directory.centre, "version": callcore.__version__}

    # -- the wallboard -----------------------------------------------------------

    @get("/wallboard", media_type=MediaType.HTML, include_in_schema=False)
    async def wallboard() -> str:
        """The page; it holds no data and asks /wallboard/data with the token it is given."""
        return wallboard_page(poll_seconds=poll_seconds)

    @get("/wallboard/wallboard.js", include_in_schema=False, media_type="text/javascript")
    async def wallboard_script() -> str:
        """The wallboard's script, a file so that the page needs no inline script."""
        return _static("wallboard.js")

    @get("/wallboard/wallboard.css", include_in_schema=False, media_type="text/css")
    async def wallboard_style() -> str:
        """The wallboard's style sheet."""
        return _static("wallboard.css")

    @_read_route("/wallboard/data", "wallboard", tag="views", responses=ERROR_RESPONSES)
    def wallboard_data() -> dict[str, Any]:
        """Today's clocks at risk and breached, the queues' service level and
        abandonment, satisfaction and field workers' load, as of now."""
        return board.picture()

    handlers += [stream_history, me, health, wallboard, wallboard_script, wallboard_style]
    handlers += [wallboard_data]
    telephony_feed = Feed(center, conflicts_raise=True)
    if twilio is not None:
        handlers += _twilio_handlers(center, twilio, telephony_feed)

    app = Litestar(
        route_handlers=handlers,
        guards=[guard],
        exception_handlers={
            HTTPException: _http_error,
            DomainError: _domain_error,
            CommandIdReused: _reused_key,
            ConcurrencyConflict: _conflict,
            Exception: _server_error,
        },
        openapi_config=OpenAPIConfig(
            title="callcore",
            version=callcore.__version__,
            description=(
                "The HTTP API of a callcore centre: every command, the views, record "
                "look-ups and the audit trail. Send `Authorization: Bearer <token>`; "
                "send an `Idempotency-Key` with every POST so that a retry records "
                "nothing twice. Errors are `Problem` objects whose `rule` names what "
                "was wrong."
            ),
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
            # The document only: the interactive pages Litestar offers load their
            # scripts from public CDNs, dead on a closed network (docs/web.md).
            render_plugins=[JsonRenderPlugin()],
        ),
        request_max_body_size=BODY_MAX_BYTES,
        debug=debug,
    )
    app.asgi_handler = hardened(app.asgi_handler, access_log or default_access_log())
    app.state.tokens = tokens
    app.state.center = center
    app.state.telephony_feed = telephony_feed
    return app


def _read_route(
    path: str, view: str, *, tag: str = "views", responses: Mapping[int, ResponseSpec] = READ_ERRORS
) -> Callable[[Callable[..., Any]], HTTPRouteHandler]:
    def decorate(function: Callable[..., Any]) -> HTTPRouteHandler:
        summary = (function.__doc__ or "").strip().split("\n")[0].rstrip(".")
        return get(
            path,
            before_request=_refuse_unknown_query(function),
            opt=_reads(view),
            tags=[tag],
            responses=responses,
            sync_to_thread=True,
            security=BEARER,
            operation_id=function.__name__,
            summary=summary,
        )(function)

    return decorate


def _twilio_handlers(
    center: "CallCenter", settings: TwilioSettings, feed: Feed
) -> list[HTTPRouteHandler]:
    """Twilio's voice webhooks (interfaces.md §6), signed instead of bearer tokens."""

    def answered(call_id: str) -> bool:
        return center.calls.exists(call_id) and center.calls.get(call_id).answered_at is not None

    translator = TwilioTranslator(settings, now=center.clock.now, answered=answered)
    # Twilio retries a webhook it got no answer to in time, with the same signed body: a
    # redelivery gets the first delivery's answer and records nothing (its commands,
    # stamped at a later instant, would otherwise conflict with the first ones). Kept
    # in memory, newest 10 000 requests; after a restart the first answer is rebuilt
    # from the store (as_first_delivered).
    first_answers: OrderedDict[str, str | None] = OrderedDict()
    one_at_a_time = anyio.Lock()

    async def verified(request: Request[Any, Any, Any]) -> tuple[dict[str, str], str]:
        form = await request.form()
        pairs = [(str(name), str(value)) for name, value in form.multi_items()]
        url = settings.public_url.rstrip("/") + request.url.path
        if request.url.query:
            url += "?" + request.url.query
        if not valid_signature(
            settings.auth_token, url, pairs, request.headers.get("x-twilio-signature")
        ):
            raise PermissionDeniedException(
                "the X-Twilio-Signature is missing or does not match this request"
            )
        try:
            bounded_form(pairs)
        except TwilioError as error:
            raise ValidationException(str(error)) from None
        found: dict[str, str] = {}
        for name, value in pairs:
            found.setdefault(name, value)
        request_body = json.dumps([request.url.path, request.url.query, sorted(pairs)])
        return found, hashlib.sha256(request_body.encode()).hexdigest()

    async def once(
        request: Request[Any, Any, Any],
        answer: Callable[[dict[str, str]], Awaitable[str | None]],
    ) -> str | None:
        """The answer to a webhook: the first delivery's for a redelivery."""
        form, key = await verified(request)
        async with one_at_a_time:
            if key in first_answers:
                feed.report.repeated += 1
                first_answers.move_to_end(key)
                return first_answers[key]
            body = await answer(form)
            first_answers[key] = body
            if len(first_answers) > 10_000:
                first_answers.popitem(last=False)
            return body

    def as_first_delivered(command: Any) -> Any:
        """A command already handled, stamped as when it was first handled. A webhook
        without a ``Timestamp`` is stamped on arrival, so a redelivery after a restart
        (the cache above gone) would stand for the same fact at a later instant: the
        store's receipt and the events it recorded give the first instant back, and the
        bus then answers it as the repeat it is. A different request under the same fact
        (another agent, another status) still differs, and still conflicts."""
        command_id = getattr(command, "command_id", None)
        if not command_id or getattr(command, "occurred_at", None) is None:
            return command
        stored = center.store.read_stream(receipts.stream_id(command_id))
        if not stored:
            return command
        receipt = stored[0].event
        if not isinstance(receipt, receipts.CommandHandled):
            return command
        for span in receipt.recorded:
            for found in center.store.read_stream(span.stream, after_version=span.first - 1):
                if found.version <= span.last:
                    return attrs.evolve(command, occurred_at=found.event.at)
        return command

    async def record(commands: list[Any]) -> list[Any]:
        # Refused facts are counted, not answered with an error: Twilio would play
        # "an application error has occurred" to the caller.
        feed.report.inputs += 1
        first = await anyio.to_thread.run_sync(
            lambda: [as_first_delivered(command) for command in commands]
        )
        await anyio.to_thread.run_sync(feed.record, first)
        return first

    def xml(body: str) -> Response[str]:
        return Response(body, media_type="application/xml")

    def translated(function: Callable[[], list[Any]]) -> list[Any]:
        try:
            return function()
        except (TwilioError, ValueError, TypeError) as error:  # attrs validators too
            raise ValidationException(str(error)) from None

    @post("/telephony/twilio/voice", include_in_schema=False, status_code=200)
    async def twilio_voice(request: Request[Any, Any, Any]) -> Response[str]:
        async def answer(form: dict[str, str]) -> str:
            recorded = await record(translated(lambda: translator.incoming(form)))
            # The answer of the first delivery: open or closed when the call came in.
            came_in = next(
                (c.occurred_at for c in recorded if getattr(c, "occurred_at", None)),
                center.clock.now(),
            )
            closed = center.bus.calendar.is_after_hours(came_in)
            return voicemail_twiml(settings) if closed else enqueue_twiml(settings)

        return xml(await once(request, answer) or "")

    @post("/telephony/twilio/status", include_in_schema=False, status_code=204)
    async def twilio_status(request: Request[Any, Any, Any]) -> None:
        async def answer(form: dict[str, str]) -> None:
            await record(translated(lambda: translator.status(form)))

        await once(request, answer)

    @post("/telephony/twilio/enqueue", include_in_schema=False, status_code=200)
    async def twilio_enqueue(request: Request[Any, Any, Any]) -> Response[str]:
        async def answer(form: dict[str, str]) -> str:
            await record(translated(lambda: translator.enqueue_result(form)))
            return twiml()

        return xml(await once(request, answer) or "")

    @post("/telephony/twilio/dequeue", include_in_schema=False, status_code=200)
    async def twilio_dequeue(request: Request[Any, Any, Any]) -> Response[str]:
        agent = request.query_params.get("agent", "")

        async def answer(form: dict[str, str]) -> str:
            await record(translated(lambda: translator.dequeued(form, agent)))
            return twiml()

        return xml(await once(request, answer) or "")

    @post("/telephony/twilio/voicemail", include_in_schema=False, status_code=200)
    async def twilio_voicemail(request: Request[Any, Any, Any]) -> Response[str]:
        async def answer(form: dict[str, str]) -> str:
            await record(translated(lambda: translator.voicemail(form)))
            return twiml("<Say>Thank you. We will call you back.</Say>", "<Hangup/>")

        return xml(await once(request, answer) or "")

    return [twilio_voice, twilio_status, twilio_enqueue, twilio_dequeue, twilio_voicemail]


def _reads(view: str) -> dict[str, Any]:
    return {"roles": VIEW_ROLES[view], "what": f"the {view} view"}


def _command_handler(center: "CallCenter", route: CommandRoute) -> HTTPRouteHandler:
    roles = command_roles(route.command_type.__name__)

    def handle(
        request: Request[Any, Any, Any], data: Any, idempotency_key: str | None = None
    ) -> Response[CommandResult]:
        principal = _principal(request)
        command_id = None
        if idempotency_key is not None:
            # Scoped by who sends it: one client's key never collides with another's.
            command_id = f"http:{principal.role.value}:{principal.id}:{idempotency_key}"
        try:
            command = route.command(data, actor=principal.actor, command_id=command_id)
        except (ValueError, TypeError) as error:
            raise DomainError(VALID_INPUT, str(error)) from None
        now = center.clock.now()
        try:
            center.bus.check_reported_time(command, now)
        except DomainError:
            pass  # the bus names the back-dating rule (409), after whose record it is (403)
        else:
            try:  # a value off the horizon is a malformed body, as a bad field is (400)
                center.bus.check_values(command, now)
            except DomainError as error:
                raise ValidationException(error.detail) from None
        outcome = center.handle(command)
        headers = {"Idempotent-Replayed": "true"} if outcome.repeated else {}
        return Response(command_result(outcome), status_code=200, headers=headers)

    handle.__annotations__ = {
        "request": Request[Any, Any, Any],
        "data": JSONBody[route.body_type],  # type: ignore[misc, name-defined]
        "idempotency_key": Annotated[
            str | None,
            HeaderParameter(
                name="Idempotency-Key",
                required=False,
                min_length=1,
                max_length=IDEMPOTENCY_KEY_MAX,
                description="Makes a retry harmless: the same key and body give the first "
                "response and record nothing new; the same key with another body is a 422.",
            ),
        ],
        "return": Response[CommandResult],
    }
    handle.__name__ = handle.__qualname__ = route.command_type.__name__
    doc = (route.command_type.__doc__ or "").strip()
    return post(
        route.path,
        before_request=_refuse_unknown_fields(route),
        opt={"roles": roles, "what": route.command_type.__name__},
        tags=[route.family],
        operation_id=route.command_type.__name__,
        summary=route.command_type.__name__,
        description=(doc + "\n\n" if doc else "") + f"Roles: {roles_text(roles)}.",
        responses=COMMAND_ERRORS,
        security=BEARER,
        status_code=200,
        sync_to_thread=True,
    )(handle)


def _refuse_unknown_query(
    function: Callable[..., Any],
) -> Callable[[Request[Any, Any, Any]], Awaitable[None]]:
    """A misspelt parameter (``?untill=``) would otherwise give a view of another period."""
    known = set(inspect.signature(function).parameters) - {"request"}

    async def check(request: Request[Any, Any, Any]) -> None:
        unknown = sorted(set(request.query_params) - known)
        if unknown:
            allowed = ", ".join(sorted(known - set(request.path_params))) or "none"
            raise ValidationException(f"{unknown[0]!r}: not a parameter here (allowed: {allowed})")

    return check


def _refuse_unknown_fields(
    route: CommandRoute,
) -> Callable[[Request[Any, Any, Any]], Awaitable[None]]:
    """Before a command's body is decoded: JSON only (415), not too deep (400) — both
    judged on the bytes — and no field its class does not have, at any depth (400): a
    misspelt optional field ("priorty", "caller.emial") would otherwise be dropped in
    silence. The size limit (413) is the app's ``request_max_body_size``."""
    name = route.command_type.__name__

    async def check(request: Request[Any, Any, Any]) -> None:
        if request.query_params:
            raise ValidationException(
                f"{sorted(request.query_params)[0]!r}: commands take no query parameters"
            )
        content_type = request.headers.get("content-type")
        if not json_media_type(content_type):
            raise HTTPException(
                status_code=415,
                detail=f"a command's body is application/json, not {content_type or 'untyped'}",
            )
        raw = await request.body()
        depth = json_depth(raw)
        if depth > DEPTH_MAX:
            raise ValidationException(
                f"the body nests {depth} levels deep; a command nests at most {DEPTH_MAX}"
            )
        try:
            body = strict_json(raw)
        except BodyError as error:
            raise ValidationException(str(error)) from None
        except ValueError:  # not JSON: the body decoder reports it
            return
        unknown = unknown_field(body, route.body_type)
        if unknown is not None:
            fields = ", ".join(known_fields(route.body_type, unknown))
            raise ValidationException(f"{unknown}: not a field of {name} (its fields: {fields})")
        misformed = misformed_time(body, route.body_type)
        if misformed is not None:
            where, how = misformed
            raise ValidationException(f"{where}: {how}")

    return check


_RECORD_LOOKUPS: Mapping[str, Callable[["CallCenter"], Any]] = {
    "customers": lambda center: center.customers,
    "orders": lambda center: center.orders,
    "tickets": lambda center: center.tickets,
    "complaints": lambda center: center.complaints,
    "dispatches": lambda center: center.dispatches,
    "calls": lambda center: center.calls,
}


def _record_handler(center: "CallCenter", family: str, zone: tzinfo) -> HTTPRouteHandler:
    records = _RECORD_LOOKUPS[family](center)
    roles = RECORD_ROLES[family]

    def look_up(request: Request[Any, Any, Any], record_id: str) -> dict[str, Any]:
        principal = _principal(request)
        try:
            state = records.get(record_id)
        except NotFound:
            raise NotFoundException(f"no {family[:-1]} {record_id!r}") from None
        if family == "complaints":
            state = complaint_reading.view_for(state, principal.actor)
        if principal.role is WebRole.FIELD_WORKER and state.worker_id != principal.id:
            raise PermissionDeniedException(
                f"a field worker reads only the {family} assigned to them"
            )
        result: dict[str, Any] = json_ready(state, zone)
        return result

    look_up.__annotations__ = {
        "request": Request[Any, Any, Any],
        "record_id": FromPath[str],
        "return": dict[str, Any],
    }
    look_up.__name__ = look_up.__qualname__ = f"get_{family}"
    return get(
        f"/{family}/{{record_id:str}}",
        opt={"roles": roles, "what": f"{family} look-ups"},
        tags=[family],
        operation_id=f"get_{family}",
        summary=f"One of the {family}, as its state",
        description=f"Roles: {roles_text(roles)}."
        + (
            " Resolutions and notes are withheld from roles that may not read them."
            if family == "complaints"
            else ""
        ),
        responses=READ_ERRORS,
        security=BEARER,
        sync_to_thread=True,
    )(look_up)


def _static(name: str) -> str:
    return (
        resources.files("callcore.adapters.web")
        .joinpath(f"static/{name}")
        .read_text(encoding="utf-8")
    )


STYLESHEET = '<link rel="stylesheet" href="/wallboard/wallboard.css">'
SCRIPT = '<script src="/wallboard/wallboard.js"></script>'


def wallboard_page(*, poll_seconds: float = 5.0, picture: Any = None) -> str:
    """The wallboard's HTML. With ``picture`` the data is inlined and the page does not
    poll: that is the static report of ``callcore report``, a file to mail or archive,
    which carries its style and script inline too (no server to fetch them from)."""
    html = _static("wallboard.html")
    embedded = json.dumps(picture, ensure_ascii=False).replace("</", "<\\/")
    html = html.replace("/*POLL_SECONDS*/5", repr(float(poll_seconds))).replace(
        "/*EMBEDDED*/null", embedded
    )
    if picture is not None:
        style = _static("wallboard.css").replace("</", "<\\/")
        script = _static("wallboard.js").replace("</", "<\\/")
        html = html.replace(STYLESHEET, f"<style>\n{style}</style>").replace(
            SCRIPT, f"<script>\n{script}</script>"
        )
    return html
