"""The monitoring port tells the truth: liveness, readiness and startup probes (Zeebe's paths and its
``/actuator/health/...`` aliases) reflect the real state, ``/metrics`` is unchanged, anything else
is 404."""

from __future__ import annotations

import errno
import json
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from broker_process import BrokerProcess

from strom.broker import Partition, PartitionSettings
from strom.broker.metrics import BrokerMetrics
from strom.protocol.enums import RecordType
from strom.protocol.intents import DeploymentIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource
from strom.testing import bpmn

LIVENESS = ("/health", "/actuator/health/liveness")
READINESS = ("/ready", "/actuator/health/readiness")
STARTUP = ("/startup", "/actuator/health/startup")
AGGREGATE = "/actuator/health"


def _get(port: int, path: str) -> tuple[int, str, str]:
    """(status, content type, body) of GET ``path``; error statuses are answers too."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def _probe(port: int, path: str) -> tuple[int, dict[str, Any]]:
    status, content_type, body = _get(port, path)
    assert content_type == "application/json", (path, content_type)
    return status, json.loads(body)


# -- a real broker -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrokerProcess]:
    process = BrokerProcess(tmp_path_factory.mktemp("health")).start()
    yield process
    assert process.stop() == 0, process.logs()


@pytest.mark.slow
@pytest.mark.parametrize("path", LIVENESS)
def test_liveness_is_up_while_the_broker_serves(broker: BrokerProcess, path: str) -> None:
    status, body = _probe(broker.metrics_port, path)

    assert status == 200 and body["status"] == "UP"
    assert broker.process is not None and body["details"]["pid"] == broker.process.pid


@pytest.mark.slow
@pytest.mark.parametrize("path", READINESS)
def test_readiness_is_up_when_the_partition_processes(broker: BrokerProcess, path: str) -> None:
    status, body = _probe(broker.metrics_port, path)

    assert status == 200 and body["status"] == "UP"
    assert body["details"]["broker"] == "started"
    assert body["details"]["partitions"] == {"1": {"phase": "processing", "healthy": True}}


@pytest.mark.slow
@pytest.mark.parametrize("path", STARTUP)
def test_startup_is_up_once_the_broker_started(broker: BrokerProcess, path: str) -> None:
    status, body = _probe(broker.metrics_port, path)

    assert status == 200 and body == {"status": "UP", "details": {"broker": "started"}}


@pytest.mark.slow
def test_the_aggregate_health_holds_every_probe(broker: BrokerProcess) -> None:
    status, body = _probe(broker.metrics_port, AGGREGATE)

    assert status == 200 and body["status"] == "UP"
    assert {name: probe["status"] for name, probe in body["details"].items()} == {
        "liveness": "UP",
        "readiness": "UP",
        "startup": "UP",
    }


@pytest.mark.slow
def test_metrics_are_still_served(broker: BrokerProcess) -> None:
    status, content_type, body = _get(broker.metrics_port, "/metrics")

    assert status == 200 and content_type.startswith("text/plain")
    assert 'strom_partition_healthy{partition="1"} 1.0' in body


@pytest.mark.slow
def test_zeebe_s_metric_names_are_served_for_its_dashboards(broker: BrokerProcess) -> None:
    _, _, body = _get(broker.metrics_port, "/metrics")
    processed = broker.metric("zeebe_stream_processor_records_total", action="processed", partition="1")
    ours = broker.metric("strom_records_processed_total", partition="1")

    for name in (
        "zeebe_stream_processor_last_processed_position",
        "zeebe_log_appender_last_committed_position",
        "zeebe_backpressure_requests_limit",
        "zeebe_received_request_count_total",
        "zeebe_dropped_request_count_total",
    ):
        assert name + '{partition="1"}' in body, name
    assert 'zeebe_stream_processor_records_total{action="written",partition="1"}' in body
    assert processed == ours  # the same count under both names (an idle broker: no command in between)


@pytest.mark.slow
@pytest.mark.parametrize("path", ["/nonexistent", "/", "/actuator", "/actuator/health/nothing", "/readyz"])
def test_unknown_paths_are_not_found(broker: BrokerProcess, path: str) -> None:
    status, _, _ = _get(broker.metrics_port, path)

    assert status == 404


# -- a partition that stops on a failure ---------------------------------------------------------


def _deploy_command() -> Record[Any]:
    xml = bpmn.process("p").start_event().end_event().to_xml().encode()
    return RECORD_CLASS_FOR_VALUE[DeploymentRecordValue](
        record_type=RecordType.COMMAND,
        intent=DeploymentIntent.CREATE,
        value=DeploymentRecordValue(resources=[DeploymentResource(resource_name="p.bpmn", resource=xml)]),
    )


@pytest.fixture
def monitored(tmp_path: Path) -> Iterator[tuple[Partition, BrokerMetrics, int]]:
    partition = Partition(
        PartitionSettings(data_dir=tmp_path, group_commit=False, snapshot_period_s=float("inf"))
    ).open()
    metrics = BrokerMetrics(partition)
    port = metrics.serve("127.0.0.1", 0)
    try:
        yield partition, metrics, port
    finally:
        metrics.close()
        partition.close(snapshot=False)


def test_readiness_is_down_until_the_broker_started_and_the_partition_processes(
    monitored: tuple[Partition, BrokerMetrics, int],
) -> None:
    partition, metrics, port = monitored

    for path in (*READINESS, *STARTUP, AGGREGATE):
        status, body = _probe(port, path)
        assert status == 503 and body["status"] == "DOWN", path
        assert "has not started serving yet" in body["details"]["reason"], path
    assert _probe(port, "/ready")[1]["details"]["partitions"]["1"]["phase"] == "open"
    for path in LIVENESS:
        assert _probe(port, path)[0] == 200

    metrics.mark_started()
    status, body = _probe(port, "/ready")
    assert status == 503 and "partition 1 is open but not processing" in body["details"]["reason"]
    assert _probe(port, "/startup")[0] == 200

    partition.start()
    assert _probe(port, "/ready")[0] == 200
    assert _probe(port, AGGREGATE)[0] == 200


def test_a_partition_stopped_by_a_failure_is_not_ready(
    monitored: tuple[Partition, BrokerMetrics, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    partition, metrics, port = monitored
    metrics.mark_started()
    partition.start()
    assert _probe(port, "/ready")[0] == 200

    def disk_full(entries: Any) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(partition.log, "append", disk_full)
    partition.submit(_deploy_command())
    deadline = time.monotonic() + 10
    while partition.failure is None and time.monotonic() < deadline:
        time.sleep(0.01)

    for path in (*READINESS, AGGREGATE):
        status, body = _probe(port, path)
        assert status == 503 and body["status"] == "DOWN", path
        assert "partition 1 stopped on a failure" in json.dumps(body), path
        assert "No space left on device" in json.dumps(body), path
    status, body = _probe(port, "/ready")
    assert body["details"]["partitions"]["1"]["healthy"] is False
    for path in (*LIVENESS, *STARTUP):  # the process still serves; it did start
        assert _probe(port, path)[0] == 200, path
    assert _probe(port, AGGREGATE)[1]["details"]["readiness"]["status"] == "DOWN"
    _, _, metrics_text = _get(port, "/metrics")
    assert 'strom_partition_healthy{partition="1"} 0.0' in metrics_text


def test_a_broker_shutting_down_is_not_ready(monitored: tuple[Partition, BrokerMetrics, int]) -> None:
    partition, metrics, port = monitored
    metrics.mark_started()
    partition.start()

    metrics.mark_stopping()

    status, body = _probe(port, "/ready")
    assert status == 503 and "the broker is shutting down" in body["details"]["reason"]
    assert _probe(port, "/health")[0] == 200
