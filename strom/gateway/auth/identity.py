"""``Identity``: who sent a request, as the gateways hand it to request handlers.

REST handlers read it with ``identity_of(request)`` (the auth middleware puts it in the request's
ASGI scope), gRPC handlers with ``current_identity()`` (the interceptor sets a context variable for
the call). With authentication off every request is ``ANONYMOUS``. The partition bridge puts the caller
of the request being handled on every command it sends (``authorization_data``), and the engine
checks that caller's permissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from starlette.requests import HTTPConnection

from strom.protocol.record import AUTHORIZED_CLIENT_ID, AUTHORIZED_USERNAME, USER_TOKEN_CLAIMS

IdentityKind = Literal["anonymous", "user", "client"]
IDENTITY_SCOPE_KEY = "strom.identity"
"""The ASGI scope key under which the REST middleware leaves the request's ``Identity``."""


@dataclass(frozen=True)
class Identity:
    """An authenticated caller: a user (Basic, or a token naming a user) or a client (a token
    naming a client), with what secondary storage says it belongs to.

    ``groups``, ``roles`` and ``tenants`` include those reached through the caller's groups and
    roles and, for a token, through the mapping rules its claims match (``mapping_rules``).
    """

    kind: IdentityKind
    username: str = ""
    client_id: str = ""
    name: str = ""
    email: str = ""
    groups: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    tenants: tuple[str, ...] = ()
    mapping_rules: tuple[str, ...] = ()
    method: Literal["none", "basic", "oidc"] = "none"
    """How the caller proved who it is."""
    claims: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))
    """The token's verified claims (OIDC only)."""
    checked: bool = True
    """Whether this caller's permissions are checked (``authorizations`` in the config): the
    REST read filter asks; the engine has the same setting of its own."""

    @property
    def principal(self) -> str:
        """The username, or the client id, or "anonymous"."""
        return self.username or self.client_id or "anonymous"

    @property
    def authenticated(self) -> bool:
        return self.kind != "anonymous"

    def authorization_data(self) -> dict[str, Any]:
        """What a command sent for this caller carries in ``Record.authorizations``, for the
        engine's permission and tenant checks (each on or off by the engine's configuration): the
        username or client id, and a token's claims (which the engine matches against its mapping
        rules)."""
        data: dict[str, Any] = {}
        if self.username:
            data[AUTHORIZED_USERNAME] = self.username
        elif self.client_id:
            data[AUTHORIZED_CLIENT_ID] = self.client_id
        if self.claims:
            data[USER_TOKEN_CLAIMS] = dict(self.claims)
        return data


ANONYMOUS = Identity(kind="anonymous")
"""Every caller while authentication is off, and callers of the open paths (``/v2/license`` …)."""

_current: ContextVar[Identity] = ContextVar("strom_identity", default=ANONYMOUS)


def current_identity() -> Identity:
    """The caller of the gRPC call being handled (``ANONYMOUS`` outside one or with auth off)."""
    return _current.get()


def identity_of(connection: HTTPConnection) -> Identity:
    """The caller of a REST request (``ANONYMOUS`` with auth off or on an open path)."""
    found = connection.scope.get(IDENTITY_SCOPE_KEY)
    return found if isinstance(found, Identity) else ANONYMOUS
