"""Multi-tenancy over real gateways: ``strom broker --auth basic --multi-tenancy``. Requests name
their tenant (400 without one), a user acts only in the tenants it is assigned to (403 creating
elsewhere, gRPC PERMISSION_DENIED), activates only their jobs, and its searches show only their
instances; the same process id deployed in two tenants has two version lines."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from typing import Any

import grpc
import httpx
import pytest
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn

ADMIN, PASSWORD = "admin", "correct horse battery staple"
BOB, BOB_PASSWORD = "bob", "bob's password"
AS_ADMIN = {"authorization": "Basic " + base64.b64encode(f"{ADMIN}:{PASSWORD}".encode()).decode()}
AS_BOB = {"authorization": "Basic " + base64.b64encode(f"{BOB}:{BOB_PASSWORD}".encode()).decode()}


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
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(
        tmp_path_factory.mktemp("multi-tenancy"),
        "--auth",
        "basic",
        "--multi-tenancy",
        "--admin-user",
        ADMIN,
        env={"STROM_ADMIN_PASSWORD": PASSWORD},
    ).start()
    yield process
    assert process.stop() == 0, process.logs()


def _ok(response: httpx.Response, status: int = 200) -> httpx.Response:
    assert response.status_code == status, response.text
    return response


def _deploy(http: httpx.Client, tenant_id: str, job_type: str) -> dict[str, Any]:
    model = bpmn.process("order").start_event().service_task("task", job_type=job_type).end_event().to_xml()
    response = http.post(
        "/deployments",
        files={"resources": ("order.bpmn", model.encode(), "application/xml")},
        data={"tenantId": tenant_id},
        headers=AS_ADMIN,
    )
    return dict(_ok(response).json())


@pytest.fixture(scope="module")
def http(broker: BrokerProcess) -> Iterator[httpx.Client]:
    """Tenants acme and globex; the admin in both (and in ``<default>``, which the bootstrap
    created with it), bob (an admin too, so only tenants limit him) in acme only; ``order``
    deployed twice in acme and once in globex."""
    with httpx.Client(base_url=broker.rest_address, timeout=30) as client:
        _until(lambda: client.get("/topology", headers=AS_ADMIN).status_code == 200, "admin login")
        _ok(client.post("/users", json={"username": BOB, "password": BOB_PASSWORD}, headers=AS_ADMIN), 201)
        for tenant_id in ("acme", "globex"):
            _ok(
                client.post("/tenants", json={"tenantId": tenant_id, "name": tenant_id}, headers=AS_ADMIN),
                201,
            )
            _ok(client.put(f"/tenants/{tenant_id}/users/{ADMIN}", headers=AS_ADMIN), 204)
        _ok(client.put(f"/tenants/acme/users/{BOB}", headers=AS_ADMIN), 204)
        _ok(client.put(f"/roles/admin/users/{BOB}", headers=AS_ADMIN), 204)

        def tenants_of(who: dict[str, str]) -> set[str]:
            me = client.get("/authentication/me", headers=who).json()
            return {tenant["tenantId"] for tenant in me["tenants"]}

        _until(
            lambda: (
                tenants_of(AS_BOB) == {"acme"} and tenants_of(AS_ADMIN) == {"<default>", "acme", "globex"}
            ),
            "tenant memberships exported",
        )
        yield client


@pytest.fixture(scope="module")
def deployed(http: httpx.Client) -> list[dict[str, Any]]:
    return [_deploy(http, "acme", "acme-v1"), _deploy(http, "acme", "acme-v2"), _deploy(http, "globex", "g")]


def test_each_tenant_has_its_own_version_line(deployed: list[dict[str, Any]]) -> None:
    lines = [
        (d["tenantId"], d["deployments"][0]["processDefinition"]["processDefinitionVersion"])
        for d in deployed
    ]
    assert lines == [("acme", 1), ("acme", 2), ("globex", 1)]


def test_a_request_without_a_tenant_is_refused(http: httpx.Client, deployed: list[dict[str, Any]]) -> None:
    refused = http.post("/process-instances", json={"processDefinitionId": "order"}, headers=AS_BOB)

    assert refused.status_code == 400, refused.text
    assert refused.json()["detail"] == (
        "Expected to handle request CreateProcessInstance with multi-tenancy enabled, but no tenant "
        "identifier was provided"
    )


def test_a_user_creates_only_in_its_tenants_and_sees_only_their_instances(
    http: httpx.Client, deployed: list[dict[str, Any]]
) -> None:
    mine = _ok(
        http.post(
            "/process-instances", json={"processDefinitionId": "order", "tenantId": "acme"}, headers=AS_BOB
        )
    ).json()
    theirs = http.post(
        "/process-instances", json={"processDefinitionId": "order", "tenantId": "globex"}, headers=AS_BOB
    )
    by_admin = _ok(
        http.post(
            "/process-instances",
            json={"processDefinitionId": "order", "tenantId": "globex"},
            headers=AS_ADMIN,
        )
    ).json()

    assert mine["tenantId"] == "acme" and mine["processDefinitionVersion"] == 2
    assert theirs.status_code == 403, theirs.text
    assert "for tenant 'globex', but user is not assigned to this tenant" in theirs.json()["detail"]
    everything = _until(
        lambda: (
            (found := _ok(http.post("/process-instances/search", json={}, headers=AS_ADMIN)).json()["items"])
            and len(found) >= 2
            and found
        ),
        "both instances exported",
    )
    seen_by_bob = _ok(http.post("/process-instances/search", json={}, headers=AS_BOB)).json()["items"]
    assert {item["tenantId"] for item in everything} == {"acme", "globex"}
    assert {item["tenantId"] for item in seen_by_bob} == {"acme"}
    hidden = http.get(f"/process-instances/{by_admin['processInstanceKey']}", headers=AS_BOB)
    assert hidden.status_code == 404, hidden.text


def test_grpc_workers_get_only_the_jobs_of_their_tenants(
    broker: BrokerProcess, http: httpx.Client, deployed: list[dict[str, Any]]
) -> None:
    for tenant_id in ("acme", "globex"):
        _ok(
            http.post(
                "/process-instances",
                json={"processDefinitionId": "order", "tenantId": tenant_id},
                headers=AS_ADMIN,
            )
        )
    with grpc.insecure_channel(broker.address) as channel:
        stub = GatewayStub(channel)

        def activate(job_type: str, tenants: list[str], who: dict[str, str]) -> list[Any]:
            request = pb.ActivateJobsRequest(
                type=job_type,
                worker="w",
                timeout=60_000,
                maxJobsToActivate=10,
                requestTimeout=1_000,
                tenantIds=tenants,
            )
            metadata = list(who.items())
            return [
                job for response in stub.ActivateJobs(request, metadata=metadata) for job in response.jobs
            ]

        bob_sees_globex = activate("g", ["globex"], AS_BOB)
        admin_sees_globex = activate("g", ["globex"], AS_ADMIN)
        with pytest.raises(grpc.RpcError) as missing:
            activate("g", [], AS_ADMIN)

    assert bob_sees_globex == []
    assert admin_sees_globex and {job.tenantId for job in admin_sees_globex} == {"globex"}
    assert missing.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "no tenant identifier was provided" in str(missing.value.details())


def test_the_first_admin_works_in_the_default_tenant_and_others_do_not(
    http: httpx.Client, deployed: list[dict[str, Any]]
) -> None:
    in_default = _deploy(http, "<default>", "default-work")
    by_bob = http.post(
        "/process-instances", json={"processDefinitionId": "order", "tenantId": "<default>"}, headers=AS_BOB
    )

    assert in_default["tenantId"] == "<default>"
    assert by_bob.status_code == 403, by_bob.text


def test_the_xml_and_statistics_of_another_tenants_definition_are_not_found(
    http: httpx.Client, deployed: list[dict[str, Any]]
) -> None:
    acme_key, globex_key = (
        deployed[index]["deployments"][0]["processDefinition"]["processDefinitionKey"] for index in (1, 2)
    )

    def read(path: str, who: dict[str, str]) -> httpx.Response:
        if path.endswith("/xml"):
            return http.get(path, headers=who)
        return http.post(path, json={}, headers=who)

    for suffix in ("xml", "statistics/element-instances"):
        _until(
            lambda suffix=suffix: (
                read(f"/process-definitions/{globex_key}/{suffix}", AS_ADMIN).status_code == 200
            ),
            f"the globex definition's {suffix} exported",
        )
        assert read(f"/process-definitions/{acme_key}/{suffix}", AS_BOB).status_code == 200
        hidden = read(f"/process-definitions/{globex_key}/{suffix}", AS_BOB)
        assert hidden.status_code == 404, hidden.text


def test_a_batch_operation_reaches_only_the_callers_tenants(http: httpx.Client) -> None:
    model = bpmn.process("slow").start_event().service_task("wait", job_type="nobody").end_event().to_xml()
    for tenant_id in ("acme", "globex"):
        _ok(
            http.post(
                "/deployments",
                files={"resources": ("slow.bpmn", model.encode(), "application/xml")},
                data={"tenantId": tenant_id},
                headers=AS_ADMIN,
            )
        )
    created = {
        tenant_id: [
            _ok(
                http.post(
                    "/process-instances",
                    json={"processDefinitionId": "slow", "tenantId": tenant_id},
                    headers=AS_ADMIN,
                )
            ).json()["processInstanceKey"]
            for _ in range(2)
        ]
        for tenant_id in ("acme", "globex")
    }
    everything = {"filter": {"processDefinitionId": "slow", "state": "ACTIVE"}}
    _until(
        lambda: (
            _ok(http.post("/process-instances/search", json=everything, headers=AS_ADMIN)).json()["page"][
                "totalItems"
            ]
            == 4
        ),
        "the four instances exported",
    )

    started = _ok(
        http.post(
            "/process-instances/cancellation",
            json={"filter": {"processDefinitionId": "slow"}},
            headers=AS_BOB,
        )
    ).json()
    key = started["batchOperationKey"]
    done = _until(
        lambda: (
            (operation := http.get(f"/batch-operations/{key}", headers=AS_BOB)).status_code == 200
            and operation.json()["state"] in ("COMPLETED", "PARTIALLY_COMPLETED", "FAILED")
            and operation.json()
        ),
        "the batch operation done",
    )
    items = _ok(
        http.post(
            "/batch-operation-items/search", json={"filter": {"batchOperationKey": key}}, headers=AS_BOB
        )
    ).json()["items"]

    assert done["state"] == "COMPLETED", done
    assert sorted(item["processInstanceKey"] for item in items) == sorted(created["acme"])
    assert {item["state"] for item in items} == {"COMPLETED"}
    still_running = _ok(
        http.post(
            "/process-instances/search",
            json={"filter": {"processDefinitionId": "slow", "state": "ACTIVE"}},
            headers=AS_ADMIN,
        )
    ).json()["items"]
    assert sorted(item["processInstanceKey"] for item in still_running) == sorted(created["globex"])


def test_a_user_publishes_messages_only_in_its_tenants(http: httpx.Client) -> None:
    mine = http.post(
        "/messages/publication",
        json={"name": "paid", "correlationKey": "o-1", "tenantId": "acme"},
        headers=AS_BOB,
    )
    theirs = http.post(
        "/messages/publication",
        json={"name": "paid", "correlationKey": "o-1", "tenantId": "globex"},
        headers=AS_BOB,
    )

    assert mine.status_code == 200, mine.text
    assert mine.json()["tenantId"] == "acme"
    assert theirs.status_code == 403, theirs.text
    assert "for tenant 'globex', but user is not assigned to this tenant" in theirs.json()["detail"]
