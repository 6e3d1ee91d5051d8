"""Errors: thrown by job workers (ThrowError) or error end events, caught by the nearest matching
boundary event or error event subprocess up the scope chain and across call activities; an
uncaught error is an UNHANDLED_ERROR_EVENT incident."""

from strom.engine.state.appliers.job import NO_CATCH_EVENT_FOUND
from strom.protocol.intents import IncidentIntent, JobIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn


def completed(engine: TestEngine, element_id: str) -> bool:
    return (
        engine.records.process_instances()
        .with_element_id(element_id)
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )


def task_with_error_boundaries(*codes: str | None) -> bpmn.ProcessBuilder:
    builder = bpmn.process("pay").start_event().service_task("charge", job_type="charge").end_event("paid")
    for code in codes:
        builder.boundary_event(f"caught_{code or 'all'}", attached_to="charge").error(code)
        builder.end_event(f"after_{code or 'all'}")
    return builder


def throw(engine: TestEngine, code: str, message: str = "", variables: dict | None = None):
    [job] = engine.jobs.activate("charge")
    return engine.jobs.throw_error(job.key, code, message, variables)


def test_a_thrown_error_is_caught_by_a_boundary_event(engine: TestEngine) -> None:
    engine.deploy(task_with_error_boundaries("CARD_DECLINED"))
    instance = engine.instances.create("pay")

    throw(engine, "CARD_DECLINED")

    lifecycle = [
        (r.value.element_id, PI(r.intent).name)
        for r in engine.records.process_instances()
        .events()
        .where(lambda r: r.value.element_id in ("charge", "caught_CARD_DECLINED"))
        .limit(12)
    ]
    assert lifecycle[2:] == [
        ("charge", "ELEMENT_TERMINATING"),
        ("charge", "ELEMENT_TERMINATED"),
        ("caught_CARD_DECLINED", "ELEMENT_ACTIVATING"),
        ("caught_CARD_DECLINED", "ELEMENT_ACTIVATED"),
        ("caught_CARD_DECLINED", "ELEMENT_COMPLETING"),
        ("caught_CARD_DECLINED", "ELEMENT_COMPLETED"),
    ]
    assert completed(engine, "after_CARD_DECLINED")
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_a_caught_error_ends_its_job_without_canceling_it(engine: TestEngine) -> None:
    engine.deploy(task_with_error_boundaries("CARD_DECLINED"))
    engine.instances.create("pay")

    throw(engine, "CARD_DECLINED")

    intents = [JobIntent(r.intent).name for r in engine.records.jobs().limit(10)]
    assert intents == ["CREATED", "THROW_ERROR", "ERROR_THROWN"]


def test_the_code_specific_catch_event_wins_over_the_catch_all(engine: TestEngine) -> None:
    engine.deploy(task_with_error_boundaries(None, "CARD_DECLINED"))
    engine.instances.create("pay")

    throw(engine, "CARD_DECLINED")

    assert completed(engine, "caught_CARD_DECLINED")
    assert not completed(engine, "caught_all")


def test_a_catch_all_event_catches_any_code(engine: TestEngine) -> None:
    engine.deploy(task_with_error_boundaries(None, "CARD_DECLINED"))
    engine.instances.create("pay")

    throw(engine, "TIMEOUT")

    assert completed(engine, "caught_all")


def test_an_uncaught_error_raises_an_incident(engine: TestEngine) -> None:
    engine.deploy(task_with_error_boundaries("CARD_DECLINED"))
    engine.instances.create("pay")

    throw(engine, "TIMEOUT", "gateway timed out")

    thrown = engine.records.jobs().with_intent(JobIntent.ERROR_THROWN).first()
    assert thrown.value.element_id == NO_CATCH_EVENT_FOUND
    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type == "UNHANDLED_ERROR_EVENT"
    assert incident.value.element_id == "charge"
    assert incident.value.job_key == thrown.key
    assert incident.value.error_message == (
        "Expected to throw an error event with the code 'TIMEOUT' with message 'gateway timed out', "
        "but it was not caught. Available error events are [CARD_DECLINED]"
    )


def test_an_error_without_catch_events_names_none(engine: TestEngine, one_task) -> None:
    engine.deploy(one_task)
    engine.instances.create("one_task")
    [job] = engine.jobs.activate("work")

    engine.jobs.throw_error(job.key, "OOPS")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_message == (
        "Expected to throw an error event with the code 'OOPS', but it was not caught. "
        "No error events are available in the scope."
    )


def test_the_thrown_variables_are_local_to_the_error_boundary_event(engine: TestEngine) -> None:
    builder = bpmn.process("pay").start_event().service_task("charge", job_type="charge").end_event("paid")
    builder.boundary_event("declined", attached_to="charge").error("CARD_DECLINED")
    builder.outputs({"declineReason": "=reason"}).end_event("after")
    engine.deploy(builder)
    instance = engine.instances.create("pay")

    throw(engine, "CARD_DECLINED", variables={"reason": "expired", "other": 1})

    boundary = engine.records.process_instances().with_element_id("declined").first()
    local = {
        r.value.name: r.value.value
        for r in engine.records.variables().with_value(scope_key=boundary.key).limit(5)
    }
    assert local == {"errorCode": '"CARD_DECLINED"', "reason": '"expired"', "other": "1"}
    declined = engine.records.variables().with_name("declineReason").first()
    assert (declined.value.scope_key, declined.value.value) == (instance, '"expired"')
    assert not engine.records.variables().with_name("other").with_value(scope_key=instance).exists()


def test_an_error_event_subprocess_catches_an_error_of_the_process(engine: TestEngine) -> None:
    builder = bpmn.process("pay").start_event().service_task("charge", job_type="charge").end_event("paid")
    builder.event_sub_process("error_handler").start_event("on_error").error("CARD_DECLINED")
    builder.end_event("handled").end_sub_process()
    engine.deploy(builder)
    instance = engine.instances.create("pay")

    throw(engine, "CARD_DECLINED")

    assert (
        engine.records.process_instances()
        .with_element_id("charge")
        .with_intent(PI.ELEMENT_TERMINATED)
        .exists()
    )
    assert completed(engine, "handled")
    assert completed(engine, "error_handler")
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_an_error_end_event_is_caught_by_the_subprocess_boundary(engine: TestEngine) -> None:
    content = bpmn.process("x").start_event("inner_start").end_event("fail").error("BROKEN")
    builder = bpmn.process("outer").start_event().sub_process("sub", content=content).end_event("normal_end")
    builder.boundary_event("caught", attached_to="sub").error("BROKEN").end_event("error_end")
    engine.deploy(builder)
    instance = engine.instances.create("outer")

    events = [
        (r.value.element_id, PI(r.intent).name)
        for r in engine.records.process_instances()
        .events()
        .where(lambda r: r.value.element_id in ("fail", "sub", "caught"))
        .limit(20)
    ]
    assert ("fail", "ELEMENT_ACTIVATED") in events
    assert events[events.index(("fail", "ELEMENT_ACTIVATED")) + 1 :] == [
        ("sub", "ELEMENT_TERMINATING"),
        ("fail", "ELEMENT_TERMINATING"),
        ("fail", "ELEMENT_TERMINATED"),
        ("sub", "ELEMENT_TERMINATED"),
        ("caught", "ELEMENT_ACTIVATING"),
        ("caught", "ELEMENT_ACTIVATED"),
        ("caught", "ELEMENT_COMPLETING"),
        ("caught", "ELEMENT_COMPLETED"),
    ]
    assert completed(engine, "error_end")
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_an_error_code_expression_on_an_end_event(engine: TestEngine) -> None:
    content = bpmn.process("x").start_event("inner_start").end_event("fail").error("=code")
    builder = bpmn.process("outer").start_event().sub_process("sub", content=content).end_event("normal_end")
    builder.boundary_event("caught", attached_to="sub").error("E-42").end_event("error_end")
    engine.deploy(builder)

    engine.instances.create("outer", {"code": "E-42"})

    assert completed(engine, "error_end")


def test_an_uncaught_error_end_event_raises_an_incident_on_the_end_event(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("fails").start_event().end_event("fail").error("X"))

    instance = engine.instances.create("fails")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert (incident.value.element_id, incident.value.process_instance_key) == ("fail", instance)
    assert incident.value.error_type == "UNHANDLED_ERROR_EVENT"
    assert incident.value.error_message == (
        "Expected to throw an error event with the code 'X', but it was not caught. "
        "No error events are available in the scope."
    )


def test_an_error_of_a_called_process_is_caught_by_the_call_activity(engine: TestEngine) -> None:
    child = bpmn.process("child").start_event().service_task("charge", job_type="charge").end_event()
    parent = bpmn.process("parent").start_event().call_activity("call", called_process_id="child").end_event()
    parent.boundary_event("caught", attached_to="call").error("CARD_DECLINED").end_event("error_end")
    engine.deploy(child, parent)
    instance = engine.instances.create("parent")

    throw(engine, "CARD_DECLINED")

    child_process = (
        engine.records.process_instances().with_element_id("child").with_intent(PI.ELEMENT_TERMINATED)
    )
    assert child_process.exists()
    assert completed(engine, "error_end")
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_the_error_code_and_message_reach_an_error_event_subprocess(engine: TestEngine) -> None:
    builder = bpmn.process("pay").start_event().service_task("charge", job_type="charge").end_event("paid")
    builder.event_sub_process("error_handler").start_event("on_error").error()
    builder.service_task("report", job_type="report").end_event("reported").end_sub_process()
    engine.deploy(builder)
    engine.instances.create("pay")

    throw(engine, "CARD_DECLINED", "expired card")

    [report] = engine.jobs.activate("report")
    assert (report.variables["errorCode"], report.variables["errorMessage"]) == (
        "CARD_DECLINED",
        "expired card",
    )
