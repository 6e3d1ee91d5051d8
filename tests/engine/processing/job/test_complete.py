from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import JobIntent, VariableIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine


def test_completing_a_job_completes_its_service_task_and_the_process(engine: TestEngine, one_task) -> None:
    engine.deploy(one_task)
    instance = engine.instances.create("one_task")
    [job] = engine.jobs.activate("work")

    engine.jobs.complete(job.key, variables={"charged": True})

    [task] = (
        engine.records.process_instances().with_element_id("task").with_intent(PI.ELEMENT_COMPLETED).limit(1)
    )
    assert task.value.process_instance_key == instance
    [process] = (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.PROCESS)
        .with_intent(PI.ELEMENT_COMPLETED)
        .limit(1)
    )
    assert process.key == instance


def test_job_variables_are_merged_into_the_process_scope(engine: TestEngine, one_task) -> None:
    engine.deploy(one_task)
    instance = engine.instances.create("one_task", {"amount": 5})
    [job] = engine.jobs.activate("work")

    engine.jobs.complete(job.key, variables={"charged": True, "amount": 7})

    variables = {r.value.name: r.value.value for r in engine.records.variables().events().limit(10)}
    assert variables == {"amount": "7", "charged": "true"}
    updated = engine.records.variables().with_name("amount").with_intent(VariableIntent.UPDATED).first()
    assert updated.value.scope_key == instance


def test_the_lifecycle_records_come_in_zeebe_order(engine: TestEngine, one_task) -> None:
    engine.deploy(one_task)
    engine.instances.create("one_task")

    lifecycle = [
        (r.value.element_id, PI(r.intent).name) for r in engine.records.process_instances().events().limit(9)
    ]

    assert lifecycle == [
        ("one_task", "ELEMENT_ACTIVATING"),
        ("one_task", "ELEMENT_ACTIVATED"),
        ("start", "ELEMENT_ACTIVATING"),
        ("start", "ELEMENT_ACTIVATED"),
        ("start", "ELEMENT_COMPLETING"),
        ("start", "ELEMENT_COMPLETED"),
        ("flow_start_task", "SEQUENCE_FLOW_TAKEN"),
        ("task", "ELEMENT_ACTIVATING"),
        ("task", "ELEMENT_ACTIVATED"),
    ]


def test_completing_an_unknown_job_is_rejected_as_not_found(engine: TestEngine) -> None:
    rejection = engine.jobs.complete(123, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == "Expected to complete job with key '123', but no such job was found"


def test_completing_a_job_twice_is_rejected(engine: TestEngine, one_task) -> None:
    engine.deploy(one_task)
    engine.instances.create("one_task")
    [job] = engine.jobs.activate("work")
    engine.jobs.complete(job.key)

    rejection = engine.jobs.complete(job.key, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert len(engine.records.jobs().with_intent(JobIntent.COMPLETED).limit(2)) == 1
