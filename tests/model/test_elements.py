"""The executable model of each element kind, as the engine will read it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from strom.model import (
    BindingType,
    BpmnDefinitions,
    ExecutableProcess,
    ExecutionListenerEventType,
    Interval,
    RepeatingInterval,
    TaskListenerEventType,
    TimerKind,
)
from strom.model.elements import USER_TASK_FORM_KEY_HEADER, USER_TASK_JOB_TYPE
from strom.protocol.bpmn import BpmnElementType as T
from strom.protocol.bpmn import BpmnEventType as E

from ._bpmn import accepted, around, document, end, ext, service, start
from ._rich import RICH


@pytest.fixture(scope="module")
def rich() -> BpmnDefinitions:
    return accepted(RICH)


@pytest.fixture(scope="module")
def order(rich: BpmnDefinitions) -> ExecutableProcess:
    return rich.process("order")


def test_only_executable_processes_are_compiled(rich: BpmnDefinitions) -> None:
    assert [process.id for process in rich.processes] == ["order", "shipping"]


def test_process_metadata(order: ExecutableProcess) -> None:
    assert order.name == "Order"
    assert order.version_tag == "v1"
    assert order.documentation == "Handles an order"
    assert order.root.element_type is T.PROCESS
    assert order.lanes[0].name == "Sales" and order.lanes[0].flow_node_ids == ("start",)
    assert order.user_task_forms == {"form1": '{"components": []}'}


def test_root_elements_and_collaboration(rich: BpmnDefinitions) -> None:
    assert rich.messages["payMsg"].name is not None and rich.messages["payMsg"].name.value == "payment"
    assert rich.signals["sig"].name is not None and rich.signals["sig"].name.value == "alarm"
    assert rich.errors["err"].code is not None and rich.errors["err"].code.value == "PAYMENT_FAILED"
    assert rich.escalations["esc"].code is not None and rich.escalations["esc"].code.value == "LATE"
    assert rich.participants[0].process_id == "order"


def test_start_events(order: ExecutableProcess) -> None:
    assert order.none_start_event is not None and order.none_start_event.id == "start"
    assert [event.id for event in order.start_events] == ["msgStart", "timerStart"]
    message_start = order.flow_node("msgStart")
    assert message_start.event_type is E.MESSAGE
    assert message_start.message is not None and message_start.message.name.value == "order-placed"
    timer_start = order.flow_node("timerStart")
    assert timer_start.timer is not None and timer_start.timer.kind is TimerKind.CYCLE
    assert timer_start.timer.value == RepeatingInterval(-1, Interval(days=1))


def test_sequence_flows_are_elements_with_conditions_and_defaults(order: ExecutableProcess) -> None:
    split = order.flow_node("split")
    assert split.element_type is T.EXCLUSIVE_GATEWAY
    assert split.default_flow_id == "fDefault"
    by_id = {flow.id: flow for flow in split.outgoing}
    assert by_id["fDefault"].is_default and by_id["fDefault"].condition is None
    condition = by_id["fBig"].condition
    assert condition is not None and condition.evaluate({"total": 150}) is True
    assert order.elements["fBig"] is by_id["fBig"]
    assert order.sequence_flow("fBig").target_id == "review"
    assert order.sequence_flow("fBig").element_type is T.SEQUENCE_FLOW


def test_camunda_user_task(order: ExecutableProcess) -> None:
    review = order.flow_node("review")
    task = review.user_task
    assert review.element_type is T.USER_TASK and task is not None and task.is_zeebe_user_task
    assert review.job is None
    assert task.assignee is not None and task.assignee.value == "demo"
    assert task.candidate_groups is not None and task.candidate_groups.value == ["sales", "managers"]
    assert task.candidate_users is not None and not task.candidate_users.is_static
    assert task.due_date is not None and task.due_date.value == datetime(2030, 1, 1, 11, 0, tzinfo=UTC)
    assert task.priority is not None and task.priority.value == 75
    assert (
        task.form is not None and task.form.form_id is not None and task.form.form_id.value == "review-form"
    )
    assert task.form.binding_type is BindingType.DEPLOYMENT
    assert [(listener.event_type, listener.job.type.value) for listener in task.task_listeners] == [
        (TaskListenerEventType.COMPLETING, "audit"),
        (TaskListenerEventType.ASSIGNING, "notify"),
    ]
    assert task.task_listeners[0].job.retries.value == 2


def test_io_mappings(order: ExecutableProcess) -> None:
    mappings = order.flow_node("review").io_mappings
    first, second = mappings.inputs
    assert not first.source.is_static and first.target == "amount"
    assert second.source.value == "fixed" and second.target_path == ("context", "mode")
    assert mappings.outputs[0].target_path == ("result", "approved")


def test_service_task_job_headers_listeners_properties(order: ExecutableProcess) -> None:
    charge = order.flow_node("charge")
    assert charge.job is not None
    assert charge.job.type.evaluate({"region": "eu"}) == "charge-eu"
    assert charge.job.retries.value == 5
    assert dict(charge.task_headers) == {"method": "card", "url": "https://pay"}
    assert dict(charge.properties) == {"team": "payments"}
    assert [
        (listener.event_type, listener.job.type.value, listener.job.retries.value)
        for listener in charge.execution_listeners
    ] == [
        (ExecutionListenerEventType.START, "before-charge", 3),
        (ExecutionListenerEventType.END, "after-charge", 1),
    ]
    assert charge.execution_listeners_for(ExecutionListenerEventType.END)[0].job.type.value == "after-charge"
    assert charge.boundary_event_ids == ("chargeTimeout", "chargeFailed")


def test_boundary_events(order: ExecutableProcess) -> None:
    timeout = order.flow_node("chargeTimeout")
    assert timeout.element_type is T.BOUNDARY_EVENT and timeout.event_type is E.TIMER
    assert timeout.attached_to_id == "charge" and not timeout.interrupting
    assert timeout.timer is not None and timeout.timer.value == Interval(duration=timedelta(minutes=10))
    assert timeout.flow_scope_id == "order"
    failed = order.flow_node("chargeFailed")
    assert failed.interrupting and failed.error is not None
    assert failed.error.code is not None and failed.error.code.value == "PAYMENT_FAILED"


def test_end_events(order: ExecutableProcess) -> None:
    assert order.flow_node("failed").event_type is E.TERMINATE
    done = order.flow_node("done")
    assert done.event_type is E.SIGNAL and done.signal is not None and done.signal.name.value == "alarm"


def test_business_rule_and_script_tasks(order: ExecutableProcess) -> None:
    decision = order.flow_node("decide").called_decision
    assert decision is not None and decision.decision_id.value == "discount"
    assert decision.result_variable == "discount"
    assert decision.binding_type is BindingType.VERSION_TAG and decision.version_tag == "v2"
    script = order.flow_node("pick").script
    assert script is not None and script.result_variable == "sku"
    assert script.expression.evaluate({"item": {"sku": "A1"}}) == "A1"


def test_sequential_multi_instance_subprocess(order: ExecutableProcess) -> None:
    items = order.flow_node("items")
    assert items.element_type is T.SUB_PROCESS
    loop = items.multi_instance
    assert loop is not None and loop.is_sequential
    assert loop.input_element == "item" and loop.output_collection == "results"
    assert loop.output_element is not None and loop.completion_condition is not None
    assert loop.body_element_type is T.MULTI_INSTANCE_BODY
    container = items.container
    assert container is not None and container.none_start_event_id == "itemStart"
    assert container.event_subprocess_ids == ("itemEvents",)
    assert {element.id for element in order.children_of("items")} >= {"pick", "ship", "fi1"}
    assert order.flow_node("pick").flow_scope_id == "items"


def test_event_subprocesses(order: ExecutableProcess) -> None:
    assert [sub.id for sub in order.event_subprocesses] == ["events"]
    events = order.flow_node("events")
    assert events.element_type is T.EVENT_SUB_PROCESS
    assert events.container is not None and events.container.start_event_ids == ("escalated",)
    start = order.flow_node("escalated")
    assert start.event_type is E.ESCALATION and not start.interrupting
    signal_start = order.flow_node("itemSignal")
    assert signal_start.signal is not None and signal_start.flow_scope_id == "itemEvents"


def test_call_activity(order: ExecutableProcess) -> None:
    called = order.flow_node("ship").called_element
    assert called is not None and called.process_id.value == "shipping"
    assert called.binding_type is BindingType.LATEST
    assert not called.propagate_all_child_variables and called.propagate_all_parent_variables


def test_event_based_gateway_and_catch_events(order: ExecutableProcess) -> None:
    assert order.flow_node("wait").element_type is T.EVENT_BASED_GATEWAY
    paid = order.flow_node("paid")
    assert paid.message is not None and paid.message.correlation_key is not None
    assert paid.message.correlation_key.source == "orderId"
    late = order.flow_node("tooLate")
    assert late.timer is not None and late.timer.kind is TimerKind.DATE
    assert late.timer.value == datetime(2030, 1, 1, tzinfo=UTC)


def test_link_events(order: ExecutableProcess) -> None:
    assert order.flow_node("toLink").link_name == "finish"
    assert order.flow_node("fromLink").event_type is E.LINK


def test_message_throw_and_receive_task(order: ExecutableProcess) -> None:
    publish = order.flow_node("notify").publish_message
    assert publish is not None and publish.name.evaluate({"kind": "mail"}) == "notify-mail"
    assert publish.time_to_live is not None and publish.time_to_live.value == "PT1H"
    receive = order.flow_node("receive")
    assert receive.event_type is E.MESSAGE and receive.message is not None
    assert receive.message.name.value == "cancel"


def test_escalation_end_event_in_called_process(rich: BpmnDefinitions) -> None:
    shipping = rich.process("shipping")
    escalation = shipping.flow_node("shipEnd").escalation
    assert escalation is not None and escalation.code is not None and escalation.code.value == "LATE"
    assert shipping.flow_node("pack").element_type is T.MANUAL_TASK


def test_the_model_is_immutable(order: ExecutableProcess) -> None:
    node = order.flow_node("charge")
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.name = "x"  # type: ignore[misc]
    with pytest.raises(TypeError):
        order.elements["new"] = node  # type: ignore[index]
    with pytest.raises(TypeError):
        node.task_headers["x"] = "y"  # type: ignore[index]
    assert not hasattr(node, "__dict__")


def test_job_based_user_task() -> None:
    task = (
        '<bpmn:userTask id="task">'
        + ext(
            '<zeebe:formDefinition formKey="camunda-forms:bpmn:form1" />'
            '<zeebe:assignmentDefinition assignee="=owner" />'
            '<zeebe:taskHeaders><zeebe:header key="k" value="v" /></zeebe:taskHeaders>'
        )
        + "</bpmn:userTask>"
    )
    node = accepted(around(task)).processes[0].flow_node("task")
    assert node.user_task is not None and not node.user_task.is_zeebe_user_task
    assert node.job is not None and node.job.type.value == USER_TASK_JOB_TYPE and node.job.retries.value == 1
    assert dict(node.task_headers) == {"k": "v", USER_TASK_FORM_KEY_HEADER: "camunda-forms:bpmn:form1"}
    assert node.user_task.assignee is not None and not node.user_task.assignee.is_static


def test_job_defaults_and_retry_expressions() -> None:
    default = accepted(around(service())).processes[0].flow_node("task").job
    assert default is not None and default.retries.value == 3 and default.retries.source == "3"
    task = service().replace('type="work"', 'type="work" retries="=tries"')
    job = accepted(around(task)).processes[0].flow_node("task").job
    assert job is not None and job.retries.source == "tries" and not job.retries.is_static


def test_undefined_task_and_parallel_multi_instance() -> None:
    task = (
        '<bpmn:task id="task"><bpmn:multiInstanceLoopCharacteristics>'
        + ext('<zeebe:loopCharacteristics inputCollection="=[1,2,3]" />')
        + "</bpmn:multiInstanceLoopCharacteristics></bpmn:task>"
    )
    node = accepted(around(task)).processes[0].flow_node("task")
    assert node.element_type is T.TASK
    assert node.multi_instance is not None and not node.multi_instance.is_sequential
    assert node.multi_instance.input_collection.evaluate({}) == [1, 2, 3]
    assert node.multi_instance.input_element is None


def test_inclusive_gateway_and_conditions() -> None:
    from ._bpmn import flow

    data = document(
        start(),
        '<bpmn:inclusiveGateway id="or" default="toB" />',
        end("a"),
        end("b"),
        flow("start", "or"),
        flow("or", "a", "toA", condition="=x"),
        flow("or", "b", "toB"),
    )
    gateway = accepted(data).processes[0].flow_node("or")
    assert gateway.element_type is T.INCLUSIVE_GATEWAY and gateway.default_flow_id == "toB"


def test_ad_hoc_subprocess() -> None:
    data = around(
        '<bpmn:adHocSubProcess id="task" cancelRemainingInstances="false">'
        + ext('<zeebe:adHoc activeElementsCollection="=tools" />')
        + '<bpmn:task id="a" /><bpmn:task id="b" /><bpmn:task id="c" />'
        + '<bpmn:sequenceFlow id="bc" sourceRef="b" targetRef="c" />'
        + "<bpmn:completionCondition>=done</bpmn:completionCondition>"
        + "</bpmn:adHocSubProcess>"
    )
    node = accepted(data).processes[0].flow_node("task")
    assert node.element_type is T.AD_HOC_SUB_PROCESS
    assert node.ad_hoc is not None and node.ad_hoc.activity_ids == ("a", "b")
    assert not node.ad_hoc.cancel_remaining_instances
    assert node.ad_hoc.active_elements_collection is not None
    assert node.ad_hoc.completion_condition is not None


def test_compensation() -> None:
    data = document(
        start(),
        '<bpmn:serviceTask id="book">' + ext('<zeebe:taskDefinition type="book" />') + "</bpmn:serviceTask>",
        '<bpmn:boundaryEvent id="undoBooking" attachedToRef="book">'
        "<bpmn:compensateEventDefinition /></bpmn:boundaryEvent>",
        '<bpmn:serviceTask id="cancel" isForCompensation="true">'
        + ext('<zeebe:taskDefinition type="cancel" />')
        + "</bpmn:serviceTask>",
        '<bpmn:association id="a1" associationDirection="One" sourceRef="undoBooking" targetRef="cancel" />',
        '<bpmn:intermediateThrowEvent id="undo">'
        '<bpmn:compensateEventDefinition activityRef="book" /></bpmn:intermediateThrowEvent>',
        end(),
        *[
            '<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="book" />',
            '<bpmn:sequenceFlow id="f2" sourceRef="book" targetRef="undo" />',
            '<bpmn:sequenceFlow id="f3" sourceRef="undo" targetRef="end" />',
        ],
    )
    process = accepted(data).processes[0]
    boundary = process.flow_node("undoBooking")
    assert boundary.event_type is E.COMPENSATION
    assert boundary.compensation is not None and boundary.compensation.handler_id == "cancel"
    assert process.flow_node("cancel").is_for_compensation
    throw = process.flow_node("undo").compensation
    assert throw is not None and throw.activity_ref == "book" and throw.wait_for_completion


def test_conditional_events() -> None:
    data = around(
        '<bpmn:intermediateCatchEvent id="task"><bpmn:conditionalEventDefinition>'
        "<bpmn:condition>=x &gt; 1</bpmn:condition></bpmn:conditionalEventDefinition>"
        + "</bpmn:intermediateCatchEvent>"
    )
    node = accepted(data).processes[0].flow_node("task")
    assert node.event_type is E.CONDITIONAL
    assert node.conditional is not None and node.conditional.condition.evaluate({"x": 2}) is True


def test_linked_resources() -> None:
    task = service(
        body=ext(
            "<zeebe:linkedResources>"
            '<zeebe:linkedResource resourceId="r1" resourceType="RPA" linkName="bot" />'
            "</zeebe:linkedResources>"
        )
    ).replace("</bpmn:extensionElements><bpmn:extensionElements>", "")
    node = accepted(around(task)).processes[0].flow_node("task")
    assert node.linked_resources[0].resource_id == "r1" and node.linked_resources[0].link_name == "bot"


def test_message_start_names_are_evaluated_once() -> None:
    from ._bpmn import definitions, process

    data = definitions(
        '<bpmn:message id="m" name="=&quot;order-&quot; + &quot;created&quot;" />',
        process(
            start("s", '<bpmn:messageEventDefinition messageRef="m" />'),
            end(),
            '<bpmn:sequenceFlow id="f" sourceRef="s" targetRef="end" />',
        ),
    )
    node = accepted(data).processes[0].flow_node("s")
    assert node.message is not None and node.message.name.is_static
    assert node.message.name.value == "order-created"
