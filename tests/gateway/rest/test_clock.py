"""PUT /v2/clock and POST /v2/clock/reset on a broker started with --clock-controlled: time stands
still at the pinned instant (what instances record), and follows the system clock after a reset;
a broker without the flag refuses."""

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

PINNED = 1_893_456_000_000  # 2030-01-01T00:00:00Z


@pytest.fixture(scope="module")
def controlled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx.Client]:
    broker = BrokerProcess(tmp_path_factory.mktemp("clock-broker"), "--clock-controlled").start()
    try:
        with httpx.Client(base_url=broker.rest_address, timeout=30) as client:
            model = bpmn.process("clocked").start_event().service_task("t", job_type="w").end_event().to_xml()
            assert client.post(
                "/deployments", files=[("resources", ("clocked.bpmn", model.encode()))]
            ).is_success
            yield client
    finally:
        assert broker.stop() == 0, broker.logs()


def _start_date(http: httpx.Client, instance: str) -> Any:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        items = http.post(
            "/process-instances/search", json={"filter": {"processInstanceKey": instance}}
        ).json()
        if items["items"]:
            return items["items"][0]["startDate"]
        time.sleep(0.05)
    raise AssertionError(f"instance {instance} not in secondary storage within 10 s")


def test_a_pinned_clock_stamps_new_instances_and_a_reset_releases_it(controlled: httpx.Client) -> None:
    pinned = controlled.put("/clock", json={"timestamp": PINNED})
    first = controlled.post("/process-instances", json={"processDefinitionId": "clocked"}).json()
    time.sleep(0.05)
    second = controlled.post("/process-instances", json={"processDefinitionId": "clocked"}).json()
    reset = controlled.post("/clock/reset")
    third = controlled.post("/process-instances", json={"processDefinitionId": "clocked"}).json()

    assert pinned.status_code == 204 and reset.status_code == 204
    assert _start_date(controlled, first["processInstanceKey"]).startswith("2030-01-01T00:00:00")
    assert _start_date(controlled, second["processInstanceKey"]).startswith("2030-01-01T00:00:00")
    assert not _start_date(controlled, third["processInstanceKey"]).startswith("2030")


def test_a_negative_or_missing_timestamp_is_a_bad_request(controlled: httpx.Client) -> None:
    negative = controlled.put("/clock", json={"timestamp": -1})
    missing = controlled.put("/clock", json={})

    assert negative.status_code == 400 and "'timestamp'" in negative.json()["detail"]
    assert missing.status_code == 400


def test_a_broker_without_a_controllable_clock_refuses(rest_broker: BrokerProcess, tmp_path: Path) -> None:
    with httpx.Client(base_url=rest_broker.rest_address, timeout=30) as client:
        refused = client.put("/clock", json={"timestamp": PINNED})

    assert refused.status_code == 403
    assert "--clock-controlled" in refused.json()["detail"]
