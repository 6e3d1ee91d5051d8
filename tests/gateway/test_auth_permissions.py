"""Authorization over real gateways: ``strom broker --auth basic`` checks each command's permissions
in the engine (gRPC PERMISSION_DENIED / REST 403 naming the permission) and shows a caller only the
instances it may read."""

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
from pyzeebe import ZeebeClient

from strom.testing import bpmn

ADMIN, PASSWORD = "admin", "correct horse battery staple"
BOB, BOB_PASSWORD = "bob", "bob's password"


def basic(username: str, password: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("auth-permissions"),
        "--auth",
        "basic",
        "--admin-user",
        ADMIN,
        env={"STROM_ADMIN_PASSWORD": PASSWORD},
    ).start()
    yield process
    assert process.stop() == 0, process.logs()


def _until(condition: Any, what: str, timeout: float = 20) -> Any:
    """Secondary storage follows the log within milliseconds; wait for it, not a fixed time."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"{what} within {timeout} s")


@pytest.fixture(scope="module")
def http(broker: BrokerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=broker.rest_address, timeout=30) as client:
        _until(
            lambda: client.get("/topology", headers=basic(ADMIN, PASSWORD)).status_code == 200, "admin login"
        )
        for process_id in ("granted", "other"):
            model = (
                bpmn.process(process_id).start_event().service_task("t", job_type="w").end_event().to_xml()
            )
            deployed = client.post(
                "/deployments",
                files={"resources": (f"{process_id}.bpmn", model.encode(), "application/xml")},
                headers=basic(ADMIN, PASSWORD),
            )
            assert deployed.status_code == 200, deployed.text
        created = client.post(
            "/users", json={"username": BOB, "password": BOB_PASSWORD}, headers=basic(ADMIN, PASSWORD)
        )
        assert created.status_code == 201, created.text
        _until(
            lambda: client.get("/topology", headers=basic(BOB, BOB_PASSWORD)).status_code == 200, "bob login"
        )
        yield client


def _create(http: httpx.Client, process_id: str, who: dict[str, str]) -> httpx.Response:
    return http.post("/process-instances", json={"processDefinitionId": process_id}, headers=who)


def test_a_user_without_permission_is_forbidden_and_the_admin_is_not(http: httpx.Client) -> None:
    refused = _create(http, "other", basic(BOB, BOB_PASSWORD))
    by_admin = _create(http, "other", basic(ADMIN, PASSWORD))

    assert refused.status_code == 403, refused.text
    assert refused.json()["title"] == "FORBIDDEN"
    assert refused.json()["detail"].endswith(
        "Insufficient permissions to perform operation 'CREATE_PROCESS_INSTANCE' on resource "
        "'PROCESS_DEFINITION', required resource identifiers are one of '[*, other]'"
    )
    assert by_admin.status_code == 200, by_admin.text


def test_granting_the_permission_lets_the_user_start_that_process_and_read_only_its_instances(
    http: httpx.Client,
) -> None:
    granted = http.post(
        "/authorizations",
        json={
            "ownerId": BOB,
            "ownerType": "USER",
            "resourceType": "PROCESS_DEFINITION",
            "resourceId": "granted",
            "permissionTypes": ["CREATE_PROCESS_INSTANCE", "READ_PROCESS_INSTANCE"],
        },
        headers=basic(ADMIN, PASSWORD),
    )
    assert granted.status_code == 201, granted.text

    started = _until(
        lambda: (answer := _create(http, "granted", basic(BOB, BOB_PASSWORD))).status_code == 200 and answer,
        "bob may start 'granted'",
    )
    still_refused = _create(http, "other", basic(BOB, BOB_PASSWORD))
    assert still_refused.status_code == 403
    other_instance = _create(http, "other", basic(ADMIN, PASSWORD)).json()["processInstanceKey"]

    def bobs_view() -> Any:
        found = http.post("/process-instances/search", json={}, headers=basic(BOB, BOB_PASSWORD)).json()
        keys = {item["processInstanceKey"] for item in found["items"]}
        return found if started.json()["processInstanceKey"] in keys else None

    seen = _until(bobs_view, "bob sees his instance")
    admin_view = http.post("/process-instances/search", json={}, headers=basic(ADMIN, PASSWORD)).json()
    hidden = http.get(f"/process-instances/{other_instance}", headers=basic(BOB, BOB_PASSWORD))

    assert {item["processDefinitionId"] for item in seen["items"]} == {"granted"}
    assert seen["page"]["totalItems"] == len(seen["items"])
    assert {item["processDefinitionId"] for item in admin_view["items"]} == {"granted", "other"}
    assert hidden.status_code == 403
    assert "READ_PROCESS_INSTANCE" in hidden.json()["detail"]


class _BasicCredentials(grpc.AuthMetadataPlugin):
    def __init__(self, username: str, password: str) -> None:
        self._value = basic(username, password)["authorization"]

    def __call__(self, context: Any, callback: Any) -> None:
        callback((("authorization", self._value),), None)


def test_over_grpc_a_forbidden_command_is_permission_denied(
    broker: BrokerProcess, http: httpx.Client, tmp_path: Path
) -> None:
    async def main() -> str:
        credentials = grpc.composite_channel_credentials(
            grpc.local_channel_credentials(grpc.LocalConnectionType.LOCAL_TCP),
            grpc.metadata_call_credentials(_BasicCredentials(BOB, BOB_PASSWORD)),
        )
        channel = grpc.aio.secure_channel(broker.address, credentials)
        try:
            await ZeebeClient(channel).run_process("other")
        except Exception as error:  # pyzeebe wraps the status in its own error types
            cause = error.__cause__ or error.__context__
            code = cause.code() if isinstance(cause, grpc.aio.AioRpcError) else None
            return f"{code} {error} {cause}"
        finally:
            await channel.close()
        return "accepted"

    refused = asyncio.run(asyncio.wait_for(main(), 60))

    assert "PERMISSION_DENIED" in refused, refused
    assert "CREATE_PROCESS_INSTANCE" in refused, refused
