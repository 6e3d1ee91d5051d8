"""The builder's compensation, conditional events, listeners, ad-hoc subprocesses and
documentation: each model runs on the engine as a user of that BPMN construct expects."""

from __future__ import annotations

import json
from typing import Any

import pytest

from strom.model import parse_bpmn
from strom.protocol.intents import JobIntent, ProcessInstanceIntent, UserTaskIntent
from strom.protocol.values.enums import JobKind, JobListenerEventType
from strom.testing import TestEngine, bpmn

PI = ProcessInstanceIntent


def _completed(engine: TestEngine, key: int) -> bool:
    return engine.records.process_instances().with_key(key).with_intent(PI.ELEMENT_COMPLETED).exists()


def _complete(engine: TestEngine, job_type: str, variables: dict[str, Any] | None = None) -> int:
    jobs = engine.jobs.activate(job_type)
    for job in jobs:
        engine.jobs.complete(job.key, variables)
    return len(jobs)


def _passed(engine: TestEngine, element_id: str) -> bool:
    return (
        engine.records.process_instances()
        .with_element_id(element_id)
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )


def test_a_compensation_end_event_runs_the_handlers_of_the_completed_tasks(engine: TestEngine) -> None:
    builder = bpmn.process("trip").start_event()
    for task in ("flight", "hotel"):
        builder.service_task(task, job_type=task).boundary_event(f"{task}_compensation").compensation()
        builder.compensation_handler(f"undo_{task}", job_type=f"undo_{task}").move_to(task)
    engine.deploy(builder.end_event("cancel").compensation())
    key = engine.instances.create("trip")

    _complete(engine, "flight")
    _complete(engine, "hotel")

    assert not _completed(engine, key)
    assert _complete(engine, "undo_hotel") == 1
    assert _complete(engine, "undo_flight") == 1
    assert _completed(engine, key)


def test_a_compensation_throw_event_can_name_one_activity(engine: TestEngine) -> None:
    builder = bpmn.process("trip").start_event()
    for task in ("flight", "hotel"):
        builder.service_task(task, job_type=task).boundary_event(f"{task}_compensation").compensation()
        builder.compensation_handler(f"undo_{task}", job_type=f"undo_{task}").move_to(task)
    engine.deploy(builder.end_event("cancel").compensation("hotel"))
    engine.instances.create("trip")
    _complete(engine, "flight")
    _complete(engine, "hotel")

    assert _complete(engine, "undo_flight") == 0
    assert _complete(engine, "undo_hotel") == 1


def test_a_compensation_handler_needs_a_compensation_boundary_event() -> None:
    builder = (
        bpmn.process("p")
        .start_event()
        .service_task("a", job_type="a")
        .boundary_event("b")
        .timer_duration("PT1M")
    )

    with pytest.raises(ValueError, match="compensation boundary event"):
        builder.compensation_handler("undo", job_type="undo")


def test_a_conditional_catch_event_waits_for_its_watched_variable(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("ready")
        .start_event()
        .intermediate_catch_event("both")
        .conditional("= a and b", variable_names=["b"], variable_events="update")
        .end_event("end")
    )
    key = engine.instances.create("ready", {"a": False, "b": False})

    engine.variables.set(key, {"a": True})  # not watched
    assert not _passed(engine, "both")
    engine.variables.set(key, {"b": True})

    assert _passed(engine, "both")
    assert _completed(engine, key)


def test_a_non_interrupting_conditional_boundary_event(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("reviewing")
        .start_event()
        .service_task("review", job_type="review")
        .end_event("done")
        .move_to("review")
        .boundary_event("changed", interrupting=False)
        .conditional("= changed")
        .end_event("noted")
    )
    key = engine.instances.create("reviewing", {"changed": False})

    engine.variables.set(key, {"changed": True})

    assert _passed(engine, "noted")
    assert _complete(engine, "review") == 1
    assert _completed(engine, key)


def test_execution_listeners_of_the_process_and_an_element_run_in_order(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("listened")
        .process_execution_listener("start", "p_start")
        .process_execution_listener("end", "p_end")
        .start_event()
        .service_task("task", job_type="work")
        .execution_listener("start", "before", retries=2)
        .execution_listener("end", "after")
        .end_event()
    )
    key = engine.instances.create("listened")

    order = []
    for job_type in ("p_start", "before", "work", "after", "p_end"):
        [job] = engine.jobs.activate(job_type)
        order.append((job_type, job.record.job_kind, job.record.retries))
        engine.jobs.complete(job.key)

    assert order == [
        ("p_start", JobKind.EXECUTION_LISTENER, 3),
        ("before", JobKind.EXECUTION_LISTENER, 2),
        ("work", JobKind.BPMN_ELEMENT, 3),
        ("after", JobKind.EXECUTION_LISTENER, 3),
        ("p_end", JobKind.EXECUTION_LISTENER, 3),
    ]
    assert _completed(engine, key)


def test_a_creating_task_listener_holds_the_user_task(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("review")
        .start_event()
        .user_task("approve", assignee="ann")
        .task_listener("creating", "check")
        .end_event()
    )
    engine.instances.create("review")

    assert not engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).exists()
    created = engine.records.jobs().with_intent(JobIntent.CREATED).first().value
    assert (created.type, created.job_kind) == ("check", JobKind.TASK_LISTENER)
    assert created.job_listener_event_type is JobListenerEventType.CREATING
    assert _complete(engine, "check") == 1
    assert engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).exists()
    assert engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNED).first().value.assignee == "ann"


def test_task_listeners_belong_to_user_tasks() -> None:
    builder = bpmn.process("p").start_event().service_task("a", job_type="a")

    with pytest.raises(ValueError, match="user tasks"):
        builder.task_listener("creating", "check")


def _tools(**options: Any) -> bpmn.ProcessBuilder:
    """An ad-hoc subprocess ``tools`` with tasks A, B and C → D, then ``after``."""
    return (
        bpmn.process("agent")
        .start_event()
        .ad_hoc_sub_process("tools", **options)
        .service_task("A", job_type="A")
        .move_to("tools")
        .service_task("B", job_type="B")
        .move_to("tools")
        .service_task("C", job_type="C")
        .service_task("D", job_type="D")
        .end_sub_process()
        .service_task("after", job_type="after")
        .end_event()
    )


def test_an_ad_hoc_subprocess_runs_the_elements_named_by_its_collection(engine: TestEngine) -> None:
    engine.deploy(_tools(active_elements_collection="= toActivate"))
    key = engine.instances.create("agent", {"toActivate": ["C"]})

    assert engine.jobs.activate("A") == [] and engine.jobs.activate("B") == []
    assert _complete(engine, "C") == 1
    assert _complete(engine, "D") == 1
    assert _complete(engine, "after") == 1
    assert _completed(engine, key)


def test_an_ad_hoc_completion_condition_cancels_the_remaining_elements(engine: TestEngine) -> None:
    engine.deploy(
        _tools(
            active_elements_collection="= toActivate",
            completion_condition="= done",
            cancel_remaining_instances=True,
        )
    )
    engine.instances.create("agent", {"toActivate": ["A", "B"], "done": False})

    assert _complete(engine, "A", {"done": True}) == 1

    assert _complete(engine, "B") == 0
    assert _complete(engine, "after") == 1


def test_a_job_worker_ad_hoc_subprocess_asks_its_worker(engine: TestEngine) -> None:
    engine.deploy(_tools(job_type="agent", retries=5, output_collection="results", output_element="= 1"))
    engine.instances.create("agent")

    [job] = engine.jobs.activate("agent")

    assert job.record.retries == 5
    assert job.record.element_id == "tools"


def test_documentation_and_properties_describe_the_ad_hoc_elements(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("agent")
        .start_event()
        .ad_hoc_sub_process("tools")
        .service_task("lookup", job_type="lookup")
        .named("Look up")
        .documentation("Finds a user <by id>")
        .properties({"kind": "read"})
        .end_sub_process()
        .end_event()
    )
    engine.instances.create("agent")

    variable = engine.records.variables().with_name("adHocSubProcessElements").first()

    [element] = json.loads(variable.value.value)
    assert (element["elementId"], element["elementName"]) == ("lookup", "Look up")
    assert element["documentation"] == "Finds a user <by id>"
    assert element["properties"] == {"kind": "read"}


def test_a_multi_instance_ad_hoc_subprocess_runs_once_per_item(engine: TestEngine) -> None:
    builder = _tools(active_elements_collection="= [tool]").move_to("tools").multi_instance("= items", "tool")
    engine.deploy(builder)
    key = engine.instances.create("agent", {"items": ["A", "B"]})

    assert _complete(engine, "A") == 1
    assert _complete(engine, "B") == 1
    assert _complete(engine, "after") == 1
    assert _completed(engine, key)


def test_a_message_throw_event_without_a_message_reference_is_a_job(engine: TestEngine) -> None:
    builder = (
        bpmn.process("notify").start_event().intermediate_throw_event("mail").message(None, job_type="mail")
    )
    engine.deploy(builder.end_event())
    key = engine.instances.create("notify")

    assert "messageRef" not in builder.to_xml()
    assert _complete(engine, "mail") == 1
    assert _completed(engine, key)


def test_a_business_rule_task_binding_reaches_the_model() -> None:
    builder = (
        bpmn.process("rules")
        .start_event()
        .business_rule_task(
            "rule", decision_id="discount", result_variable="d", binding_type="versionTag", version_tag="v1"
        )
        .end_event()
    )

    [process] = parse_bpmn(builder.to_xml().encode()).processes
    rule = process.flow_node("rule")
    assert (rule.called_decision.binding_type, rule.called_decision.version_tag) == ("versionTag", "v1")


def test_a_version_tag_lets_a_call_activity_call_that_version(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("child").version_tag("v1").start_event().service_task("t", job_type="v1").end_event()
    )
    engine.deploy(bpmn.process("child").start_event().service_task("t", job_type="latest").end_event())
    engine.deploy(
        bpmn.process("parent")
        .start_event()
        .call_activity("call", called_process_id="child", binding_type="versionTag", version_tag="v1")
        .end_event()
    )

    engine.instances.create("parent")

    assert _complete(engine, "latest") == 0
    assert _complete(engine, "v1") == 1


def test_a_start_event_links_its_start_form(engine: TestEngine) -> None:
    """The form a user fills in to start an instance, as Tasklist finds it in the deployed XML."""
    from strom.search._bpmn import read_process

    builder = bpmn.process("requested", "Request").start_event("ask", form_id="request-form").end_event()
    engine.deploy(("request.form", b'{"id": "request-form", "components": []}'), builder)

    assert engine.instances.create("requested") > 0
    assert read_process(builder.to_xml().encode(), "requested")[:2] == ("Request", "request-form")
