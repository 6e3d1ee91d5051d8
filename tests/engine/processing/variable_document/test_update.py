"""SetVariables: local or propagated updates of a scope's variables."""

from strom.protocol.enums import RejectionType
from strom.protocol.intents import VariableDocumentIntent, VariableIntent
from strom.testing import TestEngine, bpmn


def _task_instance(engine: TestEngine) -> tuple[int, int]:
    engine.deploy(
        bpmn.process("p")
        .start_event()
        .service_task("task", job_type="work", inputs={"local": "=1"})
        .end_event()
    )
    instance = engine.instances.create("p", {"shared": "old"})
    [job] = engine.jobs.activate("work")
    return instance, job.element_instance_key


def test_propagated_variables_update_the_scope_that_has_them_else_the_root(engine: TestEngine) -> None:
    instance, task = _task_instance(engine)

    engine.variables.set(task, {"shared": "new", "local": 2, "fresh": True})

    document = engine.records.variable_documents().with_intent(VariableDocumentIntent.UPDATED).first()
    written = {
        r.value.name: (VariableIntent(r.intent).name, r.value.scope_key, r.value.value)
        for r in engine.records.variables()
        .where(lambda r: r.source_record_position == document.source_record_position)
        .limit(10)
    }
    assert written == {
        "shared": ("UPDATED", instance, '"new"'),
        "local": ("UPDATED", task, "2"),
        "fresh": ("CREATED", instance, "true"),
    }


def test_local_variables_stay_in_the_given_scope(engine: TestEngine) -> None:
    instance, task = _task_instance(engine)

    engine.variables.set(task, {"shared": "mine"}, local=True)

    created = engine.records.variables().with_name("shared").with_intent(VariableIntent.CREATED).limit(2)
    assert [(r.value.scope_key, r.value.value) for r in created] == [(instance, '"old"'), (task, '"mine"')]
    assert not engine.records.variables().with_name("shared").with_intent(VariableIntent.UPDATED).exists()


def test_setting_an_unchanged_value_writes_no_variable_event(engine: TestEngine) -> None:
    instance, _ = _task_instance(engine)

    engine.variables.set(instance, {"shared": "old"})

    assert engine.records.variable_documents().with_intent(VariableDocumentIntent.UPDATED).exists()
    assert not engine.records.variables().with_intent(VariableIntent.UPDATED).exists()


def test_setting_variables_of_an_unknown_scope_is_rejected(engine: TestEngine) -> None:
    rejection = engine.variables.set(99, {"a": 1}, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == (
        "Expected to update variables for element with key '99', but no such element was found"
    )
