"""The record log of an instance over REST (``/v2/strom/process-instances/{key}/records``), read
from the partition's log files of a real broker: what concerns the instance, filters, pages, the
"why?" reads of source records, and the same on a partition that runs in its own process."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from broker_process import BrokerProcess

from strom.protocol.keys import partition_of
from strom.testing import bpmn

ORDER = (
    bpmn.process("log_order")
    .start_event("placed")
    .service_task("charge", job_type="log-charge")
    .end_event("paid")
)


def _records(http: httpx.Client, key: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    answer = http.post(f"/strom/process-instances/{key}/records/search", json=body or {})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _all(http: httpx.Client, key: str, filter_: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"page": {"limit": 1000}}
    if filter_:
        body["filter"] = filter_
    return list(_records(http, key, body)["items"])


def _activate(http: httpx.Client, instance: str) -> dict[str, Any]:
    for _ in range(50):
        body = {"type": "log-charge", "timeout": 60_000, "maxJobsToActivate": 10, "requestTimeout": 1_000}
        for job in http.post("/jobs/activation", json=body).json()["jobs"]:
            if job["processInstanceKey"] == instance:
                return dict(job)
    raise AssertionError(f"no job for instance {instance}")


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(tmp_path_factory.mktemp("record-log")).start()
    yield process
    assert process.stop() == 0, process.logs()


@pytest.fixture(scope="module")
def http(broker: BrokerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=broker.rest_address, timeout=30) as client:
        deployed = client.post(
            "/deployments",
            files={"resources": ("log_order.bpmn", ORDER.to_xml().encode(), "application/xml")},
        )
        assert deployed.status_code == 200, deployed.text
        yield client


@pytest.fixture(scope="module")
def completed(http: httpx.Client) -> tuple[str, str, str]:
    """An instance whose job was completed, then completed once more (rejected); and a bystander."""
    key = http.post("/process-instances", json={"processDefinitionId": "log_order"}).json()[
        "processInstanceKey"
    ]
    other = http.post("/process-instances", json={"processDefinitionId": "log_order"}).json()[
        "processInstanceKey"
    ]
    job = _activate(http, key)
    assert (
        http.post(f"/jobs/{job['jobKey']}/completion", json={"variables": {"paid": True}}).status_code == 204
    )
    again = http.post(f"/jobs/{job['jobKey']}/completion", json={})
    assert again.status_code == 404, again.text
    return key, other, job["jobKey"]


def test_the_log_of_an_instance_holds_its_events_commands_and_rejections(
    http: httpx.Client, completed: tuple[str, str, str]
) -> None:
    key, other, job_key = completed
    items = _all(http, key)
    seen = [(r["recordType"], r["valueType"], r["intent"]) for r in items]
    positions = [r["position"] for r in items]
    assert positions == sorted(positions)
    # the process's own life, from activation to completion
    assert ("EVENT", "PROCESS_INSTANCE", "ELEMENT_ACTIVATED") in seen
    done = [r["value"]["elementId"] for r in items if r["intent"] == "ELEMENT_COMPLETED"]
    assert done == ["placed", "charge", "paid", "log_order"]
    flows = [r for r in items if r["intent"] == "SEQUENCE_FLOW_TAKEN"]
    assert len(flows) == 2
    # the client's commands on the job name only the job, and are there with their rejection
    completes = [r for r in items if r["valueType"] == "JOB" and r["intent"] == "COMPLETE"]
    assert [r["recordType"] for r in completes] == ["COMMAND", "COMMAND", "COMMAND_REJECTION"]
    assert {r["key"] for r in completes} == {job_key}
    rejection = completes[-1]
    assert rejection["rejectionType"] == "NOT_FOUND" and job_key in rejection["rejectionReason"]
    assert rejection["sourceRecordPosition"] == completes[1]["position"]
    # a variable set by the completion, with its keys as text and a timestamp
    paid = next(r for r in items if r["valueType"] == "VARIABLE" and r["value"]["name"] == "paid")
    assert paid["value"]["processInstanceKey"] == key and paid["value"]["value"] == "true"
    assert paid["timestamp"].endswith("Z") and "authorizations" not in paid
    # nothing of the other instance
    assert {r["value"].get("processInstanceKey") for r in items} <= {None, "-1", key}, items
    assert not {r["position"] for r in items} & {r["position"] for r in _all(http, other)}


def test_why_follows_a_source_position_back_to_the_creation_command(
    http: httpx.Client, completed: tuple[str, str, str]
) -> None:
    key, _, _ = completed
    items = _all(http, key)
    ours = {r["position"] for r in items}
    created = next(r for r in items if r["valueType"] == "PROCESS_INSTANCE_CREATION")
    assert created["intent"] == "CREATED" and created["sourceRecordPosition"] not in ours
    answer = http.get(f"/strom/process-instances/{key}/records/{created['sourceRecordPosition']}")
    assert answer.status_code == 200, answer.text
    command = answer.json()
    assert (command["recordType"], command["valueType"], command["intent"]) == (
        "COMMAND",
        "PROCESS_INSTANCE_CREATION",
        "CREATE",
    )
    assert command["position"] == created["sourceRecordPosition"]
    assert command["value"]["bpmnProcessId"] == "log_order"
    assert command["log"]["firstPosition"] == 1 and command["log"]["compacted"] is False
    # every other source is a record of the list itself
    assert {r["sourceRecordPosition"] for r in items if r["sourceRecordPosition"] > 0} - ours == {
        created["sourceRecordPosition"]
    }
    first_of_ours = http.get(f"/strom/process-instances/{key}/records/{items[0]['position']}")
    assert first_of_ours.status_code == 200 and first_of_ours.json()["position"] == items[0]["position"]


def test_a_record_that_neither_concerns_the_instance_nor_caused_one_is_not_shown(
    http: httpx.Client, completed: tuple[str, str, str]
) -> None:
    key, other, _ = completed
    foreign = _all(http, other)[0]["position"]
    answer = http.get(f"/strom/process-instances/{key}/records/{foreign}")
    assert answer.status_code == 404
    assert "neither concerns" in answer.json()["detail"]
    missing = http.post("/strom/process-instances/2251799813999999/records/search", json={})
    assert missing.status_code == 404 and missing.json()["title"] == "NOT_FOUND"


def test_filters_and_pages(http: httpx.Client, completed: tuple[str, str, str]) -> None:
    key, _, _ = completed
    everything = _all(http, key)
    jobs = _all(http, key, {"valueType": "JOB"})
    assert jobs and {r["valueType"] for r in jobs} == {"JOB"}
    assert jobs == [r for r in everything if r["valueType"] == "JOB"]
    events = _all(http, key, {"recordType": "EVENT", "intent": ["ELEMENT_ACTIVATED", "ELEMENT_COMPLETED"]})
    assert [r["value"]["elementId"] for r in events if r["intent"] == "ELEMENT_ACTIVATED"] == [
        "log_order",
        "placed",
        "charge",
        "paid",
    ]
    rejections = _all(http, key, {"recordType": "COMMAND_REJECTION"})
    assert len(rejections) == 1

    paged: list[dict[str, Any]] = []
    after = 0
    while True:
        answer = _records(http, key, {"page": {"after": after, "limit": 7}})
        paged += answer["items"]
        assert answer["page"]["totalItems"] == len(everything)
        if not answer["page"]["hasMoreItems"]:
            break
        assert len(answer["items"]) == 7
        after = answer["page"]["endPosition"]
    assert paged == everything

    for body in (
        {"page": {"limit": 0}},
        {"filter": {"valueType": "NO_SUCH_TYPE"}},
        {"filter": {"recordType": 3}},
    ):
        bad = http.post(f"/strom/process-instances/{key}/records/search", json=body)
        assert bad.status_code == 400, (body, bad.text)


def test_the_operations_are_in_the_published_openapi(http: httpx.Client) -> None:
    document = http.get("/openapi.json").json()
    search = document["paths"]["/v2/strom/process-instances/{processInstanceKey}/records/search"]["post"]
    assert search["operationId"] == "searchProcessInstanceRecords"
    assert "RecordSearchRequest" in document["components"]["schemas"]
    one = document["paths"]["/v2/strom/process-instances/{processInstanceKey}/records/{position}"]["get"]
    assert one["operationId"] == "getProcessInstanceRecord"


def test_a_partition_in_its_own_process_is_read_from_its_log_files(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    process = BrokerProcess(tmp_path_factory.mktemp("record-log-partitions"), "--partitions", "2").start(
        timeout=60
    )
    try:
        with httpx.Client(base_url=process.rest_address, timeout=30) as http:
            xml = ORDER.to_xml().encode()
            deployed = http.post(
                "/deployments", files={"resources": ("log_order.bpmn", xml, "application/xml")}
            )
            assert deployed.status_code == 200, deployed.text
            keys = [
                http.post("/process-instances", json={"processDefinitionId": "log_order"}).json()[
                    "processInstanceKey"
                ]
                for _ in range(4)
            ]
            on_two = next(key for key in keys if partition_of(int(key)) == 2)
            answer = _records(http, on_two)
            assert answer["log"]["partitionId"] == 2
            activated = [
                r["value"]["elementId"] for r in answer["items"] if r["intent"] == "ELEMENT_ACTIVATED"
            ]
            assert activated == ["log_order", "placed", "charge"]
            assert {r["partitionId"] for r in answer["items"]} == {2}
    finally:
        assert process.stop() == 0, process.logs()


def _basic(username: str, password: str) -> dict[str, str]:
    return {"authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def test_a_caller_without_read_permission_on_the_process_is_forbidden(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    admin = _basic("admin", "admin's password")
    bob = _basic("bob", "bob's password")
    process = BrokerProcess(
        tmp_path_factory.mktemp("record-log-auth"),
        "--auth",
        "basic",
        "--admin-user",
        "admin",
        env={"STROM_ADMIN_PASSWORD": "admin's password"},
    ).start()
    try:
        with httpx.Client(base_url=process.rest_address, timeout=30) as http:

            def until(check: Any, what: str) -> None:
                deadline = time.monotonic() + 20
                while not check():
                    assert time.monotonic() < deadline, what
                    time.sleep(0.05)

            until(lambda: http.get("/topology", headers=admin).status_code == 200, "admin login")
            xml = ORDER.to_xml().encode()
            files = {"resources": ("log_order.bpmn", xml, "application/xml")}
            assert http.post("/deployments", files=files, headers=admin).status_code == 200
            body = {"username": "bob", "password": "bob's password"}
            assert http.post("/users", json=body, headers=admin).status_code == 201
            until(lambda: http.get("/topology", headers=bob).status_code == 200, "bob login")
            created = http.post(
                "/process-instances", json={"processDefinitionId": "log_order"}, headers=admin
            )
            key = created.json()["processInstanceKey"]
            path = f"/strom/process-instances/{key}/records/search"

            refused = http.post(path, json={}, headers=bob)
            assert refused.status_code == 403, refused.text
            assert "READ_PROCESS_INSTANCE" in refused.json()["detail"]
            assert http.post(path, json={}, headers=admin).status_code == 200
            assert http.post(path, json={}).status_code == 401

            grant = {
                "ownerId": "bob",
                "ownerType": "USER",
                "resourceType": "PROCESS_DEFINITION",
                "resourceId": "log_order",
                "permissionTypes": ["READ_PROCESS_INSTANCE"],
            }
            assert http.post("/authorizations", json=grant, headers=admin).status_code == 201
            until(
                lambda: http.post(path, json={}, headers=bob).status_code == 200, "bob reads after the grant"
            )
    finally:
        assert process.stop() == 0, process.logs()


@pytest.mark.slow
def test_in_cluster_mode_the_record_log_says_it_is_not_available(tmp_path: Path) -> None:
    from tests.log._nats import required_binary, start_server

    server = start_server(required_binary(), tmp_path / "nats", sync_always=True, max_payload="8MB")
    try:
        (tmp_path / "broker").mkdir()
        process = BrokerProcess(
            tmp_path / "broker", "--cluster", server.url, "--secondary-storage", "none"
        ).start(timeout=60)
        try:
            path = f"{process.rest_address}/strom/process-instances/2251799813685249/records/search"
            answer = httpx.post(path, json={}, timeout=30)
        finally:
            assert process.stop() == 0, process.logs()
    finally:
        server.stop()
    assert answer.status_code == 501, answer.text
    assert "JetStream" in answer.json()["detail"]
