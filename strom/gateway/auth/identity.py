"""``Identity``: who sent a request, as the gateways hand it to request handlers.

REST handlers read it with ``identity_of(request)`` (the auth middleware puts it in the request's
ASGI scope), gRPC handlers with ``current_identity()`` (the interceptor sets a context variable for
the call). With authentication off every request is ``ANONYMOUS``. Authorization checks (issue 16
item 3) will read the same object.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Literal

from starlette.requests import HTTPConnection

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

    @property
    def principal(self) -> str:
        """The username, or the client id, or "anonymous"."""
        return self.username or self.client_id or "anonymous"

    @property
    def authenticated(self) -> bool:
        return self.kind != "anonymous"


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
