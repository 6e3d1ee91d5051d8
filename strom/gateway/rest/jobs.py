"""Job commands: activation (long polling, as gRPC's ActivateJobs), completion, failure, BPMN
error, update of retries and timeout."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from strom.gateway.grpc import requests
from strom.gateway.grpc._proto import pb
from strom.gateway.rest.context import RestContext, command_from, json_response, key, text, variables_text
from strom.gateway.rest.problems import invalid_argument

router = APIRouter(tags=["Job"])


class _Body(BaseModel):
    model_config = ConfigDict(extra="allow")


class JobActivationRequest(_Body):
    type: str
    worker: str = ""
    timeout: int
    maxJobsToActivate: int
    fetchVariable: list[str] = Field(default_factory=list)
    requestTimeout: int = 0
    tenantIds: list[str] = Field(default_factory=list)


class JobCompletionRequest(_Body):
    variables: dict[str, Any] | None = None


class JobFailRequest(_Body):
    retries: int = 0
    errorMessage: str = ""
    retryBackOff: int = 0
    variables: dict[str, Any] | None = None


class JobErrorRequest(_Body):
    errorCode: str
    errorMessage: str = ""
    variables: dict[str, Any] | None = None


class JobChangeset(_Body):
    retries: int | None = None
    timeout: int | None = None


class JobUpdateRequest(_Body):
    changeset: JobChangeset
    operationReference: int | None = None


def _context(request: Request) -> RestContext:
    context: RestContext = request.app.state.context
    return context


@router.post("/jobs/activation", summary="Activate jobs of a type, waiting up to requestTimeout for one")
async def activate_jobs(request: Request, body: JobActivationRequest) -> Response:
    message = pb.ActivateJobsRequest(
        type=body.type,
        worker=body.worker,
        timeout=body.timeout,
        maxJobsToActivate=body.maxJobsToActivate,
        fetchVariable=body.fetchVariable,
        requestTimeout=body.requestTimeout,
        tenantIds=body.tenantIds,
    )
    command_from(requests.activate_jobs, message)  # the same checks as gRPC, before waiting
    jobs = await _context(request).activate_jobs(message)
    return json_response({"jobs": [_activated_job(job) for job in jobs]})


def _activated_job(job: pb.ActivatedJob) -> dict[str, Any]:
    return {
        "jobKey": text(job.key),
        "type": job.type,
        "processDefinitionId": job.bpmnProcessId,
        "processDefinitionVersion": job.processDefinitionVersion,
        "processDefinitionKey": text(job.processDefinitionKey),
        "processInstanceKey": text(job.processInstanceKey),
        "rootProcessInstanceKey": None,
        "elementId": job.elementId,
        "elementInstanceKey": text(job.elementInstanceKey),
        "customHeaders": json.loads(job.customHeaders or "{}"),
        "worker": job.worker,
        "retries": job.retries,
        "deadline": job.deadline,
        "variables": json.loads(job.variables or "{}"),
        "tenantId": job.tenantId,
        "physicalTenantId": "default",
        "kind": "BPMN_ELEMENT",
        "listenerEventType": "UNSPECIFIED",
        "userTask": None,
        "tags": [],
        "businessId": None,
        "priority": 0,
    }


@router.post("/jobs/{jobKey}/completion", summary="Complete a job")
async def complete_job(
    request: Request,
    jobKey: str,
    body: JobCompletionRequest | None = None,
) -> Response:
    message = pb.CompleteJobRequest(
        jobKey=key(jobKey, "jobKey"), variables=variables_text(body.variables if body else None)
    )
    await _context(request).send(command_from(requests.complete_job, message), "CompleteJob")
    return Response(status_code=204)


@router.post("/jobs/{jobKey}/failure", summary="Report a job as failed (retries left, back-off)")
async def fail_job(
    request: Request,
    jobKey: str,
    body: JobFailRequest | None = None,
) -> Response:
    body = body or JobFailRequest()
    message = pb.FailJobRequest(
        jobKey=key(jobKey, "jobKey"),
        retries=body.retries,
        errorMessage=body.errorMessage,
        retryBackOff=body.retryBackOff,
        variables=variables_text(body.variables),
    )
    await _context(request).send(command_from(requests.fail_job, message), "FailJob")
    return Response(status_code=204)


@router.post("/jobs/{jobKey}/error", summary="Throw a BPMN error from a job")
async def throw_job_error(
    request: Request,
    jobKey: str,
    body: JobErrorRequest,
) -> Response:
    message = pb.ThrowErrorRequest(
        jobKey=key(jobKey, "jobKey"),
        errorCode=body.errorCode,
        errorMessage=body.errorMessage,
        variables=variables_text(body.variables),
    )
    await _context(request).send(command_from(requests.throw_error, message), "ThrowError")
    return Response(status_code=204)


@router.patch("/jobs/{jobKey}", summary="Change a job's retries and/or timeout")
async def update_job(
    request: Request,
    jobKey: str,
    body: JobUpdateRequest,
) -> Response:
    context = _context(request)
    job_key = key(jobKey, "jobKey")
    changes = body.changeset
    if changes.retries is None and changes.timeout is None:
        raise invalid_argument("Expected 'changeset' to hold 'retries' and/or 'timeout', but it held neither")
    if changes.retries is not None:
        retries = pb.UpdateJobRetriesRequest(jobKey=job_key, retries=changes.retries)
        if body.operationReference is not None:
            retries.operationReference = body.operationReference
        await context.send(command_from(requests.update_job_retries, retries), "UpdateJob")
    if changes.timeout is not None:
        timeout = pb.UpdateJobTimeoutRequest(jobKey=job_key, timeout=changes.timeout)
        if body.operationReference is not None:
            timeout.operationReference = body.operationReference
        await context.send(command_from(requests.update_job_timeout, timeout), "UpdateJob")
    return Response(status_code=204)
