"""What every request and response of the web adapter goes through (docs/web.md, "Hostile
input and headers"):

* a command's body is ``application/json`` (415 otherwise, whatever the bytes are), at
  most :data:`BODY_MAX_BYTES` (413) and :data:`DEPTH_MAX` levels deep (400, checked on
  the bytes before any decoder recurses), with no field its class does not have at any
  depth (400 naming the path, ``caller.email``);
* it is I-JSON (RFC 7493): UTF-8, no key twice in an object, no number a double cannot
  hold exactly (integers beyond ±2**53, ``1e400``) and no ``NaN`` or ``Infinity`` (400
  naming the key or the number), and every instant is the documented RFC 3339 string
  with an offset — never an epoch number, a bare date or a local time (400 naming the
  field);
* every response carries the security headers of :data:`SECURITY_HEADERS` (a Content
  Security Policy without inline script, no framing, no sniffing, no referrer, no
  caching), and every request writes one structured line to the ``callcore.access``
  logger: method, path, status, principal and duration, never the token, the query or a
  body.
"""

from __future__ import annotations

import json
import logging
import math
import re
import sys
import time
import types
import typing
from collections.abc import Iterator, Mapping
from datetime import date, datetime
from typing import Any, Final

import attrs
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

BODY_MAX_BYTES: Final = 64 * 1024
"""The largest body any route takes: the longest command (an order of many lines, a
complaint's full text) is a few kilobytes."""

DEPTH_MAX: Final = 16
"""The deepest nesting of arrays and objects a command body may have; the deepest
command (a complaint about a subject, an order's lines) needs four."""

CONTENT_SECURITY_POLICY: Final = "; ".join(
    (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    )
)
"""Scripts and styles only from this server's own files (the wallboard's are static
files, none inline), data only from this server, and no page may frame ours."""

SECURITY_HEADERS: Final[Mapping[str, str]] = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
    "cache-control": "no-store",
}
"""Set on every response that does not set its own value."""

ACCESS_LOG: Final = "callcore.access"


# --------------------------------------------------------------------------- bodies


def json_media_type(content_type: str | None) -> bool:
    """Whether a Content-Type header says JSON: ``application/json``, with at most a
    UTF-8 charset (RFC 8259 §8.1: JSON between systems is UTF-8)."""
    if not content_type:
        return False
    media_type, *parameters = (part.strip().lower() for part in content_type.split(";"))
    if media_type != "application/json":
        return False
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip() != "charset" or value.strip().strip('"') not in ("utf-8", "utf8"):
            return False
    return True


def json_depth(body: bytes) -> int:
    """How deeply arrays and objects nest in ``body``, counted on the bytes (brackets
    outside strings), so that no decoder recurses into a hostile body."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


INTEGER_MAX: Final = 2**53 - 1
"""The largest integer every JSON reader holds exactly (RFC 7493 §2.2, I-JSON)."""

RFC_3339: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})"
)
"""An instant as the API documents it: date, time and offset (``2026-11-03T10:15:00+08:00``)."""
DAY: Final = re.compile(r"\d{4}-\d{2}-\d{2}")


class BodyError(ValueError):
    """A body that is not the I-JSON a command is sent as; the message says why."""


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise BodyError(f"{key}: the key appears twice in one object; send it once")
        found[key] = value
    return found


def _constant(name: str) -> Any:
    raise BodyError(f"{name} is not a JSON number; send a finite number")


def _integer(text: str) -> int:
    value = int(text)
    if abs(value) > INTEGER_MAX:
        raise BodyError(f"{text} is beyond the integers JSON carries exactly (±2**53)")
    return value


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise BodyError(f"{text} is beyond the numbers JSON carries (a finite double)")
    return value


def strict_json(body: bytes) -> Any:
    """``body`` decoded as I-JSON (RFC 7493), or :class:`BodyError` naming what breaks it;
    :class:`ValueError` for bytes that are not JSON at all (the body decoder says where)."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyError(
            f"the body is not UTF-8 (byte {error.start} is 0x{body[error.start]:02x}); "
            "JSON between systems is UTF-8 (RFC 8259 §8.1)"
        ) from None
    return json.loads(
        text,
        object_pairs_hook=_object,
        parse_constant=_constant,
        parse_int=_integer,
        parse_float=_float,
    )


_UNKNOWN_FIELD = object()
"""The type :func:`_typed_nodes` gives a name the attrs class does not have."""


def _typed_nodes(value: Any, kind: Any, path: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Every value inside ``value`` (decoded JSON), depth first, with its dotted path and
    the type the attrs class ``kind`` gives it (each option of a union in turn); a name
    ``kind`` does not have comes with :data:`_UNKNOWN_FIELD` and is not descended into."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(kind):
            if option is not type(None):
                yield from _typed_nodes(value, option, path)
        return
    yield path, value, kind
    if origin in (tuple, list, frozenset, set) and isinstance(value, list):
        arguments = [a for a in typing.get_args(kind) if a is not Ellipsis]
        for index, item in enumerate(value):
            element = arguments[min(index, len(arguments) - 1)] if arguments else Any
            yield from _typed_nodes(item, element, f"{path}[{index}]")
    elif isinstance(kind, type) and attrs.has(kind) and isinstance(value, dict):
        attrs.resolve_types(kind)
        fields = {field.name: field.type for field in attrs.fields(kind)}
        for name, item in value.items():
            where = f"{path}.{name}" if path else str(name)
            if name in fields:
                yield from _typed_nodes(item, fields[name], where)
            else:
                yield where, item, _UNKNOWN_FIELD


def misformed_time(value: Any, kind: Any, path: str = "") -> tuple[str, str] | None:
    """The first instant or day of ``value`` (decoded JSON) not written as the API
    documents it, for the attrs class ``kind``: ``(path, what was sent)``."""
    for where, item, item_kind in _typed_nodes(value, kind, path):
        if item is None or item_kind not in (datetime, date):
            continue
        if item_kind is datetime and not (isinstance(item, str) and RFC_3339.fullmatch(item)):
            return where, (
                "an instant is an RFC 3339 string with its UTC offset, e.g. "
                "2026-11-03T10:15:00+08:00"
            )
        if item_kind is date and not (isinstance(item, str) and DAY.fullmatch(item)):
            return where, "a day is a string YYYY-MM-DD"
    return None


def unknown_field(value: Any, kind: Any, path: str = "") -> str | None:
    """The first field of ``value`` (decoded JSON) that the attrs class ``kind`` — or a
    class nested in it — does not have, as a dotted path (``caller.email``,
    ``lines[1].colour``); ``None`` when every field is known."""
    return next(
        (where for where, _, item_kind in _typed_nodes(value, kind, path)
         if item_kind is _UNKNOWN_FIELD),
        None,
    )  # fmt: skip


def known_fields(kind: Any, path: str) -> list[str]:
    """The fields of the attrs class found at ``path`` in ``kind`` (for the message)."""
    for step in path.replace("[", ".[").split(".")[:-1]:
        kind = _step(kind, step)
    return sorted(field.name for field in attrs.fields(kind)) if attrs.has(kind) else []


def _step(kind: Any, step: str) -> Any:
    arguments = [a for a in typing.get_args(kind) if a not in (type(None), Ellipsis)]
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        attrs_options = [a for a in arguments if attrs.has(a)]
        return _step(attrs_options[0], step) if attrs_options else kind
    if step.startswith("["):
        return arguments[0] if arguments else kind
    if attrs.has(kind):
        attrs.resolve_types(kind)
        return {field.name: field.type for field in attrs.fields(kind)}.get(step, kind)
    return kind


# --------------------------------------------------------------------------- responses


def default_access_log() -> logging.Logger:
    """The ``callcore.access`` logger; writing to stderr when nothing else is set up, so
    that ``callcore serve`` logs every request without further configuration."""
    logger = logging.getLogger(ACCESS_LOG)
    if not logger.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)
    return logger


def hardened(app: ASGIApp, access_log: logging.Logger) -> ASGIApp:
    """``app`` with the security headers on every response and one access-log line per
    request."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers += [
                    (name.encode("latin-1"), value.encode("latin-1"))
                    for name, value in SECURITY_HEADERS.items()
                    if name.encode("latin-1") not in present
                ]
                message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_headers)
        finally:
            state = scope.get("state") or {}
            principal = state.get("principal")
            line = {
                "method": scope.get("method", ""),
                "path": scope.get("path", ""),
                "status": status,
                # role:id of the token's principal; never the token itself
                "principal": f"{principal.role}:{principal.id}" if principal else None,
                "duration_ms": round((time.perf_counter() - started) * 1000, 3),
            }
            access_log.info(json.dumps(line, ensure_ascii=False), extra={"access": line})

    return guarded
