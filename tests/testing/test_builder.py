"""The fluent BPMN builder: what it writes parses with strom.model and runs on the engine."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from strom.model import parse_bpmn
from strom.protocol.bpmn import BpmnElementType, BpmnEventType
from strom.protocol.intents import (
    IncidentIntent,
    MessageIntent,
    ProcessInstanceIntent,
    SignalIntent,
    UserTaskIntent,
)
from strom.protocol.values.message import MessageRecordValue
from strom.protocol.values.signal import SignalRecordValue
from strom.testing import TestEngine, bpmn

PI = ProcessInstanceIntent


def _parse(builder: bpmn.ProcessBuilder) -> Any:
    definitions = parse_bpmn(builder.to_xml().encode())
    [process] = definitions.processes
    return definitions, process


def _completed(engine: TestEngine, key: int) -> bool:
    return engine.records.process_instances().with_key(key).with_intent(PI.ELEMENT_COMPLETED).exists()


def _passed(engine: TestEngine, element_id: str, key: int) -> bool:
    return (
        engine.records.process_instances()
        .with_process_instance_key(key)
        .with_element_id(element_id)
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )


def _publish(engine: TestEngine, name: str, key: str, variables: dict[str, Any] | None = None) -> None:
    engine.send(
        MessageRecordValue(name=name, correlation_key=key, time_to_live=60_000, variables=variables or {}),
        MessageIntent.PUBLISH,
    )


def _variable(engine: TestEngine, name: str, key: int) -> Any:
    records = engine.records.variables().with_process_instance_key(key).with_name(name).limit(100)
    assert records, f"no variable {name!r}"
    return json.loads(records[-1].value.value)


def _complete(engine: TestEngine, job_type: str, variables: dict[str, Any] | None = None) -> int:
    jobs = engine.jobs.activate(job_type)
    for job in jobs:
        engine.jobs.complete(job.key, variables)
    return len(jobs)


# -- the XML ----------------------------------------------------------------------------------------


def test_root_elements_are_declared_once_from_what_the_events_reference() -> None:
    builder = (
        bpmn.process("roots")
        .start_event()
        .parallel_gateway("fork")
        .intermediate_catch_event("a")
        .message("paid", "= orderId")
        .end_event("end_a")
        .move_to("fork")
        .intermediate_catch_event("b")
        .message("paid", "= orderId")
        .end_event("end_b")
        .move_to("fork")
        .intermediate_catch_event("c")
        .signal("go now")
        .intermediate_throw_event("d")
        .escalation("LATE")
        .end_event("e")
        .error("FAILED")
    )

    xml = builder.to_xml()
    definitions, process = _parse(builder)

    assert xml.count("<bpmn:message ") == 1
    assert set(definitions.messages) == {"message_paid"}
    assert set(definitions.signals) == {"signal_go_now"}
    assert set(definitions.errors) == {"error_FAILED"}
    assert set(definitions.escalations) == {"escalation_LATE"}
    subscription = process.flow_node("a").message
    assert (subscription.name.source, subscription.correlation_key.text) == ("paid", "= orderId")
    assert process.flow_node("e").error.error_id == "error_FAILED"


def test_a_message_with_two_correlation_keys_gets_two_root_messages() -> None:
    builder = (
        bpmn.process("keys")
        .start_event()
        .intermediate_catch_event("a")
        .message("m", "= x")
        .intermediate_catch_event("b")
        .message("m", "= y")
        .end_event()
    )

    definitions, process = _parse(builder)

    assert set(definitions.messages) == {"message_m", "message_m_2"}
    assert process.flow_node("b").message.correlation_key.text == "= y"


def test_existing_builder_calls_write_the_same_xml_as_before() -> None:
    builder = (
        bpmn.process("pay")
        .start_event()
        .service_task("charge", job_type="charge", headers={"h": "v"}, inputs={"x": "=y"})
        .end_event("end")
    )

    assert builder.to_xml() == (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'id="definitions" targetNamespace="http://strom.test/bpmn">\n'
        '<bpmn:process id="pay" isExecutable="true">\n'
        '  <bpmn:startEvent id="start"><bpmn:outgoing>flow_start_charge</bpmn:outgoing></bpmn:startEvent>\n'
        '  <bpmn:serviceTask id="charge"><bpmn:extensionElements><zeebe:taskDefinition type="charge"/>'
        '<zeebe:ioMapping><zeebe:input source="=y" target="x"/></zeebe:ioMapping>'
        '<zeebe:taskHeaders><zeebe:header key="h" value="v"/></zeebe:taskHeaders></bpmn:extensionElements>'
        "<bpmn:incoming>flow_start_charge</bpmn:incoming><bpmn:outgoing>flow_charge_end</bpmn:outgoing>"
        "</bpmn:serviceTask>\n"
        '  <bpmn:endEvent id="end"><bpmn:incoming>flow_charge_end</bpmn:incoming></bpmn:endEvent>\n'
        '  <bpmn:sequenceFlow id="flow_start_charge" sourceRef="start" targetRef="charge">'
        "</bpmn:sequenceFlow>\n"
        '  <bpmn:sequenceFlow id="flow_charge_end" sourceRef="charge" targetRef="end"></bpmn:sequenceFlow>\n'
        "</bpmn:process>\n</bpmn:definitions>\n"
    )


def test_subprocesses_nest_their_elements_and_flows() -> None:
    builder = (
        bpmn.process("nested")
        .start_event()
        .sub_process("outer")
        .start_event("outer_start")
        .sub_process("inner")
        .start_event("inner_start")
        .task("deep")
        .end_event("inner_end")
        .end_sub_process()
        .end_event("outer_end")
        .end_sub_process()
        .end_event("end")
    )

    _, process = _parse(builder)

    assert process.flow_node("deep").flow_scope_id == "inner"
    assert process.flow_node("inner").flow_scope_id == "outer"
    assert process.sequence_flow("flow_inner_start_deep").flow_scope_id == "inner"
    assert [flow.target_id for flow in process.flow_node("outer").outgoing] == ["end"]


def test_a_finished_builder_can_be_the_content_of_a_subprocess() -> None:
    content = (
        bpmn.process("ignored").start_event("s").intermediate_catch_event("wait").signal("go").end_event()
    )
    builder = bpmn.process("outer").start_event().sub_process("sub", content=content).end_event("end")

    definitions, process = _parse(builder)

    assert process.flow_node("wait").flow_scope_id == "sub"
    assert set(definitions.signals) == {"signal_go"}


def test_an_open_subprocess_cannot_be_written() -> None:
    builder = bpmn.process("open").start_event().sub_process("sub").start_event("s")

    with pytest.raises(ValueError, match="not closed"):
        builder.to_xml()


def test_user_tasks_carry_assignment_form_schedule_and_priority() -> None:
    builder = (
        bpmn.process("review")
        .start_event()
        .user_task(
            "approve",
            assignee="= owner",
            candidate_groups=["sales", "ops"],
            form_id="approval-form",
            due_date="2026-03-01T10:00:00Z",
            priority=80,
        )
        .user_task("legacy", job_worker=True, form_key="camunda-forms:bpmn:f")
        .end_event()
    )

    _, process = _parse(builder)
    task = process.flow_node("approve").user_task
    legacy = process.flow_node("legacy")

    assert task.is_zeebe_user_task and task.assignee.text == "= owner"
    assert task.candidate_groups.source == "sales,ops"
    assert task.form.form_id.source == "approval-form"
    assert task.priority.source == "80"
    assert not legacy.user_task.is_zeebe_user_task and legacy.job is not None


def test_multi_instance_and_call_activity_options_reach_the_model() -> None:
    builder = (
        bpmn.process("mi")
        .start_event()
        .call_activity("call", called_process_id="child", propagate_all_child_variables=False)
        .multi_instance(
            "= items",
            "item",
            sequential=True,
            output_collection="results",
            output_element="= result",
            completion_condition="= count(results) > 2",
        )
        .end_event()
    )

    _, process = _parse(builder)
    node = process.flow_node("call")

    assert node.called_element.process_id.source == "child"
    assert not node.called_element.propagate_all_child_variables
    assert node.multi_instance.is_sequential
    assert (node.multi_instance.input_element, node.multi_instance.output_collection) == ("item", "results")
    assert node.multi_instance.completion_condition.text == "= count(results) > 2"


def test_boundary_events_and_event_subprocesses_get_their_kinds() -> None:
    builder = (
        bpmn.process("kinds")
        .start_event()
        .service_task("work", job_type="work")
        .boundary_event("late", interrupting=False)
        .timer_cycle("R2/PT1M")
        .end_event("reminded")
        .move_to("work")
        .end_event("end")
        .event_sub_process("on_cancel")
        .start_event("cancel_start")
        .message("cancel", "= orderId")
        .non_interrupting()
        .end_event("cancelled")
        .end_sub_process()
    )

    _, process = _parse(builder)

    late = process.flow_node("late")
    assert (late.attached_to_id, late.interrupting, late.event_type) == ("work", False, BpmnEventType.TIMER)
    start = process.flow_node("cancel_start")
    assert (start.flow_scope_id, start.interrupting) == ("on_cancel", False)
    assert process.flow_node("on_cancel").element_type is BpmnElementType.EVENT_SUB_PROCESS
    assert [flow.target_id for flow in process.flow_node("work").outgoing] == ["end"]


# -- running what it builds ---------------------------------------------------------------------------


def test_gateway_conditions_and_the_default_flow(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("route")
        .start_event()
        .exclusive_gateway("amount")
        .condition("= amount > 100")
        .task("big")
        .end_event("end_big")
        .move_to_last_gateway()
        .default_flow()
        .task("small")
        .end_event("end_small")
    )

    big = engine.instances.create("route", {"amount": 500})
    small = engine.instances.create("route", {"amount": 5})

    assert _passed(engine, "big", big) and not _passed(engine, "small", big)
    assert _passed(engine, "small", small) and not _passed(engine, "big", small)


def test_a_message_catch_event_waits_for_its_correlated_message(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("order")
        .start_event()
        .intermediate_catch_event("paid")
        .message("payment received", "= orderId")
        .end_event()
    )
    key = engine.instances.create("order", {"orderId": "o-1"})

    _publish(engine, "payment received", "o-2")
    assert not _completed(engine, key)
    _publish(engine, "payment received", "o-1", {"amount": 3})

    assert _completed(engine, key)
    assert _variable(engine, "amount", key) == 3


def test_a_message_start_event_and_a_message_end_event_that_is_a_job(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("listener").start_event("on_order").message("order placed").end_event(),
        bpmn.process("shop").start_event().end_event("notify").message("order placed", job_type="notify"),
    )
    engine.instances.create("shop")

    [job] = engine.jobs.activate("notify")
    assert job.record.element_id == "notify"
    _publish(engine, "order placed", "")

    started = (
        engine.records.process_instances()
        .with_value(bpmn_process_id="listener", bpmn_element_type=BpmnElementType.PROCESS)
        .with_intent(PI.ELEMENT_COMPLETED)
    )
    assert started.exists()


def test_an_interrupting_timer_boundary_event_cancels_the_task(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("timeout")
        .start_event()
        .service_task("work", job_type="work")
        .end_event("done")
        .move_to("work")
        .boundary_event("too_late")
        .timer_duration("PT10M")
        .end_event("timed_out")
    )
    key = engine.instances.create("timeout")

    engine.advance_time(timedelta(minutes=11))

    assert _passed(engine, "timed_out", key) and _completed(engine, key)
    assert engine.jobs.activate("work") == []


def test_a_timer_start_event_and_a_date_catch_event(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("nightly")
        .start_event("every_minute")
        .timer_cycle("R1/PT1M")
        .intermediate_catch_event("until")
        .timer_date("2026-01-01T00:05:00Z")
        .end_event()
    )

    engine.advance_time(timedelta(minutes=1))
    instance = (
        engine.records.process_instances()
        .with_element_type(BpmnElementType.PROCESS)
        .with_intent(PI.ELEMENT_ACTIVATED)
        .first()
    )
    assert not _completed(engine, instance.key)
    engine.advance_time(timedelta(minutes=5))

    assert _completed(engine, instance.key)


def test_an_error_end_event_in_a_subprocess_is_caught_by_a_boundary_event(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("errors")
        .start_event()
        .sub_process("checkout")
        .start_event("checkout_start")
        .end_event("declined")
        .error("CARD_DECLINED")
        .end_sub_process()
        .end_event("shipped")
        .move_to("checkout")
        .boundary_event("on_declined")
        .error("CARD_DECLINED")
        .end_event("cancelled")
    )

    key = engine.instances.create("errors")

    assert _passed(engine, "cancelled", key) and not _passed(engine, "shipped", key)


def test_an_escalation_starts_a_non_interrupting_event_subprocess(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("escalate")
        .start_event()
        .intermediate_throw_event("raise")
        .escalation("LATE")
        .service_task("work", job_type="work")
        .end_event("end")
        .event_sub_process("handler")
        .start_event("caught", interrupting=False)
        .escalation("LATE")
        .task("notify")
        .end_event("notified")
        .end_sub_process()
    )

    key = engine.instances.create("escalate")

    assert _passed(engine, "notify", key) and not _completed(engine, key)
    assert _complete(engine, "work") == 1
    assert _completed(engine, key)


def test_a_signal_throw_event_starts_a_process_with_a_signal_start_event(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("receiver").start_event("on_alarm").signal("alarm").end_event(),
        bpmn.process("sender").start_event().intermediate_throw_event("ring").signal("alarm").end_event(),
    )

    engine.instances.create("sender")

    assert engine.records.signals().with_intent(SignalIntent.BROADCASTED).exists()
    assert (
        engine.records.process_instances()
        .with_value(bpmn_process_id="receiver", bpmn_element_type=BpmnElementType.PROCESS)
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )


def test_an_event_based_gateway_takes_the_first_event(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("race")
        .start_event()
        .event_based_gateway("which")
        .intermediate_catch_event("signal_first")
        .signal("go")
        .end_event("by_signal")
        .move_to_last_gateway()
        .intermediate_catch_event("timer_first")
        .timer_duration("PT1H")
        .end_event("by_timer")
    )
    key = engine.instances.create("race")

    engine.send(SignalRecordValue(signal_name="go"), SignalIntent.BROADCAST)

    assert _passed(engine, "by_signal", key) and not _passed(engine, "by_timer", key)


def test_a_call_activity_with_outputs_and_no_child_propagation(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("child").start_event().service_task("work", job_type="child-work").end_event(),
        bpmn.process("parent")
        .start_event()
        .call_activity(
            "call", called_process_id="child", propagate_all_child_variables=False, outputs={"kept": "= a"}
        )
        .end_event(),
    )
    key = engine.instances.create("parent")

    assert _complete(engine, "child-work", {"a": 1, "b": 2}) == 1

    assert _completed(engine, key)
    assert _variable(engine, "kept", key) == 1
    assert not engine.records.variables().with_value(scope_key=key, name="b").exists()


def test_a_parallel_multi_instance_collects_its_outputs(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("each")
        .start_event()
        .service_task("price", job_type="price", outputs={"result": "= price"})
        .multi_instance("= items", "item", output_collection="prices", output_element="= result")
        .end_event()
    )
    key = engine.instances.create("each", {"items": ["a", "b", "c"]})

    jobs = engine.jobs.activate("price")
    for job in jobs:
        engine.jobs.complete(job.key, {"price": len(job.variables["item"]) * 10})

    assert len(jobs) == 3 and _completed(engine, key)
    assert _variable(engine, "prices", key) == [10, 10, 10]


def test_service_task_headers_and_mappings_reach_the_job(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("mapped")
        .start_event()
        .service_task("charge", job_type="charge")
        .inputs({"total": "= price * quantity"})
        .outputs({"receipt": "= id"})
        .headers({"currency": "EUR"})
        .end_event()
    )
    key = engine.instances.create("mapped", {"price": 2, "quantity": 3})

    [job] = engine.jobs.activate("charge")
    assert job.custom_headers == {"currency": "EUR"} and job.variables["total"] == 6
    engine.jobs.complete(job.key, {"id": "r-1"})

    assert _variable(engine, "receipt", key) == "r-1"


def test_a_user_task_is_created_with_its_assignee_and_groups(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("review")
        .start_event()
        .user_task("approve", assignee="= owner", candidate_groups="sales")
        .end_event()
    )

    engine.instances.create("review", {"owner": "ann"})

    created = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).first().value
    assigned = engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNED).first().value
    assert (created.candidate_groups_list, created.element_id) == (["sales"], "approve")
    assert assigned.assignee == "ann"


def test_a_script_task_and_a_receive_task(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("scripted")
        .start_event()
        .script_task("sum", expression="= a + b", result_variable="total")
        .receive_task("confirm", message="confirmed", correlation_key="= string(total)")
        .end_event()
    )
    key = engine.instances.create("scripted", {"a": 1, "b": 2})

    _publish(engine, "confirmed", "3")

    assert _completed(engine, key)
    assert not engine.records.incidents().with_intent(IncidentIntent.CREATED).exists()
