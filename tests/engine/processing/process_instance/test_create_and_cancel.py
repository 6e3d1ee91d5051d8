"""Creating process instances and cancelling them."""

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import JobIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn


def _deploy(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("p").start_event().service_task("task", job_type="work").end_event())


def test_creating_an_instance_of_an_unknown_process_is_rejected_as_not_found(engine: TestEngine) -> None:
    rejection = engine.instances.create("missing", expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == (
        "Expected to find process definition with process ID 'missing', but none found"
    )


def test_creating_an_instance_of_an_unknown_version_is_rejected(engine: TestEngine) -> None:
    _deploy(engine)

    rejection = engine.instances.create("p", version=7, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert "'p' and version '7'" in rejection.rejection_reason


def test_an_instance_can_be_created_by_process_definition_key(engine: TestEngine) -> None:
    deployment = engine.deploy(bpmn.process("p").start_event().end_event())
    key = deployment.value.processes_metadata[0].process_definition_key

    instance = engine.instances.create_by_key(key)

    completed = (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.PROCESS)
        .with_intent(PI.ELEMENT_COMPLETED)
        .first()
    )
    assert completed.key == instance


def test_creation_variables_are_set_on_the_process_scope(engine: TestEngine) -> None:
    _deploy(engine)

    instance = engine.instances.create("p", {"order": {"items": [1, 2]}, "vip": True})

    variables = {
        r.value.name: (r.value.value, r.value.scope_key) for r in engine.records.variables().limit(2)
    }
    assert variables == {"order": ('{"items":[1,2]}', instance), "vip": ("true", instance)}


def test_cancelling_terminates_every_active_element_and_cancels_the_job(engine: TestEngine) -> None:
    _deploy(engine)
    instance = engine.instances.create("p")

    engine.instances.cancel(instance)

    terminated = [
        (r.value.element_id, r.value.bpmn_element_type)
        for r in engine.records.process_instances().with_intent(PI.ELEMENT_TERMINATED).limit(2)
    ]
    assert terminated == [("task", BpmnElementType.SERVICE_TASK), ("p", BpmnElementType.PROCESS)]
    assert engine.records.jobs().with_intent(JobIntent.CANCELED).exists()
    assert engine.jobs.activate("work") == []


def test_cancelling_an_unknown_instance_is_rejected_as_not_found(engine: TestEngine) -> None:
    rejection = engine.instances.cancel(42, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == (
        "Expected to cancel a process instance with key '42', but no such process was found"
    )


def test_cancelling_a_completed_instance_is_rejected(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("quick").start_event().end_event())
    instance = engine.instances.create("quick")

    rejection = engine.instances.cancel(instance, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND


def test_completing_the_job_of_a_cancelled_instance_is_rejected(engine: TestEngine) -> None:
    _deploy(engine)
    instance = engine.instances.create("p")
    [job] = engine.jobs.activate("work")
    engine.instances.cancel(instance)

    rejection = engine.jobs.complete(job.key, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
