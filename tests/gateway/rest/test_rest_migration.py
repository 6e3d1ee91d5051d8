"""``POST /v2/process-instances/{key}/migration`` (migrateProcessInstance) with plain HTTP against
``strom broker``: a waiting job moves to the new version; rejections are problem details."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from broker_process import BrokerProcess

from strom.testing import bpmn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def http(rest_broker: BrokerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=rest_broker.rest_address, timeout=30) as client:
        yield client


def _deploy(http: httpx.Client, job_type: str, *then: str) -> str:
    builder = bpmn.process("moving").start_event().service_task("task", job_type=job_type)
    for element_id in then:
        builder = builder.service_task(element_id, job_type=element_id)
    xml = builder.end_event().to_xml()
    answer = http.post("/deployments", files=[("resources", ("moving.bpmn", xml.encode()))])
    assert answer.status_code == 200, answer.text
    return str(answer.json()["deployments"][0]["processDefinition"]["processDefinitionKey"])


def test_a_migrated_instance_continues_on_the_target_version(http: httpx.Client) -> None:
    _deploy(http, "moving-work")
    instance = http.post("/process-instances", json={"processDefinitionId": "moving"}).json()[
        "processInstanceKey"
    ]
    target = _deploy(http, "moving-work-v2", "moving-next")

    answer = http.post(
        f"/process-instances/{instance}/migration",
        json={
            "targetProcessDefinitionKey": target,
            "mappingInstructions": [{"sourceElementId": "task", "targetElementId": "task"}],
        },
    )

    assert answer.status_code == 204, answer.text
    activated = http.post(
        "/jobs/activation", json={"type": "moving-work", "maxJobsToActivate": 1, "timeout": 60000}
    )
    [job] = activated.json()["jobs"]
    assert str(job["processDefinitionKey"]) == target
    assert http.post(f"/jobs/{job['jobKey']}/completion", json={}).status_code == 204
    unmapped = http.post(
        f"/process-instances/{instance}/migration", json={"targetProcessDefinitionKey": target}
    )
    assert unmapped.status_code == 409
    assert unmapped.json()["title"] == "INVALID_STATE"
    assert (
        "no mapping instruction defined for active element with id 'moving-next'" in unmapped.json()["detail"]
    )


def test_migrating_an_unknown_instance_is_not_found(http: httpx.Client) -> None:
    target = _deploy(http, "moving-work")

    answer = http.post(
        "/process-instances/2251799813699999/migration", json={"targetProcessDefinitionKey": target}
    )

    assert answer.status_code == 404
    assert answer.json()["detail"].endswith(
        "Expected to migrate process instance but no process instance found with key '2251799813699999'"
    )
