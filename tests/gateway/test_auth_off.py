"""With ``auth = none`` (the embedded default) everything works without credentials, the broker
says at start-up that it is open, and ``POST /v2/setup/user`` creates the first user once."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import grpc
import httpx
import pytest
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb


@pytest.fixture(scope="module")
def open_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(tmp_path_factory.mktemp("auth-off")).start()
    yield process
    assert process.stop() == 0, process.logs()


def test_the_start_up_warns_that_the_broker_is_open(open_broker: BrokerProcess) -> None:
    logs = (open_broker.directory / "broker.err").read_text()

    assert "WARNING" in logs and "authentication is off" in logs
    assert f"gRPC port {open_broker.port}" in logs and "--auth basic" in logs


def test_rest_and_grpc_work_without_credentials(open_broker: BrokerProcess) -> None:
    with httpx.Client(base_url=open_broker.rest_address, timeout=30) as http:
        topology = http.get("/topology")
        me = http.get("/authentication/me").json()
        searched = http.post("/process-instances/search", json={})
    with grpc.insecure_channel(open_broker.address) as channel:
        answer = GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=20)

    assert topology.status_code == 200 and searched.status_code == 200
    assert me["username"] == "anonymous" and me["tenants"][0]["tenantId"] == "<default>"
    assert answer.partitionsCount == 1


def test_setup_user_creates_the_first_admin_once(open_broker: BrokerProcess) -> None:
    with httpx.Client(base_url=open_broker.rest_address, timeout=30) as http:
        first = http.post("/setup/user", json={"username": "root", "password": "pw", "name": "Root"})
        second = http.post("/setup/user", json={"username": "other", "password": "pw"})
        found = http.post("/users/search", json={}).json()
        missing_password = http.post("/users", json={"username": "nopass"})

    assert first.status_code == 201, first.text
    assert first.json() == {"username": "root", "name": "Root", "email": ""}
    assert second.status_code == 403
    assert [user["username"] for user in found["items"]] == ["root"]
    assert missing_password.status_code == 400


def test_a_user_made_by_setup_logs_in_once_auth_is_on(open_broker: BrokerProcess) -> None:
    """Restart the same data directory with --auth basic: the user made while open logs in."""
    with httpx.Client(base_url=open_broker.rest_address, timeout=30) as http:
        http.post("/setup/user", json={"username": "root", "password": "pw"})
    assert open_broker.stop() == 0
    secured = BrokerProcess(open_broker.directory, "--auth", "basic")
    secured.port, secured.metrics_port, secured.rest_port = (
        open_broker.port,
        open_broker.metrics_port,
        open_broker.rest_port,
    )
    secured.start()
    try:
        root = "Basic " + base64.b64encode(b"root:pw").decode()
        with httpx.Client(base_url=secured.rest_address, timeout=30) as http:
            me = http.get("/authentication/me", headers={"authorization": root})
            anonymous = http.get("/topology")
        logs = (secured.directory / "broker.err").read_text()
    finally:
        assert secured.stop() == 0, secured.logs()
        open_broker.start()  # the module fixture stops it again

    assert me.status_code == 200 and me.json()["roles"] == ["admin"]
    assert anonymous.status_code == 401
    assert logs.count("authentication is off") == 1  # only the first, open start warned
