"""Variables set on a user task's own scope go through the task's ``updating`` listeners, as in
Zeebe 8.8: they are written only once the listeners are done, a denial drops them, and the
request is answered when the transition ends. Other scopes, and tasks without such listeners,
take variables at once."""

from __future__ import annotations

from typing import Any

from _held import submit

from strom.protocol.enums import RecordType, RejectionType, ValueType
from strom.protocol.intents import JobIntent, UserTaskIntent, VariableDocumentIntent, VariableIntent
from strom.protocol.record import Record
from strom.protocol.records import VariableDocumentRecord
from strom.protocol.values.enums import JobListenerEventType, VariableDocumentUpdateSemantic
from strom.protocol.values.job import JobRecordValue, JobResultValue
from strom.protocol.values.variable import VariableDocumentRecordValue
from strom.testing import TestEngine, bpmn


def _deploy(engine: TestEngine, *pairs: tuple[str, str]) -> int:
    builder = bpmn.process("review").start_event().user_task("approve")
    for event_type, job_type in pairs:
        builder.task_listener(event_type, job_type)
    engine.deploy(builder.end_event())
    return int(engine.instances.create("review", {"status": "new"}))


def _task(engine: TestEngine) -> Record[Any]:
    return engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).first()


def _set(engine: TestEngine, scope_key: int, local: bool = True, **variables: Any) -> list[Record[Any]]:
    """SetVariables without waiting for its answer; the list fills when it comes."""
    answers: list[Record[Any]] = []
    semantics = VariableDocumentUpdateSemantic.LOCAL if local else VariableDocumentUpdateSemantic.PROPAGATE
    command = VariableDocumentRecord(
        key=-1,
        record_type=RecordType.COMMAND,
        intent=VariableDocumentIntent.UPDATE,
        value=VariableDocumentRecordValue(
            scope_key=scope_key, variables=variables, update_semantics=semantics
        ),
        authorizations=dict(engine.client.caller),
    )
    engine.partition.submit(command, answers.append)
    engine.run()
    return answers


def _complete_listener(engine: TestEngine, job_type: str, **result: Any) -> None:
    [job] = engine.jobs.activate(job_type)
    engine.send(JobRecordValue(result=JobResultValue(**result)), JobIntent.COMPLETE, job.key)


def _written(engine: TestEngine, name: str) -> list[tuple[int, str]]:
    """Where and what ``name`` was written (VARIABLE CREATED / UPDATED)."""
    return [(r.value.scope_key, r.value.value) for r in engine.records.variables().with_name(name).limit(100)]


def _trail(engine: TestEngine) -> list[tuple[ValueType, int]]:
    """The USER_TASK, VARIABLE_DOCUMENT and VARIABLE events, in log order."""
    kinds = (ValueType.USER_TASK, ValueType.VARIABLE_DOCUMENT, ValueType.VARIABLE)
    records = engine.records.all().events().where(lambda r: r.value_type in kinds).limit(1000)
    return [(r.value_type, r.intent) for r in records]


def test_variables_set_on_the_task_wait_for_its_updating_listener(engine: TestEngine) -> None:
    _deploy(engine, ("updating", "audit"))
    task = _task(engine)
    scope = task.value.element_instance_key

    answers = _set(engine, scope, decision="approved")

    assert answers == []
    assert _written(engine, "decision") == []
    updating = engine.records.user_tasks().with_intent(UserTaskIntent.UPDATING).first()
    assert (updating.value.changed_attributes, updating.value.variables) == (
        ["variables"],
        {"decision": "approved"},
    )
    assert engine.records.variable_documents().with_intent(VariableDocumentIntent.UPDATING).exists()
    [job] = engine.jobs.activate("audit")
    assert job.record.job_listener_event_type is JobListenerEventType.UPDATING
    assert job.record.custom_headers["io.camunda.zeebe:changedAttributes"] == '["variables"]'
    engine.jobs.complete(job.key)

    assert _written(engine, "decision") == [(scope, '"approved"')]
    assert _trail(engine)[-5:] == [
        (ValueType.VARIABLE_DOCUMENT, VariableDocumentIntent.UPDATING),
        (ValueType.USER_TASK, UserTaskIntent.UPDATING),
        (ValueType.VARIABLE, VariableIntent.CREATED),
        (ValueType.USER_TASK, UserTaskIntent.UPDATED),
        (ValueType.VARIABLE_DOCUMENT, VariableDocumentIntent.UPDATED),
    ]
    updated = engine.records.user_tasks().with_intent(UserTaskIntent.UPDATED).first()
    assert (updated.value.changed_attributes, updated.value.variables) == (
        ["variables"],
        {"decision": "approved"},
    )
    [answer] = answers
    assert (answer.value_type, answer.intent, answer.record_type) == (
        ValueType.VARIABLE_DOCUMENT,
        VariableDocumentIntent.UPDATED,
        RecordType.EVENT,
    )
    assert answer.value.variables == {"decision": "approved"}


def test_each_updating_listener_runs_before_the_variables_are_written(engine: TestEngine) -> None:
    _deploy(engine, ("updating", "first"), ("updating", "second"))
    scope = _task(engine).value.element_instance_key
    answers = _set(engine, scope, status="checked")

    _complete_listener(engine, "first")
    assert (answers, _written(engine, "status")[1:]) == ([], [])

    _complete_listener(engine, "second")
    assert _written(engine, "status")[1:] == [(scope, '"checked"')]
    assert [a.intent for a in answers] == [VariableDocumentIntent.UPDATED]


def test_a_denied_variable_update_writes_nothing_and_is_rejected(engine: TestEngine) -> None:
    _deploy(engine, ("updating", "audit"))
    task = _task(engine)
    scope = task.value.element_instance_key
    answers = _set(engine, scope, decision="approved")

    _complete_listener(engine, "audit", denied=True, denied_reason="too early")

    assert _written(engine, "decision") == []
    assert _trail(engine)[-2:] == [
        (ValueType.USER_TASK, UserTaskIntent.UPDATE_DENIED),
        (ValueType.VARIABLE_DOCUMENT, VariableDocumentIntent.UPDATE_DENIED),
    ]
    [rejection] = answers
    assert (rejection.value_type, rejection.intent, rejection.rejection_type, rejection.rejection_reason) == (
        ValueType.VARIABLE_DOCUMENT,
        VariableDocumentIntent.UPDATE,
        RejectionType.INVALID_STATE,
        f"Variable update for user task instance with key '{scope}' was denied by Task Listener. "
        "Reason to deny: 'too early'",
    )
    # the task is back in CREATED: the next update goes through the listener again
    again = _set(engine, scope, decision="rejected")
    _complete_listener(engine, "audit")
    assert _written(engine, "decision") == [(scope, '"rejected"')]
    assert [a.intent for a in again] == [VariableDocumentIntent.UPDATED]


def test_variables_on_the_process_instance_do_not_trigger_the_listeners(engine: TestEngine) -> None:
    instance_key = _deploy(engine, ("updating", "audit"))

    answers = _set(engine, instance_key, decision="approved")

    assert [a.intent for a in answers] == [VariableDocumentIntent.UPDATED]
    assert _written(engine, "decision") == [(instance_key, '"approved"')]
    assert not engine.records.user_tasks().with_intent(UserTaskIntent.UPDATING).exists()
    assert not engine.records.variable_documents().with_intent(VariableDocumentIntent.UPDATING).exists()


def test_propagated_variables_on_the_task_scope_do_not_trigger_the_listeners(engine: TestEngine) -> None:
    instance_key = _deploy(engine, ("updating", "audit"))
    scope = _task(engine).value.element_instance_key

    answers = _set(engine, scope, local=False, decision="approved")

    assert [a.intent for a in answers] == [VariableDocumentIntent.UPDATED]
    assert _written(engine, "decision") == [(instance_key, '"approved"')]
    assert not engine.records.user_tasks().with_intent(UserTaskIntent.UPDATING).exists()


def test_a_task_without_updating_listeners_takes_the_variables_at_once(engine: TestEngine) -> None:
    _deploy(engine, ("completing", "check"))
    scope = _task(engine).value.element_instance_key

    answers = _set(engine, scope, decision="approved")

    assert [a.intent for a in answers] == [VariableDocumentIntent.UPDATED]
    assert _trail(engine)[-2:] == [
        (ValueType.VARIABLE, VariableIntent.CREATED),
        (ValueType.VARIABLE_DOCUMENT, VariableDocumentIntent.UPDATED),
    ]
    assert not engine.records.user_tasks().with_intent(UserTaskIntent.UPDATING).exists()


def test_variables_on_a_task_in_another_transition_are_refused(engine: TestEngine) -> None:
    _deploy(engine, ("updating", "audit"), ("assigning", "gate"))
    task = _task(engine)
    scope = task.value.element_instance_key
    submit(engine, UserTaskIntent.ASSIGN, task.key, assignee="ann")

    [rejection] = _set(engine, scope, decision="approved")

    assert (rejection.rejection_type, rejection.rejection_reason) == (
        RejectionType.INVALID_STATE,
        f"Expected to trigger update transition for user task with key '{task.key}', but it is in "
        "state 'ASSIGNING'",
    )
    assert _written(engine, "decision") == []


def test_canceling_the_task_answers_the_held_variable_update(engine: TestEngine) -> None:
    instance_key = _deploy(engine, ("updating", "audit"))
    scope = _task(engine).value.element_instance_key
    answers = _set(engine, scope, decision="approved")

    engine.instances.cancel(instance_key)

    [rejection] = answers
    assert (rejection.value_type, rejection.rejection_type, rejection.rejection_reason) == (
        ValueType.VARIABLE_DOCUMENT,
        RejectionType.INVALID_STATE,
        "user task was canceled during ongoing transition",
    )
    assert _written(engine, "decision") == []
