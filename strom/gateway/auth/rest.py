"""Authentication for the REST API v2: the middleware in front of ``/v2``, and the operations that
need to know who is calling (``/authentication/me``, ``/setup/user``, ``/users``).

Open without credentials, as in Camunda 8.8: ``/v2/license``, ``/v2/status`` and
``/v2/setup/user`` (its own rule: only while there is no user), plus Strom's API description
(``/v2/openapi.json``, ``/v2/docs``) and the static UI pages (Operate, Tasklist; their calls to
``/v2`` carry the session cookie of ``/auth/login``, see ``sessions``). Every other ``/v2`` path
answers 401 with a problem detail and ``WWW-Authenticate`` unless the request authenticates: with an
``Authorization`` header, or (``--auth basic``) with a valid session cookie — and then, for a
``POST``/``PUT``/``PATCH``/``DELETE``, the session's CSRF token in ``X-CSRF-Token`` (403 without).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import msgspec
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from strom.engine.processing.authorization import ADMIN_ROLE
from strom.gateway.auth.authenticator import AuthenticationError, Authenticator
from strom.gateway.auth.identity import ANONYMOUS, IDENTITY_SCOPE_KEY, Identity, _current, identity_of
from strom.gateway.auth.sessions import CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE, Sessions
from strom.gateway.grpc.requests import command
from strom.gateway.rest.context import RestContext, json_response
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import Problem, invalid_argument
from strom.protocol.intents import UserIntent
from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.protocol.values.identity import UserRecordValue
from strom.search.identity import IdentityStore

OPEN_PATHS = frozenset({"/v2/license", "/v2/status", "/v2/setup/user", "/v2/openapi.json", "/v2/docs"})
LOGIN_PATH, LOGOUT_PATH = "/auth/login", "/auth/logout"
SESSION_SCOPE_KEY = "strom.session"
"""The ASGI scope key holding the session token of a cookie-authenticated request."""
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_MAX_LOGIN_BODY = 8 * 1024
SESSION_CHALLENGE = 'Session realm="strom"'
"""Answered to the UI (``X-Requested-With`` set) instead of the Basic challenge, so the browser shows
the login page rather than its own prompt."""
SETUP_VISIBLE_TIMEOUT_S = 10.0
"""How long ``/setup/user`` waits for the new user to reach secondary storage (so a second setup
right after sees it and is refused)."""


@dataclass
class RestAuth:
    """What the REST app needs for authentication: the authenticator and the identity tables
    (None without secondary storage)."""

    authenticator: Authenticator
    store: IdentityStore | None = None
    sessions: Sessions | None = None
    """The UI's login sessions (None: a secret of this process only, made by the middleware)."""

    def __post_init__(self) -> None:
        self.setup_lock = asyncio.Lock()


class AuthMiddleware:
    """ASGI middleware: authenticates ``/v2`` requests (module docstring), leaves the caller's
    ``Identity`` in the scope for ``identity_of(request)``, and answers the UI's ``/auth/login`` and
    ``/auth/logout``."""

    def __init__(self, app: ASGIApp, authenticator: Authenticator, sessions: Sessions | None = None) -> None:
        self.app = app
        self._authenticator = authenticator
        self.sessions = sessions or (Sessions.in_memory() if authenticator.mode == "basic" else None)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if path in (LOGIN_PATH, LOGOUT_PATH):
            response = await self._session_endpoint(scope, receive)
            await response(scope, receive, send)
            return
        protected = self._authenticator.mode != "none" and (path == "/v2" or path.startswith("/v2/"))
        if not protected or path in OPEN_PATHS:
            scope[IDENTITY_SCOPE_KEY] = ANONYMOUS
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        values = headers.getlist("authorization")
        session = _cookie(scope, SESSION_COOKIE) if self.sessions is not None else None
        try:
            if len(values) > 1:
                raise AuthenticationError(
                    "Malformed authorization: send one Authorization header", self._authenticator.challenge
                )
            if not values and session is not None:
                identity = await self._session_identity(scope, session)
            else:
                identity = await self._authenticator.authenticate(values[0] if values else None)
        except AuthenticationError as error:
            response = Problem(401, "UNAUTHORIZED", error.message).response(path)
            from_ui = "x-requested-with" in headers and self._authenticator.mode == "basic"
            response.headers["WWW-Authenticate"] = SESSION_CHALLENGE if from_ui else error.challenge
            if session is not None and not values:
                _clear_cookies(response, scope)
            await response(scope, receive, send)
            return
        except _CsrfRefused as refused:
            await refused.problem.response(path)(scope, receive, send)
            return
        scope[IDENTITY_SCOPE_KEY] = identity
        token = _current.set(identity)  # commands sent for this request name their caller
        try:
            await self.app(scope, receive, send)
        finally:
            _current.reset(token)

    async def _session_identity(self, scope: Scope, session: str) -> Identity:
        assert self.sessions is not None
        username = self.sessions.verify(session)
        identity = await self._authenticator.user(username) if username is not None else None
        if identity is None:
            raise AuthenticationError(
                "Your session is invalid or has expired: log in again", self._authenticator.challenge
            )
        if scope["method"] in _UNSAFE_METHODS:
            sent = Headers(scope=scope).get(CSRF_HEADER)
            if not self.sessions.csrf_matches(session, sent):
                raise _CsrfRefused(
                    Problem(
                        403,
                        "FORBIDDEN",
                        "A request authenticated by the session cookie must carry the session's CSRF "
                        "token in the X-CSRF-Token header (the strom_csrf cookie's value)",
                    )
                )
        scope[SESSION_SCOPE_KEY] = session
        return identity

    # -- /auth/login, /auth/logout ------------------------------------------------------------------

    async def _session_endpoint(self, scope: Scope, receive: Receive) -> Response:
        path: str = scope["path"]
        if scope["method"] != "POST":
            problem = Problem(405, "INVALID_ARGUMENT", f"Expected POST {path}, got {scope['method']}")
            return problem.response(path)
        if not _same_origin(scope):
            return Problem(403, "FORBIDDEN", "Log in and out only from the broker's own pages").response(path)
        if path == LOGOUT_PATH:
            old = _cookie(scope, SESSION_COOKIE)
            if old is not None and self.sessions is not None:
                self.sessions.revoke(old)
            response = Response(status_code=204)
            _clear_cookies(response, scope)
            return response
        if self.sessions is None:
            mode = self._authenticator.mode
            detail = (
                "This broker runs without authentication (auth = none): there is nothing to log in to"
                if mode == "none"
                else f"The UI login takes a username and password (auth = basic), not auth = {mode}"
            )
            return Problem(404, "NOT_FOUND", detail).response(path)
        try:
            username, password = await _login_form(scope, receive)
            identity = await self._authenticator.check_password(username, password)
        except _BadLogin as bad:
            return Problem(400, "INVALID_ARGUMENT", str(bad)).response(path)
        except AuthenticationError as error:
            response = Problem(401, "UNAUTHORIZED", error.message).response(path)
            response.headers["WWW-Authenticate"] = SESSION_CHALLENGE
            return response
        session = self.sessions.issue(identity.username)
        response = json_response({"username": identity.username, "expiresAt": session.expires_at * 1000})
        secure = scope.get("scheme") == "https"
        common: dict[str, Any] = {"max_age": self.sessions.lifetime_s, "path": "/", "secure": secure}
        response.set_cookie(SESSION_COOKIE, session.token, httponly=True, samesite="strict", **common)
        response.set_cookie(CSRF_COOKIE, session.csrf, httponly=False, samesite="strict", **common)
        response.headers["Cache-Control"] = "no-store"
        return response


class _CsrfRefused(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.detail)
        self.problem = problem


class _BadLogin(ValueError):
    """The login request is malformed (the message says how, never repeating the password)."""


def _cookie(scope: Scope, name: str) -> str | None:
    value = Request(scope).cookies.get(name)
    return value or None


def _clear_cookies(response: Response, scope: Scope) -> None:
    secure = scope.get("scheme") == "https"
    response.delete_cookie(SESSION_COOKIE, path="/", secure=secure, httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, path="/", secure=secure, samesite="strict")


def _same_origin(scope: Scope) -> bool:
    """Whether a browser sent the request from the broker's own pages (``Sec-Fetch-Site``, else
    ``Origin`` against ``Host``); a request without either header comes from no browser page."""
    headers = Headers(scope=scope)
    site = headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return False
    origin = headers.get("origin")
    if origin is None:
        return True
    host = headers.get("host", "")
    return origin != "null" and urlsplit(origin).netloc.lower() == host.lower()


async def _login_form(scope: Scope, receive: Receive) -> tuple[str, str]:
    """The username and password of a login request (JSON or an HTML form)."""
    body = bytearray()
    while True:
        message = await receive()
        body += message.get("body", b"")
        if len(body) > _MAX_LOGIN_BODY:
            raise _BadLogin(f"Expected a login request of at most {_MAX_LOGIN_BODY} bytes")
        if not message.get("more_body", False):
            break
    content_type = Headers(scope=scope).get("content-type", "").split(";")[0].strip().lower()
    fields: dict[str, Any]
    try:
        if content_type == "application/json":
            fields = json.loads(body)
            if not isinstance(fields, dict):
                raise _BadLogin("Expected a JSON object with 'username' and 'password'")
        elif content_type == "application/x-www-form-urlencoded":
            fields = {name: values[0] for name, values in parse_qs(body.decode()).items()}
        else:
            raise _BadLogin("Expected the login as application/json or application/x-www-form-urlencoded")
    except (UnicodeDecodeError, ValueError) as error:
        if isinstance(error, _BadLogin):
            raise
        raise _BadLogin("The login request is not valid JSON or form data") from None
    username, password = fields.get("username"), fields.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise _BadLogin("Expected a 'username' and a 'password'")
    return username, password


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
    if not tenants and not request.app.state.context.settings.multi_tenancy:
        # multi-tenancy off: every caller works in the default tenant
        tenants = [{"tenantId": DEFAULT_TENANT_ID, "name": "Default", "description": None}]
    return json_response(_me(identity, tenants, can_logout=SESSION_SCOPE_KEY in request.scope))


def _me(identity: Identity, tenants: list[dict[str, Any]], can_logout: bool = False) -> dict[str, Any]:
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
        "canLogout": can_logout,
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
        # the engine decides again on its own state (CREATE_INITIAL_ADMIN: FORBIDDEN once the admin
        # role has a user), so setups racing through different gateways make one admin
        initial_admin = command(_user_value(body, password_hash), UserIntent.CREATE_INITIAL_ADMIN)
        await context.send(initial_admin, "CreateAdminUser")
        await _until_visible(store, body.username or "")
    return _created(body)


def _has_admin(store: IdentityStore) -> bool:
    return store.has_users() or store.role_has_user(ADMIN_ROLE)


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
