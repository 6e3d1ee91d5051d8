"""User tasks: Camunda user tasks as USER_TASK records, or job-based ones."""

from __future__ import annotations

from typing import Any

from _execution import completed, element_key, lifecycle, user_task_command

from strom.model.elements import USER_TASK_JOB_TYPE
from strom.protocol.intents import IncidentIntent, UserTaskIntent, VariableIntent
from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, bpmn


def _task(process_id: str = "review", **options: Any) -> bpmn.ProcessBuilder:
    """start -> Camunda user task ``approve`` (``options`` as for ``user_task``) -> end."""
    return bpmn.process(process_id).start_event().user_task("approve", **options).end_event()


def _intents(engine: TestEngine, limit: int = 10) -> list[str]:
    return [UserTaskIntent(r.intent).name for r in engine.records.user_tasks().events().limit(limit)]


def test_a_camunda_user_task_is_created_with_its_attributes(engine: TestEngine) -> None:
    engine.deploy(
        _task(
            candidate_groups="sales, managers",
            candidate_users='=["ann"]',
            due_date="2026-02-01T10:00:00Z",
            follow_up_date='=date and time("2026-01-20T08:30:00+01:00")',
            priority="80",
        )
    )

    instance = engine.instances.create("review")

    assert _intents(engine) == ["CREATING", "CREATED"]
    created = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).first()
    task = created.value
    assert task.user_task_key == created.key
    assert task.candidate_groups_list == ["sales", "managers"]
    assert task.candidate_users_list == ["ann"]
    assert (task.due_date, task.follow_up_date) == ("2026-02-01T10:00Z", "2026-01-20T08:30+01:00")
    assert task.priority == 80
    assert (task.element_instance_key, task.process_instance_key) == (
        element_key(engine, "approve"),
        instance,
    )
    assert lifecycle(engine, "approve") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]


def test_a_task_with_an_assignee_is_assigned_after_it_is_created(engine: TestEngine) -> None:
    engine.deploy(_task(assignee="=owner"))

    engine.instances.create("review", {"owner": "ann"})

    assert _intents(engine) == ["CREATING", "CREATED", "ASSIGNING", "ASSIGNED"]
    creating, created, _, assigned = engine.records.user_tasks().limit(4)
    assert (creating.value.assignee, created.value.assignee, assigned.value.assignee) == ("ann", "", "ann")
    assert assigned.value.changed_attributes == ["assignee"]


def test_completing_the_task_completes_the_element_with_its_variables(engine: TestEngine) -> None:
    engine.deploy(_task())
    instance = engine.instances.create("review")
    created = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).first()

    answer = user_task_command(engine, UserTaskIntent.COMPLETE, created.key, variables={"approved": True})

    assert UserTaskIntent(answer.intent) is UserTaskIntent.COMPLETED
    assert _intents(engine) == ["CREATING", "CREATED", "COMPLETING", "COMPLETED"]
    approved = engine.records.variables().with_name("approved").first()
    assert approved.value.scope_key == instance
    assert completed(engine, instance)


def test_with_output_mappings_the_completion_variables_are_local(engine: TestEngine) -> None:
    engine.deploy(_task(outputs={"decision": "=approved"}))
    instance = engine.instances.create("review")
    created = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).first()

    user_task_command(engine, UserTaskIntent.COMPLETE, created.key, variables={"approved": False})

    approved = engine.records.variables().with_name("approved").first()
    decision = engine.records.variables().with_name("decision").with_intent(VariableIntent.CREATED).first()
    assert approved.value.scope_key == created.value.element_instance_key
    assert (decision.value.scope_key, decision.value.value) == (instance, "false")


def test_terminating_the_element_cancels_the_task(engine: TestEngine) -> None:
    engine.deploy(_task())
    instance = engine.instances.create("review")

    engine.instances.cancel(instance)

    assert _intents(engine) == ["CREATING", "CREATED", "CANCELING", "CANCELED"]
    assert lifecycle(engine, "approve")[-1] == "ELEMENT_TERMINATED"


def test_a_priority_out_of_range_is_an_incident(engine: TestEngine) -> None:
    engine.deploy(_task(priority="=p"))

    engine.instances.create("review", {"p": 101})

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.EXTRACT_VALUE_ERROR
    assert incident.value.error_message == "Expected priority to be in the range [0,100] but was '101'."


def test_a_linked_form_that_is_not_deployed_is_a_form_not_found_incident(engine: TestEngine) -> None:
    engine.deploy(_task(form_id="approval-form"))

    engine.instances.create("review")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.FORM_NOT_FOUND


def test_a_linked_form_gives_the_task_its_form_key(engine: TestEngine) -> None:
    deployment = engine.deploy(
        ("approval.form", b'{"id": "approval-form", "components": []}'),
        _task(form_id="approval-form"),
    )
    [form] = deployment.value.form_metadata

    engine.instances.create("review")

    created = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).first()
    assert created.value.form_key == form.form_key


def test_a_user_task_without_the_marker_is_a_job_for_the_tasklist_worker(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("legacy").start_event().user_task("approve", job_worker=True).end_event())
    instance = engine.instances.create("legacy")

    [job] = engine.jobs.activate(USER_TASK_JOB_TYPE)
    engine.jobs.complete(job.key)

    assert not engine.records.user_tasks().exists()
    assert completed(engine, instance)
