"""Zeebe's per-event counts on /metrics, under Zeebe's names and labels, counted from what the
partition wrote: element instances, root instances, creations, jobs, incidents, rejections."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))
from broker_process import BrokerProcess

from strom.broker import Partition
from strom.broker.metrics import BrokerMetrics
from strom.gateway.grpc._proto import GatewayStub, pb
from strom.protocol.intents import IncidentIntent
from strom.protocol.values.job import JobRecordValue
from strom.testing import bpmn
from strom.testing._engine import TestEngine


def _one_task(engine: TestEngine) -> None:
    engine.deployments.deploy(
        bpmn.process("order").start_event("start").service_task("charge", job_type="work").end_event("end")
    )


def _sample(metrics: BrokerMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, {"partition": "1", **labels})


def _partition(engine: TestEngine) -> Partition:
    return engine.partitions[1]


def test_element_instances_root_instances_and_creations_are_counted_by_zeebe_s_labels(
    engine: TestEngine,
) -> None:
    metrics = BrokerMetrics(_partition(engine))
    _one_task(engine)
    keys = [engine.instances.create("order") for _ in range(3)]
    for job in engine.jobs.activate("work", max_jobs=2):
        engine.jobs.complete(job.key)
    engine.instances.cancel(keys[2])

    def elements(action: str, element_type: str, event_type: str = "UNSPECIFIED") -> float | None:
        return _sample(
            metrics,
            "zeebe_element_instance_events_total",
            action=action,
            type=element_type,
            eventType=event_type,
        )

    assert elements("activated", "SERVICE_TASK") == 3
    assert elements("completed", "SERVICE_TASK") == 2
    assert elements("terminated", "SERVICE_TASK") == 1
    assert elements("activated", "PROCESS") == 3
    assert elements("completed", "END_EVENT", "NONE") == 2
    for action, count in (("activated", 3), ("completed", 2), ("terminated", 1)):
        executed = _sample(
            metrics, "zeebe_executed_instances_total", action=action, type="ROOT_PROCESS_INSTANCE"
        )
        assert executed == count, action
    creations = _sample(
        metrics, "zeebe_process_instance_creations_total", creation_mode="creation_at_default_start_event"
    )
    assert creations == 3


def test_a_called_process_is_not_a_root_instance(engine: TestEngine) -> None:
    metrics = BrokerMetrics(_partition(engine))
    engine.deployments.deploy(bpmn.process("child").start_event().end_event())
    engine.deployments.deploy(
        bpmn.process("parent").start_event().call_activity("call", called_process_id="child").end_event()
    )

    engine.instances.create("parent")

    assert _sample(metrics, "zeebe_element_instance_events_total", action="completed", type="PROCESS",
                   eventType="UNSPECIFIED") == 2  # fmt: skip
    assert _sample(metrics, "zeebe_executed_instances_total", action="completed",
                   type="ROOT_PROCESS_INSTANCE") == 1  # fmt: skip


def test_job_events_are_counted_by_action_type_and_kind(engine: TestEngine) -> None:
    metrics = BrokerMetrics(_partition(engine))
    _one_task(engine)
    for _ in range(4):
        engine.instances.create("order")
    jobs = engine.jobs.activate("work")
    engine.jobs.complete(jobs[0].key)
    engine.jobs.fail(jobs[1].key, retries=2, error_message="try again")
    engine.jobs.throw_error(jobs[2].key, "NOT_CAUGHT")  # no catching boundary: an incident

    def job_events(action: str) -> float | None:
        return _sample(metrics, "zeebe_job_events_total", action=action, type="work", job_kind="BPMN_ELEMENT")

    assert job_events("created") == 4
    assert job_events("activated") == 4
    assert job_events("completed") == 1
    assert job_events("failed") == 1
    assert job_events("error thrown") == 1
    assert job_events("pushed") is None  # nothing was pushed: every job was polled


@dataclass
class _Stream:
    """A worker's job stream that keeps what is pushed to it."""

    worker: str = "streamer"
    timeout: int = 60_000
    fetch_variables: list[str] = field(default_factory=list)
    authorizations: dict[str, Any] = field(default_factory=dict)
    tenant_ids: list[str] = field(default_factory=list)
    pushed: list[int] = field(default_factory=list)

    def push(self, job_key: int, job: JobRecordValue) -> None:
        self.pushed.append(job_key)


def test_a_job_pushed_to_a_stream_counts_as_pushed_not_activated(engine: TestEngine) -> None:
    partition = _partition(engine)
    metrics = BrokerMetrics(partition)
    _one_task(engine)
    stream = _Stream()
    partition.job_streams.add("work", stream)  # type: ignore[attr-defined]

    engine.instances.create("order")
    engine.instances.create("order")

    assert len(stream.pushed) == 2
    pushed = _sample(metrics, "zeebe_job_events_total", action="pushed", type="work", job_kind="BPMN_ELEMENT")
    assert pushed == 2
    activated = _sample(
        metrics, "zeebe_job_events_total", action="activated", type="work", job_kind="BPMN_ELEMENT"
    )
    assert activated is None


def test_incidents_created_resolved_and_pending(engine: TestEngine) -> None:
    metrics = BrokerMetrics(_partition(engine))
    _one_task(engine)
    for _ in range(2):
        engine.instances.create("order")
    jobs = engine.jobs.activate("work")
    for job in jobs:
        engine.jobs.fail(job.key, retries=0, error_message="out of coffee")

    assert _sample(metrics, "zeebe_incident_events_total", action="created") == 2
    assert _sample(metrics, "zeebe_pending_incidents_total") == 2

    incident_key = engine.records.incidents().with_intent(IncidentIntent.CREATED).first().key
    engine.jobs.update_retries(jobs[0].key, 1)
    engine.incidents.resolve(incident_key)

    assert _sample(metrics, "zeebe_incident_events_total", action="resolved") == 1
    assert _sample(metrics, "zeebe_pending_incidents_total") == 1


def test_incidents_open_before_a_restart_are_pending_after_it(engine: TestEngine) -> None:
    _one_task(engine)
    for _ in range(3):
        engine.instances.create("order")
    for job in engine.jobs.activate("work"):
        engine.jobs.fail(job.key, retries=0, error_message="out of coffee")

    engine.restart(snapshot=True)
    metrics = BrokerMetrics(_partition(engine))

    assert _sample(metrics, "zeebe_pending_incidents_total") == 3
    assert _sample(metrics, "zeebe_incident_events_total", action="created") is None  # not again


def test_rejections_are_counted_in_full_by_value_type_intent_and_rejection_type(engine: TestEngine) -> None:
    metrics = BrokerMetrics(_partition(engine))
    for key in range(1, 101):
        engine.jobs.complete(key, expect_rejection=True)

    rejections = _sample(
        metrics,
        "strom_command_rejections_total",
        valueType="JOB",
        intent="COMPLETE",
        rejectionType="NOT_FOUND",
    )
    assert rejections == 100  # the log lines are rate-limited, the count is not


def test_replayed_records_are_not_counted_again(engine: TestEngine) -> None:
    _one_task(engine)
    engine.instances.create("order")
    engine.restart()
    metrics = BrokerMetrics(_partition(engine))

    assert _sample(metrics, "zeebe_process_instance_creations_total",
                   creation_mode="creation_at_default_start_event") is None  # fmt: skip
    engine.instances.create("order")
    assert _sample(metrics, "zeebe_process_instance_creations_total",
                   creation_mode="creation_at_default_start_event") == 1  # fmt: skip


@pytest.mark.slow
def test_a_broker_with_partition_processes_serves_the_counts_and_logs_json_events(tmp_path: Path) -> None:
    """Each partition process counts and logs what it writes; /metrics of the broker has them all."""
    broker = BrokerProcess(tmp_path, "--partitions", "2", "--log-format", "json").start()
    try:
        with grpc.insecure_channel(broker.address) as channel:
            stub = GatewayStub(channel)
            xml = bpmn.process("order").start_event().service_task("charge", job_type="work").end_event()
            stub.DeployResource(
                pb.DeployResourceRequest(
                    resources=[pb.Resource(name="o.bpmn", content=xml.to_xml().encode())]
                )
            )
            created = 0
            deadline = time.monotonic() + 20
            while created < 6:  # the gateway spreads creations over the partitions
                try:
                    stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="order"))
                    created += 1
                except grpc.RpcError as error:  # the deployment may not have reached partition 2 yet
                    assert error.code() == grpc.StatusCode.NOT_FOUND and time.monotonic() < deadline
                    time.sleep(0.1)
            with pytest.raises(grpc.RpcError) as rejected:
                stub.CompleteJob(pb.CompleteJobRequest(jobKey=2251799813685249 + 999))
            assert rejected.value.code() == grpc.StatusCode.NOT_FOUND

            for partition in ("1", "2"):
                activated = broker.wait_for_metric(
                    "zeebe_element_instance_events_total",
                    lambda value: value > 0,
                    action="activated",
                    type="SERVICE_TASK",
                    partition=partition,
                )
                jobs = broker.metric(
                    "zeebe_job_events_total", action="created", type="work", partition=partition
                )
                assert jobs == activated
            total = sum(
                broker.metric("zeebe_process_instance_creations_total", partition=partition)
                for partition in ("1", "2")
            )
            assert total == 6
    finally:
        assert broker.stop() == 0, broker.logs()
    lines = [
        json.loads(line)
        for line in (tmp_path / "broker.err").read_text().splitlines()
        if line.startswith("{")
    ]
    [rejection] = [line for line in lines if line.get("event") == "command_rejected"]
    assert rejection["process"] == "partition-1" and rejection["logger"] == "strom.broker.rejections"
    assert (rejection["valueType"], rejection["intent"], rejection["rejectionType"]) == (
        "JOB",
        "COMPLETE",
        "NOT_FOUND",
    )
