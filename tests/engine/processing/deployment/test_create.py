"""Deployments: versions per process id, duplicates keep their version, invalid BPMN is rejected."""

from strom.protocol.enums import RejectionType
from strom.protocol.intents import DeploymentIntent, ProcessIntent
from strom.testing import TestEngine, bpmn


def _process(job_type: str = "work") -> str:
    return bpmn.process("order").start_event().service_task("task", job_type=job_type).end_event().to_xml()


def test_deploying_a_process_writes_process_created_then_deployment_created(engine: TestEngine) -> None:
    deployment = engine.deploy(("order.bpmn", _process().encode()))

    [process] = engine.records.processes().with_intent(ProcessIntent.CREATED).limit(1)
    assert (process.value.bpmn_process_id, process.value.version) == ("order", 1)
    assert process.position < deployment.position
    assert deployment.intent == DeploymentIntent.CREATED
    [metadata] = deployment.value.processes_metadata
    assert metadata.process_definition_key == process.key
    assert metadata.duplicate is False


def test_a_changed_process_gets_the_next_version(engine: TestEngine) -> None:
    engine.deploy(("order.bpmn", _process("a").encode()))

    second = engine.deploy(("order.bpmn", _process("b").encode()))

    assert second.value.processes_metadata[0].version == 2
    assert len(engine.records.processes().with_intent(ProcessIntent.CREATED).limit(3)) == 2


def test_redeploying_an_unchanged_resource_keeps_its_version_and_key(engine: TestEngine) -> None:
    first = engine.deploy(("order.bpmn", _process().encode()))

    second = engine.deploy(("order.bpmn", _process().encode()))

    [before], [after] = first.value.processes_metadata, second.value.processes_metadata
    assert (after.version, after.process_definition_key) == (before.version, before.process_definition_key)
    assert after.duplicate is True
    assert len(engine.records.processes().with_intent(ProcessIntent.CREATED).limit(3)) == 1


def test_instances_start_the_latest_version_or_the_one_asked_for(engine: TestEngine) -> None:
    engine.deploy(("order.bpmn", _process("v1").encode()))
    engine.deploy(("order.bpmn", _process("v2").encode()))

    engine.instances.create("order")
    engine.instances.create("order", version=1)

    types = [job.value.type for job in engine.records.jobs().limit(2)]
    assert types == ["v2", "v1"]


def test_an_invalid_resource_rejects_the_whole_deployment_with_the_models_messages(
    engine: TestEngine,
) -> None:
    broken = bpmn.process("broken").start_event().service_task("pay", job_type="").end_event().to_xml()

    rejection = engine.deployments.deploy(
        ("good.bpmn", _process().encode()), ("broken.bpmn", broken.encode()), expect_rejection=True
    )

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert rejection.rejection_reason.startswith(
        "Expected to deploy new resources, but encountered the following errors:"
    )
    assert "'broken.bpmn'" in rejection.rejection_reason
    assert "pay" in rejection.rejection_reason
    assert not engine.records.processes().exists()


def test_a_deployment_without_resources_is_rejected(engine: TestEngine) -> None:
    rejection = engine.deployments.deploy(expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert rejection.rejection_reason == "Expected to deploy at least one resource, but none given"


def test_the_same_process_id_twice_in_one_deployment_is_rejected(engine: TestEngine) -> None:
    rejection = engine.deployments.deploy(
        ("a.bpmn", _process("a").encode()), ("b.bpmn", _process("b").encode()), expect_rejection=True
    )

    assert "duplicated id 'order' in the resources 'a.bpmn' and 'b.bpmn'" in rejection.rejection_reason


def test_unknown_resource_types_are_rejected(engine: TestEngine) -> None:
    rejection = engine.deployments.deploy(("notes.txt", b"hello"), expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "'notes.txt'" in rejection.rejection_reason
