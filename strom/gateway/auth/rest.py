"""Authentication for the REST API v2: the middleware in front of ``/v2``, and the operations that
need to know who is calling (``/authentication/me``, ``/setup/user``, ``/users``).

Open without credentials, as in Camunda 8.8: ``/v2/license``, ``/v2/status`` and
``/v2/setup/user`` (its own rule: only while there is no user), plus Strom's API description
(``/v2/openapi.json``, ``/v2/docs``) and the static UI pages (Operate, Tasklist; their calls to
``/v2`` need credentials, which the browser asks for on a Basic challenge). Every other ``/v2`` path
answers 401 with a problem detail and ``WWW-Authenticate`` unless the request authenticates.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from strom.gateway.auth.authenticator import AuthenticationError, Authenticator
from strom.gateway.auth.identity import ANONYMOUS, IDENTITY_SCOPE_KEY, Identity, _current, identity_of
from strom.gateway.grpc.requests import command
from strom.gateway.rest.context import RestContext, json_response
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import Problem, invalid_argument
from strom.protocol.intents import RoleIntent, UserIntent
from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.protocol.values.identity import EntityType, RoleRecordValue, UserRecordValue
from strom.search.identity import IdentityStore

OPEN_PATHS = frozenset({"/v2/license", "/v2/status", "/v2/setup/user", "/v2/openapi.json", "/v2/docs"})
ADMIN_ROLE = "admin"
SETUP_VISIBLE_TIMEOUT_S = 10.0
"""How long ``/setup/user`` waits for the new user to reach secondary storage (so a second setup
right after sees it and is refused)."""


@dataclass
class RestAuth:
    """What the REST app needs for authentication: the authenticator and the identity tables
    (None without secondary storage)."""

    authenticator: Authenticator
    store: IdentityStore | None = None

    def __post_init__(self) -> None:
        self.setup_lock = asyncio.Lock()


class AuthMiddleware:
    """ASGI middleware: authenticates ``/v2`` requests (module docstring) and leaves the caller's
    ``Identity`` in the scope for ``identity_of(request)``."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator) -> None:
        self.app = app
        self._authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        protected = self._authenticator.mode != "none" and (path == "/v2" or path.startswith("/v2/"))
        if not protected or path in OPEN_PATHS:
            scope[IDENTITY_SCOPE_KEY] = ANONYMOUS
            await self.app(scope, receive, send)
            return
        values = [value for name, value in scope["headers"] if name == b"authorization"]
        try:
            if len(values) > 1:
                raise AuthenticationError(
                    "Malformed authorization: send one Authorization header", self._authenticator.challenge
                )
            header = values[0].decode("latin-1") if values else None
            identity = await self._authenticator.authenticate(header)
        except AuthenticationError as error:
            response = Problem(401, "UNAUTHORIZED", error.message).response(path)
            response.headers["WWW-Authenticate"] = error.challenge
            await response(scope, receive, send)
            return
        scope[IDENTITY_SCOPE_KEY] = identity
        token = _current.set(identity)  # commands sent for this request name their caller
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)


# -- operations -------------------------------------------------------------------------------------

operations = Operations("User")


class UserRequest(Body):
    username: str | None = None
    password: str | None = None
    name: str | None = None
    email: str | None = None


class UserFilter(Body):
    username: str | None = None
    name: str | None = None
    email: str | None = None


class SearchPage(Body):
    limit: int = 100
    from_: int = msgspec.field(name="from", default=0)


class UserSearchRequest(Body):
    filter: UserFilter | None = None
    page: SearchPage | None = None
    sort: list[dict[str, Any]] | None = None


def _auth(request: Request) -> RestAuth:
    auth: RestAuth = request.app.state.auth
    return auth


def _context(request: Request) -> RestContext:
    context: RestContext = request.app.state.context
    return context


def _user_value(body: UserRequest, password_hash: str) -> UserRecordValue:
    return UserRecordValue(
        username=body.username or "", password=password_hash, name=body.name or "", email=body.email or ""
    )


async def _hashed_password(body: UserRequest) -> str:
    """The argon2 hash of the body's password, made off the event loop (~100 ms)."""
    from strom.engine.processing.identity.passwords import hash_password

    if not body.username:
        raise invalid_argument("No username provided")
    if not body.password:
        raise invalid_argument("No password provided")
    return await asyncio.to_thread(hash_password, body.password)


def _created(body: UserRequest) -> Response:
    return json_response({"username": body.username, "name": body.name or "", "email": body.email or ""}, 201)


@operations.get(
    "/authentication/me",
    "getAuthentication",
    "The caller: user or client, groups, roles, tenants",
    tag="Authentication",
)
async def get_authentication(request: Request) -> Response:
    identity = identity_of(request)
    store = _auth(request).store
    tenants: list[dict[str, Any]] = []
    if identity.tenants and store is not None:
        stored = await asyncio.to_thread(store.tenants, identity.tenants)
        tenants = [
            {"tenantId": t.tenant_id, "name": t.name, "description": t.description or None} for t in stored
        ]
    if not tenants:  # multi-tenancy is not built: every caller works in the default tenant
        tenants = [{"tenantId": DEFAULT_TENANT_ID, "name": "Default", "description": None}]
    return json_response(_me(identity, tenants))


def _me(identity: Identity, tenants: list[dict[str, Any]]) -> dict[str, Any]:
    if not identity.authenticated:
        username, display = "anonymous", "Anonymous"
    else:
        username = identity.principal
        display = identity.name or identity.principal
    return {
        "username": username,
        "displayName": display,
        "email": identity.email,
        "authorizedComponents": ["*"],
        "tenants": tenants,
        "groups": list(identity.groups),
        "roles": list(identity.roles),
        "salesPlanType": None,
        "c8Links": {},
        "canLogout": False,
    }


@operations.post(
    "/setup/user",
    "createAdminUser",
    "Create the first user, with the admin role; refused (403) once a user exists",
    tag="Setup",
    body=UserRequest,
    body_required=True,
    answers=201,
)
async def create_admin_user(request: Request, body: UserRequest) -> Response:
    auth = _auth(request)
    store = auth.store
    if store is None:
        raise Problem(
            403,
            "FORBIDDEN",
            "The admin user cannot be set up: this broker runs without secondary storage, where "
            "users are read from",
        )
    async with auth.setup_lock:  # one setup at a time in this gateway: the second sees the first's user
        if await asyncio.to_thread(_has_admin, store):
            raise Problem(
                403,
                "FORBIDDEN",
                "Expected to create the first (admin) user, but a user exists already: use POST /v2/users "
                "with an admin's credentials",
            )
        password_hash = await _hashed_password(body)
        context = _context(request)
        await context.send(command(_user_value(body, password_hash), UserIntent.CREATE), "CreateAdminUser")
        await assign_admin_role(context, body.username or "")
        await _until_visible(store, body.username or "")
    return _created(body)


def _has_admin(store: IdentityStore) -> bool:
    return store.has_users() or store.role_has_user(ADMIN_ROLE)


async def assign_admin_role(context: RestContext, username: str) -> None:
    """Create the ``admin`` role when missing and give it to ``username``."""
    role = RoleRecordValue(role_id=ADMIN_ROLE, name="Admin")
    try:
        await context.send(command(role, RoleIntent.CREATE), "CreateRole")
    except Problem as problem:
        if problem.status != 409:  # the role exists already
            raise
    member = RoleRecordValue(role_id=ADMIN_ROLE, entity_id=username, entity_type=EntityType.USER)
    await context.send(command(member, RoleIntent.ADD_ENTITY), "AssignRoleToUser")


async def _until_visible(store: IdentityStore, username: str) -> None:
    deadline = time.monotonic() + SETUP_VISIBLE_TIMEOUT_S
    while time.monotonic() < deadline:
        if await asyncio.to_thread(store.user, username) is not None:
            return
        await asyncio.sleep(0.05)


@operations.post("/users", "createUser", "Create a user", body=UserRequest, body_required=True, answers=201)
async def create_user(request: Request, body: UserRequest) -> Response:
    password_hash = await _hashed_password(body)
    await _context(request).send(command(_user_value(body, password_hash), UserIntent.CREATE), "CreateUser")
    return _created(body)


@operations.post(
    "/users/search",
    "searchUsers",
    "Users by username, name or email (exact), by username",
    body=UserSearchRequest,
)
async def search_users(request: Request, body: UserSearchRequest) -> Response:
    store = _auth(request).store
    if store is None:
        raise Problem(
            503, "UNAVAILABLE", "Searches need the secondary storage, which this broker runs without"
        )
    page = body.page or SearchPage()
    if not 1 <= page.limit <= 10_000 or page.from_ < 0:
        raise invalid_argument("Expected 'page.limit' between 1 and 10000 and 'page.from' >= 0")
    if body.sort:
        for entry in body.sort:
            if entry.get("field") not in (None, "username"):
                raise invalid_argument("Users are sorted by 'username' only")
    given = body.filter or UserFilter()
    filters = {name: value for name in ("username", "name", "email") if (value := getattr(given, name))}
    users, total = await asyncio.to_thread(store.search_users, filters, page.limit, page.from_)
    items = [{"username": u.username, "name": u.name, "email": u.email} for u in users]
    return json_response(
        {
            "items": items,
            "page": {
                "totalItems": total,
                "hasMoreTotalItems": False,
                "startCursor": None,
                "endCursor": None,
            },
        }
    )
