"""Batch operations with ``--auth basic`` on a real broker: creating needs a BATCH permission (403
with Zeebe's reason otherwise), reading needs BATCH READ, the filter finds only instances the
creator may read, and each item's command is checked with the creator's permissions, so an instance
the creator may read but not cancel is a failed item."""

from __future__ import annotations

import base64
import time
from typing import Any

import httpx
import pytest
from broker_process import BrokerProcess

from strom.testing import bpmn

pytestmark = pytest.mark.slow


def _basic(username: str, password: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def _until(check: Any, what: str, timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def _grant(
    http: httpx.Client, admin: dict[str, str], resource: str, resource_id: str, *permissions: str
) -> None:
    grant = {
        "ownerId": "bob",
        "ownerType": "USER",
        "resourceType": resource,
        "resourceId": resource_id,
        "permissionTypes": list(permissions),
    }
    answer = http.post("/authorizations", json=grant, headers=admin)
    assert answer.status_code == 201, answer.text


def test_batch_permissions_and_the_creator_s_item_checks(tmp_path_factory: pytest.TempPathFactory) -> None:
    admin = _basic("admin", "admin's password")
    bob = _basic("bob", "bob's password")
    process = BrokerProcess(
        tmp_path_factory.mktemp("batch-auth"),
        "--auth",
        "basic",
        "--admin-user",
        "admin",
        env={"STROM_ADMIN_PASSWORD": "admin's password"},
    ).start()
    try:
        with httpx.Client(base_url=process.rest_address, timeout=30) as http:
            _until(lambda: http.get("/topology", headers=admin).status_code == 200, "admin login")
            xml = bpmn.process("bo-auth").start_event().service_task("task", job_type="bo-auth").end_event()
            files = {"resources": ("bo-auth.bpmn", xml.to_xml().encode(), "application/xml")}
            assert http.post("/deployments", files=files, headers=admin).status_code == 200
            http.post("/process-instances", json={"processDefinitionId": "bo-auth"}, headers=admin)
            body = {"username": "bob", "password": "bob's password"}
            assert http.post("/users", json=body, headers=admin).status_code == 201
            _until(lambda: http.get("/topology", headers=bob).status_code == 200, "bob login")
            by_filter = {"filter": {"processDefinitionId": "bo-auth"}}

            refused = http.post("/process-instances/cancellation", json=by_filter, headers=bob)
            assert refused.status_code == 403, refused.text
            assert "CREATE_BATCH_OPERATION_CANCEL_PROCESS_INSTANCE" in refused.json()["detail"]

            _grant(http, admin, "BATCH", "*", "CREATE_BATCH_OPERATION_CANCEL_PROCESS_INSTANCE")
            _grant(http, admin, "PROCESS_DEFINITION", "bo-auth", "READ_PROCESS_INSTANCE")  # not CANCEL
            created = _until(
                lambda: (
                    answer
                    if (
                        answer := http.post("/process-instances/cancellation", json=by_filter, headers=bob)
                    ).status_code
                    == 200
                    else None
                ),
                "bob creates after the grant",
            )
            key = created.json()["batchOperationKey"]
            assert http.get(f"/batch-operations/{key}", headers=bob).status_code == 403
            searched = http.post("/batch-operations/search", json={}, headers=bob).json()
            assert searched["items"] == [] and searched["page"]["totalItems"] == 0

            def failed_item() -> dict[str, Any] | None:
                items = http.post(
                    "/batch-operation-items/search",
                    json={"filter": {"batchOperationKey": key}},
                    headers=admin,
                ).json()["items"]
                return items[0] if items and items[0]["state"] == "FAILED" else None

            item = _until(failed_item, "the item failed: bob may not cancel instances of bo-auth")
            assert item["errorMessage"].startswith("FORBIDDEN: Insufficient permissions to perform operation")
            assert "CANCEL_PROCESS_INSTANCE" in item["errorMessage"]
            operation = http.get(f"/batch-operations/{key}", headers=admin).json()
            assert operation["actorType"] == "USER" and operation["actorId"] == "bob"
    finally:
        assert process.stop() == 0, process.logs()
