"""The ``result`` of a CompleteJob request (Zeebe 8.8's ``JobResult``), which the gateway protocol
Strom is built with (pyzeebe's stubs) predates.

A client with the 8.8 protocol sends it as field 3 of ``CompleteJobRequest``; the older stubs keep
it as an unknown field. Only then is the request read again with the 8.8 layout, defined here
from the field numbers of Zeebe 8.8's ``gateway.proto`` — so a completion without a result costs
nothing extra. The same mapping serves REST (``POST /v2/jobs/{jobKey}/completion``, whose JSON
``result`` has the same names).

``type`` says which part counts: ``"adHocSubProcess"`` for an ad-hoc sub-process job (elements to
activate with their variables, completion condition fulfilled, cancel remaining instances),
``"userTask"`` (the default) for a task listener (denied, denied reason, corrections).
"""

from __future__ import annotations

from typing import Any

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory
from google.protobuf.unknown_fields import UnknownFieldSet

from strom.gateway.grpc._proto import pb
from strom.gateway.grpc.errors import invalid_argument
from strom.protocol.values.enums import JobResultType
from strom.protocol.values.job import (
    JobResultActivateElementValue,
    JobResultCorrectionsValue,
    JobResultValue,
)

RESULT_FIELD = 3
"""``CompleteJobRequest.result``'s field number in Zeebe 8.8's ``gateway.proto``."""

_AD_HOC = {"adhocsubprocess", "ad_hoc_sub_process"}
_USER_TASK = {"", "usertask", "user_task"}

_F = descriptor_pb2.FieldDescriptorProto


def _file() -> descriptor_pb2.FileDescriptorProto:
    file = descriptor_pb2.FileDescriptorProto(
        name="strom_job_result.proto", package="strom.gateway88", syntax="proto3"
    )

    def message(name: str, *fields: tuple[str, int, int, str, bool]) -> None:
        proto = file.message_type.add(name=name)
        for field_name, number, field_type, type_name, repeated in fields:
            field = proto.field.add(
                name=field_name,
                number=number,
                type=field_type,
                label=_F.LABEL_REPEATED if repeated else _F.LABEL_OPTIONAL,
            )
            if type_name:
                field.type_name = f".strom.gateway88.{type_name}"

    message("StringList", ("values", 1, _F.TYPE_STRING, "", True))
    message(
        "JobResultCorrections",
        ("assignee", 1, _F.TYPE_STRING, "", False),
        ("dueDate", 2, _F.TYPE_STRING, "", False),
        ("followUpDate", 3, _F.TYPE_STRING, "", False),
        ("candidateUsers", 4, _F.TYPE_MESSAGE, "StringList", False),
        ("candidateGroups", 5, _F.TYPE_MESSAGE, "StringList", False),
        ("priority", 6, _F.TYPE_INT32, "", False),
    )
    message(
        "JobResultActivateElement",
        ("elementId", 1, _F.TYPE_STRING, "", False),
        ("variables", 2, _F.TYPE_STRING, "", False),
    )
    message(
        "JobResult",
        ("denied", 1, _F.TYPE_BOOL, "", False),
        ("corrections", 2, _F.TYPE_MESSAGE, "JobResultCorrections", False),
        ("deniedReason", 3, _F.TYPE_STRING, "", False),
        ("type", 4, _F.TYPE_STRING, "", False),
        ("activateElements", 5, _F.TYPE_MESSAGE, "JobResultActivateElement", True),
        ("isCompletionConditionFulfilled", 6, _F.TYPE_BOOL, "", False),
        ("isCancelRemainingInstances", 7, _F.TYPE_BOOL, "", False),
    )
    message(
        "CompleteJobRequest",
        ("jobKey", 1, _F.TYPE_INT64, "", False),
        ("variables", 2, _F.TYPE_STRING, "", False),
        ("result", RESULT_FIELD, _F.TYPE_MESSAGE, "JobResult", False),
    )
    return file


_pool = descriptor_pool.DescriptorPool()
_pool.Add(_file())
CompleteJobRequest88: Any = message_factory.GetMessageClass(
    _pool.FindMessageTypeByName("strom.gateway88.CompleteJobRequest")
)
"""``CompleteJobRequest`` as Zeebe 8.8 defines it (with ``result``), for clients and tests."""


def result_of(request: pb.CompleteJobRequest) -> JobResultValue | None:
    """The request's job result, or None when it carries none.

    Raises:
        GatewayError: INVALID_ARGUMENT for an unknown result type or variables that are not a
            JSON object.
    """
    if not any(field.field_number == RESULT_FIELD for field in UnknownFieldSet(request)):
        return None
    full = CompleteJobRequest88.FromString(request.SerializeToString())
    if not full.HasField("result"):
        return None
    result = full.result
    return from_fields(
        result_type=result.type,
        denied=result.denied,
        denied_reason=result.deniedReason,
        corrections=_corrections(result.corrections) if result.HasField("corrections") else None,
        activate_elements=[(e.elementId, e.variables) for e in result.activateElements],
        completion_condition_fulfilled=result.isCompletionConditionFulfilled,
        cancel_remaining_instances=result.isCancelRemainingInstances,
    )


def _corrections(message: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in ("assignee", "dueDate", "followUpDate", "priority"):
        if message.HasField(name):
            found[name] = getattr(message, name)
    for name in ("candidateUsers", "candidateGroups"):
        if message.HasField(name):
            found[name] = list(getattr(message, name).values)
    return found


_CORRECTED = {
    "assignee": ("assignee", "assignee"),
    "dueDate": ("due_date", "dueDate"),
    "followUpDate": ("follow_up_date", "followUpDate"),
    "candidateUsers": ("candidate_users_list", "candidateUsersList"),
    "candidateGroups": ("candidate_groups_list", "candidateGroupsList"),
    "priority": ("priority", "priority"),
}
"""A correction's wire name -> (field of ``JobResultCorrectionsValue``, Zeebe's attribute name)."""


def from_fields(
    *,
    result_type: str | None,
    denied: bool = False,
    denied_reason: str = "",
    corrections: dict[str, Any] | None = None,
    activate_elements: list[tuple[str, str]] | None = None,
    completion_condition_fulfilled: bool = False,
    cancel_remaining_instances: bool = False,
) -> JobResultValue:
    """A job result from its parts as gRPC and REST name them (an element's variables as JSON text).

    Raises:
        GatewayError: INVALID_ARGUMENT for an unknown result type or variables that are not a
            JSON object.
    """
    from strom.gateway.grpc.requests import variables  # requests imports this module

    kind = (result_type or "").replace("-", "_").lower()
    if kind in _AD_HOC:
        elements = []
        for element_id, text in activate_elements or []:
            document = variables(text, "activateElements.variables")
            elements.append(JobResultActivateElementValue(element_id=element_id, variables=document))
        return JobResultValue(
            type=JobResultType.AD_HOC_SUB_PROCESS,
            activate_elements=elements,
            completion_condition_fulfilled=completion_condition_fulfilled,
            cancel_remaining_instances=cancel_remaining_instances,
        )
    if kind not in _USER_TASK:
        raise invalid_argument(
            f"Expected the job result's 'type' to be 'userTask' or 'adHocSubProcess', but it was "
            f"'{result_type}'"
        )
    fields: dict[str, Any] = {}
    corrected: list[str] = []
    for name, value in (corrections or {}).items():
        if name in _CORRECTED and value is not None:
            field, attribute = _CORRECTED[name]
            fields[field] = value
            corrected.append(attribute)
    return JobResultValue(
        type=JobResultType.USER_TASK,
        denied=denied,
        denied_reason=denied_reason,
        corrected_attributes=corrected,
        corrections=JobResultCorrectionsValue(**fields),
    )
