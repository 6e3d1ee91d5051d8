"""The REST API v2 on a broker with three partitions: commands routed to every partition, one
secondary storage that every partition's exporter fills (searches see all instances), user tasks
and messages reaching the partition that owns them."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from broker_process import BrokerProcess

from strom.protocol.keys import partition_of
from strom.testing import bpmn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    broker = BrokerProcess(tmp_path_factory.mktemp("rest-partitions"), "--partitions", "3").start(timeout=60)
    try:
        with httpx.Client(base_url=broker.rest_address, timeout=30) as client:
            review = (
                bpmn.process("review")
                .start_event()
                .user_task("approve", candidate_groups=["clerks"])
                .end_event("done")
                .to_xml()
            )
            wait = (
                bpmn.process("wait")
                .start_event()
                .receive_task("paid", message="paid", correlation_key="=orderId")
                .end_event("done")
                .to_xml()
            )
            files = [("resources", ("review.bpmn", review)), ("resources", ("wait.bpmn", wait))]
            assert client.post("/deployments", files=files).status_code == 200
            yield client
    finally:
        broker.stop()


def _until(http: httpx.Client, path: str, body: dict[str, Any], count: int, timeout: float = 15) -> list[Any]:
    deadline = time.monotonic() + timeout
    while True:
        items: list[Any] = http.post(path, json=body).json()["items"]
        if len(items) >= count or time.monotonic() > deadline:
            return items
        time.sleep(0.2)


def test_instances_on_every_partition_are_searched_and_their_user_tasks_completed(http: httpx.Client) -> None:
    created = [
        http.post("/process-instances", json={"processDefinitionId": "review"}).json()["processInstanceKey"]
        for _ in range(3)
    ]
    assert sorted(partition_of(int(key)) for key in created) == [1, 2, 3]

    found = _until(http, "/process-instances/search", {"filter": {"processDefinitionId": "review"}}, 3)
    assert sorted(item["processInstanceKey"] for item in found) == sorted(created)
    tasks = _until(http, "/user-tasks/search", {"filter": {"state": "CREATED"}}, 3)
    assert {partition_of(int(task["userTaskKey"])) for task in tasks} == {1, 2, 3}
    for task in tasks:
        answer = http.post(f"/user-tasks/{task['userTaskKey']}/completion", json={"variables": {"ok": True}})
        assert answer.status_code == 204, answer.text

    done = _until(
        http,
        "/process-instances/search",
        {"filter": {"processDefinitionId": "review", "state": "COMPLETED"}},
        3,
    )
    assert sorted(item["processInstanceKey"] for item in done) == sorted(created)


def test_a_correlated_message_reaches_the_instance_on_any_partition(http: httpx.Client) -> None:
    created = [
        http.post(
            "/process-instances", json={"processDefinitionId": "wait", "variables": {"orderId": f"o-{n}"}}
        ).json()["processInstanceKey"]
        for n in range(3)
    ]
    _until(http, "/message-subscriptions/search", {"filter": {"messageName": "paid"}}, 3)

    for n in range(3):
        answer = http.post("/messages/correlation", json={"name": "paid", "correlationKey": f"o-{n}"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["processInstanceKey"] == created[n]
