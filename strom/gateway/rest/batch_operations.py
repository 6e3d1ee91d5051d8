"""Batch operations (Camunda 8.8): one operation on every process instance a filter finds.

Creating one (``POST /process-instances/cancellation``, ``/incident-resolution``, ``/migration``,
``/modification``) sends BATCH_OPERATION_CREATION CREATE and answers ``{batchOperationKey,
batchOperationType}`` at once; the engine then resolves the filter against secondary storage and
executes the items (``strom.engine.processing.batch_operation``). The filter is checked here first
by the same search code that will resolve it, so a bad one is a 400 naming the field. Progress and
outcome are read from secondary storage (``GET /batch-operations/{key}``, the two searches);
``cancellation`` / ``suspension`` / ``resumption`` of an operation are commands answered 204.

With authorizations on, creating needs BATCH CREATE (or the operation's own CREATE_BATCH_OPERATION
_... permission) and reading needs BATCH READ; each item's command is checked with its creator's
permissions, so an instance the creator may not cancel is a failed item.
"""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.auth.identity import identity_of
from strom.gateway.auth.permissions import readable_ids
from strom.gateway.grpc.requests import command
from strom.gateway.rest.context import RestContext, json_response, key
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import Problem, invalid_argument, not_found
from strom.protocol.intents import BatchOperationIntent
from strom.protocol.values.batch_operation import (
    BatchOperationCreationRecordValue,
    BatchOperationLifecycleManagementRecordValue,
    BatchOperationMappingInstructionValue,
    BatchOperationMigrationPlanValue,
    BatchOperationModificationPlanValue,
    BatchOperationMoveInstructionValue,
    BatchOperationType,
)
from strom.protocol.values.identity import AuthorizationResourceType, PermissionType
from strom.search import SearchError, SearchStore

operations = Operations("Batch operation")


class ProcessInstanceFilterRequest(Body):
    filter: dict[str, Any] | None = None


class MappingInstruction(Body):
    sourceElementId: str
    targetElementId: str


class MigrationPlan(Body):
    targetProcessDefinitionKey: str | int
    mappingInstructions: list[MappingInstruction] = msgspec.field(default_factory=list)


class MigrationRequest(Body):
    filter: dict[str, Any] | None = None
    migrationPlan: MigrationPlan | None = None


class MoveInstruction(Body):
    sourceElementId: str
    targetElementId: str


class ModificationRequest(Body):
    filter: dict[str, Any] | None = None
    moveInstructions: list[MoveInstruction] = msgspec.field(default_factory=list)


class SearchRequest(Body):
    filter: dict[str, Any] | None = None
    sort: list[dict[str, Any]] | None = None
    page: dict[str, Any] | None = None


def _store(request: Request) -> SearchStore:
    context: RestContext = request.app.state.context
    if context.search is None:
        raise Problem(
            403,
            "FORBIDDEN",
            "This broker runs without secondary storage, which batch operations resolve their filter "
            "against and report their progress in; start it with secondary storage to use them",
        )
    store: SearchStore = context.search
    return store


async def _checked_filter(request: Request, filter_: dict[str, Any] | None) -> str:
    """The filter as JSON text, once the process instance search accepts it."""
    if filter_ is None:
        raise invalid_argument("No filter provided.")
    store = _store(request)
    try:
        await run_in_threadpool(store.search, "processInstance", {"filter": filter_, "page": {"limit": 0}})
    except SearchError as error:
        raise Problem(400, error.title, error.detail) from None
    return msgspec.json.encode(filter_).decode()


async def _create(request: Request, value: BatchOperationCreationRecordValue) -> Response:
    context: RestContext = request.app.state.context
    created = await context.send(command(value, BatchOperationIntent.CREATE), "CreateBatchOperation")
    return json_response(
        {
            "batchOperationKey": str(created.value.batch_operation_key),
            "batchOperationType": str(created.value.batch_operation_type),
        }
    )


@operations.post(
    "/process-instances/cancellation",
    "cancelProcessInstancesBatchOperation",
    "Cancel every process instance a filter finds (a batch operation)",
    body=ProcessInstanceFilterRequest,
    body_required=True,
    tag="Process instance",
)
async def cancel_process_instances(request: Request, body: ProcessInstanceFilterRequest) -> Response:
    entity_filter = await _checked_filter(request, body.filter)
    return await _create(
        request,
        BatchOperationCreationRecordValue(
            batch_operation_type=BatchOperationType.CANCEL_PROCESS_INSTANCE, entity_filter=entity_filter
        ),
    )


@operations.post(
    "/process-instances/incident-resolution",
    "resolveIncidentsBatchOperation",
    "Resolve the incidents of every process instance a filter finds (a batch operation)",
    body=ProcessInstanceFilterRequest,
    body_required=True,
    tag="Process instance",
)
async def resolve_incidents(request: Request, body: ProcessInstanceFilterRequest) -> Response:
    entity_filter = await _checked_filter(request, body.filter)
    return await _create(
        request,
        BatchOperationCreationRecordValue(
            batch_operation_type=BatchOperationType.RESOLVE_INCIDENT, entity_filter=entity_filter
        ),
    )


@operations.post(
    "/process-instances/migration",
    "migrateProcessInstancesBatchOperation",
    "Migrate every process instance a filter finds to another process definition (a batch operation)",
    body=MigrationRequest,
    body_required=True,
    tag="Process instance",
)
async def migrate_process_instances(request: Request, body: MigrationRequest) -> Response:
    entity_filter = await _checked_filter(request, body.filter)
    plan = body.migrationPlan
    if plan is None:
        raise invalid_argument("No migrationPlan provided.")
    return await _create(
        request,
        BatchOperationCreationRecordValue(
            batch_operation_type=BatchOperationType.MIGRATE_PROCESS_INSTANCE,
            entity_filter=entity_filter,
            migration_plan=BatchOperationMigrationPlanValue(
                target_process_definition_key=key(
                    plan.targetProcessDefinitionKey, "targetProcessDefinitionKey"
                ),
                mapping_instructions=[
                    BatchOperationMappingInstructionValue(
                        source_element_id=m.sourceElementId, target_element_id=m.targetElementId
                    )
                    for m in plan.mappingInstructions
                ],
            ),
        ),
    )


@operations.post(
    "/process-instances/modification",
    "modifyProcessInstancesBatchOperation",
    "Move the tokens of every process instance a filter finds (a batch operation)",
    body=ModificationRequest,
    body_required=True,
    tag="Process instance",
)
async def modify_process_instances(request: Request, body: ModificationRequest) -> Response:
    entity_filter = await _checked_filter(request, body.filter)
    if not body.moveInstructions:
        raise invalid_argument("No moveInstructions provided.")
    return await _create(
        request,
        BatchOperationCreationRecordValue(
            batch_operation_type=BatchOperationType.MODIFY_PROCESS_INSTANCE,
            entity_filter=entity_filter,
            modification_plan=BatchOperationModificationPlanValue(
                move_instructions=[
                    BatchOperationMoveInstructionValue(
                        source_element_id=m.sourceElementId, target_element_id=m.targetElementId
                    )
                    for m in body.moveInstructions
                ]
            ),
        ),
    )


# -- reads ------------------------------------------------------------------------------------------


async def _may_read(request: Request) -> bool:
    """Whether the caller holds BATCH READ (always, with authorizations off)."""
    identity = identity_of(request)
    if not identity.authenticated or not identity.checked:
        return True
    store = request.app.state.auth.store
    if store is None:
        return True
    ids = await asyncio.to_thread(
        readable_ids, identity, store, AuthorizationResourceType.BATCH, PermissionType.READ
    )
    return ids is None


async def _search(request: Request, entity: str, body: SearchRequest) -> Response:
    store = _store(request)
    if not await _may_read(request):
        return json_response(
            {
                "items": [],
                "page": {"totalItems": 0, "hasMoreTotalItems": False, "startCursor": None, "endCursor": None},
            }
        )
    query: dict[str, Any] = {"filter": body.filter or {}}
    if body.sort is not None:
        query["sort"] = body.sort
    if body.page is not None:
        query["page"] = body.page
    try:
        result = await run_in_threadpool(store.search, entity, query)
    except SearchError as error:
        raise Problem(400, error.title, error.detail) from None
    return json_response(result)


@operations.post(
    "/batch-operations/search",
    "searchBatchOperations",
    "Search batch operations",
    body=SearchRequest,
)
async def search_batch_operations(request: Request, body: SearchRequest) -> Response:
    return await _search(request, "batchOperation", body)


@operations.post(
    "/batch-operation-items/search",
    "searchBatchOperationItems",
    "Search the items of batch operations",
    body=SearchRequest,
)
async def search_batch_operation_items(request: Request, body: SearchRequest) -> Response:
    return await _search(request, "batchOperationItem", body)


@operations.get("/batch-operations/{batchOperationKey}", "getBatchOperation", "Get a batch operation by key")
async def get_batch_operation(request: Request, batchOperationKey: str) -> Response:
    store = _store(request)
    wanted = key(batchOperationKey, "batchOperationKey")
    if not await _may_read(request):
        raise Problem(
            403,
            "FORBIDDEN",
            f"Insufficient permissions to perform operation '{PermissionType.READ}' on resource "
            f"'{AuthorizationResourceType.BATCH}'",
        )
    item = await run_in_threadpool(store.get, "batchOperation", wanted)
    if item is None:
        raise not_found(f"Batch operation with key '{batchOperationKey}' not found")
    return json_response(item)


# -- lifecycle --------------------------------------------------------------------------------------


async def _lifecycle(request: Request, key_text: str, intent: int, operation: str) -> Response:
    context: RestContext = request.app.state.context
    batch_key = key(key_text, "batchOperationKey")
    value = BatchOperationLifecycleManagementRecordValue(batch_operation_key=batch_key)
    await context.send(command(value, intent, key=batch_key), operation)
    return Response(status_code=204)


@operations.post(
    "/batch-operations/{batchOperationKey}/cancellation",
    "cancelBatchOperation",
    "Cancel a batch operation: its items not executed yet never are",
    answers=204,
)
async def cancel_batch_operation(request: Request, batchOperationKey: str) -> Response:
    return await _lifecycle(request, batchOperationKey, BatchOperationIntent.CANCEL, "CancelBatchOperation")


@operations.post(
    "/batch-operations/{batchOperationKey}/suspension",
    "suspendBatchOperation",
    "Suspend a batch operation until it is resumed",
    answers=204,
)
async def suspend_batch_operation(request: Request, batchOperationKey: str) -> Response:
    return await _lifecycle(request, batchOperationKey, BatchOperationIntent.SUSPEND, "SuspendBatchOperation")


@operations.post(
    "/batch-operations/{batchOperationKey}/resumption",
    "resumeBatchOperation",
    "Resume a suspended batch operation",
    answers=204,
)
async def resume_batch_operation(request: Request, batchOperationKey: str) -> Response:
    return await _lifecycle(request, batchOperationKey, BatchOperationIntent.RESUME, "ResumeBatchOperation")
