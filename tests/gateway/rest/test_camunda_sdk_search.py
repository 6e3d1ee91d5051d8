"""Searches with Camunda's Python client: what a user looks for after starting instances —
instances by process and variable, paging and sorting, incidents to fix, variables, user tasks."""

from __future__ import annotations

from typing import Any

import pytest
from broker_process import BrokerProcess
from camunda_orchestration_sdk import CamundaClient, ProcessCreationById
from camunda_orchestration_sdk.models import (
    IncidentSearchQuery,
    JobActivationRequest,
    JobFailRequest,
    JobUpdateRequest,
    ProcessInstanceCreationInstructionBaseVariables,
    ProcessInstanceSearchQuery,
    UserTaskAssignmentRequest,
    UserTaskSearchQuery,
    VariableSearchQuery,
)
from camunda_orchestration_sdk.runtime.eventual import ConsistencyOptions

pytestmark = pytest.mark.slow

Variables = ProcessInstanceCreationInstructionBaseVariables


def _until(predicate: Any, wait_ms: int = 10_000) -> ConsistencyOptions:
    return ConsistencyOptions(wait_up_to_ms=wait_ms, poll_interval_ms=50, predicate=predicate)


def _create(client: CamundaClient, process_id: str, variables: dict[str, Any] | None = None) -> str:
    data = ProcessCreationById(process_definition_id=process_id)
    if variables is not None:
        data = ProcessCreationById(process_definition_id=process_id, variables=Variables.from_dict(variables))
    return str(client.create_process_instance(data=data).process_instance_key)


def test_instances_are_found_by_process_and_variable_and_paged_in_order(client: CamundaClient) -> None:
    keys = [_create(client, "review", {"batch": "paging", "n": n}) for n in range(7)]
    query = {
        "filter": {"processDefinitionId": "review", "state": "ACTIVE"},
        "sort": [{"field": "processInstanceKey"}],
    }
    found = client.search_process_instances(
        data=ProcessInstanceSearchQuery.from_dict({**query, "page": {"limit": 1000}}),
        consistency=_until(lambda result: set(keys) <= {i.process_instance_key for i in result.items}),
    )
    assert found.page.total_items >= 7

    seen: list[str] = []
    page: dict[str, Any] = {"limit": 3}
    while True:
        result = client.search_process_instances(
            data=ProcessInstanceSearchQuery.from_dict({**query, "page": page})
        )
        seen.extend(i.process_instance_key for i in result.items)
        if len(result.items) < 3:
            break
        page = {"limit": 3, "after": result.page.end_cursor}
    assert seen == sorted(seen, key=int) and len(seen) == len(set(seen)) == found.page.total_items
    assert set(keys) <= set(seen)

    by_variable = client.search_process_instances(
        data=ProcessInstanceSearchQuery.from_dict(
            {"filter": {"variables": [{"name": "n", "value": "4"}], "processDefinitionId": "review"}}
        )
    )
    assert [i.process_instance_key for i in by_variable.items] == [keys[4]]

    newest_first = client.search_process_instances(
        data=ProcessInstanceSearchQuery.from_dict(
            {**query, "sort": [{"field": "startDate", "order": "DESC"}], "page": {"limit": 2}}
        )
    )
    assert [i.process_instance_key for i in newest_first.items] == [keys[6], keys[5]]


def test_an_incident_is_found_retried_and_resolved_and_the_instance_completes(
    client: CamundaClient, rest_broker: BrokerProcess
) -> None:
    instance = _create(client, "one_task", {"n": 1})
    [job] = client.activate_jobs(
        data=JobActivationRequest(
            type_="rest-work", timeout=60_000, max_jobs_to_activate=1, request_timeout=5_000
        )
    ).jobs
    client.fail_job(
        job.job_key,
        data=JobFailRequest(retries=0, error_message="the printer is on fire"),
    )

    incidents = client.search_incidents(
        data=IncidentSearchQuery.from_dict({"filter": {"processInstanceKey": instance, "state": "ACTIVE"}}),
        consistency=_until(lambda result: len(result.items) == 1),
    )
    [incident] = incidents.items
    assert incident.error_message == "the printer is on fire"
    assert str(incident.error_type) == "JOB_NO_RETRIES"
    assert incident.job_key == job.job_key

    client.update_job(job.job_key, data=JobUpdateRequest.from_dict({"changeset": {"retries": 1}}))
    client.resolve_incident(incident.incident_key)
    [again] = client.activate_jobs(
        data=JobActivationRequest(
            type_="rest-work", timeout=60_000, max_jobs_to_activate=1, request_timeout=5_000
        )
    ).jobs
    client.complete_job(again.job_key)

    finished = client.search_process_instances(
        data=ProcessInstanceSearchQuery.from_dict({"filter": {"processInstanceKey": instance}}),
        consistency=_until(lambda result: result.items and str(result.items[0].state) == "COMPLETED"),
    )
    assert finished.items[0].has_incident is False
    resolved = client.search_incidents(
        data=IncidentSearchQuery.from_dict({"filter": {"processInstanceKey": instance}}),
        consistency=_until(lambda result: result.items and str(result.items[0].state) == "RESOLVED"),
    )
    assert len(resolved.items) == 1


def test_variables_of_an_instance_are_searchable_by_name(client: CamundaClient) -> None:
    instance = _create(client, "review", {"customer": {"name": "Ann"}, "total": 99.5})

    result = client.search_variables(
        data=VariableSearchQuery.from_dict({"filter": {"processInstanceKey": instance}}),
        consistency=_until(lambda result: len(result.items) == 2),
    )

    assert {v.name: v.value for v in result.items} == {"customer": '{"name":"Ann"}', "total": "99.5"}


def test_user_tasks_are_found_assigned_and_found_again_by_assignee(client: CamundaClient) -> None:
    instance = _create(client, "review")
    [task] = client.search_user_tasks(
        data=UserTaskSearchQuery.from_dict({"filter": {"processInstanceKey": instance}}),
        consistency=_until(lambda result: len(result.items) == 1),
    ).items
    assert (str(task.state), task.element_id) == ("CREATED", "approve")

    client.assign_user_task(task.user_task_key, data=UserTaskAssignmentRequest(assignee="bob"))

    mine = client.search_user_tasks(
        data=UserTaskSearchQuery.from_dict({"filter": {"assignee": "bob", "processInstanceKey": instance}}),
        consistency=_until(lambda result: len(result.items) == 1),
    )
    assert mine.items[0].user_task_key == task.user_task_key
