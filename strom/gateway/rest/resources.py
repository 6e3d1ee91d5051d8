"""Deployments (multipart, like Camunda's ``POST /deployments``) and resource deletion."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc import requests
from strom.gateway.grpc._proto import pb
from strom.gateway.rest.context import RestContext, command_from, json_response, key, text
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import invalid_argument

operations = Operations("Resource")


@operations.post(
    "/deployments", "createDeployment", "Deploy BPMN processes, DMN decisions and forms (multipart)"
)
async def create_deployment(request: Request) -> Response:
    context: RestContext = request.app.state.context
    try:
        form = await request.form(max_files=1000)
    except HTTPException as error:  # a malformed multipart body
        raise invalid_argument(
            f"Expected a multipart/form-data body with 'resources' files: {error.detail}"
        ) from None
    resources = [part for part in form.getlist("resources") if isinstance(part, UploadFile)]
    if not resources:
        raise invalid_argument(
            "Expected at least one file to deploy in the form field 'resources', but none given"
        )
    files = [
        pb.Resource(name=upload.filename or "resource", content=await upload.read()) for upload in resources
    ]
    tenant_id = form.get("tenantId")
    tenant = tenant_id if isinstance(tenant_id, str) else ""
    deploy = pb.DeployResourceRequest(resources=files, tenantId=tenant)
    command = command_from(requests.deploy_resource, deploy)
    value = (await context.send(command, "CreateDeployment")).value
    deployments: list[dict[str, Any]] = []
    for process in value.processes_metadata:
        deployments.append(
            _deployed(
                "processDefinition",
                {
                    "processDefinitionId": process.bpmn_process_id,
                    "processDefinitionVersion": process.version,
                    "resourceName": process.resource_name,
                    "tenantId": process.tenant_id,
                    "processDefinitionKey": text(process.process_definition_key),
                },
            )
        )
    for decision in value.decisions_metadata:
        deployments.append(
            _deployed(
                "decisionDefinition",
                {
                    "decisionDefinitionId": decision.decision_id,
                    "version": decision.version,
                    "name": decision.decision_name,
                    "tenantId": decision.tenant_id,
                    "decisionRequirementsId": decision.decision_requirements_id,
                    "decisionDefinitionKey": text(decision.decision_key),
                    "decisionRequirementsKey": text(decision.decision_requirements_key),
                },
            )
        )
    for drg in value.decision_requirements_metadata:
        deployments.append(
            _deployed(
                "decisionRequirements",
                {
                    "decisionRequirementsId": drg.decision_requirements_id,
                    "decisionRequirementsName": drg.decision_requirements_name,
                    "version": drg.decision_requirements_version,
                    "resourceName": drg.resource_name,
                    "tenantId": drg.tenant_id,
                    "decisionRequirementsKey": text(drg.decision_requirements_key),
                },
            )
        )
    for form in value.form_metadata:
        deployments.append(
            _deployed(
                "form",
                {
                    "formId": form.form_id,
                    "version": form.version,
                    "resourceName": form.resource_name,
                    "tenantId": form.tenant_id,
                    "formKey": text(form.form_key),
                },
            )
        )
    return json_response(
        {
            "deploymentKey": text(value.deployment_key),
            "tenantId": value.tenant_id,
            "deployments": deployments,
        }
    )


_DEPLOYED_KINDS = ("processDefinition", "decisionDefinition", "decisionRequirements", "form", "resource")


def _deployed(kind: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """One deployed resource: every kind named, all but its own null (clients validate that)."""
    item: dict[str, Any] = dict.fromkeys(_DEPLOYED_KINDS)
    item[kind] = metadata
    return item


class DeleteResourceRequest(Body):
    operationReference: int | None = None


@operations.post(
    "/resources/{resourceKey}/deletion",
    "deleteResource",
    "Delete a deployed resource",
    body=DeleteResourceRequest,
)
async def delete_resource(request: Request, resourceKey: str, body: DeleteResourceRequest) -> Response:
    context: RestContext = request.app.state.context
    reference = body.operationReference
    message = pb.DeleteResourceRequest(resourceKey=key(resourceKey, "resourceKey"))
    if reference is not None:
        message.operationReference = reference
    await context.send(command_from(requests.delete_resource, message), "DeleteResource")
    return Response(status_code=200)
