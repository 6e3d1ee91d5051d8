"""Process instance migration: ``POST /process-instances/{processInstanceKey}/migration``
(``migrateProcessInstance``), the same command as the gRPC MigrateProcessInstance."""

from __future__ import annotations

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc import requests
from strom.gateway.grpc._proto import pb
from strom.gateway.rest.context import RestContext, command_from, key
from strom.gateway.rest.operations import Body, Operations

operations = Operations("Process instance")


class MappingInstruction(Body):
    sourceElementId: str
    targetElementId: str


class MigrateProcessInstanceRequest(Body):
    targetProcessDefinitionKey: str | int
    mappingInstructions: list[MappingInstruction] = msgspec.field(default_factory=list)
    operationReference: int | None = None


@operations.post(
    "/process-instances/{processInstanceKey}/migration",
    "migrateProcessInstance",
    "Migrate a running instance to another process definition",
    body=MigrateProcessInstanceRequest,
    body_required=True,
    answers=204,
)
async def migrate_process_instance(
    request: Request, processInstanceKey: str, body: MigrateProcessInstanceRequest
) -> Response:
    message = pb.MigrateProcessInstanceRequest(
        processInstanceKey=key(processInstanceKey, "processInstanceKey"),
        migrationPlan=pb.MigrateProcessInstanceRequest.MigrationPlan(
            targetProcessDefinitionKey=key(body.targetProcessDefinitionKey, "targetProcessDefinitionKey"),
            mappingInstructions=[
                pb.MigrateProcessInstanceRequest.MappingInstruction(
                    sourceElementId=m.sourceElementId, targetElementId=m.targetElementId
                )
                for m in body.mappingInstructions
            ],
        ),
    )
    if body.operationReference is not None:
        message.operationReference = body.operationReference
    context: RestContext = request.app.state.context
    await context.send(command_from(requests.migrate_process_instance, message), "MigrateProcessInstance")
    return Response(status_code=204)
