"""Job commands: activation (long polling, as gRPC's ActivateJobs), completion, failure, BPMN
error, update of retries and timeout."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc import requests
from strom.gateway.grpc._proto import pb
from strom.gateway.rest.context import RestContext, command_from, json_response, key, text, variables_text
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import invalid_argument

operations = Operations("Job")


class JobActivationRequest(Body):
    type: str
    timeout: int
    maxJobsToActivate: int
    worker: str = ""
    fetchVariable: list[str] = msgspec.field(default_factory=list)
    requestTimeout: int = 0
    tenantIds: list[str] = msgspec.field(default_factory=list)


class JobCompletionRequest(Body):
    variables: dict[str, Any] | None = None


class JobFailRequest(Body):
    retries: int = 0
    errorMessage: str = ""
    retryBackOff: int = 0
    variables: dict[str, Any] | None = None


class JobErrorRequest(Body):
    errorCode: str
    errorMessage: str = ""
    variables: dict[str, Any] | None = None


class JobChangeset(Body):
    retries: int | None = None
    timeout: int | None = None


class JobUpdateRequest(Body):
    changeset: JobChangeset
    operationReference: int | None = None


def _context(request: Request) -> RestContext:
    context: RestContext = request.app.state.context
    return context


@operations.post(
    "/jobs/activation",
    "activateJobs",
    "Activate jobs of a type, waiting up to requestTimeout for one",
    body=JobActivationRequest,
    body_required=True,
)
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


@operations.post(
    "/jobs/{jobKey}/completion", "completeJob", "Complete a job", body=JobCompletionRequest, answers=204
)
async def complete_job(
    request: Request,
    jobKey: str,
    body: JobCompletionRequest,
) -> Response:
    message = pb.CompleteJobRequest(jobKey=key(jobKey, "jobKey"), variables=variables_text(body.variables))
    await _context(request).send(command_from(requests.complete_job, message), "CompleteJob")
    return Response(status_code=204)


@operations.post(
    "/jobs/{jobKey}/failure",
    "failJob",
    "Report a job as failed (retries left, back-off)",
    body=JobFailRequest,
    answers=204,
)
async def fail_job(
    request: Request,
    jobKey: str,
    body: JobFailRequest,
) -> Response:
    message = pb.FailJobRequest(
        jobKey=key(jobKey, "jobKey"),
        retries=body.retries,
        errorMessage=body.errorMessage,
        retryBackOff=body.retryBackOff,
        variables=variables_text(body.variables),
    )
    await _context(request).send(command_from(requests.fail_job, message), "FailJob")
    return Response(status_code=204)


@operations.post(
    "/jobs/{jobKey}/error",
    "throwJobError",
    "Throw a BPMN error from a job",
    body=JobErrorRequest,
    body_required=True,
    answers=204,
)
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


@operations.patch(
    "/jobs/{jobKey}",
    "updateJob",
    "Change a job's retries and/or timeout",
    body=JobUpdateRequest,
    body_required=True,
    answers=204,
)
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
