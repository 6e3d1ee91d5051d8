"""``strom broker --auth basic --admin-user admin``: HTTP Basic on REST and ``authorization``
metadata on gRPC, checked against the users in secondary storage, over real loopback connections."""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from broker_process import BrokerProcess
from camunda_orchestration_sdk import CamundaClient
from camunda_orchestration_sdk import errors as sdk_errors
from pyzeebe import ZeebeClient

from strom.gateway.grpc._proto import GatewayStub, health_pb2, health_pb2_grpc, pb
from strom.testing import bpmn

ADMIN, PASSWORD = "admin", "correct horse battery staple"


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


@pytest.fixture(scope="module")
def secured(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("auth-basic"),
        "--auth",
        "basic",
        "--admin-user",
        ADMIN,
        env={"STROM_ADMIN_PASSWORD": PASSWORD},
    ).start()
    yield process
    assert process.stop() == 0, process.logs()


@pytest.fixture(scope="module")
def http(secured: BrokerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=secured.rest_address, timeout=30) as client:
        _until_user_can_log_in(client, ADMIN, PASSWORD)
        yield client


def _until_user_can_log_in(client: httpx.Client, username: str, password: str) -> None:
    """Users are read from secondary storage: a new one logs in once exported (milliseconds)."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if client.get("/topology", headers={"authorization": basic(username, password)}).status_code == 200:
            return
        time.sleep(0.05)
    raise AssertionError(f"{username} could not log in within 20 s")


# -- REST ---------------------------------------------------------------------------------------------


def test_rest_without_credentials_is_401_with_a_problem_and_a_basic_challenge(http: httpx.Client) -> None:
    answer = http.get("/topology")

    assert answer.status_code == 401
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["www-authenticate"].startswith('Basic realm="strom"')
    problem = answer.json()
    assert problem["status"] == 401 and problem["title"] == "UNAUTHORIZED"
    assert "Basic" in problem["detail"]


@pytest.mark.parametrize(
    "authorization",
    [
        basic(ADMIN, "wrong"),
        basic("nobody", PASSWORD),
        basic(ADMIN, ""),
        "Basic not-base64!",
        "Bearer abc.def.ghi",
        "Digest username=admin",
        "Basic " + base64.b64encode(b"no-colon").decode(),
    ],
)
def test_rest_with_wrong_or_malformed_credentials_is_401(http: httpx.Client, authorization: str) -> None:
    answer = http.post("/process-instances/search", json={}, headers={"authorization": authorization})

    assert answer.status_code == 401, answer.text
    assert answer.json()["title"] == "UNAUTHORIZED"


def test_rest_with_the_right_password_works_and_knows_the_caller(http: httpx.Client) -> None:
    auth = {"authorization": basic(ADMIN, PASSWORD)}

    assert http.get("/topology", headers=auth).status_code == 200
    me = http.get("/authentication/me", headers=auth).json()

    assert me["username"] == ADMIN
    assert me["roles"] == ["admin"]
    assert me["tenants"][0]["tenantId"] == "<default>"


def test_license_and_status_stay_open(http: httpx.Client) -> None:
    assert http.get("/license").status_code == 200
    assert http.get("/status").status_code in (204, 503)


def test_setup_user_is_refused_once_a_user_exists(http: httpx.Client) -> None:
    answer = http.post("/setup/user", json={"username": "intruder", "password": "x"})

    assert answer.status_code == 403
    assert "exists already" in answer.json()["detail"]


def test_an_admin_creates_a_user_who_can_then_log_in_and_find_themself(http: httpx.Client) -> None:
    auth = {"authorization": basic(ADMIN, PASSWORD)}
    created = http.post(
        "/users",
        json={"username": "carol", "password": "pw-carol", "name": "Carol", "email": "carol@example.com"},
        headers=auth,
    )
    assert created.status_code == 201, created.text
    assert created.json() == {"username": "carol", "name": "Carol", "email": "carol@example.com"}

    _until_user_can_log_in(http, "carol", "pw-carol")
    found = http.post("/users/search", json={"filter": {"username": "carol"}}, headers=auth).json()
    again = http.post("/users", json={"username": "carol", "password": "other"}, headers=auth)

    assert found["items"] == [{"username": "carol", "name": "Carol", "email": "carol@example.com"}]
    assert again.status_code == 409
    assert http.get("/topology", headers={"authorization": basic("carol", "wrong")}).status_code == 401


def test_camunda_sdk_with_basic_auth(secured: BrokerProcess, http: httpx.Client) -> None:
    config = {
        "CAMUNDA_REST_ADDRESS": secured.rest_address,
        "CAMUNDA_AUTH_STRATEGY": "BASIC",
        "CAMUNDA_BASIC_AUTH_USERNAME": ADMIN,
        "CAMUNDA_BASIC_AUTH_PASSWORD": PASSWORD,
    }
    with CamundaClient(configuration=config) as client:
        topology = client.get_topology()
        me = client.get_authentication()
    wrong = {**config, "CAMUNDA_BASIC_AUTH_PASSWORD": "nope"}
    with CamundaClient(configuration=wrong) as client, pytest.raises(sdk_errors.UnauthorizedError):
        client.get_topology()

    assert topology.partitions_count == 1
    assert str(me.username) == ADMIN


# -- gRPC ---------------------------------------------------------------------------------------------


def _topology(secured: BrokerProcess, metadata: list[tuple[str, str]] | None) -> Any:
    with grpc.insecure_channel(secured.address) as channel:
        return GatewayStub(channel).Topology(pb.TopologyRequest(), metadata=metadata, timeout=20)


@pytest.mark.parametrize(
    "metadata",
    [
        None,
        [("authorization", basic(ADMIN, "wrong"))],
        [("authorization", "Bearer x.y.z")],
        [("authorization", "")],
    ],
)
def test_grpc_without_the_right_credentials_is_unauthenticated(
    secured: BrokerProcess, http: httpx.Client, metadata: Any
) -> None:
    with pytest.raises(grpc.RpcError) as raised:
        _topology(secured, metadata)

    assert raised.value.code() is grpc.StatusCode.UNAUTHENTICATED
    assert "Basic" in (raised.value.details() or "") or "password" in (raised.value.details() or "")


def test_grpc_with_the_right_password_works(secured: BrokerProcess, http: httpx.Client) -> None:
    topology = _topology(secured, [("authorization", basic(ADMIN, PASSWORD))])

    assert topology.brokers[0].partitions[0].partitionId == 1


def test_grpc_health_stays_open_for_probes(secured: BrokerProcess) -> None:
    with grpc.insecure_channel(secured.address) as channel:
        answer = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=10)

    assert answer.status == health_pb2.HealthCheckResponse.SERVING


class _BasicCredentials(grpc.AuthMetadataPlugin):
    """How a gRPC client attaches credentials to every call (call credentials)."""

    def __init__(self, username: str, password: str) -> None:
        self._value = basic(username, password)

    def __call__(self, context: Any, callback: Any) -> None:
        callback((("authorization", self._value),), None)


def _pyzeebe_channel(secured: BrokerProcess, plugin: grpc.AuthMetadataPlugin) -> grpc.aio.Channel:
    # Call credentials need a channel that is secure or local; loopback plaintext is "local".
    credentials = grpc.composite_channel_credentials(
        grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
        grpc.metadata_call_credentials(plugin),
    )
    return grpc.aio.secure_channel(secured.address, credentials)


def test_pyzeebe_with_credentials_deploys_and_starts_an_instance(
    secured: BrokerProcess, http: httpx.Client, tmp_path: Path
) -> None:
    model = tmp_path / "auth_one_task.bpmn"
    model.write_text(
        bpmn.process("auth_one_task").start_event().service_task("t", job_type="w").end_event().to_xml()
    )

    async def main() -> tuple[int, str]:
        channel = _pyzeebe_channel(secured, _BasicCredentials(ADMIN, PASSWORD))
        try:
            client = ZeebeClient(channel)
            await client.deploy_resource(str(model))
            created = await client.run_process("auth_one_task")
            refused = _pyzeebe_channel(secured, _BasicCredentials(ADMIN, "wrong"))
            try:
                await ZeebeClient(refused).run_process("auth_one_task")
            except Exception as error:  # pyzeebe wraps the status in its own error types
                message = f"{type(error).__name__}: {error}"
            else:
                message = "accepted"
            finally:
                await refused.close()
            return created.process_instance_key, message
        finally:
            await channel.close()

    key, refused_with = asyncio.run(asyncio.wait_for(main(), 60))

    assert key > 0
    assert "UNAUTHENTICATED" in refused_with or "Invalid username or password" in refused_with, refused_with


# -- CLI ----------------------------------------------------------------------------------------------


def _strom_user_create(secured: BrokerProcess, *args: str, password: str, **env: str) -> Any:
    import os
    import subprocess
    import sys

    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from strom.cli import main; main()",
            "user",
            "create",
            *args,
            "--password-stdin",
        ],
        input=password + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "STROM_REST_ADDRESS": secured.rest_address, **env},
    )


def test_strom_user_create_with_an_admins_credentials(secured: BrokerProcess, http: httpx.Client) -> None:
    refused = _strom_user_create(secured, "dave", password="pw-dave")
    created = _strom_user_create(
        secured,
        "dave",
        "--name",
        "Dave",
        password="pw-dave",
        CAMUNDA_BASIC_AUTH_USERNAME=ADMIN,
        CAMUNDA_BASIC_AUTH_PASSWORD=PASSWORD,
    )

    assert refused.returncode != 0 and "UNAUTHORIZED" in refused.stderr
    assert created.returncode == 0, created.stderr
    assert "created user dave" in created.stdout
    _until_user_can_log_in(http, "dave", "pw-dave")
