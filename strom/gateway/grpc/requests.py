"""Gateway requests -> engine commands, with the checks Zeebe's gateway makes before sending.

Variables arrive as JSON text and must be a JSON object; keys are int64 and must be positive when
given; durations are milliseconds between 0 and ``MAX_DURATION_MS``; a tenant id has the form of
one (what it may be is the ``TenancyPolicy``'s to decide, applied to every command the gateways
send: an empty one is resolved there). Every failed check is INVALID_ARGUMENT
with a message naming the field and the value. What needs state (does the job exist?) is the
engine's to decide.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.gateway.grpc import job_result
from strom.gateway.grpc._proto import pb
from strom.gateway.grpc.errors import invalid_argument
from strom.gateway.grpc.tenancy import checked_tenant_id
from strom.protocol.enums import RecordType
from strom.protocol.intents import (
    DecisionEvaluationIntent,
    DeploymentIntent,
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessInstanceModificationIntent,
    ResourceDeletionIntent,
    SignalIntent,
    VariableDocumentIntent,
)
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.decision import DecisionEvaluationRecordValue
from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource
from strom.protocol.values.enums import VariableDocumentUpdateSemantic
from strom.protocol.values.incident import IncidentRecordValue
from strom.protocol.values.job import JobBatchRecordValue, JobRecordValue
from strom.protocol.values.message import MessageRecordValue
from strom.protocol.values.process_instance import (
    ProcessInstanceCreationRecordValue,
    ProcessInstanceCreationStartInstructionValue,
    ProcessInstanceMigrationMappingInstructionValue,
    ProcessInstanceMigrationRecordValue,
    ProcessInstanceModificationActivateInstructionValue,
    ProcessInstanceModificationRecordValue,
    ProcessInstanceModificationTerminateInstructionValue,
    ProcessInstanceModificationVariableInstructionValue,
    ProcessInstanceRecordValue,
)
from strom.protocol.values.resource_deletion import ResourceDeletionRecordValue
from strom.protocol.values.signal import SignalRecordValue
from strom.protocol.values.variable import VariableDocumentRecordValue

MAX_DURATION_MS = 100 * 365 * 24 * 3600 * 1000
"""The longest timeout, back-off or time to live accepted (100 years): longer ones are mistakes,
and deadlines computed from them must stay within 64 bits."""

MAX_VARIABLE_DEPTH = 128
"""How deeply a variables document may nest objects and arrays. Expressions, variable mappings and
exporters walk documents level by level; a bound at the gateway keeps every one of them within
reach (a document a thousand levels deep would otherwise pass the gateway and stop at an exporter
or an expression)."""

_json_decode = msgspec.json.decode
_msgpack_encode = msgspec.msgpack.Encoder().encode
_JOB = RECORD_CLASS_FOR_VALUE[JobRecordValue]
_CREATION = RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue]
_COMMAND = RecordType.COMMAND
_EMPTY_JOB = JobRecordValue()


def command(value: Any, intent: int, key: int = -1, operation_reference: int = -1) -> Record[Any]:
    return RECORD_CLASS_FOR_VALUE[type(value)](
        key=key,
        record_type=_COMMAND,
        intent=intent,
        value=value,
        operation_reference=operation_reference,
    )


# -- field checks ----------------------------------------------------------------------------------


def variables(text: str, field: str = "variables") -> dict[str, Any]:
    """A JSON object as a dict; empty text is no variables."""
    if not text or text.isspace():
        return {}
    try:
        document = _json_decode(text)
    except msgspec.ValidationError as error:  # numbers beyond a double
        raise invalid_argument(f"Expected '{field}' to be a JSON object, but {error}") from None
    except msgspec.DecodeError as error:
        raise invalid_argument(
            f"Expected '{field}' to be a JSON object, but it is not valid JSON: {error}"
        ) from None
    except RecursionError:
        raise invalid_argument(
            f"Expected '{field}' to be a JSON object, but it is nested too deeply"
        ) from None
    if not isinstance(document, dict):
        raise invalid_argument(
            f"Expected '{field}' to be a JSON object, but it is a JSON {_json_type(document)}: {_clip(text)}"
        )
    if (text.count("{") + text.count("[")) > MAX_VARIABLE_DEPTH and _depth(document) > MAX_VARIABLE_DEPTH:
        raise invalid_argument(
            f"Expected '{field}' to be nested at most {MAX_VARIABLE_DEPTH} levels deep, but it is nested "
            "deeper (processes, expressions and exporters read every level)"
        )
    if document:
        try:
            _msgpack_encode(document)
        except OverflowError:
            raise invalid_argument(
                f"Expected '{field}' to hold integers of at most 64 bits, but it holds a larger one"
            ) from None
    return document


def _depth(document: Any) -> int:
    """How deeply objects and arrays nest in ``document`` (iteratively: no recursion limit)."""
    deepest = 0
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > deepest:
            deepest = depth
        if depth > MAX_VARIABLE_DEPTH:
            return depth
        children = value.values() if isinstance(value, dict) else value
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return deepest


def positive_key(value: int, field: str) -> int:
    if value <= 0:
        raise invalid_argument(f"Expected '{field}' to be a positive key, but it was {value}")
    return value


def optional_key(value: int, field: str) -> int:
    """0 means not given (proto3's default); -1 for the engine."""
    if value == 0:
        return -1
    return positive_key(value, field)


def duration(value: int, field: str, minimum: int = 0) -> int:
    if value < minimum or value > MAX_DURATION_MS:
        raise invalid_argument(
            f"Expected '{field}' to be a duration in milliseconds between {minimum} and "
            f"{MAX_DURATION_MS}, but it was {value}"
        )
    return value


def non_negative(value: int, field: str) -> int:
    if value < 0:
        raise invalid_argument(f"Expected '{field}' to be zero or more, but it was {value}")
    return value


def tenant(tenant_id: str) -> str:
    """The tenant a request names (empty: none; ``TenancyPolicy`` resolves it)."""
    return checked_tenant_id(tenant_id)


def tenants(tenant_ids: Any) -> list[str]:
    """The tenants a request names (empty: none; ``TenancyPolicy`` resolves them)."""
    return [checked_tenant_id(tenant_id, "tenantIds") for tenant_id in tenant_ids]


def operation_reference(request: Any) -> int:
    return int(request.operationReference) if request.HasField("operationReference") else -1


def _json_type(document: Any) -> str:
    if isinstance(document, list):
        return "array"
    if isinstance(document, str):
        return "string"
    if isinstance(document, bool):
        return "boolean"
    if isinstance(document, int | float):
        return "number"
    return "null"


def _clip(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


# -- deployments -----------------------------------------------------------------------------------


def deploy_resource(request: pb.DeployResourceRequest) -> Record[Any]:
    return _deployment([(r.name, r.content) for r in request.resources], tenant(request.tenantId))


def deploy_process(request: pb.DeployProcessRequest) -> Record[Any]:
    return _deployment([(p.name, p.definition) for p in request.processes], "")


def _deployment(resources: list[tuple[str, bytes]], tenant_id: str) -> Record[Any]:
    if not resources:
        raise invalid_argument("Expected to deploy at least one resource, but 'resources' is empty")
    for index, (name, _) in enumerate(resources):
        if not name:
            raise invalid_argument(f"Expected every resource to have a name, but resource {index} has none")
    value = DeploymentRecordValue(
        resources=[DeploymentResource(resource_name=name, resource=content) for name, content in resources],
        tenant_id=tenant_id,
    )
    return command(value, DeploymentIntent.CREATE)


# -- process instances -----------------------------------------------------------------------------


def _creation_value(request: pb.CreateProcessInstanceRequest, fetch: list[str]) -> Any:
    tenant_id = tenant(request.tenantId)
    version = request.version
    if version < -1:
        raise invalid_argument(
            f"Expected 'version' to be -1 (the latest) or a version number, but it was {version}"
        )
    definition_key = request.processDefinitionKey
    if definition_key:
        positive_key(definition_key, "processDefinitionKey")
    elif not request.bpmnProcessId:
        raise invalid_argument(
            "Expected either 'bpmnProcessId' or 'processDefinitionKey' to be set, but neither was"
        )
    return ProcessInstanceCreationRecordValue(
        bpmn_process_id=request.bpmnProcessId,
        version=version if version > 0 else -1,
        process_definition_key=definition_key or -1,
        variables=variables(request.variables) if request.variables else {},
        start_instructions=[
            ProcessInstanceCreationStartInstructionValue(element_id=i.elementId)
            for i in request.startInstructions
        ],
        fetch_variables=fetch,
        tenant_id=tenant_id,
    )


def create_process_instance(request: pb.CreateProcessInstanceRequest) -> Record[Any]:
    return _CREATION(
        record_type=_COMMAND,
        intent=ProcessInstanceCreationIntent.CREATE,
        value=_creation_value(request, []),
        operation_reference=operation_reference(request),
    )


def create_process_instance_with_result(request: pb.CreateProcessInstanceWithResultRequest) -> Record[Any]:
    if not request.HasField("request"):
        raise invalid_argument("Expected 'request' (what to create) to be set, but it was not")
    inner = request.request
    return _CREATION(
        record_type=_COMMAND,
        intent=ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
        value=_creation_value(inner, list(request.fetchVariables)),
        operation_reference=operation_reference(inner),
    )


def cancel_process_instance(request: pb.CancelProcessInstanceRequest) -> Record[Any]:
    return command(
        ProcessInstanceRecordValue(),
        ProcessInstanceIntent.CANCEL,
        positive_key(request.processInstanceKey, "processInstanceKey"),
        operation_reference(request),
    )


def set_variables(request: pb.SetVariablesRequest) -> Record[Any]:
    scope = positive_key(request.elementInstanceKey, "elementInstanceKey")
    semantics = (
        VariableDocumentUpdateSemantic.LOCAL if request.local else VariableDocumentUpdateSemantic.PROPAGATE
    )
    value = VariableDocumentRecordValue(
        scope_key=scope, update_semantics=semantics, variables=variables(request.variables)
    )
    return command(value, VariableDocumentIntent.UPDATE, -1, operation_reference(request))


def resolve_incident(request: pb.ResolveIncidentRequest) -> Record[Any]:
    return command(
        IncidentRecordValue(),
        IncidentIntent.RESOLVE,
        positive_key(request.incidentKey, "incidentKey"),
        operation_reference(request),
    )


def modify_process_instance(request: pb.ModifyProcessInstanceRequest) -> Record[Any]:
    instance_key = positive_key(request.processInstanceKey, "processInstanceKey")
    activates = []
    for index, instruction in enumerate(request.activateInstructions):
        if not instruction.elementId:
            raise invalid_argument(f"Expected 'activateInstructions[{index}].elementId' to be set")
        ancestor = instruction.ancestorElementInstanceKey
        if ancestor == -1:  # Zeebe's proto documents -1 as "no ancestor" (the Node SDK sends it)
            ancestor = 0
        if ancestor:
            positive_key(ancestor, f"activateInstructions[{index}].ancestorElementInstanceKey")
        activates.append(
            ProcessInstanceModificationActivateInstructionValue(
                element_id=instruction.elementId,
                ancestor_scope_key=ancestor or -1,
                variable_instructions=[
                    ProcessInstanceModificationVariableInstructionValue(
                        variables=variables(
                            v.variables, f"activateInstructions[{index}].variableInstructions[{n}].variables"
                        ),
                        element_id=v.scopeId,
                    )
                    for n, v in enumerate(instruction.variableInstructions)
                ],
            )
        )
    terminates = [
        ProcessInstanceModificationTerminateInstructionValue(
            element_instance_key=positive_key(
                t.elementInstanceKey, f"terminateInstructions[{index}].elementInstanceKey"
            )
        )
        for index, t in enumerate(request.terminateInstructions)
    ]
    value = ProcessInstanceModificationRecordValue(
        process_instance_key=instance_key,
        activate_instructions=activates,
        terminate_instructions=terminates,
    )
    return command(
        value, ProcessInstanceModificationIntent.MODIFY, instance_key, operation_reference(request)
    )


def migrate_process_instance(request: pb.MigrateProcessInstanceRequest) -> Record[Any]:
    instance_key = positive_key(request.processInstanceKey, "processInstanceKey")
    plan = request.migrationPlan
    value = ProcessInstanceMigrationRecordValue(
        process_instance_key=instance_key,
        target_process_definition_key=positive_key(
            plan.targetProcessDefinitionKey, "migrationPlan.targetProcessDefinitionKey"
        ),
        mapping_instructions=[
            ProcessInstanceMigrationMappingInstructionValue(
                source_element_id=m.sourceElementId, target_element_id=m.targetElementId
            )
            for m in plan.mappingInstructions
        ],
    )
    return command(value, ProcessInstanceMigrationIntent.MIGRATE, instance_key, operation_reference(request))


def delete_resource(request: pb.DeleteResourceRequest) -> Record[Any]:
    value = ResourceDeletionRecordValue(resource_key=positive_key(request.resourceKey, "resourceKey"))
    return command(value, ResourceDeletionIntent.DELETE, -1, operation_reference(request))


# -- jobs -----------------------------------------------------------------------------------------------


def activate_jobs(request: pb.ActivateJobsRequest) -> Record[Any]:
    """JOB_BATCH ACTIVATE; the engine checks type, timeout and maxJobsToActivate like Zeebe's."""
    tenant_ids = tenants(request.tenantIds)
    value = JobBatchRecordValue(
        type=request.type,
        worker=request.worker,
        timeout=duration(request.timeout, "timeout", 0) if request.timeout > 0 else request.timeout,
        max_jobs_to_activate=request.maxJobsToActivate,
        variables=list(request.fetchVariable),
        tenant_ids=tenant_ids,
    )
    return command(value, JobBatchIntent.ACTIVATE)


def stream_activated_jobs(request: pb.StreamActivatedJobsRequest) -> tuple[str, str, int, list[str]]:
    """(type, worker, timeout, fetch variables) of a job stream, checked as Zeebe checks them."""
    tenants(request.tenantIds)
    if not request.type:
        raise invalid_argument("Expected to stream activated jobs with a 'type', but it was blank")
    if request.timeout < 1:
        raise invalid_argument(
            f"Expected to stream activated jobs with a 'timeout' greater than zero, but it was "
            f"{request.timeout}"
        )
    duration(request.timeout, "timeout", 1)
    return request.type, request.worker, request.timeout, list(request.fetchVariable)


def complete_job(request: pb.CompleteJobRequest) -> Record[Any]:
    key = request.jobKey
    if key <= 0:
        positive_key(key, "jobKey")
    text = request.variables
    value = JobRecordValue(variables=variables(text)) if text else _EMPTY_JOB
    result = job_result.result_of(request)
    if result is not None:
        value = msgspec.structs.replace(value, result=result)
    return _JOB(key=key, record_type=_COMMAND, intent=JobIntent.COMPLETE, value=value)


def fail_job(request: pb.FailJobRequest) -> Record[Any]:
    value = JobRecordValue(
        retries=non_negative(request.retries, "retries"),
        error_message=request.errorMessage,
        retry_backoff=duration(request.retryBackOff, "retryBackOff"),
        variables=variables(request.variables),
    )
    return command(value, JobIntent.FAIL, positive_key(request.jobKey, "jobKey"))


def throw_error(request: pb.ThrowErrorRequest) -> Record[Any]:
    if not request.errorCode:
        raise invalid_argument("Expected 'errorCode' to be set to the BPMN error's code, but it was empty")
    value = JobRecordValue(
        error_code=request.errorCode,
        error_message=request.errorMessage,
        variables=variables(request.variables),
    )
    return command(value, JobIntent.THROW_ERROR, positive_key(request.jobKey, "jobKey"))


def update_job_retries(request: pb.UpdateJobRetriesRequest) -> Record[Any]:
    return command(
        JobRecordValue(retries=request.retries),
        JobIntent.UPDATE_RETRIES,
        positive_key(request.jobKey, "jobKey"),
        operation_reference(request),
    )


def update_job_timeout(request: pb.UpdateJobTimeoutRequest) -> Record[Any]:
    return command(
        JobRecordValue(timeout=duration(request.timeout, "timeout")),
        JobIntent.UPDATE_TIMEOUT,
        positive_key(request.jobKey, "jobKey"),
        operation_reference(request),
    )


def yield_job(job_key: int) -> Record[Any]:
    """Give a pushed job back (its stream is gone): it becomes activatable again."""
    return _JOB(key=job_key, record_type=_COMMAND, intent=JobIntent.YIELD, value=_EMPTY_JOB)


# -- messages, signals, decisions ------------------------------------------------------------------


def publish_message(request: pb.PublishMessageRequest) -> Record[Any]:
    tenant_id = tenant(request.tenantId)
    if not request.name:
        raise invalid_argument("Expected 'name' (the message name) to be set, but it was empty")
    value = MessageRecordValue(
        name=request.name,
        correlation_key=request.correlationKey,
        message_id=request.messageId,
        time_to_live=duration(request.timeToLive, "timeToLive"),
        variables=variables(request.variables),
        tenant_id=tenant_id,
    )
    return command(value, MessageIntent.PUBLISH)


def broadcast_signal(request: pb.BroadcastSignalRequest) -> Record[Any]:
    tenant_id = tenant(request.tenantId)
    if not request.signalName:
        raise invalid_argument("Expected 'signalName' to be set, but it was empty")
    value = SignalRecordValue(
        signal_name=request.signalName, variables=variables(request.variables), tenant_id=tenant_id
    )
    return command(value, SignalIntent.BROADCAST)


def evaluate_decision(request: pb.EvaluateDecisionRequest) -> Record[Any]:
    tenant_id = tenant(request.tenantId)
    if request.decisionKey:
        positive_key(request.decisionKey, "decisionKey")
    elif not request.decisionId:
        raise invalid_argument("Expected either 'decisionId' or 'decisionKey' to be set, but neither was")
    value = DecisionEvaluationRecordValue(
        decision_key=request.decisionKey or -1,
        decision_id=request.decisionId,
        variables=variables(request.variables),
        tenant_id=tenant_id,
    )
    return command(value, DecisionEvaluationIntent.EVALUATE)
