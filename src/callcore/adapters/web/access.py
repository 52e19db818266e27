"""Who may do what over HTTP: bearer tokens, roles and the role matrix.

Tokens are configured, never written in the code: ``callcore serve --tokens FILE`` reads a
TOML file of entries, each with the SHA-256 of a token (so the file itself grants nothing
if it leaks), the role and the person or system it stands for::

    [[token]]
    sha256 = "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"
    role = "supervisor"
    id = "S01"

``callcore token --role supervisor --id S01`` makes a fresh token and prints its entry.

The role matrix (``docs/web.md`` prints it as a table) says which role may send each
command and read each view. A request without a valid token gets 401, a role outside the
matrix 403. Complaint resolutions are confidential (domain.md §4.4): only the roles in
:data:`SEES_RESOLUTIONS` read them; the others see that a resolution exists, not what it is.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path

from attrs import frozen

from callcore.domain.common import Actor, Role
from callcore.domain.complaint_reading import RESOLUTION_READERS
from callcore.service_layer import authority


class WebRole(enum.StrEnum):
    """The roles of interfaces.md §5."""

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    FIELD_WORKER = "field-worker"
    QA = "qa"
    INTEGRATOR = "integrator"


ACTOR_ROLE: Mapping[WebRole, Role] = {
    WebRole.AGENT: Role.AGENT,
    WebRole.SUPERVISOR: Role.SUPERVISOR,
    WebRole.FIELD_WORKER: Role.FIELD_WORKER,
    # QA never writes; if a QA token ever did, its events would show the integration role.
    WebRole.QA: Role.INTEGRATION,
    WebRole.INTEGRATOR: Role.INTEGRATION,
}
"""The role a web principal's events are recorded under (``actor`` in the event log)."""


@frozen
class Principal:
    """The person or system behind a token."""

    role: WebRole
    id: str

    @property
    def actor(self) -> Actor:
        return Actor(ACTOR_ROLE[self.role], self.id)


class TokenFileError(ValueError):
    """The token file is missing or wrong; the message names the entry and the field."""


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class TokenBook:
    """The configured tokens, looked up by their SHA-256 in constant time."""

    def __init__(self, entries: Mapping[str, Principal]) -> None:
        for digest in entries:
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise TokenFileError(f"{digest!r} is not the hex SHA-256 of a token")
        self._entries = dict(entries)

    @classmethod
    def of_tokens(cls, tokens: Mapping[str, Principal]) -> TokenBook:
        """From plain tokens (tests, an embedding application's own secret store)."""
        return cls({token_digest(token): principal for token, principal in tokens.items()})

    @classmethod
    def load(cls, path: str | Path) -> TokenBook:
        try:
            data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            raise TokenFileError(f"{path}: {error.strerror or error}") from None
        except tomllib.TOMLDecodeError as error:
            raise TokenFileError(f"{path}: not TOML ({error})") from None
        entries: dict[str, Principal] = {}
        tokens = data.get("token")
        if not isinstance(tokens, list) or not tokens:
            raise TokenFileError(f"{path}: no [[token]] entries")
        for number, entry in enumerate(tokens, start=1):
            where = f"{path}: token {number}"
            if not isinstance(entry, dict):
                raise TokenFileError(f"{where}: not a table")
            unknown = set(entry) - {"sha256", "role", "id"}
            if unknown:
                raise TokenFileError(f"{where}: unknown field {sorted(unknown)[0]!r}")
            digest, role, ident = entry.get("sha256"), entry.get("role"), entry.get("id")
            if not isinstance(digest, str) or len(digest) != 64:
                raise TokenFileError(f"{where}: sha256 must be 64 hex digits")
            if role not in set(WebRole):
                roles = ", ".join(r.value for r in WebRole)
                raise TokenFileError(f"{where}: role must be one of {roles}, got {role!r}")
            if not isinstance(ident, str) or not ident.strip():
                raise TokenFileError(f"{where}: id must be a non-empty string")
            entries[digest.lower()] = Principal(WebRole(role), ident)
        return cls(entries)

    def principal(self, token: str) -> Principal | None:
        digest = token_digest(token)
        found: Principal | None = None
        # Compare against every entry so the time taken does not tell which digest matched.
        for known, principal in self._entries.items():
            if hmac.compare_digest(known, digest):
                found = principal
        return found

    def __len__(self) -> int:
        return len(self._entries)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_entry(token: str, role: WebRole, ident: str) -> str:
    """The TOML entry that grants ``token`` to ``role``/``ident``."""
    return f'[[token]]\nsha256 = "{token_digest(token)}"\nrole = "{role.value}"\nid = "{ident}"\n'


# --------------------------------------------------------------------------- the matrix

EVERYONE: frozenset[WebRole] = frozenset(WebRole)
STAFF = frozenset({WebRole.AGENT, WebRole.SUPERVISOR})

SEES_RESOLUTIONS: frozenset[WebRole] = frozenset(
    role for role, actor_role in ACTOR_ROLE.items() if actor_role in RESOLUTION_READERS
)
"""Who reads a complaint's resolution over HTTP: the roles whose actor role is in the
domain's ``RESOLUTION_READERS`` (supervisors; domain.md §4.4). The others see that a
resolution exists, who proposed it and when, not its text."""

TELEPHONY_COMMANDS = frozenset(command.__name__ for command in authority.TELEPHONY)
"""What a PBX or a telephony integration reports."""

FRONT_OFFICE_COMMANDS = frozenset(command.__name__ for command in authority.FRONT_OFFICE)
"""What a web front office or CRM may open on a customer's behalf."""

FIELD_COMMANDS = frozenset(command.__name__ for command in authority.FIELD_WORK)
"""What a field worker's app reports from the customer's door. Whose work it may be is
the service layer's object-level policy (``callcore.service_layer.authority``)."""

SUPERVISOR_ONLY_COMMANDS = frozenset({"GrantQuotaException"})
"""Exceptions to a rule need a supervisor's approval (domain.md §4.3)."""


def command_roles(command_name: str) -> frozenset[WebRole]:
    """Who may send a command over HTTP."""
    roles = {WebRole.SUPERVISOR}
    if command_name not in SUPERVISOR_ONLY_COMMANDS:
        roles.add(WebRole.AGENT)
    if command_name in FIELD_COMMANDS:
        roles.add(WebRole.FIELD_WORKER)
    if command_name in TELEPHONY_COMMANDS | FRONT_OFFICE_COMMANDS:
        roles.add(WebRole.INTEGRATOR)
    return frozenset(roles)


VIEW_ROLES: Mapping[str, frozenset[WebRole]] = {
    "sla": frozenset({WebRole.AGENT, WebRole.SUPERVISOR, WebRole.QA, WebRole.INTEGRATOR}),
    "queues": frozenset({WebRole.AGENT, WebRole.SUPERVISOR, WebRole.QA, WebRole.INTEGRATOR}),
    "satisfaction": frozenset({WebRole.SUPERVISOR, WebRole.QA}),
    "daily": frozenset({WebRole.SUPERVISOR, WebRole.QA}),
    "work-queue": STAFF,
    "open-work": STAFF,
    "follow-ups": STAFF,
    # A field worker reads only their own load; the route checks the id.
    "worker-load": frozenset({WebRole.AGENT, WebRole.SUPERVISOR, WebRole.FIELD_WORKER}),
    "wallboard": frozenset({WebRole.SUPERVISOR, WebRole.QA}),
    "history": frozenset({WebRole.SUPERVISOR, WebRole.QA}),
}
"""Who may read each view (GET /views/…, the wallboard's data, a stream's history)."""

RECORD_ROLES: Mapping[str, frozenset[WebRole]] = {
    "customers": frozenset({WebRole.AGENT, WebRole.SUPERVISOR, WebRole.QA, WebRole.INTEGRATOR}),
    "orders": EVERYONE,
    "tickets": frozenset({WebRole.AGENT, WebRole.SUPERVISOR, WebRole.QA, WebRole.INTEGRATOR}),
    "complaints": frozenset({WebRole.AGENT, WebRole.SUPERVISOR, WebRole.QA, WebRole.INTEGRATOR}),
    "dispatches": EVERYONE,
    "calls": frozenset({WebRole.AGENT, WebRole.SUPERVISOR, WebRole.QA, WebRole.INTEGRATOR}),
}
"""Who may look up one record (GET /customers/{id}, …)."""


def roles_text(roles: Iterable[WebRole]) -> str:
    return ", ".join(sorted(role.value for role in roles))
