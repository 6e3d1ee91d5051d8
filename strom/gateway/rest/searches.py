"""Searches and reads, served from the secondary storage (``strom.search``), eventually consistent.

Each search takes Camunda's request (``filter``, ``sort``, ``page``) and answers ``{items, page}``.
Without secondary storage every search answers 403 with a problem detail that says so, as Camunda
does when no secondary storage is configured. With authorizations on, a caller sees only what it
may read (``strom.gateway.auth.permissions``); a get of something else answers 403.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.auth.permissions import READS, read_restriction
from strom.gateway.rest.context import RestContext, json_response, key
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import Problem, not_found
from strom.search import NotPermittedError, SearchError, SearchStore

operations = Operations("Search")
_EVALUATED_DECISION = re.compile(r"[1-9][0-9]{0,18}-[1-9][0-9]{0,4}")


class SortField(Body):
    field: str
    order: str = "ASC"


class SearchRequest(Body):
    """Camunda's search request; ``filter`` fields and operators are checked by the store."""

    filter: dict[str, Any] | None = None
    sort: list[SortField] | None = None
    page: dict[str, Any] | None = None


def _store(request: Request) -> SearchStore:
    context: RestContext = request.app.state.context
    if context.search is None:
        raise Problem(
            403,
            "FORBIDDEN",
            "This broker runs without secondary storage, so searches are not available; start it "
            "with secondary storage (the default: SQLite in the data directory) to use them",
        )
    store: SearchStore = context.search
    return store


async def _search(request: Request, entity: str, body: SearchRequest, **fixed: Any) -> dict[str, Any]:
    store = _store(request)
    query: dict[str, Any] = {"filter": {**(body.filter or {}), **fixed}}
    if body.sort is not None:
        query["sort"] = msgspec.to_builtins(body.sort)
    if body.page is not None:
        query["page"] = body.page
    restriction = await read_restriction(request, entity)
    try:
        result: dict[str, Any] = await run_in_threadpool(store.search, entity, query, restriction)
    except SearchError as error:
        raise Problem(400, error.title, error.detail) from None
    return result


async def _get(request: Request, entity: str, key_text: str, field: str, name: str) -> dict[str, Any]:
    store = _store(request)
    # A decision instance's key is "<evaluation key>-<n>" (one per decision of an evaluation).
    instance_of_evaluation = entity == "decisionInstance" and _EVALUATED_DECISION.fullmatch(key_text)
    lookup: int | str = key_text if instance_of_evaluation else key(key_text, field)
    restriction = await read_restriction(request, entity)
    try:
        item: dict[str, Any] | None = await run_in_threadpool(store.get, entity, lookup, restriction)
    except NotPermittedError:
        resource_type, permission, _ = READS[entity]
        raise Problem(
            403,
            "FORBIDDEN",
            f"Insufficient permissions to perform operation '{permission}' on resource '{resource_type}'",
        ) from None
    if item is None:
        raise not_found(f"{name} with key '{key_text}' not found")
    return item


async def _xml(request: Request, method: str, entity: str, key_text: str, field: str, name: str) -> Response:
    """The XML of the ``entity`` with this key, if the caller may read that entity (as a get)."""
    await _get(request, entity, key_text, field, name)
    store = _store(request)
    xml: str | None = await run_in_threadpool(getattr(store, method), key(key_text, field))
    if xml is None:
        raise not_found(f"{name} with key '{key_text}' not found")
    return Response(xml, media_type="text/xml")


def _search_and_get(path: str, entity: str, field: str, tag: str, search_id: str, get_id: str) -> None:
    async def search(request: Request, body: SearchRequest) -> Response:
        return json_response(await _search(request, entity, body))

    async def get(request: Request, key_text: str) -> Response:
        return json_response(await _get(request, entity, key_text, field, tag))

    search.__name__, get.__name__ = search_id, get_id
    operations.post(f"{path}/search", search_id, f"Search {tag.lower()}s", body=SearchRequest, tag=tag)(
        search
    )
    operations.get(f"{path}/{{{field}}}", get_id, f"Get a {tag.lower()} by key", tag=tag)(get)


for _path, _entity, _field, _tag, _search_id, _get_id in (
    (
        "/process-definitions",
        "processDefinition",
        "processDefinitionKey",
        "Process definition",
        "searchProcessDefinitions",
        "getProcessDefinition",
    ),
    (
        "/process-instances",
        "processInstance",
        "processInstanceKey",
        "Process instance",
        "searchProcessInstances",
        "getProcessInstance",
    ),
    (
        "/element-instances",
        "elementInstance",
        "elementInstanceKey",
        "Element instance",
        "searchElementInstances",
        "getElementInstance",
    ),
    ("/variables", "variable", "variableKey", "Variable", "searchVariables", "getVariable"),
    ("/incidents", "incident", "incidentKey", "Incident", "searchIncidents", "getIncident"),
    ("/user-tasks", "userTask", "userTaskKey", "User task", "searchUserTasks", "getUserTask"),
    (
        "/decision-definitions",
        "decisionDefinition",
        "decisionDefinitionKey",
        "Decision definition",
        "searchDecisionDefinitions",
        "getDecisionDefinition",
    ),
    (
        "/decision-requirements",
        "decisionRequirements",
        "decisionRequirementsKey",
        "Decision requirements",
        "searchDecisionRequirements",
        "getDecisionRequirements",
    ),
    (
        "/decision-instances",
        "decisionInstance",
        "decisionEvaluationInstanceKey",
        "Decision instance",
        "searchDecisionInstances",
        "getDecisionInstance",
    ),
):
    _search_and_get(_path, _entity, _field, _tag, _search_id, _get_id)


@operations.post("/jobs/search", "searchJobs", "Search jobs", body=SearchRequest, tag="Job")
async def search_jobs(request: Request, body: SearchRequest) -> Response:
    return json_response(await _search(request, "job", body))


@operations.post(
    "/message-subscriptions/search",
    "searchMessageSubscriptions",
    "Search message subscriptions",
    body=SearchRequest,
    tag="Message subscription",
)
async def search_message_subscriptions(request: Request, body: SearchRequest) -> Response:
    return json_response(await _search(request, "messageSubscription", body))


@operations.get(
    "/process-definitions/{processDefinitionKey}/xml",
    "getProcessDefinitionXML",
    "The BPMN XML of a process definition",
    tag="Process definition",
)
async def process_definition_xml(request: Request, processDefinitionKey: str) -> Response:
    return await _xml(
        request,
        "process_definition_xml",
        "processDefinition",
        processDefinitionKey,
        "processDefinitionKey",
        "Process definition",
    )


@operations.get(
    "/decision-definitions/{decisionDefinitionKey}/xml",
    "getDecisionDefinitionXML",
    "The DMN XML of a decision definition",
    tag="Decision definition",
)
async def decision_definition_xml(request: Request, decisionDefinitionKey: str) -> Response:
    return await _xml(
        request,
        "decision_definition_xml",
        "decisionDefinition",
        decisionDefinitionKey,
        "decisionDefinitionKey",
        "Decision definition",
    )


@operations.get(
    "/decision-requirements/{decisionRequirementsKey}/xml",
    "getDecisionRequirementsXML",
    "The DMN XML of decision requirements",
    tag="Decision requirements",
)
async def decision_requirements_xml(request: Request, decisionRequirementsKey: str) -> Response:
    return await _xml(
        request,
        "decision_requirements_xml",
        "decisionRequirements",
        decisionRequirementsKey,
        "decisionRequirementsKey",
        "Decision requirements",
    )


@operations.get(
    "/process-instances/{processInstanceKey}/sequence-flows",
    "getProcessInstanceSequenceFlows",
    "The sequence flows an instance took",
    tag="Process instance",
)
async def sequence_flows(request: Request, processInstanceKey: str) -> Response:
    instance = str(key(processInstanceKey, "processInstanceKey"))
    everything = SearchRequest(page={"limit": 10_000})
    result = await _search(request, "sequenceFlow", everything, processInstanceKey=instance)
    return json_response({"items": result["items"]})


@operations.post(
    "/process-instances/{processInstanceKey}/incidents/search",
    "searchProcessInstanceIncidents",
    "Search the incidents of an instance",
    body=SearchRequest,
    tag="Process instance",
)
async def process_instance_incidents(
    request: Request, processInstanceKey: str, body: SearchRequest
) -> Response:
    instance = str(key(processInstanceKey, "processInstanceKey"))
    return json_response(await _search(request, "incident", body, processInstanceKey=instance))


@operations.post(
    "/user-tasks/{userTaskKey}/variables/search",
    "searchUserTaskVariables",
    "Search a user task's variables",
    body=SearchRequest,
    tag="User task",
)
async def user_task_variables(request: Request, userTaskKey: str, body: SearchRequest) -> Response:
    task = await _get(request, "userTask", userTaskKey, "userTaskKey", "User task")
    return json_response(await _search(request, "variable", body, scopeKey=task["elementInstanceKey"]))


@operations.post(
    "/user-tasks/{userTaskKey}/effective-variables/search",
    "searchUserTaskEffectiveVariables",
    "Search the variables a user task sees (its scope and every enclosing one, the nearest winning)",
    body=SearchRequest,
    tag="User task",
)
async def user_task_effective_variables(request: Request, userTaskKey: str, body: SearchRequest) -> Response:
    task = await _get(request, "userTask", userTaskKey, "userTaskKey", "User task")
    store = _store(request)
    element_instance = int(task["elementInstanceKey"])
    keys = await run_in_threadpool(store.effective_variable_keys, element_instance)
    if not keys:
        empty = {"totalItems": 0, "hasMoreTotalItems": False, "startCursor": None, "endCursor": None}
        return json_response({"items": [], "page": empty})
    return json_response(
        await _search(request, "variable", body, variableKey={"$in": [str(k) for k in keys]})
    )


async def _statistics(request: Request, **owner: int) -> Response:
    store = _store(request)
    try:
        items = await run_in_threadpool(lambda: store.element_statistics(**owner))
    except SearchError as error:
        raise Problem(400, error.title, error.detail) from None
    return json_response({"items": items})


@operations.post(
    "/process-definitions/{processDefinitionKey}/statistics/element-instances",
    "getProcessDefinitionStatistics",
    "Element instances per element of a definition: active, with incidents, completed, canceled",
    tag="Process definition",
)
async def process_definition_statistics(request: Request, processDefinitionKey: str) -> Response:
    # as a get of the definition: 403 without the permission, 404 in another tenant
    await _get(
        request, "processDefinition", processDefinitionKey, "processDefinitionKey", "Process definition"
    )
    return await _statistics(
        request, process_definition_key=key(processDefinitionKey, "processDefinitionKey")
    )


@operations.get(
    "/process-instances/{processInstanceKey}/statistics/element-instances",
    "getProcessInstanceStatistics",
    "Element instances per element of an instance",
    tag="Process instance",
)
async def process_instance_statistics(request: Request, processInstanceKey: str) -> Response:
    await _get(request, "processInstance", processInstanceKey, "processInstanceKey", "Process instance")
    return await _statistics(request, process_instance_key=key(processInstanceKey, "processInstanceKey"))


@operations.get(
    "/process-instances/{processInstanceKey}/call-hierarchy",
    "getProcessInstanceCallHierarchy",
    "The instances that called this one, root first, ending with this one",
    tag="Process instance",
)
async def call_hierarchy(request: Request, processInstanceKey: str) -> Response:
    store = _store(request)
    chain: list[dict[str, Any]] = []
    current: str | None = str(key(processInstanceKey, "processInstanceKey"))
    while current is not None and len(chain) < 1000:
        instance = await run_in_threadpool(store.get, "processInstance", int(current))
        if instance is None:
            if not chain:
                raise not_found(f"Process instance with key '{processInstanceKey}' not found")
            break
        chain.append(
            {
                "processInstanceKey": instance["processInstanceKey"],
                "processDefinitionKey": instance["processDefinitionKey"],
                "processDefinitionName": instance.get("processDefinitionName")
                or instance["processDefinitionId"],
            }
        )
        current = instance.get("parentProcessInstanceKey")
    return json_response(list(reversed(chain)))


@operations.get(
    "/process-definitions/{processDefinitionKey}/form",
    "getStartProcessForm",
    "The form linked to the process's start event",
    tag="Process definition",
)
async def start_form(request: Request, processDefinitionKey: str) -> Response:
    store = _store(request)
    form = await run_in_threadpool(store.start_form, key(processDefinitionKey, "processDefinitionKey"))
    if form is None:
        return Response(status_code=204)
    return json_response(form)


@operations.get(
    "/user-tasks/{userTaskKey}/form", "getUserTaskForm", "The form linked to a user task", tag="User task"
)
async def user_task_form(request: Request, userTaskKey: str) -> Response:
    task = await _get(request, "userTask", userTaskKey, "userTaskKey", "User task")
    form_key = task.get("formKey")
    if not form_key:
        return Response(status_code=204)
    form = await run_in_threadpool(_store(request).get, "form", int(form_key))
    if form is None:
        raise not_found(f"Form with key '{form_key}' of user task '{userTaskKey}' not found")
    return json_response(form)
