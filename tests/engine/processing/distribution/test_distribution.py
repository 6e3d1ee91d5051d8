"""Three partitions in one test engine: deployments and signals distributed to every partition,
retried until acknowledged (also across a restart of either side), instances spread over the
partitions, jobs activated from all of them."""

from __future__ import annotations

import pytest

from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    CommandDistributionIntent,
    DeploymentIntent,
    ProcessInstanceIntent,
    ProcessIntent,
    SignalIntent,
)
from strom.protocol.keys import partition_of
from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.protocol.values.signal import SignalRecordValue
from strom.testing import TestEngine
from strom.testing.bpmn import process

pytestmark = pytest.mark.partitions(3)


def one_task(process_id: str = "order", job_type: str = "work"):
    return process(process_id).start_event("start").service_task("task", job_type=job_type).end_event("end")


def test_a_deployment_is_created_on_every_partition_with_the_same_keys(engine: TestEngine) -> None:
    deployment = engine.deploy(one_task())

    definition_key = deployment.value.processes_metadata[0].process_definition_key
    assert partition_of(deployment.key) == 1
    created = engine.records.processes().with_intent(ProcessIntent.CREATED).limit(3)
    assert sorted(r.partition_id for r in created) == [1, 2, 3]
    assert {r.key for r in created} == {definition_key}
    assert {r.value.version for r in created} == {1}
    distribution = [
        (r.partition_id, r.intent)
        for r in engine.records.of(ValueType.COMMAND_DISTRIBUTION).events().limit(6)
    ]
    assert distribution == [
        (1, CommandDistributionIntent.STARTED),
        (1, CommandDistributionIntent.DISTRIBUTING),
        (1, CommandDistributionIntent.DISTRIBUTING),
        (1, CommandDistributionIntent.ACKNOWLEDGED),
        (1, CommandDistributionIntent.ACKNOWLEDGED),
        (1, CommandDistributionIntent.FINISHED),
    ]
    assert not engine.pending_distributions()


def test_instances_spread_over_partitions_and_jobs_come_from_all(engine: TestEngine) -> None:
    engine.deploy(one_task())

    keys = [engine.instances.create("order") for _ in range(6)]

    assert sorted(partition_of(key) for key in keys) == [1, 1, 2, 2, 3, 3]
    jobs = engine.jobs.activate("work", max_jobs=10)
    assert sorted(partition_of(job.key) for job in jobs) == [1, 1, 2, 2, 3, 3]
    for job in jobs:
        engine.jobs.complete(job.key)
    completed = (
        engine.records.process_instances()
        .with_element_id("order")
        .with_intent(ProcessInstanceIntent.ELEMENT_COMPLETED)
        .limit(6)
    )
    assert sorted(r.key for r in completed) == sorted(keys)


def test_a_lost_distribution_is_sent_again_until_acknowledged(engine: TestEngine) -> None:
    engine.transport.hold()
    engine.deploy(one_task())
    lost = engine.transport.drop()
    assert sorted(target for target, _ in lost) == [2, 3]
    assert len(engine.pending_distributions()) == 2

    engine.advance_time(11)  # the redistributor notices it (its pass every 10 s) ...
    assert len(engine.pending_distributions()) == 2
    engine.advance_time(11)  # ... and sends it again once it waited a whole interval

    assert not engine.pending_distributions()
    assert len(engine.records.processes().with_intent(ProcessIntent.CREATED).limit(4)) == 3


def test_a_repeated_delivery_is_only_acknowledged_again(engine: TestEngine) -> None:
    engine.deploy(one_task())
    deployment_commands = [
        (target, command)
        for target, command in engine.transport.sent
        if command.value_type is ValueType.DEPLOYMENT
    ]
    assert len(deployment_commands) == 2

    for target, command in deployment_commands:
        engine.partitions[target].submit(command)
    engine.run()

    assert len(engine.records.processes().with_intent(ProcessIntent.CREATED).limit(10)) == 3
    assert len(engine.records.deployments().with_intent(DeploymentIntent.CREATED).limit(10)) == 3


def test_a_distribution_survives_a_restart_of_the_distributing_partition(engine: TestEngine) -> None:
    engine.transport.hold()
    engine.deploy(one_task())
    engine.transport.drop()

    engine.restart_partition(1)  # nothing in memory survives: the pending entries are on disk
    engine.run()

    assert not engine.pending_distributions()
    for partition_id in (2, 3):
        with engine.state(partition_id) as state:
            assert state.processes.latest(DEFAULT_TENANT_ID, "order") is not None


def test_a_new_version_is_distributed_and_instances_anywhere_start_it(engine: TestEngine) -> None:
    engine.deploy(one_task())
    engine.deploy(one_task(job_type="work-v2"))

    keys = [engine.instances.create("order") for _ in range(3)]

    assert sorted(partition_of(key) for key in keys) == [1, 2, 3]
    jobs = engine.jobs.activate("work-v2", max_jobs=10)
    assert len(jobs) == 3


def test_a_signal_reaches_catch_events_on_every_partition_and_starts_one_instance(engine: TestEngine) -> None:
    engine.deploy(
        process("waiting").start_event().intermediate_catch_event("catch").signal("go").end_event("done")
    )
    engine.deploy(process("started").start_event("on_signal").signal("go").end_event("end"))
    waiting = [engine.instances.create("waiting") for _ in range(3)]
    assert sorted(partition_of(key) for key in waiting) == [1, 2, 3]

    engine.send(SignalRecordValue(signal_name="go"), SignalIntent.BROADCAST)

    for key in waiting:
        assert (
            engine.records.process_instances()
            .with_key(key)
            .with_intent(ProcessInstanceIntent.ELEMENT_COMPLETED)
            .exists()
        )
    started = (
        engine.records.process_instances()
        .with_element_id("started")
        .with_intent(ProcessInstanceIntent.ELEMENT_COMPLETED)
        .limit(5)
    )
    assert len(started) == 1
    assert engine.pending_distributions() == []


def test_a_partition_that_comes_back_gets_what_waits_for_it_at_once(engine: TestEngine) -> None:
    engine.transport.hold()
    engine.deploy(one_task())
    engine.transport.drop()  # partition 3 was down

    engine.partitions[1].engine.partition_available(3)  # the broker saw it come back
    engine.run()

    assert [target for _, target in engine.pending_distributions()] == [2]  # only 3 was told
    with engine.state(3) as state:
        assert state.processes.latest(DEFAULT_TENANT_ID, "order") is not None
