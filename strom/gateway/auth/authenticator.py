"""``Authenticator``: turns a request's ``Authorization`` value into an ``Identity`` or refuses it.

One per gateway (the gRPC gateway and REST each build theirs from the broker config). ``basic``
takes only HTTP Basic credentials, checked against the users in secondary storage; ``oidc`` only
bearer tokens of the configured issuer (as Camunda 8.8, which takes one or the other per cluster).
What a principal belongs to (groups, roles, tenants) is read from secondary storage and kept for
``lookup_ttl_s`` (1 s), so a change there reaches the gateways within a second of being exported.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Literal

from strom.broker.config import BrokerConfig
from strom.gateway.auth.credentials import (
    BasicCredentials,
    BearerToken,
    CredentialsError,
    parse_authorization,
)
from strom.gateway.auth.identity import ANONYMOUS, Identity
from strom.gateway.auth.oidc import OidcSettings, TokenError, TokenValidator
from strom.gateway.auth.passwords import PasswordVerifier
from strom.search.identity import IdentityStore, Memberships, StoredUser

_log = logging.getLogger(__name__)

Mode = Literal["none", "basic", "oidc"]
_MAX_LOOKUPS = 4096


class AuthenticationError(Exception):
    """The request is refused as unauthenticated (HTTP 401 / gRPC UNAUTHENTICATED)."""

    def __init__(self, message: str, challenge: str) -> None:
        super().__init__(message)
        self.message = message
        self.challenge = challenge
        """The ``WWW-Authenticate`` value for HTTP."""


@dataclass(frozen=True)
class _UserEntry:
    user: StoredUser | None
    memberships: Memberships


class _Recent:
    """Values computed in a worker thread and kept ``ttl_s`` seconds (at most ``_MAX_LOOKUPS``)."""

    def __init__(self, ttl_s: float) -> None:
        self._ttl_s = ttl_s
        self._values: OrderedDict[Any, tuple[Any, float]] = OrderedDict()

    async def get(self, key: Any, compute: Callable[[], Any]) -> Any:
        now = time.monotonic()
        found = self._values.get(key)
        if found is not None and found[1] > now:
            return found[0]
        value = await asyncio.to_thread(compute)
        self._values[key] = (value, time.monotonic() + self._ttl_s)
        self._values.move_to_end(key)
        while len(self._values) > _MAX_LOOKUPS:
            self._values.popitem(last=False)
        return value


class Authenticator:
    """Authenticates requests in one ``mode`` (module docstring)."""

    def __init__(
        self,
        mode: Mode,
        store: IdentityStore | None = None,
        tokens: TokenValidator | None = None,
        *,
        username_claim: str = "sub",
        client_id_claim: str = "",
        lookup_ttl_s: float = 1.0,
        passwords: PasswordVerifier | None = None,
        authorizations: bool = True,
    ) -> None:
        if mode != "none" and store is None:
            raise ValueError(f"auth mode {mode!r} needs the identity store (secondary storage)")
        if mode == "oidc" and tokens is None:
            raise ValueError("auth mode 'oidc' needs a token validator")
        self.mode: Mode = mode
        self.authorizations = authorizations
        """Whether the callers' permissions are checked (``Identity.checked``)."""
        self._store = store
        self._tokens = tokens
        self._username_claim = username_claim
        self._client_id_claim = client_id_claim
        self.passwords = passwords or PasswordVerifier()
        self._lookups = _Recent(lookup_ttl_s)
        self.challenge = 'Basic realm="strom", charset="UTF-8"' if mode == "basic" else 'Bearer realm="strom"'

    async def authenticate(self, authorization: str | None) -> Identity:
        """The caller named by ``authorization`` (an HTTP header or gRPC metadata value).

        Raises:
            AuthenticationError: no credentials, malformed ones, or ones that do not check out.
        """
        if self.mode == "none":
            return ANONYMOUS
        try:
            credentials = parse_authorization(authorization)
        except CredentialsError as error:
            raise self._refused(f"Malformed authorization: {error}", invalid_token=True) from None
        if credentials is None:
            raise self._refused(self._missing())
        if self.mode == "basic":
            if not isinstance(credentials, BasicCredentials):
                raise self._refused(
                    "This broker takes HTTP Basic credentials (auth = basic), not a bearer token: send "
                    "'authorization: Basic <base64 of username:password>'"
                )
            return await self._basic(credentials)
        if not isinstance(credentials, BearerToken):
            raise self._refused(
                "This broker takes OIDC bearer tokens (auth = oidc), not a username and password: send "
                "'authorization: Bearer <token>'"
            )
        return await self._bearer(credentials.token)

    def _missing(self) -> str:
        if self.mode == "basic":
            return (
                "Authentication required: send 'authorization: Basic <base64 of username:password>' "
                "(HTTP header or gRPC metadata)"
            )
        return (
            "Authentication required: send 'authorization: Bearer <token>' with a token of the "
            "configured issuer"
        )

    def _refused(self, message: str, invalid_token: bool = False) -> AuthenticationError:
        challenge = self.challenge
        if invalid_token and self.mode == "oidc":
            challenge += ', error="invalid_token"'
        return AuthenticationError(message, challenge)

    # -- Basic -------------------------------------------------------------------------------------

    async def check_password(self, username: str, password: str) -> Identity:
        """The user ``username`` when ``password`` is theirs (mode ``basic``): the UI's login form.

        Raises:
            AuthenticationError: another mode, an unknown user or a wrong password.
        """
        if self.mode != "basic":
            raise self._refused("Logging in with a username and password needs auth = basic")
        return await self._basic(BasicCredentials(username, password))

    async def user(self, username: str) -> Identity | None:
        """The user ``username`` as a logged-in caller (a UI session proved the password before),
        or None when the user does not exist (any more)."""
        entry: _UserEntry = await self._lookups.get(("user", username), lambda: self._load_user(username))
        if self.mode != "basic" or entry.user is None:
            return None
        return self._user_identity(entry)

    async def _basic(self, credentials: BasicCredentials) -> Identity:
        username = credentials.username
        entry: _UserEntry = await self._lookups.get(("user", username), lambda: self._load_user(username))
        user = entry.user
        stored_hash = user.password_hash if user is not None else None
        if not await self.passwords.verify(username, credentials.password, stored_hash):
            raise self._refused("Invalid username or password")
        return self._user_identity(entry)

    def _user_identity(self, entry: _UserEntry) -> Identity:
        user = entry.user
        assert user is not None
        m = entry.memberships
        return Identity(
            kind="user",
            username=user.username,
            name=user.name,
            email=user.email,
            groups=m.groups,
            roles=m.roles,
            tenants=m.tenants,
            method="basic",
            checked=self.authorizations,
        )

    def _load_user(self, username: str) -> _UserEntry:
        assert self._store is not None
        user = self._store.user(username)
        if user is None:
            return _UserEntry(None, Memberships())
        return _UserEntry(user, self._store.memberships([("USER", username)]))

    # -- OIDC --------------------------------------------------------------------------------------

    async def _bearer(self, token: str) -> Identity:
        assert self._tokens is not None
        try:
            claims = await self._tokens.validate(token)
        except TokenError as error:
            raise self._refused(f"Invalid bearer token: {error}", invalid_token=True) from None
        username = claims.get(self._username_claim)
        client_id = claims.get(self._client_id_claim) if self._client_id_claim else None
        if isinstance(username, str) and username:
            kind: Literal["user", "client"] = "user"
            entity = ("USER", username)
        elif isinstance(client_id, str) and client_id:
            kind, entity = "client", ("CLIENT", client_id)
        else:
            named = repr(self._username_claim)
            if self._client_id_claim:
                named += f" or {self._client_id_claim!r}"
            raise self._refused(f"Invalid bearer token: it has no {named} claim naming the caller", True)
        digest = hashlib.sha256(token.encode()).digest()
        rules, memberships = await self._lookups.get(
            ("token", digest), lambda: self._load_token(entity, claims)
        )
        name = claims.get("name")
        email = claims.get("email")
        return Identity(
            kind=kind,
            username=entity[1] if kind == "user" else "",
            client_id=entity[1] if kind == "client" else "",
            name=name if isinstance(name, str) else "",
            email=email if isinstance(email, str) else "",
            groups=memberships.groups,
            roles=memberships.roles,
            tenants=memberships.tenants,
            mapping_rules=rules,
            method="oidc",
            claims=MappingProxyType(claims),
            checked=self.authorizations,
        )

    def _load_token(
        self, entity: tuple[str, str], claims: dict[str, Any]
    ) -> tuple[tuple[str, ...], Memberships]:
        assert self._store is not None
        rules = self._store.matching_mapping_rules(claims)
        memberships = self._store.memberships([entity, *(("MAPPING_RULE", rule) for rule in rules)])
        return rules, memberships

    def close(self) -> None:
        if self._store is not None:
            self._store.close()


def authenticator_for(config: BrokerConfig, store: IdentityStore | None = None) -> Authenticator:
    """The authenticator ``config`` asks for (mode ``none``: everyone is ``ANONYMOUS``); it reads
    ``store``, or opens the identity tables of the configured secondary storage."""
    mode: Mode = config.auth  # type: ignore[assignment]  # validated by BrokerConfig
    if mode == "none":
        return Authenticator("none", store)
    if store is None:
        url = config.secondary_storage_url
        assert url is not None, "BrokerConfig.validate refuses auth without secondary storage"
        store = IdentityStore(url)
    if mode == "basic":
        return Authenticator("basic", store, authorizations=config.authorizations)
    oidc = config.oidc
    tokens = TokenValidator(
        OidcSettings(
            issuer=oidc.issuer, jwks_url=oidc.jwks_url, audience=oidc.audience, leeway_s=oidc.leeway_s
        )
    )
    return Authenticator(
        "oidc",
        store,
        tokens,
        username_claim=oidc.username_claim,
        client_id_claim=oidc.client_id_claim,
        authorizations=config.authorizations,
    )
