"""Searches and reads, served from the secondary storage (``strom.search``), eventually consistent.

Each search takes Camunda's request (``filter``, ``sort``, ``page``) and answers ``{items, page}``.
Without secondary storage every search answers 403 with a problem detail that says so, as Camunda
does when no secondary storage is configured.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Body, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from strom.gateway.rest.context import RestContext, json_response, key
from strom.gateway.rest.problems import Problem, not_found

router = APIRouter()
_EVALUATED_DECISION = re.compile(r"[1-9][0-9]{0,18}-[1-9][0-9]{0,4}")

_SearchBody = Body(default=None, description="filter, sort and page, as Camunda's search requests")


def _store(request: Request) -> Any:
    context: RestContext = request.app.state.context
    if context.search is None:
        raise Problem(
            403,
            "FORBIDDEN",
            "This broker runs without secondary storage, so searches are not available; start it "
            "with secondary storage (the default: SQLite in the data directory) to use them",
        )
    return context.search


async def _search(request: Request, entity: str, body: dict[str, Any] | None, **fixed: Any) -> dict[str, Any]:
    store = _store(request)
    from strom.search import SearchError

    query = dict(body or {})
    if fixed:
        query["filter"] = {**(query.get("filter") or {}), **fixed}
    try:
        result: dict[str, Any] = await run_in_threadpool(store.search, entity, query)
    except SearchError as error:
        raise Problem(400, error.title, error.detail) from None
    return result


async def _get(request: Request, entity: str, key_text: str, field: str, name: str) -> dict[str, Any]:
    store = _store(request)
    # A decision instance's key is "<evaluation key>-<n>" (one per decision of an evaluation).
    instance_of_evaluation = entity == "decisionInstance" and _EVALUATED_DECISION.fullmatch(key_text)
    lookup: int | str = key_text if instance_of_evaluation else key(key_text, field)
    item: dict[str, Any] | None = await run_in_threadpool(store.get, entity, lookup)
    if item is None:
        raise not_found(f"{name} with key '{key_text}' not found")
    return item


async def _xml(request: Request, method: str, key_text: str, field: str, name: str) -> Response:
    store = _store(request)
    xml: str | None = await run_in_threadpool(getattr(store, method), key(key_text, field))
    if xml is None:
        raise not_found(f"{name} with key '{key_text}' not found")
    return Response(xml, media_type="text/xml")


def _searches(path: str, entity: str, tag: str) -> None:
    async def search(request: Request, body: dict[str, Any] | None = _SearchBody) -> Response:
        return json_response(await _search(request, entity, body))

    search.__name__ = f"search_{entity}"
    router.add_api_route(path, search, methods=["POST"], tags=[tag], summary=f"Search {tag.lower()}s")


def _gets(path: str, entity: str, field: str, tag: str) -> None:
    async def get(request: Request, key_text: str) -> Response:
        return json_response(await _get(request, entity, key_text, field, tag))

    get.__name__ = f"get_{entity}"
    router.add_api_route(
        path.replace("{key}", "{key_text}"), get, methods=["GET"], tags=[tag], summary=f"Get a {tag.lower()}"
    )


for _path, _entity, _field, _tag in (
    ("/process-definitions", "processDefinition", "processDefinitionKey", "Process definition"),
    ("/process-instances", "processInstance", "processInstanceKey", "Process instance"),
    ("/element-instances", "elementInstance", "elementInstanceKey", "Element instance"),
    ("/variables", "variable", "variableKey", "Variable"),
    ("/incidents", "incident", "incidentKey", "Incident"),
    ("/user-tasks", "userTask", "userTaskKey", "User task"),
    ("/decision-definitions", "decisionDefinition", "decisionDefinitionKey", "Decision definition"),
    ("/decision-requirements", "decisionRequirements", "decisionRequirementsKey", "Decision requirements"),
    ("/decision-instances", "decisionInstance", "decisionInstanceKey", "Decision instance"),
):
    _searches(f"{_path}/search", _entity, _tag)
    _gets(f"{_path}/{{key}}", _entity, _field, _tag)
_searches("/jobs/search", "job", "Job")
_searches("/message-subscriptions/search", "messageSubscription", "Message subscription")


@router.get(
    "/process-definitions/{processDefinitionKey}/xml", tags=["Process definition"], summary="BPMN XML"
)
async def process_definition_xml(request: Request, processDefinitionKey: str) -> Response:
    return await _xml(
        request, "process_definition_xml", processDefinitionKey, "processDefinitionKey", "Process definition"
    )


@router.get(
    "/decision-definitions/{decisionDefinitionKey}/xml", tags=["Decision definition"], summary="DMN XML"
)
async def decision_definition_xml(request: Request, decisionDefinitionKey: str) -> Response:
    return await _xml(
        request,
        "decision_definition_xml",
        decisionDefinitionKey,
        "decisionDefinitionKey",
        "Decision definition",
    )


@router.get(
    "/decision-requirements/{decisionRequirementsKey}/xml", tags=["Decision requirements"], summary="DMN XML"
)
async def decision_requirements_xml(request: Request, decisionRequirementsKey: str) -> Response:
    return await _xml(
        request,
        "decision_requirements_xml",
        decisionRequirementsKey,
        "decisionRequirementsKey",
        "Decision requirements",
    )


@router.get(
    "/process-instances/{processInstanceKey}/sequence-flows",
    tags=["Process instance"],
    summary="The sequence flows an instance took",
)
async def sequence_flows(request: Request, processInstanceKey: str) -> Response:
    instance = str(key(processInstanceKey, "processInstanceKey"))
    result = await _search(request, "sequenceFlow", {"page": {"limit": 10_000}}, processInstanceKey=instance)
    return json_response({"items": result["items"]})


@router.post(
    "/process-instances/{processInstanceKey}/incidents/search",
    tags=["Process instance"],
    summary="Search the incidents of an instance",
)
async def process_instance_incidents(
    request: Request,
    processInstanceKey: str,
    body: dict[str, Any] | None = _SearchBody,
) -> Response:
    instance = str(key(processInstanceKey, "processInstanceKey"))
    return json_response(await _search(request, "incident", body, processInstanceKey=instance))


@router.post(
    "/user-tasks/{userTaskKey}/variables/search", tags=["User task"], summary="Search a user task's variables"
)
async def user_task_variables(
    request: Request,
    userTaskKey: str,
    body: dict[str, Any] | None = _SearchBody,
) -> Response:
    task = await _get(request, "userTask", userTaskKey, "userTaskKey", "User task")
    return json_response(await _search(request, "variable", body, scopeKey=task["elementInstanceKey"]))


async def _statistics(request: Request, **owner: int) -> Response:
    store = _store(request)
    from strom.search import SearchError

    try:
        items = await run_in_threadpool(lambda: store.element_statistics(**owner))
    except SearchError as error:
        raise Problem(400, error.title, error.detail) from None
    return json_response({"items": items})


@router.post(
    "/process-definitions/{processDefinitionKey}/statistics/element-instances",
    tags=["Process definition"],
    summary="Element instances per element of a definition: active, with incidents, completed, canceled",
)
async def process_definition_statistics(request: Request, processDefinitionKey: str) -> Response:
    return await _statistics(
        request, process_definition_key=key(processDefinitionKey, "processDefinitionKey")
    )


@router.get(
    "/process-instances/{processInstanceKey}/statistics/element-instances",
    tags=["Process instance"],
    summary="Element instances per element of an instance",
)
async def process_instance_statistics(request: Request, processInstanceKey: str) -> Response:
    return await _statistics(request, process_instance_key=key(processInstanceKey, "processInstanceKey"))


@router.get(
    "/process-instances/{processInstanceKey}/call-hierarchy",
    tags=["Process instance"],
    summary="The instances that called this one, root first, ending with this one",
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


@router.get(
    "/process-definitions/{processDefinitionKey}/form",
    tags=["Process definition"],
    summary="The form linked to the process's start event",
)
async def start_form(request: Request, processDefinitionKey: str) -> Response:
    store = _store(request)
    form = await run_in_threadpool(store.start_form, key(processDefinitionKey, "processDefinitionKey"))
    if form is None:
        return Response(status_code=204)
    return json_response(form)


@router.get("/user-tasks/{userTaskKey}/form", tags=["User task"], summary="The form linked to a user task")
async def user_task_form(request: Request, userTaskKey: str) -> Response:
    task = await _get(request, "userTask", userTaskKey, "userTaskKey", "User task")
    form_key = task.get("formKey")
    if not form_key:
        return Response(status_code=204)
    form = await run_in_threadpool(_store(request).get, "form", int(form_key))
    if form is None:
        raise not_found(f"Form with key '{form_key}' of user task '{userTaskKey}' not found")
    return json_response(form)
