"""Multi-instance activities: a body around one instance per item, parallel or sequential."""

from __future__ import annotations

from _execution import complete_jobs, completed, element_key, lifecycle

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.intents import IncidentIntent, ProcessInstanceBatchIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, bpmn


def _mi_task(
    sequential: bool = False,
    *,
    output_collection: str | None = None,
    output_element: str | None = None,
    output_source: str | None = None,
    completion: str | None = None,
) -> bpmn.ProcessBuilder:
    """start -> task (job type "work", once per item of ``items``) -> task "after" -> end."""
    outputs = {"res": output_source} if output_source is not None else None
    return (
        bpmn.process("mi")
        .start_event()
        .service_task("task", job_type="work", outputs=outputs)
        .multi_instance(
            "=items",
            "item",
            sequential=sequential,
            output_collection=output_collection,
            output_element=output_element,
            completion_condition=completion,
        )
        .service_task("after", job_type="after")
        .end_event()
    )


def test_parallel_creates_one_instance_per_item_inside_the_body(engine: TestEngine) -> None:
    engine.deploy(_mi_task())
    engine.instances.create("mi", {"items": ["a", "b", "c"]})

    jobs = engine.jobs.activate("work")

    assert sorted(job.variables["item"] for job in jobs) == ["a", "b", "c"]
    assert sorted(job.variables["loopCounter"] for job in jobs) == [1, 2, 3]
    body = engine.records.process_instances().with_element_type(BpmnElementType.MULTI_INSTANCE_BODY).first()
    inner_instances = (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.SERVICE_TASK)
        .with_intent(PI.ELEMENT_ACTIVATED)
        .limit(3)
    )
    assert {r.value.flow_scope_key for r in inner_instances} == {body.key}
    assert body.value.element_id == "task"
    assert engine.records.all().with_intent(ProcessInstanceBatchIntent.ACTIVATED).exists()


def test_the_body_completes_after_every_instance_and_takes_the_flow(engine: TestEngine) -> None:
    engine.deploy(_mi_task())
    instance = engine.instances.create("mi", {"items": [1, 2]})

    assert complete_jobs(engine, "work") == 2

    assert lifecycle(engine, "after")[:1] == ["ELEMENT_ACTIVATING"]
    complete_jobs(engine, "after")
    assert completed(engine, instance)


def test_sequential_runs_one_instance_after_the_other(engine: TestEngine) -> None:
    engine.deploy(_mi_task(sequential=True))
    instance = engine.instances.create("mi", {"items": ["x", "y"]})

    [first] = engine.jobs.activate("work")
    assert (first.variables["item"], first.variables["loopCounter"]) == ("x", 1)
    engine.jobs.complete(first.key)
    [second] = engine.jobs.activate("work")
    assert (second.variables["item"], second.variables["loopCounter"]) == ("y", 2)
    engine.jobs.complete(second.key)

    complete_jobs(engine, "after")
    assert completed(engine, instance)


def test_an_empty_collection_completes_the_body_at_once(engine: TestEngine) -> None:
    engine.deploy(_mi_task())

    engine.instances.create("mi", {"items": []})

    body = lifecycle(engine, "task")
    assert body[-1] == "ELEMENT_COMPLETED"
    assert len(engine.jobs.activate("after")) == 1


def test_the_output_collection_gathers_the_output_elements_in_item_order(engine: TestEngine) -> None:
    engine.deploy(_mi_task(output_collection="results", output_element="=res", output_source="=item * 10"))
    instance = engine.instances.create("mi", {"items": [1, 2, 3]})

    jobs = engine.jobs.activate("work")
    for job in reversed(jobs):
        engine.jobs.complete(job.key)

    [after] = engine.jobs.activate("after")
    assert after.variables["results"] == [10, 20, 30]
    results = engine.records.variables().with_name("results").limit(10)
    assert results[-1].value.scope_key == instance


def test_the_completion_condition_ends_the_body_and_terminates_the_rest(engine: TestEngine) -> None:
    engine.deploy(_mi_task(completion="=numberOfCompletedInstances >= 1"))
    engine.instances.create("mi", {"items": [1, 2, 3]})
    jobs = engine.jobs.activate("work")

    engine.jobs.complete(jobs[0].key)

    terminated = (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.SERVICE_TASK)
        .with_intent(PI.ELEMENT_TERMINATED)
        .limit(5)
    )
    assert len(terminated) == 2
    assert lifecycle(engine, "task", 30).count("ELEMENT_COMPLETED") == 2  # one inner instance, the body
    assert len(engine.jobs.activate("after")) == 1


def test_a_collection_that_is_not_a_list_is_an_incident(engine: TestEngine) -> None:
    engine.deploy(_mi_task())

    engine.instances.create("mi", {"items": 5})

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.EXTRACT_VALUE_ERROR
    assert (
        incident.value.error_message
        == "Expected result of the expression 'items' to be 'ARRAY', but was 'NUMBER'."
    )


def test_a_multi_instance_subprocess_has_the_loop_variables_in_each_instance(engine: TestEngine) -> None:
    body = bpmn.process("b").start_event("s_start").service_task("work", job_type="work").end_event("s_end")
    engine.deploy(
        bpmn.process("mi_sub")
        .start_event()
        .sub_process("sub", content=body)
        .multi_instance("=items", "item")
        .end_event()
    )
    instance = engine.instances.create("mi_sub", {"items": ["a", "b"]})

    jobs = engine.jobs.activate("work")

    assert sorted(job.variables["item"] for job in jobs) == ["a", "b"]
    for job in jobs:
        engine.jobs.complete(job.key)
    assert completed(engine, instance)


def test_canceling_terminates_the_inner_instances_then_the_body(engine: TestEngine) -> None:
    engine.deploy(_mi_task())
    instance = engine.instances.create("mi", {"items": [1, 2]})
    body_key = element_key(engine, "task")

    engine.instances.cancel(instance)

    ends = [
        (r.key == body_key, PI(r.intent).name)
        for r in engine.records.process_instances()
        .with_element_id("task")
        .with_intent(PI.ELEMENT_TERMINATED)
        .limit(3)
    ]
    assert ends == [
        (False, "ELEMENT_TERMINATED"),
        (False, "ELEMENT_TERMINATED"),
        (True, "ELEMENT_TERMINATED"),
    ]
