"""Batch operations over REST against ``strom broker`` (Camunda 8.8): cancel and resolve incidents
by filter, follow the operation and its items in secondary storage, suspend / resume / cancel it;
answers with the fields Camunda's clients check."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from broker_process import BrokerProcess

from strom.testing import bpmn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def http(rest_broker: BrokerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=rest_broker.rest_address, timeout=30) as client:
        yield client


def _deploy(http: httpx.Client, process_id: str, job_type: str) -> None:
    xml = bpmn.process(process_id).start_event().service_task("task", job_type=job_type).end_event().to_xml()
    answer = http.post("/deployments", files=[("resources", (f"{process_id}.bpmn", xml.encode()))])
    assert answer.status_code == 200, answer.text


def _start(http: httpx.Client, process_id: str, count: int) -> list[str]:
    keys = []
    for _ in range(count):
        answer = http.post("/process-instances", json={"processDefinitionId": process_id})
        assert answer.status_code == 200, answer.text
        keys.append(str(answer.json()["processInstanceKey"]))
    return keys


def _until(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    """``check()`` once it is truthy (searches are eventually consistent)."""
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _exported(http: httpx.Client, process_id: str, count: int) -> None:
    def all_there() -> bool:
        body = {"filter": {"processDefinitionId": process_id, "state": "ACTIVE"}}
        return http.post("/process-instances/search", json=body).json()["page"]["totalItems"] == count

    assert _until(all_there), f"the {count} instances of {process_id} never showed in secondary storage"


def _finished(http: httpx.Client, key: str) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        answer = http.get(f"/batch-operations/{key}")
        if answer.status_code != 200:
            return None
        body: dict[str, Any] = answer.json()
        return body if body["state"] not in ("CREATED", "ACTIVE") and body["endDate"] else None

    found = _until(done)
    assert found, http.get(f"/batch-operations/{key}").text
    return found  # type: ignore[no-any-return]


def test_cancel_by_filter_cancels_every_matching_instance(http: httpx.Client) -> None:
    _deploy(http, "bo-cancel", "bo-cancel-work")
    _deploy(http, "bo-keep", "bo-keep-work")
    cancelled = _start(http, "bo-cancel", 12)
    kept = _start(http, "bo-keep", 2)
    _exported(http, "bo-cancel", 12)

    created = http.post(
        "/process-instances/cancellation", json={"filter": {"processDefinitionId": "bo-cancel"}}
    )

    assert created.status_code == 200, created.text
    assert created.json()["batchOperationType"] == "CANCEL_PROCESS_INSTANCE"
    key = created.json()["batchOperationKey"]
    operation = _finished(http, key)
    assert operation["state"] == "COMPLETED"
    assert operation["batchOperationKey"] == key
    assert operation["batchOperationType"] == "CANCEL_PROCESS_INSTANCE"
    assert operation["operationsTotalCount"] == 12

    def all_items_done() -> dict[str, Any] | None:
        body: dict[str, Any] = http.post(
            "/batch-operation-items/search",
            json={"filter": {"batchOperationKey": key}, "page": {"limit": 50}},
        ).json()
        return body if all(item["state"] == "COMPLETED" for item in body["items"]) else None

    items = _until(all_items_done)
    assert items, "the items never all completed"
    assert sorted(item["itemKey"] for item in items["items"]) == sorted(cancelled)
    assert items["page"]["totalItems"] == 12 and items["page"]["hasMoreTotalItems"] is False
    first = items["items"][0]
    assert first["processInstanceKey"] == first["itemKey"] and first["processedDate"]
    assert first["operationType"] == "CANCEL_PROCESS_INSTANCE" and first["errorMessage"] is None
    for instance in cancelled[:2]:
        assert _until(lambda i=instance: http.get(f"/process-instances/{i}").json()["state"] == "TERMINATED")
    for instance in kept:
        assert http.get(f"/process-instances/{instance}").json()["state"] == "ACTIVE"
    assert _until(lambda: http.get(f"/batch-operations/{key}").json()["operationsCompletedCount"] == 12)
    found = http.post(
        "/batch-operations/search",
        json={"filter": {"operationType": "CANCEL_PROCESS_INSTANCE", "state": "COMPLETED"}},
    ).json()
    assert key in [operation["batchOperationKey"] for operation in found["items"]]
    assert found["page"]["hasMoreTotalItems"] is False


def test_resolve_incidents_by_filter(http: httpx.Client) -> None:
    _deploy(http, "bo-incident", "bo-incident-work")
    instances = _start(http, "bo-incident", 3)
    for _ in instances:
        activated = http.post(
            "/jobs/activation", json={"type": "bo-incident-work", "maxJobsToActivate": 1, "timeout": 60000}
        ).json()["jobs"]
        [job] = activated
        failed = http.post(f"/jobs/{job['jobKey']}/failure", json={"retries": 0, "errorMessage": "boom"})
        assert failed.status_code == 204, failed.text

    def incidents(state: str) -> list[dict[str, Any]]:
        body = {"filter": {"processDefinitionId": "bo-incident", "state": state}, "page": {"limit": 10}}
        found: list[dict[str, Any]] = http.post("/incidents/search", json=body).json()["items"]
        return found

    assert _until(lambda: len(incidents("ACTIVE")) == 3)

    created = http.post(
        "/process-instances/incident-resolution", json={"filter": {"processDefinitionId": "bo-incident"}}
    )

    assert created.status_code == 200, created.text
    assert created.json()["batchOperationType"] == "RESOLVE_INCIDENT"
    operation = _finished(http, created.json()["batchOperationKey"])
    assert operation["state"] == "COMPLETED" and operation["operationsTotalCount"] == 3
    assert _until(lambda: len(incidents("RESOLVED")) == 3)
    # the jobs got a retry back, so the workers see them again
    again = http.post(
        "/jobs/activation", json={"type": "bo-incident-work", "maxJobsToActivate": 5, "timeout": 60000}
    ).json()["jobs"]
    assert len(again) == 3


def test_cancel_selects_root_instances_only(http: httpx.Client) -> None:
    parent = (
        bpmn.process("bo-parent")
        .start_event()
        .call_activity("call", called_process_id="bo-child")
        .end_event()
        .to_xml()
    )
    child = (
        bpmn.process("bo-child")
        .start_event()
        .service_task("task", job_type="bo-child-work")
        .end_event()
        .to_xml()
    )
    answer = http.post(
        "/deployments",
        files=[
            ("resources", ("bo-child.bpmn", child.encode())),
            ("resources", ("bo-parent.bpmn", parent.encode())),
        ],
    )
    assert answer.status_code == 200, answer.text
    [root] = _start(http, "bo-parent", 1)
    [standalone] = _start(http, "bo-child", 1)
    _exported(http, "bo-child", 2)  # the called instance and the standalone one

    created = http.post(
        "/process-instances/cancellation", json={"filter": {"processDefinitionId": "bo-child"}}
    )
    key = created.json()["batchOperationKey"]

    operation = _finished(http, key)
    assert operation["operationsTotalCount"] == 1
    [item] = http.post("/batch-operation-items/search", json={"filter": {"batchOperationKey": key}}).json()[
        "items"
    ]
    assert item["itemKey"] == standalone
    assert http.get(f"/process-instances/{root}").json()["state"] == "ACTIVE"


def test_a_rejected_item_command_is_a_failed_item_with_the_reason(http: httpx.Client) -> None:
    _deploy(http, "bo-reject", "bo-reject-work")
    _start(http, "bo-reject", 2)
    other = _deploy_key(
        http,
        bpmn.process("bo-elsewhere").start_event().service_task("elsewhere", job_type="x").end_event(),
        "e.bpmn",
    )
    _exported(http, "bo-reject", 2)

    created = http.post(
        "/process-instances/migration",
        json={
            "filter": {"processDefinitionId": "bo-reject"},
            "migrationPlan": {"targetProcessDefinitionKey": other, "mappingInstructions": []},
        },
    )
    key = created.json()["batchOperationKey"]

    _finished(http, key)
    assert _until(lambda: http.get(f"/batch-operations/{key}").json()["operationsFailedCount"] == 2)
    items = http.post("/batch-operation-items/search", json={"filter": {"batchOperationKey": key}}).json()[
        "items"
    ]
    assert {item["state"] for item in items} == {"FAILED"}
    assert all(
        item["errorMessage"].startswith("INVALID_STATE: Expected to migrate process instance")
        for item in items
    ), items
    assert http.get(f"/batch-operations/{key}").json()["state"] == "COMPLETED"


def test_suspend_resume_and_cancel_answer_as_zeebe(http: httpx.Client) -> None:
    unknown = http.post("/batch-operations/2251799813999999/suspension")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == (
        "Command 'SUSPEND' rejected with code 'NOT_FOUND': Expected to suspend a batch operation with "
        "key '2251799813999999', but no such batch operation was found"
    )

    _deploy(http, "bo-finished", "bo-finished-work")
    _start(http, "bo-finished", 1)
    _exported(http, "bo-finished", 1)
    key = http.post(
        "/process-instances/cancellation", json={"filter": {"processDefinitionId": "bo-finished"}}
    ).json()["batchOperationKey"]
    _finished(http, key)
    cancel = http.post(f"/batch-operations/{key}/cancellation")
    assert cancel.status_code == 404
    assert "Expected to cancel a batch operation with key" in cancel.json()["detail"]


def test_a_bad_filter_is_a_400_naming_the_field(http: httpx.Client) -> None:
    answer = http.post("/process-instances/cancellation", json={"filter": {"noSuchField": 1}})

    assert answer.status_code == 400
    assert "noSuchField" in answer.json()["detail"]
    empty = http.post("/process-instances/cancellation", json={"filter": {}})
    assert empty.status_code == 400
    assert "Given filter is empty" in empty.json()["detail"]


def test_an_unknown_batch_operation_is_404(http: httpx.Client) -> None:
    answer = http.get("/batch-operations/2251799813999998")

    assert answer.status_code == 404


def _deploy_key(http: httpx.Client, builder: Any, name: str) -> str:
    answer = http.post("/deployments", files=[("resources", (name, builder.to_xml().encode()))])
    assert answer.status_code == 200, answer.text
    return str(answer.json()["deployments"][0]["processDefinition"]["processDefinitionKey"])


def test_migrate_by_filter_moves_the_instances_to_the_target(http: httpx.Client) -> None:
    _deploy(http, "bo-migrate", "bo-migrate-work")
    instances = _start(http, "bo-migrate", 3)
    target = _deploy_key(
        http,
        bpmn.process("bo-migrate").start_event().service_task("task", job_type="bo-migrate-v2").end_event(),
        "bo-migrate.bpmn",
    )
    _exported(http, "bo-migrate", 3)

    created = http.post(
        "/process-instances/migration",
        json={
            "filter": {"processDefinitionId": "bo-migrate", "processDefinitionVersion": 1},
            "migrationPlan": {
                "targetProcessDefinitionKey": target,
                "mappingInstructions": [{"sourceElementId": "task", "targetElementId": "task"}],
            },
        },
    )

    assert created.status_code == 200, created.text
    assert created.json()["batchOperationType"] == "MIGRATE_PROCESS_INSTANCE"
    operation = _finished(http, created.json()["batchOperationKey"])
    assert operation["state"] == "COMPLETED"
    assert _until(
        lambda: (
            http.get(f"/batch-operations/{operation['batchOperationKey']}").json()["operationsCompletedCount"]
            == 3
        )
    )
    for instance in instances:
        assert http.get(f"/process-instances/{instance}").json()["processDefinitionKey"] == target


def test_modify_by_filter_moves_the_tokens(http: httpx.Client) -> None:
    _deploy_key(
        http,
        bpmn.process("bo-modify")
        .start_event()
        .service_task("first", job_type="bo-modify-first")
        .service_task("second", job_type="bo-modify-second")
        .end_event(),
        "bo-modify.bpmn",
    )
    _start(http, "bo-modify", 2)
    _exported(http, "bo-modify", 2)

    created = http.post(
        "/process-instances/modification",
        json={
            "filter": {"processDefinitionId": "bo-modify"},
            "moveInstructions": [{"sourceElementId": "first", "targetElementId": "second"}],
        },
    )

    assert created.status_code == 200, created.text
    assert created.json()["batchOperationType"] == "MODIFY_PROCESS_INSTANCE"
    _finished(http, created.json()["batchOperationKey"])
    jobs = http.post(
        "/jobs/activation", json={"type": "bo-modify-second", "maxJobsToActivate": 5, "timeout": 60000}
    ).json()["jobs"]
    assert len(jobs) == 2
    missing = http.post(
        "/process-instances/modification", json={"filter": {"processDefinitionId": "bo-modify"}}
    )
    assert missing.status_code == 400
