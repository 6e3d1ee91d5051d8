"""Ad-hoc subprocesses: inner elements activated by name, each in its own inner instance, and a
completion condition deciding when the subprocess is done (Zeebe 8.8's BPMN implementation)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from _execution import complete_jobs, completed, element_key, lifecycle, terminated

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.intents import IncidentIntent, VariableIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, bpmn

INNER = "tools#innerInstance"


def _process(
    *,
    collection: str | None = "=toActivate",
    condition: str | None = None,
    cancel_remaining: bool | None = None,
    output_collection: str | None = None,
    output_element: str | None = None,
    inputs: dict[str, str] | None = None,
    first_tool: Callable[[bpmn.ProcessBuilder], object] | None = None,
) -> bpmn.ProcessBuilder:
    """start → ad-hoc subprocess ``tools`` (service tasks A, B and C; C leads to D; ``first_tool``
    may add an element before A) → task ``after``."""
    builder = (
        bpmn.process("agent")
        .start_event()
        .ad_hoc_sub_process(
            "tools",
            active_elements_collection=collection,
            completion_condition=condition,
            cancel_remaining_instances=cancel_remaining,
            output_collection=output_collection,
            output_element=output_element,
            inputs=inputs,
        )
    )
    if first_tool is not None:
        first_tool(builder)
    for tool in ("A", "B", "C"):
        builder.move_to("tools").service_task(tool, job_type=tool)
    builder.flow_id("c_to_d").service_task("D", job_type="D").end_sub_process()
    return builder.service_task("after", job_type="after").end_event()


def _activated(engine: TestEngine, element_id: str, limit: int = 5) -> list[int]:
    records = (
        engine.records.process_instances()
        .with_element_id(element_id)
        .with_intent(PI.ELEMENT_ACTIVATED)
        .limit(limit)
    )
    return [r.key for r in records]


def test_the_collection_activates_the_named_elements_each_in_its_own_inner_instance(
    engine: TestEngine,
) -> None:
    engine.deploy(_process())
    engine.instances.create("agent", {"toActivate": ["A", "C"]})

    jobs = engine.jobs.activate("A") + engine.jobs.activate("C")

    assert len(jobs) == 2
    assert not engine.jobs.activate("B")
    tools = element_key(engine, "tools")
    inner = (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.AD_HOC_SUB_PROCESS_INNER_INSTANCE)
        .with_intent(PI.ELEMENT_ACTIVATED)
        .limit(3)
    )
    assert [r.value.element_id for r in inner] == [INNER, INNER]
    assert {r.value.flow_scope_key for r in inner} == {tools}
    task_a = engine.records.process_instances().with_element_id("A").with_intent(PI.ELEMENT_ACTIVATED).first()
    task_c = engine.records.process_instances().with_element_id("C").with_intent(PI.ELEMENT_ACTIVATED).first()
    assert [task_a.value.flow_scope_key, task_c.value.flow_scope_key] == [r.key for r in inner]


def test_without_a_condition_it_completes_when_the_inner_flows_have_ended(engine: TestEngine) -> None:
    engine.deploy(_process())
    instance = engine.instances.create("agent", {"toActivate": ["A", "C"]})

    complete_jobs(engine, "A")
    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    complete_jobs(engine, "C")
    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]  # D still runs
    complete_jobs(engine, "D")

    assert lifecycle(engine, "tools") == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]
    d = engine.records.process_instances().with_element_id("D").with_intent(PI.ELEMENT_ACTIVATED).first()
    assert d.value.flow_scope_key == _activated(engine, INNER)[1]  # C's follow-up in C's inner instance
    assert complete_jobs(engine, "after") == 1
    assert completed(engine, instance)


def test_an_empty_collection_activates_nothing_and_the_subprocess_waits(engine: TestEngine) -> None:
    engine.deploy(_process())
    engine.instances.create("agent", {"toActivate": []})

    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert not engine.records.process_instances().with_element_id(INNER).exists()


def test_the_completion_condition_completes_it_and_terminates_the_remaining_instances(
    engine: TestEngine,
) -> None:
    engine.deploy(_process(condition="=done"))
    instance = engine.instances.create("agent", {"toActivate": ["A", "B"], "done": False})

    [job_a] = engine.jobs.activate("A")
    engine.jobs.complete(job_a.key, variables={"done": True})

    assert lifecycle(engine, "B") == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_TERMINATING",
        "ELEMENT_TERMINATED",
    ]
    assert lifecycle(engine, "tools")[-2:] == ["ELEMENT_COMPLETING", "ELEMENT_COMPLETED"]
    assert not engine.jobs.activate("B")
    assert complete_jobs(engine, "after") == 1
    assert completed(engine, instance)


def test_a_false_completion_condition_keeps_it_waiting_after_the_inner_flows_end(engine: TestEngine) -> None:
    engine.deploy(_process(condition="=done"))
    engine.instances.create("agent", {"toActivate": ["A"], "done": False})

    complete_jobs(engine, "A")

    assert lifecycle(engine, INNER) == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]
    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]


def test_without_cancel_remaining_instances_it_waits_for_the_others_to_finish(engine: TestEngine) -> None:
    engine.deploy(_process(condition="=done", cancel_remaining=False))
    instance = engine.instances.create("agent", {"toActivate": ["A", "B"], "done": False})

    [job_a] = engine.jobs.activate("A")
    engine.jobs.complete(job_a.key, variables={"done": True})

    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert complete_jobs(engine, "B") == 1
    assert lifecycle(engine, "B")[-1] == "ELEMENT_COMPLETED"
    assert lifecycle(engine, "tools")[-1] == "ELEMENT_COMPLETED"
    complete_jobs(engine, "after")
    assert completed(engine, instance)


def test_the_output_collection_gathers_the_output_element_of_each_inner_instance(engine: TestEngine) -> None:
    engine.deploy(_process(output_collection="results", output_element="=result"))
    instance = engine.instances.create("agent", {"toActivate": ["A", "B"]})
    tools = element_key(engine, "tools")
    inner_a, inner_b = _activated(engine, INNER)

    [job_a] = engine.jobs.activate("A")
    engine.jobs.complete(job_a.key, variables={"result": "a"})
    [job_b] = engine.jobs.activate("B")
    engine.jobs.complete(job_b.key, variables={"result": "b"})

    created = engine.records.variables().with_name("results").with_intent(VariableIntent.CREATED).first()
    assert (created.value.scope_key, created.value.value) == (tools, "[]")
    placeholders = engine.records.variables().with_name("result").with_intent(VariableIntent.CREATED).limit(3)
    assert [(v.value.scope_key, v.value.value) for v in placeholders] == [
        (inner_a, "null"),
        (inner_b, "null"),
    ]
    updates = engine.records.variables().with_name("results").with_intent(VariableIntent.UPDATED).limit(3)
    assert [(v.value.scope_key, v.value.value) for v in updates] == [(tools, '["a"]'), (tools, '["a","b"]')]
    [after] = engine.jobs.activate("after")
    assert after.variables["results"] == ["a", "b"]
    assert "result" not in after.variables
    assert engine.records.variables().with_name("results").with_value(scope_key=instance).exists()


def test_input_mappings_apply_before_the_collection_is_read(engine: TestEngine) -> None:
    engine.deploy(_process(collection="=chosen", inputs={"chosen": '=append(chosen, "B")'}))
    engine.instances.create("agent", {"chosen": []})

    assert len(engine.jobs.activate("B")) == 1
    assert not engine.jobs.activate("A")


def test_an_unknown_element_id_raises_an_incident_with_zeebes_message(engine: TestEngine) -> None:
    engine.deploy(_process())
    engine.instances.create("agent", {"toActivate": ["A", "nope", "D"]})

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()

    assert incident.value.error_type is ErrorType.EXTRACT_VALUE_ERROR
    assert incident.value.error_message == (
        "Failed to activate ad-hoc elements. No BPMN elements found with ids: 'nope', 'D'."
    )
    assert incident.value.element_id == "tools"
    assert not engine.records.process_instances().with_element_id("A").exists()


def test_a_collection_that_is_not_a_list_raises_an_incident(engine: TestEngine) -> None:
    engine.deploy(_process())
    engine.instances.create("agent", {"toActivate": "A"})

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()

    assert incident.value.error_message == (
        "Failed to activate ad-hoc elements. Expected result of the expression 'toActivate' to be "
        "'ARRAY', but was 'STRING'."
    )


def test_resolving_the_incident_activates_the_corrected_elements(engine: TestEngine) -> None:
    engine.deploy(_process())
    instance = engine.instances.create("agent", {"toActivate": ["nope"]})
    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()

    engine.variables.set(instance, {"toActivate": ["A"]})
    engine.incidents.resolve(incident.key)

    assert len(engine.jobs.activate("A")) == 1


def test_cancelling_the_instance_terminates_the_inner_elements(engine: TestEngine) -> None:
    engine.deploy(_process())
    instance = engine.instances.create("agent", {"toActivate": ["A", "B"]})

    engine.instances.cancel(instance)

    for element_id in ("A", "B", "tools"):
        assert lifecycle(engine, element_id)[-2:] == ["ELEMENT_TERMINATING", "ELEMENT_TERMINATED"]
    inner = (
        engine.records.process_instances().with_element_id(INNER).with_intent(PI.ELEMENT_TERMINATED).limit(3)
    )
    assert len(inner) == 2
    assert terminated(engine, instance)
    assert not engine.jobs.activate("A")


def _with_boundary(builder: bpmn.ProcessBuilder) -> bpmn.ProcessBuilder:
    return builder.service_task("handle", job_type="handle").end_event("handled")


def test_a_timer_on_the_subprocess_terminates_it_with_its_inner_elements(engine: TestEngine) -> None:
    engine.deploy(
        _with_boundary(_process().move_to("tools").boundary_event("timeout").timer_duration("PT1H"))
    )
    engine.instances.create("agent", {"toActivate": ["A", "C"]})

    engine.advance_time(timedelta(hours=1))

    assert lifecycle(engine, "A")[-1] == "ELEMENT_TERMINATED"
    assert lifecycle(engine, "C")[-1] == "ELEMENT_TERMINATED"
    assert lifecycle(engine, "tools")[-1] == "ELEMENT_TERMINATED"
    assert lifecycle(engine, "timeout")[-1] == "ELEMENT_COMPLETED"
    assert complete_jobs(engine, "handle") == 1
    assert not engine.jobs.activate("after")


def test_an_error_thrown_inside_is_caught_by_a_boundary_event_on_the_subprocess(engine: TestEngine) -> None:
    engine.deploy(_with_boundary(_process().move_to("tools").boundary_event("failed").error("BOOM")))
    instance = engine.instances.create("agent", {"toActivate": ["A", "B"]})

    [job] = engine.jobs.activate("A")
    engine.jobs.throw_error(job.key, "BOOM")

    assert lifecycle(engine, "B")[-1] == "ELEMENT_TERMINATED"
    assert lifecycle(engine, "tools")[-1] == "ELEMENT_TERMINATED"
    assert complete_jobs(engine, "handle") == 1
    assert completed(engine, instance)


def test_a_failing_completion_condition_is_an_incident_on_the_inner_instance(engine: TestEngine) -> None:
    engine.deploy(_process(condition="=count > 2"))
    instance = engine.instances.create("agent", {"toActivate": ["A"], "count": "many"})

    complete_jobs(engine, "A")
    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.element_id == INNER
    assert incident.value.error_message.startswith("Failed to evaluate completion condition. ")
    engine.variables.set(instance, {"count": 3})
    engine.incidents.resolve(incident.key)

    assert lifecycle(engine, INNER)[-1] == "ELEMENT_COMPLETED"
    assert lifecycle(engine, "tools")[-1] == "ELEMENT_COMPLETED"


def test_a_multi_instance_ad_hoc_subprocess_runs_one_subprocess_per_item(engine: TestEngine) -> None:
    engine.deploy(_process(collection="=[element]").move_to("tools").multi_instance("=items", "element"))
    instance = engine.instances.create("agent", {"items": ["A", "B"]})

    assert complete_jobs(engine, "A") == 1
    assert complete_jobs(engine, "B") == 1

    subprocesses = (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.AD_HOC_SUB_PROCESS)
        .with_intent(PI.ELEMENT_COMPLETED)
        .limit(3)
    )
    assert len(subprocesses) == 2
    assert complete_jobs(engine, "after") == 1
    assert completed(engine, instance)


def test_a_multi_instance_element_inside_runs_its_instances_in_one_inner_instance(engine: TestEngine) -> None:
    engine.deploy(_process().move_to("A").multi_instance("=[1, 2]"))
    engine.instances.create("agent", {"toActivate": ["A"]})

    assert complete_jobs(engine, "A") == 2

    body = (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.MULTI_INSTANCE_BODY)
        .with_intent(PI.ELEMENT_COMPLETED)
        .first()
    )
    assert body.value.flow_scope_key == _activated(engine, INNER)[0]
    assert lifecycle(engine, "tools")[-1] == "ELEMENT_COMPLETED"


def test_the_elements_that_may_be_activated_are_described_in_a_local_variable(engine: TestEngine) -> None:
    def lookup(builder: bpmn.ProcessBuilder) -> None:
        builder.service_task(
            "lookup",
            job_type="lookup",
            inputs={
                "user": '=fromAi(toolCall.user, "The user id", "string", {enum: ["a", "b"]})',
                "limit": '=string(fromAi(description: "Max rows", value: toolCall.limit, type: "integer"))',
                "fixed": "=42",
            },
        ).named("Look up").documentation("Finds a user").properties({"kind": "read", "empty": ""})

    engine.deploy(_process(collection=None, first_tool=lookup))
    engine.instances.create("agent")

    variable = engine.records.variables().with_name("adHocSubProcessElements").first()

    assert variable.value.scope_key == element_key(engine, "tools")
    assert json.loads(variable.value.value) == [
        {
            "elementId": "lookup",
            "elementName": "Look up",
            "documentation": "Finds a user",
            "properties": {"kind": "read", "empty": None},
            "parameters": [
                {
                    "name": "user",
                    "description": "The user id",
                    "type": "string",
                    "schema": {"enum": ["a", "b"]},
                },
                {"name": "limit", "description": "Max rows", "type": "integer"},
            ],
        },
        {"elementId": "A"},
        {"elementId": "B"},
        {"elementId": "C"},
    ]
