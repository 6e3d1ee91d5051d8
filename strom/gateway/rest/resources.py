"""Deployments (multipart, like Camunda's ``POST /deployments``) and resource deletion."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from pydantic import BaseModel, ConfigDict

from strom.gateway.grpc import requests
from strom.gateway.grpc._proto import pb
from strom.gateway.rest.context import RestContext, command_from, json_response, key, text
from strom.gateway.rest.problems import invalid_argument

router = APIRouter(tags=["Resource"])


@router.post("/deployments", summary="Deploy BPMN processes, DMN decisions and forms")
async def create_deployment(
    request: Request,
    resources: list[UploadFile] = File(..., description="The files to deploy"),  # noqa: B008
    tenantId: str | None = Form(None),
) -> Response:
    context: RestContext = request.app.state.context
    if not resources:
        raise invalid_argument("Expected at least one resource to deploy, but none given")
    files = [
        pb.Resource(name=upload.filename or "resource", content=await upload.read()) for upload in resources
    ]
    command_from(requests.tenant, tenantId or "")
    command = command_from(requests.deploy_resource, pb.DeployResourceRequest(resources=files))
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


class DeleteResourceRequest(BaseModel):
    model_config = ConfigDict(extra="allow")
    operationReference: int | None = None


@router.post("/resources/{resourceKey}/deletion", summary="Delete a deployed resource")
async def delete_resource(
    request: Request,
    resourceKey: str,
    body: DeleteResourceRequest | None = None,
) -> Response:
    context: RestContext = request.app.state.context
    reference = body.operationReference if body is not None else None
    message = pb.DeleteResourceRequest(resourceKey=key(resourceKey, "resourceKey"))
    if reference is not None:
        message.operationReference = reference
    await context.send(command_from(requests.delete_resource, message), "DeleteResource")
    return Response(status_code=200)
