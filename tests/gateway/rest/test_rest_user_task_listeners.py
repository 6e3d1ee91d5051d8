"""User task listeners over REST against a real broker: an assignment request waits for the
assigning listener's job and is answered when the transition ends — 204 once a worker lets it
through, 409 with the listener's reason when it denies it (Zeebe 8.8)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from broker_process import BrokerProcess

from strom.testing import bpmn

pytestmark = pytest.mark.slow

LISTENED = (
    bpmn.process("gated")
    .start_event()
    .user_task("review")
    .task_listener("assigning", "gate")
    .end_event()
    .to_xml()
)


@pytest.fixture(scope="module")
def http(rest_broker: BrokerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=rest_broker.rest_address, timeout=30) as client:
        files = [("resources", ("gated.bpmn", LISTENED.encode()))]
        assert client.post("/deployments", files=files).status_code == 200
        yield client


def _task_key(http: httpx.Client, rest_broker: BrokerProcess) -> int:
    instance = http.post("/process-instances", json={"processDefinitionId": "gated"}).json()
    created = rest_broker.wait_for_record(
        "USER_TASK", "CREATED", process_instance_key=int(instance["processInstanceKey"])
    )
    return int(created["key"])


def _assign_in_background(http: httpx.Client, key: int) -> tuple[threading.Thread, list[Any]]:
    answers: list[Any] = []

    def assign() -> None:
        answers.append(http.post(f"/user-tasks/{key}/assignment", json={"assignee": "bob"}))

    thread = threading.Thread(target=assign, daemon=True)
    thread.start()
    return thread, answers


def _listener_job(http: httpx.Client) -> int:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        body = {"type": "gate", "maxJobsToActivate": 1, "timeout": 60_000, "worker": "gatekeeper"}
        jobs = http.post("/jobs/activation", json=body).json()["jobs"]
        if jobs:
            return int(jobs[0]["jobKey"])
    raise AssertionError("no assigning listener job within 10 s")


def test_an_assignment_is_answered_once_its_listener_lets_it_through(
    http: httpx.Client, rest_broker: BrokerProcess
) -> None:
    key = _task_key(http, rest_broker)
    thread, answers = _assign_in_background(http, key)

    job = _listener_job(http)
    time.sleep(0.3)
    assert answers == []  # held by the listener
    assert http.post(f"/jobs/{job}/completion", json={}).status_code == 204
    thread.join(timeout=10)

    [answer] = answers
    assert answer.status_code == 204
    assigned = rest_broker.wait_for_record("USER_TASK", "ASSIGNED", key=key)
    assert assigned["value"]["assignee"] == "bob"


def test_an_assignment_its_listener_denies_is_answered_with_the_reason(
    http: httpx.Client, rest_broker: BrokerProcess
) -> None:
    key = _task_key(http, rest_broker)
    thread, answers = _assign_in_background(http, key)

    job = _listener_job(http)
    result = {"result": {"type": "userTask", "denied": True, "deniedReason": "bob is away"}}
    assert http.post(f"/jobs/{job}/completion", json=result).status_code == 204
    thread.join(timeout=10)

    [answer] = answers
    assert answer.status_code == 409
    assert answer.json()["detail"] == (
        "Command 'ASSIGN' rejected with code 'INVALID_STATE': "
        f"Assignment of the User Task with key '{key}' was denied by Task Listener. "
        "Reason to deny: 'bob is away'"
    )
    denied = rest_broker.wait_for_record("USER_TASK", "ASSIGNMENT_DENIED", key=key)
    assert denied["value"]["assignee"] == ""
