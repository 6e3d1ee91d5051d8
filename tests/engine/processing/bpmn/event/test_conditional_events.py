"""Conditional events: a condition over variables, evaluated when the event's scope activates and
whenever a visible variable is created or updated (narrowed by variableNames/variableEvents)."""

import pytest

from strom.protocol.intents import JobIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn


def completed(engine: TestEngine, element_id: str) -> bool:
    return (
        engine.records.process_instances()
        .with_element_id(element_id)
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )


def test_a_conditional_catch_event_waits_until_its_condition_holds(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("wait_until")
        .start_event()
        .intermediate_catch_event("stock_ok")
        .conditional("=stock > 10")
        .end_event("end")
    )
    instance = engine.instances.create("wait_until", {"stock": 3})
    assert not completed(engine, "stock_ok")

    engine.variables.set(instance, {"stock": 5})
    assert not completed(engine, "stock_ok")
    engine.variables.set(instance, {"stock": 20})

    assert completed(engine, "stock_ok")
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_a_condition_already_true_triggers_at_once(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("wait_until")
        .start_event()
        .intermediate_catch_event("stock_ok")
        .conditional("=stock > 10")
        .end_event("end")
    )

    instance = engine.instances.create("wait_until", {"stock": 30})

    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


@pytest.mark.parametrize("interrupting", [True, False])
def test_a_conditional_boundary_event(engine: TestEngine, interrupting: bool) -> None:
    builder = (
        bpmn.process("approval").start_event().service_task("review", job_type="review").end_event("reviewed")
    )
    builder.boundary_event("changed", attached_to="review", interrupting=interrupting).conditional(
        "=changed = true"
    )
    builder.end_event("after_change")
    engine.deploy(builder)
    instance = engine.instances.create("approval", {"changed": False})

    engine.variables.set(instance, {"changed": True})

    assert completed(engine, "after_change")
    assert engine.records.jobs().with_intent(JobIntent.CANCELED).exists() is interrupting


def test_a_conditional_event_subprocess(engine: TestEngine) -> None:
    builder = bpmn.process("order").start_event().service_task("work", job_type="work").end_event("done")
    builder.event_sub_process("cancel_handler").start_event("canceled").conditional("=canceled")
    builder.end_event("handled").end_sub_process()
    engine.deploy(builder)
    instance = engine.instances.create("order", {"canceled": False})

    engine.variables.set(instance, {"canceled": True})

    assert completed(engine, "handled")
    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_COMPLETED).exists()


def test_the_variable_filter_narrows_what_is_reevaluated(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("filtered")
        .start_event()
        .intermediate_catch_event("ready")
        .conditional("=a and b", variable_names="b", variable_events="update")
        .end_event("end")
    )
    instance = engine.instances.create("filtered", {"a": False, "b": False})

    engine.variables.set(instance, {"b": True})
    assert not completed(engine, "ready")
    engine.variables.set(instance, {"a": True})  # not a watched variable
    assert not completed(engine, "ready")
    engine.variables.set(instance, {"b": False})
    engine.variables.set(instance, {"b": True})

    assert completed(engine, "ready")


def test_a_variable_of_another_branch_is_not_visible(engine: TestEngine) -> None:
    inner = (
        bpmn.process("x")
        .start_event("inner_start")
        .service_task("work", job_type="work")
        .end_event("inner_end")
    )
    builder = bpmn.process("scoped").start_event().parallel_gateway("fork")
    builder.sub_process("sub", content=inner).end_event("sub_end")
    builder.move_to("fork").intermediate_catch_event("flag_set").conditional("=flag = true").end_event("end")
    engine.deploy(builder)
    engine.instances.create("scoped")
    sub = engine.records.process_instances().with_element_id("sub").with_intent(PI.ELEMENT_ACTIVATED).first()

    engine.variables.set(sub.key, {"flag": True}, local=True)

    assert not completed(engine, "flag_set")
