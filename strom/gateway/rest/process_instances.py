"""Process instance commands: create (optionally awaiting the result), cancel, modify; setting
variables on an element instance; resolving an incident."""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc import requests
from strom.gateway.grpc._proto import pb
from strom.gateway.rest.context import RestContext, command_from, json_response, key, text, variables_text
from strom.gateway.rest.operations import Body, Operations

operations = Operations("Process instance")


class StartInstruction(Body):
    elementId: str


class CreateProcessInstanceRequest(Body):
    processDefinitionId: str | None = None
    processDefinitionKey: str | int | None = None
    processDefinitionVersion: int = -1
    variables: dict[str, Any] | None = None
    startInstructions: list[StartInstruction] = msgspec.field(default_factory=list)
    awaitCompletion: bool = False
    fetchVariables: list[str] = msgspec.field(default_factory=list)
    requestTimeout: int = 0
    tenantId: str | None = None
    operationReference: int | None = None


class OperationReference(Body):
    operationReference: int | None = None


class VariableInstruction(Body):
    variables: dict[str, Any]
    scopeId: str = ""


class ActivateInstruction(Body):
    elementId: str
    ancestorElementInstanceKey: str | int | None = None
    variableInstructions: list[VariableInstruction] = msgspec.field(default_factory=list)


class TerminateInstruction(Body):
    elementInstanceKey: str | int


class ModifyProcessInstanceRequest(Body):
    activateInstructions: list[ActivateInstruction] = msgspec.field(default_factory=list)
    terminateInstructions: list[TerminateInstruction] = msgspec.field(default_factory=list)
    operationReference: int | None = None


class SetVariablesRequest(Body):
    variables: dict[str, Any]
    local: bool = False
    operationReference: int | None = None


def _context(request: Request) -> RestContext:
    context: RestContext = request.app.state.context
    return context


@operations.post(
    "/process-instances",
    "createProcessInstance",
    "Create a process instance, optionally awaiting its completion",
    body=CreateProcessInstanceRequest,
    body_required=True,
)
async def create_process_instance(request: Request, body: CreateProcessInstanceRequest) -> Response:
    context = _context(request)
    message = pb.CreateProcessInstanceRequest(
        bpmnProcessId=body.processDefinitionId or "",
        processDefinitionKey=(
            key(body.processDefinitionKey, "processDefinitionKey") if body.processDefinitionKey else 0
        ),
        version=body.processDefinitionVersion,
        variables=variables_text(body.variables),
        startInstructions=[
            pb.ProcessInstanceCreationStartInstruction(elementId=s.elementId) for s in body.startInstructions
        ],
        tenantId=body.tenantId or "",
    )
    if body.operationReference is not None:
        message.operationReference = body.operationReference
    if not body.awaitCompletion:
        value = (
            await context.send(
                command_from(requests.create_process_instance, message), "CreateProcessInstance"
            )
        ).value
        variables: dict[str, Any] = {}
    else:
        timeout_ms = body.requestTimeout if body.requestTimeout > 0 else context.settings.request_timeout_ms
        awaited = pb.CreateProcessInstanceWithResultRequest(
            request=message, requestTimeout=timeout_ms, fetchVariables=body.fetchVariables
        )
        command = command_from(requests.create_process_instance_with_result, awaited)
        value = (await context.send(command, "CreateProcessInstance", timeout_ms / 1000)).value
        variables = dict(value.variables)
    return json_response(
        {
            "processDefinitionId": value.bpmn_process_id,
            "processDefinitionVersion": value.version,
            "tenantId": value.tenant_id,
            "variables": variables,
            "processDefinitionKey": text(value.process_definition_key),
            "processInstanceKey": text(value.process_instance_key),
            "tags": [],
            "businessId": None,
        }
    )


@operations.post(
    "/process-instances/{processInstanceKey}/cancellation",
    "cancelProcessInstance",
    "Cancel a process instance",
    body=OperationReference,
    answers=204,
)
async def cancel_process_instance(
    request: Request, processInstanceKey: str, body: OperationReference
) -> Response:
    message = pb.CancelProcessInstanceRequest(
        processInstanceKey=key(processInstanceKey, "processInstanceKey")
    )
    if body.operationReference is not None:
        message.operationReference = body.operationReference
    await _context(request).send(
        command_from(requests.cancel_process_instance, message), "CancelProcessInstance"
    )
    return Response(status_code=204)


@operations.post(
    "/process-instances/{processInstanceKey}/modification",
    "modifyProcessInstance",
    "Activate and terminate elements of a running instance",
    body=ModifyProcessInstanceRequest,
    body_required=True,
    answers=204,
)
async def modify_process_instance(
    request: Request,
    processInstanceKey: str,
    body: ModifyProcessInstanceRequest,
) -> Response:
    message = pb.ModifyProcessInstanceRequest(
        processInstanceKey=key(processInstanceKey, "processInstanceKey"),
        activateInstructions=[
            pb.ModifyProcessInstanceRequest.ActivateInstruction(
                elementId=a.elementId,
                ancestorElementInstanceKey=(
                    key(a.ancestorElementInstanceKey, "ancestorElementInstanceKey")
                    if a.ancestorElementInstanceKey not in (None, "", "-1", -1)
                    else 0  # not given: the engine picks the scope
                ),
                variableInstructions=[
                    pb.ModifyProcessInstanceRequest.VariableInstruction(
                        variables=variables_text(v.variables), scopeId=v.scopeId
                    )
                    for v in a.variableInstructions
                ],
            )
            for a in body.activateInstructions
        ],
        terminateInstructions=[
            pb.ModifyProcessInstanceRequest.TerminateInstruction(
                elementInstanceKey=key(t.elementInstanceKey, "elementInstanceKey")
            )
            for t in body.terminateInstructions
        ],
    )
    if body.operationReference is not None:
        message.operationReference = body.operationReference
    await _context(request).send(
        command_from(requests.modify_process_instance, message), "ModifyProcessInstance"
    )
    return Response(status_code=204)


@operations.put(
    "/element-instances/{elementInstanceKey}/variables",
    "createElementInstanceVariables",
    "Set variables of an element instance's scope",
    body=SetVariablesRequest,
    body_required=True,
    answers=204,
    tag="Element instance",
)
async def set_variables(
    request: Request,
    elementInstanceKey: str,
    body: SetVariablesRequest,
) -> Response:
    message = pb.SetVariablesRequest(
        elementInstanceKey=key(elementInstanceKey, "elementInstanceKey"),
        variables=variables_text(body.variables),
        local=body.local,
    )
    if body.operationReference is not None:
        message.operationReference = body.operationReference
    await _context(request).send(command_from(requests.set_variables, message), "SetVariables")
    return Response(status_code=204)


@operations.post(
    "/incidents/{incidentKey}/resolution",
    "resolveIncident",
    "Resolve an incident",
    body=OperationReference,
    answers=204,
    tag="Incident",
)
async def resolve_incident(request: Request, incidentKey: str, body: OperationReference) -> Response:
    message = pb.ResolveIncidentRequest(incidentKey=key(incidentKey, "incidentKey"))
    if body.operationReference is not None:
        message.operationReference = body.operationReference
    await _context(request).send(command_from(requests.resolve_incident, message), "ResolveIncident")
    return Response(status_code=204)
