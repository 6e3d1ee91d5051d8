"""Elements across three partitions, as a user of a 3-partition cluster sees them: message start
events start an instance on the partition of the message, a called process runs on its parent's
partition, a timer start event fires once per due time (on the deployment partition), a new version
takes over the message start event on every partition, and jobs of every partition are worked."""

from __future__ import annotations

from typing import Any

import pytest

from strom.engine.processing.bpmn.behavior.subscription_commands import partition_for_correlation_key
from strom.protocol.intents import ProcessInstanceIntent, TimerIntent
from strom.protocol.keys import partition_of
from strom.protocol.record import Record
from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.testing import TestEngine, bpmn

pytestmark = pytest.mark.partitions(3)

PARTITIONS = (1, 2, 3)


def correlation_key_on(partition_id: int, prefix: str = "order") -> str:
    """A correlation key whose messages live on ``partition_id``."""
    return next(
        key
        for key in (f"{prefix}-{n}" for n in range(1000))
        if partition_for_correlation_key(key, 3) == partition_id
    )


def started(engine: TestEngine, process_id: str, limit: int = 10) -> list[Record[Any]]:
    """The ELEMENT_ACTIVATED records of the instances of ``process_id`` (their key is the instance's)."""
    return (
        engine.records.process_instances()
        .with_element_id(process_id)
        .with_intent(ProcessInstanceIntent.ELEMENT_ACTIVATED)
        .limit(limit)
    )


def completed(engine: TestEngine, instance_key: int) -> bool:
    return (
        engine.records.process_instances()
        .with_key(instance_key)
        .with_intent(ProcessInstanceIntent.ELEMENT_COMPLETED)
        .exists()
    )


def message_start(job_type: str = "ship") -> bpmn.ProcessBuilder:
    return (
        bpmn.process("placed")
        .start_event("on_placed")
        .message("order-placed")
        .service_task("ship", job_type=job_type)
        .end_event("shipped")
    )


def test_a_message_start_event_starts_the_instance_on_the_partition_of_the_message(
    engine: TestEngine, publish: Any
) -> None:
    engine.deploy(message_start())
    keys = {partition_id: correlation_key_on(partition_id) for partition_id in PARTITIONS}

    messages = {
        partition_id: publish("order-placed", key, {"order": key}) for partition_id, key in keys.items()
    }

    assert {partition_id: m.partition_id for partition_id, m in messages.items()} == {1: 1, 2: 2, 3: 3}
    instances = started(engine, "placed")
    assert sorted(partition_of(r.key) for r in instances) == [1, 2, 3]
    jobs = engine.jobs.activate("ship", fetch_variables=["order"])
    assert {partition_of(job.key): job.variables["order"] for job in jobs} == keys


def test_a_called_process_runs_on_the_partition_of_its_parent(engine: TestEngine) -> None:
    child = bpmn.process("child").start_event().service_task("charge", job_type="charge").end_event()
    parent = bpmn.process("parent").start_event()
    parent.call_activity("call", called_process_id="child")
    parent.end_event("done")
    deployment = engine.deploy(child, parent)
    definitions = {p.bpmn_process_id: p.process_definition_key for p in deployment.value.processes_metadata}
    for partition_id in PARTITIONS:  # both processes reached every partition, with the same keys
        with engine.state(partition_id) as state:
            for process_id, key in definitions.items():
                latest = state.processes.latest(DEFAULT_TENANT_ID, process_id)
                assert latest is not None and latest.key == key

    parents = [engine.instances.create("parent") for _ in PARTITIONS]

    assert sorted(partition_of(key) for key in parents) == [1, 2, 3]
    children = started(engine, "child")
    assert {r.value.parent_process_instance_key: partition_of(r.key) for r in children} == {
        key: partition_of(key) for key in parents
    }
    jobs = engine.jobs.activate("charge")
    assert sorted(partition_of(job.key) for job in jobs) == [1, 2, 3]
    for job in jobs:
        engine.jobs.complete(job.key)
    assert all(completed(engine, r.key) for r in children)
    assert all(completed(engine, key) for key in parents)


def test_a_timer_start_event_fires_once_per_due_time_on_the_deployment_partition(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("hourly").start_event("every_hour").timer_cycle("R/PT1H").end_event("done"))
    timers = engine.records.timers().with_intent(TimerIntent.CREATED).limit(5)
    assert [r.partition_id for r in timers] == [1]

    engine.advance_time(3600)

    assert [partition_of(r.key) for r in started(engine, "hourly")] == [1]
    engine.advance_time(3600)
    assert [partition_of(r.key) for r in started(engine, "hourly")] == [1, 1]


def test_a_new_version_takes_over_the_timer_start_event_once(engine: TestEngine) -> None:
    for job_type in ("tick-v1", "tick-v2"):
        engine.deploy(
            bpmn.process("hourly")
            .start_event("every_hour")
            .timer_cycle("R/PT1H")
            .service_task("tick", job_type=job_type)
            .end_event("done")
        )

    engine.advance_time(3600)

    assert [(partition_of(r.key), r.value.version) for r in started(engine, "hourly")] == [(1, 2)]
    assert len(engine.jobs.activate("tick-v2")) == 1
    assert engine.jobs.activate("tick-v1") == []


def test_a_new_version_takes_over_the_message_start_event_on_every_partition(
    engine: TestEngine, publish: Any
) -> None:
    first = engine.deploy(message_start("ship-v1")).value.processes_metadata[0]
    second = engine.deploy(message_start("ship-v2")).value.processes_metadata[0]
    assert second.version == 2

    for partition_id in PARTITIONS:
        with engine.state(partition_id) as state:
            subscriptions = state.message_start_subscriptions
            assert list(subscriptions.of_process(first.process_definition_key)) == []
            assert len(list(subscriptions.of_process(second.process_definition_key))) == 1
    for partition_id in (2, 3):
        publish("order-placed", correlation_key_on(partition_id))

    jobs = engine.jobs.activate("ship-v2")
    assert sorted(partition_of(job.key) for job in jobs) == [2, 3]
    assert {r.value.version for r in started(engine, "placed")} == {2}
    assert engine.jobs.activate("ship-v1") == []


def test_jobs_of_instances_on_every_partition_are_activated_and_completed(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("order").start_event().service_task("work", job_type="work").end_event())
    instances = [engine.instances.create("order") for _ in range(6)]
    assert sorted(partition_of(key) for key in instances) == [1, 1, 2, 2, 3, 3]

    first = engine.jobs.activate("work", max_jobs=4)  # the partitions in turn, up to max_jobs
    rest = engine.jobs.activate("work", max_jobs=4)

    assert len(first) == 4 and len(rest) == 2
    jobs = first + rest
    assert sorted(partition_of(job.key) for job in jobs) == [1, 1, 2, 2, 3, 3]
    assert {job.process_instance_key for job in jobs} == set(instances)
    for job in jobs:
        engine.jobs.complete(job.key)
    assert all(completed(engine, key) for key in instances)
    assert engine.jobs.activate("work") == []
