"""The REST API as seen with plain HTTP: problem details, statistics for the diagram badges, the call
hierarchy, forms, our OpenAPI document, and searches without secondary storage."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from broker_process import BrokerProcess

from strom.testing import bpmn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def http(rest_broker: BrokerProcess, models: dict[str, Path]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=rest_broker.rest_address, timeout=30) as client:
        files = [("resources", (path.name, path.read_bytes())) for path in models.values()]
        assert client.post("/deployments", files=files).status_code == 200
        yield client


def _until(http: httpx.Client, path: str, body: dict[str, Any], count: int, timeout: float = 10) -> list[Any]:
    deadline = time.monotonic() + timeout
    while True:
        items: list[Any] = http.post(path, json=body).json()["items"]
        if len(items) >= count:
            return items
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{path} with {body} found {len(items)} items, not {count}, within {timeout} s"
            )
        time.sleep(0.05)


def test_a_rejected_command_is_a_problem_detail_with_the_gateways_reason(http: httpx.Client) -> None:
    answer = http.post("/process-instances", json={"processDefinitionId": "no-such-process"})

    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["title"] == "NOT_FOUND" and problem["status"] == 404
    assert "no-such-process" in problem["detail"]


def test_a_malformed_body_names_the_field(http: httpx.Client) -> None:
    answer = http.post("/process-instances", json={"processDefinitionId": "one_task", "variables": [1, 2]})

    assert answer.status_code == 400
    assert answer.json()["title"] == "INVALID_ARGUMENT"
    assert "'variables'" in answer.json()["detail"]


def test_an_unknown_search_field_names_it(http: httpx.Client) -> None:
    answer = http.post("/process-instances/search", json={"filter": {"colour": "blue"}})

    assert answer.status_code == 400
    assert "colour" in answer.json()["detail"]


def test_an_operation_strom_does_not_serve_says_so(http: httpx.Client) -> None:
    answer = http.post("/agent-instances", json={})

    assert answer.status_code == 501
    assert "not supported" in answer.json()["detail"]


def test_element_statistics_count_active_and_completed_elements(http: httpx.Client) -> None:
    created = [
        http.post("/process-instances", json={"processDefinitionId": "review"}).json() for _ in range(3)
    ]
    definition = created[0]["processDefinitionKey"]
    _until(
        http, "/user-tasks/search", {"filter": {"processDefinitionKey": definition, "state": "CREATED"}}, 3
    )

    answer = http.post(f"/process-definitions/{definition}/statistics/element-instances", json={})

    by_element = {item["elementId"]: item for item in answer.json()["items"]}
    assert by_element["approve"]["active"] >= 3
    assert by_element["start"]["completed"] >= 3
    single = http.get(f"/process-instances/{created[0]['processInstanceKey']}/statistics/element-instances")
    assert {item["elementId"]: item["active"] for item in single.json()["items"]}["approve"] == 1


def test_the_call_hierarchy_leads_from_the_root_to_the_called_instance(
    http: httpx.Client, tmp_path: Path
) -> None:
    parent = (
        bpmn.process("caller")
        .start_event()
        .call_activity("call", called_process_id="review")
        .end_event()
        .to_xml()
    )
    http.post("/deployments", files=[("resources", ("caller.bpmn", parent.encode()))]).raise_for_status()
    root = http.post("/process-instances", json={"processDefinitionId": "caller"}).json()[
        "processInstanceKey"
    ]
    [child] = _until(http, "/process-instances/search", {"filter": {"parentProcessInstanceKey": root}}, 1)

    hierarchy = http.get(f"/process-instances/{child['processInstanceKey']}/call-hierarchy").json()

    assert [entry["processInstanceKey"] for entry in hierarchy] == [root, child["processInstanceKey"]]


def test_the_openapi_document_describes_our_operations(http: httpx.Client) -> None:
    document = http.get("/openapi.json").json()

    assert document["info"]["title"].startswith("Strom")
    assert "/v2/process-instances/search" in document["paths"]
    assert "post" in document["paths"]["/v2/user-tasks/{userTaskKey}/completion"]


def test_without_secondary_storage_searches_say_so(tmp_path: Path) -> None:
    broker = BrokerProcess(tmp_path, env={"STROM_SECONDARY_STORAGE": "none"}).start()
    try:
        answer = httpx.post(f"{broker.rest_address}/process-instances/search", json={}, timeout=10)
        topology = httpx.get(f"{broker.rest_address}/topology", timeout=10)
    finally:
        assert broker.stop() == 0, broker.logs()

    assert answer.status_code == 403
    assert "secondary storage" in answer.json()["detail"]
    assert topology.status_code == 200


def test_a_modification_without_an_ancestor_activates_in_the_instance(http: httpx.Client) -> None:
    instance = http.post("/process-instances", json={"processDefinitionId": "review"}).json()[
        "processInstanceKey"
    ]

    answer = http.post(
        f"/process-instances/{instance}/modification",
        json={"activateInstructions": [{"elementId": "approve"}]},
    )

    assert answer.status_code == 204, answer.text
    _until(http, "/user-tasks/search", {"filter": {"processInstanceKey": instance}}, 2)


def test_a_user_task_s_effective_variables_are_its_scopes_nearest_first(http: httpx.Client) -> None:
    model = (
        bpmn.process("effective_variables")
        .start_event()
        .sub_process("review", inputs={"b": '="from the subprocess"'})
        .start_event("inner_start")
        .user_task("approve", inputs={"c": '="local to the task"'})
        .end_event("inner_end")
        .end_sub_process()
        .end_event()
        .to_xml()
    )
    deployed = http.post("/deployments", files=[("resources", ("effective_variables.bpmn", model.encode()))])
    assert deployed.status_code == 200, deployed.text
    instance = http.post(
        "/process-instances",
        json={"processDefinitionId": "effective_variables", "variables": {"a": 1, "b": "from the instance"}},
    ).json()["processInstanceKey"]
    [task] = _until(http, "/user-tasks/search", {"filter": {"processInstanceKey": instance}}, 1)
    _until(http, "/variables/search", {"filter": {"processInstanceKey": instance}}, 4)

    effective = http.post(
        f"/user-tasks/{task['userTaskKey']}/effective-variables/search", json={"sort": [{"field": "name"}]}
    ).json()
    only_c = http.post(
        f"/user-tasks/{task['userTaskKey']}/effective-variables/search", json={"filter": {"name": "c"}}
    ).json()
    unknown = http.post("/user-tasks/2251799813999999/effective-variables/search", json={})

    assert [(v["name"], v["value"]) for v in effective["items"]] == [
        ("a", "1"),
        ("b", '"from the subprocess"'),
        ("c", '"local to the task"'),
    ]
    assert effective["page"]["totalItems"] == 3
    assert [v["name"] for v in only_c["items"]] == ["c"]
    assert unknown.status_code == 404
