"""One case per validation rule: the problem names the element and says what is wrong."""

from __future__ import annotations

import pytest

from ._bpmn import (
    around,
    chain,
    definitions,
    document,
    end,
    ext,
    flow,
    messages,
    problems,
    process,
    rejected_with,
    service,
    start,
)

MSG = (
    '<bpmn:message id="m" name="msg">'
    + ext('<zeebe:subscription correlationKey="=key" />')
    + "</bpmn:message>"
)


def catch(definition: str, element_id: str = "task") -> str:
    return f'<bpmn:intermediateCatchEvent id="{element_id}">{definition}</bpmn:intermediateCatchEvent>'


def throw(definition: str, element_id: str = "task", body: str = "") -> str:
    return f'<bpmn:intermediateThrowEvent id="{element_id}">{body}{definition}</bpmn:intermediateThrowEvent>'


def timer(kind: str, value: str) -> str:
    return f"<bpmn:timerEventDefinition><bpmn:{kind}>{value}</bpmn:{kind}></bpmn:timerEventDefinition>"


def boundary(definition: str, attached: str = "task", element_id: str = "b", attrs: str = "") -> str:
    opening = f'<bpmn:boundaryEvent id="{element_id}" attachedToRef="{attached}"{attrs}>'
    return f"{opening}{definition}</bpmn:boundaryEvent>"


# -- document and process ---------------------------------------------------------------------


def test_a_valid_document_has_no_problems() -> None:
    assert problems(around(service())) == []


def test_no_executable_process() -> None:
    data = definitions(process(start(), process_id="p", executable=False))
    rejected_with(data, "defs", "Must contain at least one executable process")


def test_non_executable_pools_are_not_validated() -> None:
    data = definitions(
        process(start(), end(), *chain("start", "end")),
        process('<bpmn:complexGateway id="g" />', process_id="sketch", executable=False),
    )
    assert problems(data) == []


def test_duplicate_ids_name_both_lines() -> None:
    data = around(service(), service("x"), ids=("task",)).replace(b'id="x"', b'id="task"')
    found = [p for p in problems(data) if "Duplicate id" in p.message]
    assert found and found[0].element_id == "task" and "already used on line" in found[0].message


def test_missing_start_event() -> None:
    rejected_with(document(end()), "p", "Must have at least one start event")


def test_multiple_none_start_events() -> None:
    data = document(start("a"), start("b"), end(), *chain("a", "end"), flow("b", "end"))
    rejected_with(data, "p", "Multiple none start events are not allowed")


def test_missing_ids() -> None:
    data = document(start(), "<bpmn:task />", end(), *chain("start", "end"))
    assert any("Id must be present" in message for _, message in messages(data))


def test_error_start_event_at_process_level() -> None:
    data = document(start("s", "<bpmn:errorEventDefinition />"), end(), *chain("s", "end"))
    rejected_with(data, "s", "Start events of a process must be one of")


def test_duplicate_message_start_events() -> None:
    data = definitions(
        '<bpmn:message id="m1" name="same" />',
        '<bpmn:message id="m2" name="same" />',
        process(
            start("a", '<bpmn:messageEventDefinition messageRef="m1" />'),
            start("b", '<bpmn:messageEventDefinition messageRef="m2" />'),
            end(),
            *chain("a", "end"),
            flow("b", "end"),
        ),
    )
    rejected_with(data, "p", "Multiple message event definitions with the same name 'same'")


def test_a_message_used_by_two_start_events() -> None:
    data = definitions(
        '<bpmn:message id="m1" name="same" />',
        process(
            start("a", '<bpmn:messageEventDefinition messageRef="m1" />'),
            start("b", '<bpmn:messageEventDefinition messageRef="m1" />'),
            end(),
            *chain("a", "end"),
            flow("b", "end"),
        ),
    )
    rejected_with(data, "m1", "A message cannot be referred by more than one start event")


# -- unsupported elements ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("element", "name"),
    [
        ('<bpmn:complexGateway id="task" />', "ComplexGateway"),
        ('<bpmn:transaction id="task"><bpmn:startEvent id="ts" /></bpmn:transaction>', "Transaction"),
    ],
)
def test_unsupported_elements_are_named(element: str, name: str) -> None:
    rejected_with(around(element), "task", f"Elements of type '{name}' are currently not supported")


def test_cancel_events_are_unsupported() -> None:
    data = around(end("task", "<bpmn:cancelEventDefinition />").replace("endEvent", "intermediateThrowEvent"))
    rejected_with(data, "task", "Event definition of this type is not supported")


# -- sequence flows and gateways --------------------------------------------------------------


def test_flow_to_a_missing_element() -> None:
    data = document(start(), end(), flow("start", "nowhere", "f"), flow("start", "end"))
    rejected_with(data, "f", "SequenceFlow has targetRef 'nowhere' which cannot be resolved")


def test_flow_without_source() -> None:
    data = document(start(), end(), '<bpmn:sequenceFlow id="f" targetRef="end" />', flow("start", "end"))
    rejected_with(data, "f", "SequenceFlow is missing required attribute sourceRef")


def test_flow_across_scopes() -> None:
    sub = (
        '<bpmn:subProcess id="sub"><bpmn:startEvent id="in" /><bpmn:endEvent id="inEnd" />'
        '<bpmn:sequenceFlow id="x" sourceRef="in" targetRef="inEnd" /></bpmn:subProcess>'
    )
    data = document(start(), sub, end(), *chain("start", "sub", "end"), flow("start", "inEnd", "cross"))
    rejected_with(data, "cross", "across a subprocess boundary")


def test_exclusive_gateway_flow_without_condition() -> None:
    data = document(
        start(),
        '<bpmn:exclusiveGateway id="g" />',
        end("a"),
        end("b"),
        flow("start", "g"),
        flow("g", "a", "toA", "=x"),
        flow("g", "b", "toB"),
    )
    rejected_with(data, "toB", "Must have a condition or be default flow")


def test_exclusive_gateway_with_a_default_flow_is_fine() -> None:
    data = document(
        start(),
        '<bpmn:exclusiveGateway id="g" default="toB" />',
        end("a"),
        end("b"),
        flow("start", "g"),
        flow("g", "a", "toA", "=x"),
        flow("g", "b", "toB"),
    )
    assert problems(data) == []


def test_inclusive_gateway_flow_without_condition() -> None:
    data = document(
        start(),
        '<bpmn:inclusiveGateway id="g" />',
        end("a"),
        end("b"),
        flow("start", "g"),
        flow("g", "a", "toA", "=x"),
        flow("g", "b", "toB"),
    )
    rejected_with(data, "toB", "Must have a condition")


def test_default_flow_from_elsewhere() -> None:
    data = document(
        start(),
        '<bpmn:exclusiveGateway id="g" default="f0" />',
        end(),
        flow("start", "g", "f0"),
        flow("g", "end"),
    )
    rejected_with(data, "g", "Default flow must start at gateway")


def test_conditions_only_leave_gateways() -> None:
    data = document(start(), end(), flow("start", "end", "f", "=x"))
    rejected_with(
        data, "start", "Conditional sequence flows are only supported at exclusive or inclusive gateway"
    )


def test_static_condition_is_not_an_expression() -> None:
    data = document(
        start(),
        '<bpmn:exclusiveGateway id="g" default="toB" />',
        end("a"),
        end("b"),
        flow("start", "g"),
        flow("g", "a", "toA", "x &gt; 1"),
        flow("g", "b", "toB"),
    )
    rejected_with(data, "toA", "Expected expression but found static value 'x > 1'")


def test_event_based_gateway_rules() -> None:
    data = document(
        start(),
        '<bpmn:eventBasedGateway id="g" />',
        service("t"),
        end(),
        *chain("start", "g", "t", "end"),
    )
    rejected_with(data, "g", "Event-based gateway must have at least 2 outgoing sequence flows.")
    rejected_with(data, "g", "other elements than message/timer/signal/conditional intermediate catch events")


def test_event_based_gateway_targets_need_no_other_incoming() -> None:
    data = document(
        start(),
        '<bpmn:eventBasedGateway id="g" />',
        catch(timer("timeDuration", "PT1M"), "t1"),
        catch(timer("timeDuration", "PT2M"), "t2"),
        end(),
        flow("start", "g"),
        flow("g", "t1"),
        flow("g", "t2"),
        flow("t1", "end"),
        flow("t2", "t1"),
    )
    rejected_with(data, "g", "must not have any additional incoming sequence flows")


# -- events -----------------------------------------------------------------------------------


def test_timer_without_definition() -> None:
    rejected_with(around(catch("<bpmn:timerEventDefinition />")), "task", "Must be exactly one type of timer")


def test_intermediate_timer_cycle() -> None:
    data = around(catch(timer("timeCycle", "R/PT1M")))
    rejected_with(
        data, "task", "Intermediate timer catch event must have either a time duration or a time date."
    )


@pytest.mark.parametrize(
    ("kind", "value", "fragment"),
    [
        (
            "timeDuration",
            "PT5X",
            "Invalid timer duration expression (Text cannot be parsed to a Duration: 'PT5X')",
        ),
        ("timeDate", "tomorrow", "Invalid timer date expression (Invalid date-time format 'tomorrow'"),
        ("timeDuration", "", "Invalid timer duration expression"),
    ],
)
def test_bad_static_timer_values(kind: str, value: str, fragment: str) -> None:
    rejected_with(around(catch(timer(kind, value))), "task", fragment)


def test_bad_cycle_on_a_start_event() -> None:
    data = document(start("s", timer("timeCycle", "0 9 * * *")), end(), *chain("s", "end"))
    rejected_with(data, "s", "expected 6 fields")


def test_process_start_timer_expressions_are_evaluated_without_variables() -> None:
    data = document(start("s", timer("timeCycle", "=cycle")), end(), *chain("s", "end"))
    rejected_with(data, "s", "Invalid timer cycle expression (Expected result of the expression 'cycle'")
    ok = document(start("s", timer("timeDuration", '=duration("PT5M")')), end(), *chain("s", "end"))
    assert problems(ok) == []


def test_timer_expressions_elsewhere_wait_for_run_time() -> None:
    assert problems(around(catch(timer("timeDuration", "=delay")))) == []


def test_message_catch_without_message() -> None:
    rejected_with(around(catch("<bpmn:messageEventDefinition />")), "task", "Must reference a message")


def test_message_catch_without_name_or_correlation_key() -> None:
    data = definitions(
        '<bpmn:message id="m" />',
        process(
            start(),
            catch('<bpmn:messageEventDefinition messageRef="m" />'),
            end(),
            *chain("start", "task", "end"),
        ),
    )
    rejected_with(data, "m", "Name must be present and not empty")
    rejected_with(data, "m", "Must have exactly one zeebe:subscription extension element")


def test_correlation_key_must_be_an_expression() -> None:
    message = (
        '<bpmn:message id="m" name="n">'
        + ext('<zeebe:subscription correlationKey="key" />')
        + "</bpmn:message>"
    )
    data = definitions(
        message,
        process(
            start(),
            catch('<bpmn:messageEventDefinition messageRef="m" />'),
            end(),
            *chain("start", "task", "end"),
        ),
    )
    rejected_with(
        data, "m", "Expected expression but found static value 'key'. An expression must start with '='"
    )


def test_reference_to_a_missing_message() -> None:
    data = around(catch('<bpmn:messageEventDefinition messageRef="gone" />'))
    rejected_with(data, "task", "References message 'gone', which does not exist")


def test_boundary_event_attached_to_nothing() -> None:
    data = document(
        start(),
        boundary(timer("timeDuration", "PT1M"), attached="missing"),
        end(),
        *chain("start", "end"),
        flow("b", "end"),
    )
    rejected_with(data, "b", "Must be attached to an activity")


def test_boundary_event_rules() -> None:
    data = around(
        service(),
        boundary("", element_id="b1"),
        boundary(timer("timeCycle", "R/PT1M"), element_id="b2"),
        boundary("<bpmn:terminateEventDefinition />", element_id="b3"),
        boundary("<bpmn:errorEventDefinition />", element_id="b4", attrs=' cancelActivity="false"'),
        boundary("<bpmn:escalationEventDefinition />", element_id="b5"),
    )
    rejected_with(data, "b1", "Must have exactly one event definition")
    rejected_with(data, "b2", "Interrupting timer event with time cycle is not allowed.")
    rejected_with(data, "b3", "Boundary events must be one of")
    rejected_with(data, "b4", "Non-Interrupting event of this type is not allowed")
    rejected_with(
        data,
        "b5",
        "An escalation boundary event should only be attached to a subprocess, or a call activity.",
    )


def test_boundary_events_take_no_incoming_flows() -> None:
    data = around(service(), boundary(timer("timeDuration", "PT1M")), flow("start", "b", "in"))
    rejected_with(data, "b", "Cannot have incoming sequence flows")


def test_duplicate_error_boundary_events() -> None:
    data = definitions(
        '<bpmn:error id="e" errorCode="E1" />',
        process(
            start(),
            service(),
            boundary('<bpmn:errorEventDefinition errorRef="e" />', element_id="b1"),
            boundary('<bpmn:errorEventDefinition errorRef="e" />', element_id="b2"),
            end(),
            *chain("start", "task", "end"),
        ),
    )
    rejected_with(data, "task", "Multiple error catch events with the same error code 'E1'")


def test_end_event_rules() -> None:
    data = document(
        start(),
        end(
            "e1",
            "<bpmn:timerEventDefinition><bpmn:timeDuration>PT1M</bpmn:timeDuration></bpmn:timerEventDefinition>",
        ),
        end("e2"),
        flow("start", "e1"),
        flow("e1", "e2"),
    )
    rejected_with(data, "e1", "End events must not have outgoing sequence flows to other elements.")
    rejected_with(data, "e1", "End events must be one of")


def test_error_end_event_needs_an_error_with_a_code() -> None:
    data = definitions(
        '<bpmn:error id="e" />',
        process(start(), end("x", '<bpmn:errorEventDefinition errorRef="e" />'), *chain("start", "x")),
    )
    rejected_with(data, "e", "ErrorCode must be present and not empty")
    data = document(start(), end("x", "<bpmn:errorEventDefinition />"), *chain("start", "x"))
    rejected_with(data, "x", "Must reference an error")


def test_error_catch_code_is_not_an_expression() -> None:
    data = definitions(
        '<bpmn:error id="e" errorCode="=code" />',
        process(
            start(),
            service(),
            boundary('<bpmn:errorEventDefinition errorRef="e" />'),
            end(),
            *chain("start", "task", "end"),
        ),
    )
    rejected_with(data, "b", "The errorCode of the error catch event is not allowed to be an expression")


def test_escalation_throw_needs_escalation_and_code() -> None:
    data = around(throw("<bpmn:escalationEventDefinition />"))
    rejected_with(data, "task", "Must reference an escalation")
    data = definitions(
        '<bpmn:escalation id="x" />',
        process(
            start(),
            throw('<bpmn:escalationEventDefinition escalationRef="x" />'),
            end(),
            *chain("start", "task", "end"),
        ),
    )
    rejected_with(data, "x", "EscalationCode must be present and not empty")


def test_signal_rules() -> None:
    rejected_with(around(catch("<bpmn:signalEventDefinition />")), "task", "Must reference a signal")
    data = definitions(
        '<bpmn:signal id="s" />',
        process(
            start(),
            catch('<bpmn:signalEventDefinition signalRef="s" />'),
            end(),
            *chain("start", "task", "end"),
        ),
    )
    rejected_with(data, "s", "Name must be present and not empty")


def test_link_rules() -> None:
    rejected_with(
        around(catch("<bpmn:linkEventDefinition />")), "task", "Link name must be present and not empty."
    )
    data = document(
        start(),
        throw('<bpmn:linkEventDefinition name="go" />', "t"),
        *chain("start", "t"),
    )
    rejected_with(data, "t", "Can't find a catch link event for the throw link event with the name 'go'.")


def test_message_throw_needs_publish_or_job() -> None:
    rejected_with(
        around(throw("<bpmn:messageEventDefinition />")),
        "task",
        "Must have either one 'zeebe:publishMessage'",
    )


def test_start_event_with_two_definitions() -> None:
    data = document(
        start("s", timer("timeDuration", "PT1M") + "<bpmn:messageEventDefinition />"),
        end(),
        *chain("s", "end"),
    )
    rejected_with(data, "s", "Start event can't have more than one type")


def test_conditional_event_without_condition() -> None:
    rejected_with(around(catch("<bpmn:conditionalEventDefinition />")), "task", "Must have a condition")


# -- subprocesses -----------------------------------------------------------------------------


def test_subprocess_needs_one_none_start_event() -> None:
    data = around('<bpmn:subProcess id="task"><bpmn:endEvent id="x" /></bpmn:subProcess>')
    rejected_with(data, "task", "Must have exactly one start event")
    data = around(
        '<bpmn:subProcess id="task"><bpmn:startEvent id="s">'
        + timer("timeDuration", "PT1M")
        + "</bpmn:startEvent></bpmn:subProcess>"
    )
    rejected_with(data, "task", "Start events in subprocesses must be of type none")


def test_event_subprocess_needs_a_typed_start() -> None:
    sub = (
        '<bpmn:subProcess id="es" triggeredByEvent="true"><bpmn:startEvent id="es1" />'
        '<bpmn:endEvent id="es2" /><bpmn:sequenceFlow id="esf" sourceRef="es1" targetRef="es2" />'
        "</bpmn:subProcess>"
    )
    rejected_with(
        document(start(), sub, end(), *chain("start", "end")),
        "es",
        "Start events in event subprocesses must be one of",
    )


def test_ad_hoc_subprocess_rules() -> None:
    data = around('<bpmn:adHocSubProcess id="task"><bpmn:startEvent id="x" /></bpmn:adHocSubProcess>')
    rejected_with(data, "task", "Must not contain a start event.")
    rejected_with(around('<bpmn:adHocSubProcess id="task" />'), "task", "Must have at least one activity.")


# -- tasks and extension elements -------------------------------------------------------------


def test_service_task_without_job_type() -> None:
    rejected_with(
        around('<bpmn:serviceTask id="task" />'),
        "task",
        "Must have exactly one 'zeebe:taskDefinition' extension element",
    )
    data = around(service(job_type=""))
    rejected_with(data, "task", "Attribute 'type' must be present and not empty")


def test_empty_retries() -> None:
    rejected_with(
        around(service().replace('type="work"', 'type="work" retries=""')), "task", "Attribute 'retries'"
    )


@pytest.mark.parametrize(
    ("tag", "extension"),
    [("sendTask", "publishMessage"), ("scriptTask", "script"), ("businessRuleTask", "calledDecision")],
)
def test_tasks_with_two_implementations(tag: str, extension: str) -> None:
    rejected_with(
        around(f'<bpmn:{tag} id="task" />'),
        "task",
        f"Must have either one 'zeebe:{extension}' or one 'zeebe:taskDefinition'",
    )


def test_receive_task_needs_a_message() -> None:
    rejected_with(around('<bpmn:receiveTask id="task" />'), "task", "Must reference a message")


def test_call_activity_needs_called_element() -> None:
    rejected_with(
        around('<bpmn:callActivity id="task" />'), "task", "Must have exactly one 'zeebe:calledElement'"
    )
    data = around(
        '<bpmn:callActivity id="task">' + ext('<zeebe:calledElement processId="" />') + "</bpmn:callActivity>"
    )
    rejected_with(data, "task", "Attribute 'processId' must be present and not empty")


def test_binding_types() -> None:
    data = around(
        '<bpmn:callActivity id="task">'
        + ext('<zeebe:calledElement processId="x" bindingType="newest" />')
        + "</bpmn:callActivity>"
    )
    rejected_with(data, "task", "Attribute 'bindingType' must be one of: latest, deployment, versionTag")


def test_multi_instance_rules() -> None:
    loop = "<bpmn:multiInstanceLoopCharacteristics>{}</bpmn:multiInstanceLoopCharacteristics>"
    rejected_with(
        around(service(body=loop.format(""))), "task", "Must have exactly one 'zeebe:loopCharacteristics'"
    )
    mi = ext('<zeebe:loopCharacteristics inputCollection="items" outputCollection="out" />')
    data = around(service(body=loop.format(mi)))
    rejected_with(data, "task", "Expected expression but found static value 'items'")
    rejected_with(
        data, "task", "Attribute 'outputElement' must be present if the attribute 'outputCollection' is set"
    )


def test_io_mapping_rules() -> None:
    mapping = ext(
        '<zeebe:ioMapping><zeebe:input target="a" /><zeebe:input source="=x" target="1bad" />'
        '<zeebe:output source="static" target="null" /><zeebe:output target="b" /></zeebe:ioMapping>'
    )
    data = around(f'<bpmn:task id="task">{mapping}</bpmn:task>')
    found = [message for element, message in messages(data) if element == "task"]
    # an input without source is valid in 8.8 (its target becomes null); an output needs one
    assert found.count("Expected expression but not found.") == 1
    assert any("'1bad' but doesn't match the pattern" in m for m in found)
    assert any("Expected expression but found static value 'static'" in m for m in found)
    assert any("'null' but is one of the reserved words" in m for m in found)


def test_task_header_rules() -> None:
    headers = ext(
        '<zeebe:taskHeaders><zeebe:header key="a" value="1" /><zeebe:header key="a" value="2" />'
        '<zeebe:header key="io.camunda.zeebe:formKey" value="x" /></zeebe:taskHeaders>'
    )
    data = around(service(body=headers))
    rejected_with(data, "task", "Headers contain duplicate entries for key 'a'")
    rejected_with(data, "task", "header keys starting with 'io.camunda.zeebe:' are reserved")


def test_duplicated_extension_elements() -> None:
    twice = ext("<zeebe:ioMapping /><zeebe:ioMapping />")
    rejected_with(
        around(service(body=twice)),
        "task",
        "Must have exactly one 'zeebe:ioMapping' extension element when exists.",
    )


def test_user_task_rules() -> None:
    form = ext('<zeebe:userTask /><zeebe:formDefinition formKey="x" />')
    rejected_with(around(f'<bpmn:userTask id="task">{form}</bpmn:userTask>'), "task", "for native user tasks")
    form = ext("<zeebe:formDefinition />")
    rejected_with(
        around(f'<bpmn:userTask id="task">{form}</bpmn:userTask>'),
        "task",
        "Exactly one of the attributes 'formId, formKey'",
    )
    assignment = ext('<zeebe:assignmentDefinition candidateGroups="a,,b" />')
    rejected_with(
        around(f'<bpmn:userTask id="task">{assignment}</bpmn:userTask>'),
        "task",
        "be a list of comma-separated values",
    )
    schedule = ext('<zeebe:taskSchedule dueDate="soon" />')
    rejected_with(
        around(f'<bpmn:userTask id="task">{schedule}</bpmn:userTask>'), "task", "be a valid DateTime String"
    )
    priority = ext('<zeebe:userTask /><zeebe:priorityDefinition priority="101" />')
    rejected_with(around(f'<bpmn:userTask id="task">{priority}</bpmn:userTask>'), "task", "between 0 and 100")


def test_listener_rules() -> None:
    listeners = ext(
        '<zeebe:taskListeners><zeebe:taskListener eventType="complete" type="x" /></zeebe:taskListeners>'
    )
    rejected_with(
        around(service(body=listeners)), "task", "Task listeners are only allowed on Camunda user tasks."
    )
    bad = ext(
        "<zeebe:userTask /><zeebe:taskListeners>"
        '<zeebe:taskListener eventType="later" type="x" /></zeebe:taskListeners>'
    )
    rejected_with(
        around(f'<bpmn:userTask id="task">{bad}</bpmn:userTask>'),
        "task",
        "Task listener event type 'later' is not supported",
    )
    duplicate = ext(
        '<zeebe:executionListeners><zeebe:executionListener eventType="end" type="a" />'
        '<zeebe:executionListener eventType="end" type="a" /></zeebe:executionListeners>'
    )
    rejected_with(
        around(service(body=duplicate)), "task", "Found '2' duplicates based on eventType[end] and type[a]"
    )
    start_listener = ext(
        "<zeebe:executionListeners>"
        '<zeebe:executionListener eventType="start" type="a" /></zeebe:executionListeners>'
    )
    rejected_with(
        document(start("s", start_listener), end(), *chain("s", "end")),
        "s",
        "Execution listeners of type 'start' are not supported by start events",
    )


def test_compensation_handler_rules() -> None:
    data = around(service(attrs=' isForCompensation="true"'))
    rejected_with(data, "task", "A compensation handler should have no incoming sequence flows")


def test_straight_through_loops() -> None:
    data = document(
        start(),
        '<bpmn:task id="a" />',
        '<bpmn:exclusiveGateway id="g" default="back" />',
        end(),
        *chain("start", "a", "g"),
        flow("g", "end", "out", "=done"),
        flow("g", "a", "back"),
    )
    rejected_with(
        data, "p", "Processes are not allowed to contain a straight-through processing loop: a > g > a"
    )


def test_loops_with_a_wait_state_are_fine() -> None:
    data = document(
        start(),
        '<bpmn:task id="a" />',
        service("w"),
        '<bpmn:exclusiveGateway id="g" default="back" />',
        end(),
        *chain("start", "a", "w", "g"),
        flow("g", "end", "out", "=done"),
        flow("g", "a", "back"),
    )
    assert problems(data) == []


def test_all_problems_of_a_file_are_reported_together() -> None:
    data = document(
        start(),
        '<bpmn:serviceTask id="t1" />',
        '<bpmn:callActivity id="t2" />',
        catch("<bpmn:timerEventDefinition />", "t3"),
        *chain("start", "t1", "t2", "t3", "nowhere"),
    )
    found = problems(data)
    assert {p.element_id for p in found} >= {"t1", "t2", "t3", "t3-nowhere"}
    assert [p.line for p in found] == sorted(p.line for p in found)
    assert all(str(p).startswith(f"test.bpmn:{p.line}: {p.element_id}: ") for p in found)


def test_boundary_event_attached_across_scopes() -> None:
    sub = (
        '<bpmn:subProcess id="sub"><bpmn:startEvent id="in" />'
        + service("inner")
        + '<bpmn:sequenceFlow id="x" sourceRef="in" targetRef="inner" /></bpmn:subProcess>'
    )
    data = document(
        start(),
        sub,
        boundary(timer("timeDuration", "PT1M"), attached="inner"),
        end(),
        *chain("start", "sub", "end"),
        flow("b", "end"),
    )
    rejected_with(data, "b", "Must be attached to an activity of its own scope, not 'inner'")


def test_compensation_handler_must_be_an_activity() -> None:
    data = around(
        service(),
        boundary("<bpmn:compensateEventDefinition />"),
        '<bpmn:association id="a" sourceRef="b" targetRef="start" />',
    )
    rejected_with(data, "b", "The compensation handler 'start' must be an activity of the same scope")
