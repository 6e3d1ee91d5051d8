"""A UI session outlives a broker restart: the sessions' secret is kept in the data directory
(``ui-session.key``, mode 0600), not made anew by each process."""

from __future__ import annotations

import stat
import time

import httpx
import pytest
from broker_process import BrokerProcess

from strom.gateway.auth.sessions import SECRET_FILE, SESSION_COOKIE

ADMIN, PASSWORD = "admin", "correct horse battery staple"


def _start(directory: object) -> BrokerProcess:
    process = BrokerProcess(
        directory,  # type: ignore[arg-type]
        "--auth",
        "basic",
        "--admin-user",
        ADMIN,
        env={"STROM_ADMIN_PASSWORD": PASSWORD},
    ).start()
    deadline = time.monotonic() + 20
    with httpx.Client(base_url=f"http://127.0.0.1:{process.rest_port}", timeout=30) as client:
        while client.get("/v2/topology", auth=(ADMIN, PASSWORD)).status_code != 200:
            assert time.monotonic() < deadline, "the admin could not log in within 20 s"
            time.sleep(0.05)
    return process


def test_a_session_cookie_still_works_after_the_broker_restarts(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    directory = tmp_path_factory.mktemp("ui-session-restart")
    first = _start(directory)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{first.rest_port}", timeout=30) as client:
            session = client.post("/auth/login", json={"username": ADMIN, "password": PASSWORD}).cookies[
                SESSION_COOKIE
            ]
    finally:
        assert first.stop() == 0, first.logs()
    second = _start(directory)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{second.rest_port}", timeout=30) as client:
            client.cookies.set(SESSION_COOKIE, session)
            me = client.get("/v2/authentication/me")
    finally:
        assert second.stop() == 0, second.logs()

    assert me.status_code == 200, me.text
    assert me.json()["username"] == ADMIN
    assert stat.S_IMODE((directory / "data" / SECRET_FILE).stat().st_mode) == 0o600
