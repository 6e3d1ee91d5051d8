"""The UI's login sessions (``strom.gateway.auth.sessions``): ``POST /auth/login`` against a broker
with ``--auth basic``, the session cookie on ``/v2``, its CSRF token, logout; and the signed tokens
themselves (tampering, expiry, the secret file)."""

from __future__ import annotations

import base64
import json
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from broker_process import BrokerProcess
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

import strom.gateway.rest  # noqa: F401  (first: strom.gateway.auth.rest alone imports it in a cycle)
from strom.gateway.auth.authenticator import Authenticator
from strom.gateway.auth.rest import AuthMiddleware
from strom.gateway.auth.sessions import CSRF_COOKIE, LIFETIME_S, SECRET_FILE, SESSION_COOKIE, Sessions
from strom.gateway.ui import STATIC, mount_ui

ADMIN, PASSWORD = "admin", "correct horse battery staple"


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("ui-login"),
        "--auth",
        "basic",
        "--admin-user",
        ADMIN,
        env={"STROM_ADMIN_PASSWORD": PASSWORD},
    ).start()
    yield process
    assert process.stop() == 0, process.logs()


@pytest.fixture(scope="module")
def broker_url(secured: BrokerProcess) -> str:
    url = f"http://127.0.0.1:{secured.rest_port}"
    deadline = time.monotonic() + 20
    with httpx.Client(base_url=url, timeout=30) as client:
        while client.get("/v2/topology", auth=(ADMIN, PASSWORD)).status_code != 200:
            assert time.monotonic() < deadline, "the admin could not log in within 20 s"
            time.sleep(0.05)
    return url


@pytest.fixture
def http(broker_url: str) -> Iterator[httpx.Client]:
    """A client that keeps no cookies of its own: each test sends the ones it means to."""
    with httpx.Client(base_url=broker_url, timeout=30, cookies=None) as client:
        yield client


def _log_in(http: httpx.Client, password: str = PASSWORD) -> httpx.Response:
    answer = http.post("/auth/login", json={"username": ADMIN, "password": password})
    http.cookies.clear()
    return answer


def _session(answer: httpx.Response) -> tuple[str, str]:
    return answer.cookies[SESSION_COOKIE], answer.cookies[CSRF_COOKIE]


def _set_cookie_headers(answer: httpx.Response) -> dict[str, str]:
    return {header.split("=", 1)[0]: header for header in answer.headers.get_list("set-cookie")}


# -- against a broker -------------------------------------------------------------------------------


def test_a_wrong_password_is_401_and_sets_no_cookie(http: httpx.Client) -> None:
    answer = _log_in(http, "wrong")

    assert answer.status_code == 401
    assert answer.json()["detail"] == "Invalid username or password"
    assert answer.headers["www-authenticate"].startswith("Session")
    assert "set-cookie" not in answer.headers


def test_the_right_password_sets_an_http_only_strict_session_cookie_for_8_hours(http: httpx.Client) -> None:
    answer = _log_in(http)

    assert answer.status_code == 200, answer.text
    assert answer.json()["username"] == ADMIN
    cookies = _set_cookie_headers(answer)
    session = cookies[SESSION_COOKIE].lower()
    assert "httponly" in session and "samesite=strict" in session and "path=/" in session
    assert f"max-age={LIFETIME_S}" in session
    assert "secure" not in session  # plain http here; https requests get Secure
    csrf = cookies[CSRF_COOKIE].lower()
    assert "httponly" not in csrf and "samesite=strict" in csrf
    assert answer.headers["cache-control"] == "no-store"


def test_a_form_post_logs_in_too(http: httpx.Client) -> None:
    answer = http.post("/auth/login", data={"username": ADMIN, "password": PASSWORD})

    assert answer.status_code == 200
    assert SESSION_COOKIE in answer.cookies


def test_the_cookie_authenticates_reads_and_me_says_the_user_can_log_out(http: httpx.Client) -> None:
    session, _ = _session(_log_in(http))

    me = http.get("/v2/authentication/me", headers={"cookie": f"{SESSION_COOKIE}={session}"})

    assert me.status_code == 200, me.text
    assert (me.json()["username"], me.json()["canLogout"]) == (ADMIN, True)
    basic = http.get("/v2/authentication/me", auth=(ADMIN, PASSWORD)).json()
    assert basic["canLogout"] is False


def test_a_cookie_post_needs_the_sessions_csrf_token(http: httpx.Client) -> None:
    session, csrf = _session(_log_in(http))
    cookie = {"cookie": f"{SESSION_COOKIE}={session}; {CSRF_COOKIE}={csrf}"}

    missing = http.post("/v2/process-instances/search", json={}, headers=cookie)
    wrong = http.post("/v2/process-instances/search", json={}, headers={**cookie, "x-csrf-token": "x" + csrf})
    _, other_csrf = _session(_log_in(http))  # another session's token does not fit this one
    other = http.post("/v2/process-instances/search", json={}, headers={**cookie, "x-csrf-token": other_csrf})
    right = http.post("/v2/process-instances/search", json={}, headers={**cookie, "x-csrf-token": csrf})

    assert (missing.status_code, wrong.status_code, other.status_code) == (403, 403, 403)
    assert "X-CSRF-Token" in missing.json()["detail"]
    assert right.status_code == 200, right.text


def test_logout_clears_the_cookies_and_the_old_cookie_no_longer_works(http: httpx.Client) -> None:
    session, _ = _session(_log_in(http))
    cookie = {"cookie": f"{SESSION_COOKIE}={session}"}

    answer = http.post("/auth/logout", headers=cookie)

    assert answer.status_code == 204
    cleared = _set_cookie_headers(answer)
    assert 'strom_session="";' in cleared[SESSION_COOKIE] or "max-age=0" in cleared[SESSION_COOKIE].lower()
    assert "max-age=0" in cleared[CSRF_COOKIE].lower()
    assert http.get("/v2/authentication/me", headers=cookie).status_code == 401


@pytest.mark.parametrize("change", ["signature", "payload", "garbage"])
def test_a_tampered_cookie_is_refused(http: httpx.Client, change: str) -> None:
    session, _ = _session(_log_in(http))
    payload, signature = session.split(".")
    if change == "signature":
        forged = f"{payload}.{signature[:-2]}AA"
    elif change == "payload":
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        claims["exp"] += 3600
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode() + "." + signature
    else:
        forged = "not-a-token"

    answer = http.get(
        "/v2/authentication/me",
        headers={"cookie": f"{SESSION_COOKIE}={forged}", "x-requested-with": "XMLHttpRequest"},
    )

    assert answer.status_code == 401
    assert "log in again" in answer.json()["detail"]
    assert answer.headers["www-authenticate"].startswith("Session")  # the UI's page, not a prompt
    assert SESSION_COOKIE in _set_cookie_headers(answer)  # cleared


def test_without_the_ui_header_the_challenge_stays_basic(http: httpx.Client) -> None:
    answer = http.get("/v2/authentication/me")

    assert answer.status_code == 401
    assert answer.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize(
    "headers", [{"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}, {"origin": "null"}]
)
def test_a_login_from_another_site_is_refused(http: httpx.Client, headers: dict[str, str]) -> None:
    answer = http.post("/auth/login", json={"username": ADMIN, "password": PASSWORD}, headers=headers)

    assert answer.status_code == 403
    assert "set-cookie" not in answer.headers


def test_a_malformed_login_is_400_without_echoing_the_password(http: httpx.Client) -> None:
    no_password = http.post("/auth/login", json={"username": ADMIN})
    wrong_type = http.post(
        "/auth/login", content=f"{ADMIN}:{PASSWORD}", headers={"content-type": "text/plain"}
    )
    too_big = http.post("/auth/login", json={"username": ADMIN, "password": "x" * 10_000})

    assert (no_password.status_code, wrong_type.status_code, too_big.status_code) == (400, 400, 400)
    assert PASSWORD not in wrong_type.text
    assert http.get("/auth/login").status_code == 405


# -- without authentication ------------------------------------------------------------------------


def test_with_auth_none_there_is_nothing_to_log_in_to() -> None:
    async def me(request: object) -> PlainTextResponse:
        return PlainTextResponse("open")

    app = Starlette(routes=[Route("/v2/authentication/me", me)])
    app.add_middleware(AuthMiddleware, authenticator=Authenticator("none"))
    client = TestClient(app)

    login = client.post("/auth/login", json={"username": "a", "password": "b"})

    assert login.status_code == 404
    assert "auth = none" in login.json()["detail"]
    assert client.get("/v2/authentication/me").text == "open"


def test_the_login_page_is_served_at_slash_login() -> None:
    if not (STATIC / "operate" / "index.html").is_file():
        pytest.skip("the UI is not built (cd ui && npm run build)")
    app = Starlette()
    mount_ui(app)

    page = TestClient(app).get("/login?next=%2Ftasklist%2F")

    assert page.status_code == 200 and "Operate" in page.text
    assert page.headers["cache-control"] == "no-cache"


# -- the tokens -------------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_token_verifies_until_it_expires() -> None:
    clock = Clock()
    sessions = Sessions(b"k" * 32, lifetime_s=60, clock=clock)
    session = sessions.issue("demo")

    assert sessions.verify(session.token) == "demo"
    clock.now += 59
    assert sessions.verify(session.token) == "demo"
    clock.now += 1
    assert sessions.verify(session.token) is None


def test_a_token_of_another_secret_or_revoked_is_refused() -> None:
    sessions, other = Sessions(b"k" * 32), Sessions(b"o" * 32)
    session = sessions.issue("demo")

    assert other.verify(session.token) is None
    assert sessions.csrf_matches(session.token, session.csrf)
    assert not other.csrf_matches(session.token, session.csrf)
    sessions.revoke(session.token)
    assert sessions.verify(session.token) is None
    assert sessions.verify(sessions.issue("demo").token) == "demo"


@pytest.mark.parametrize("token", ["", ".", "a.b.c", "x" * 2000, "ééé.ééé", "ééé.AAAA", "e30.AAAA"])
def test_malformed_tokens_are_refused_without_errors(token: str) -> None:
    assert Sessions(b"k" * 32).verify(token) is None


def test_the_secret_file_is_created_0600_and_reused(tmp_path: Path) -> None:
    first = Sessions.from_directory(tmp_path)
    token = first.issue("demo").token

    mode = stat.S_IMODE((tmp_path / SECRET_FILE).stat().st_mode)
    assert mode == 0o600
    assert Sessions.from_directory(tmp_path).verify(token) == "demo"
