"""Job commands: activation (long polling, as gRPC's ActivateJobs), completion (with a job result:
a task listener's verdict or an ad-hoc sub-process worker's choice), failure, BPMN error, update of
retries and timeout."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc import job_result, requests
from strom.gateway.grpc._proto import pb
from strom.gateway.rest.context import RestContext, command_from, json_response, key, text, variables_text
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import invalid_argument
from strom.protocol.values.job import JobResultValue

operations = Operations("Job")


class JobActivationRequest(Body):
    type: str
    timeout: int
    maxJobsToActivate: int
    worker: str = ""
    fetchVariable: list[str] = msgspec.field(default_factory=list)
    requestTimeout: int = 0
    tenantIds: list[str] = msgspec.field(default_factory=list)


class JobResultCorrections(Body):
    assignee: str | None = None
    dueDate: str | None = None
    followUpDate: str | None = None
    candidateUsers: list[str] | None = None
    candidateGroups: list[str] | None = None
    priority: int | None = None


class JobResultActivateElement(Body):
    elementId: str
    variables: dict[str, Any] | None = None


class JobResult(Body):
    """``userTask`` (a task listener's verdict) or ``adHocSubProcess`` (what the ad-hoc
    sub-process's worker chose)."""

    type: str | None = None
    denied: bool | None = None
    deniedReason: str | None = None
    corrections: JobResultCorrections | None = None
    activateElements: list[JobResultActivateElement] = msgspec.field(default_factory=list)
    isCompletionConditionFulfilled: bool | None = None
    isCancelRemainingInstances: bool | None = None


class JobCompletionRequest(Body):
    variables: dict[str, Any] | None = None
    result: JobResult | None = None


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
    command = command_from(requests.complete_job, message)
    if body.result is not None:
        result = command_from(_job_result, body.result)
        value = msgspec.structs.replace(command.value, result=result)
        command = msgspec.structs.replace(command, value=value)
    await _context(request).send(command, "CompleteJob")
    return Response(status_code=204)


def _job_result(result: JobResult) -> JobResultValue:
    corrections = result.corrections
    result_type = result.type
    if result_type is None and (
        result.activateElements
        or result.isCompletionConditionFulfilled is not None
        or result.isCancelRemainingInstances is not None
    ):
        result_type = "adHocSubProcess"  # a client that leaves out the discriminator
    return job_result.from_fields(
        result_type=result_type,
        denied=bool(result.denied),
        denied_reason=result.deniedReason or "",
        corrections=msgspec.structs.asdict(corrections) if corrections is not None else None,
        activate_elements=[(e.elementId, variables_text(e.variables)) for e in result.activateElements],
        completion_condition_fulfilled=bool(result.isCompletionConditionFulfilled),
        cancel_remaining_instances=bool(result.isCancelRemainingInstances),
    )


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
