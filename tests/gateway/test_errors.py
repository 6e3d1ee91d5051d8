"""Rejections -> gRPC status codes and messages, as Zeebe's gateway maps them."""

from __future__ import annotations

import grpc
import pytest

from strom.gateway.grpc.errors import from_rejection, overloaded, unimplemented
from strom.protocol.enums import RecordType, RejectionType, ValueType
from strom.protocol.intents import JobIntent, SignalIntent
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.job import JobRecordValue


def _rejection(rejection_type: RejectionType, reason: str = "because") -> object:
    return RECORD_CLASS_FOR_VALUE[JobRecordValue](
        record_type=RecordType.COMMAND_REJECTION,
        intent=JobIntent.COMPLETE,
        value=JobRecordValue(),
        rejection_type=rejection_type,
        rejection_reason=reason,
    )


@pytest.mark.parametrize(
    ("rejection_type", "code"),
    [
        (RejectionType.INVALID_ARGUMENT, grpc.StatusCode.INVALID_ARGUMENT),
        (RejectionType.NOT_FOUND, grpc.StatusCode.NOT_FOUND),
        (RejectionType.ALREADY_EXISTS, grpc.StatusCode.ALREADY_EXISTS),
        (RejectionType.INVALID_STATE, grpc.StatusCode.FAILED_PRECONDITION),
        (RejectionType.PROCESSING_ERROR, grpc.StatusCode.INTERNAL),
        (RejectionType.UNAUTHORIZED, grpc.StatusCode.PERMISSION_DENIED),
        (RejectionType.FORBIDDEN, grpc.StatusCode.PERMISSION_DENIED),
        (RejectionType.EXCEEDED_BATCH_RECORD_SIZE, grpc.StatusCode.UNKNOWN),
    ],
)
def test_rejection_types_map_to_zeebes_codes(rejection_type: RejectionType, code: grpc.StatusCode) -> None:
    error = from_rejection(_rejection(rejection_type), "CompleteJob")  # type: ignore[arg-type]

    assert error.code is code
    assert error.message == f"Command 'COMPLETE' rejected with code '{rejection_type.name}': because"


def test_a_command_the_engine_does_not_support_is_unimplemented() -> None:
    reason = "Expected to process a JOB COMPLETE command, but this version of Strom does not support it"

    error = from_rejection(_rejection(RejectionType.INVALID_ARGUMENT, reason), "CompleteJob")  # type: ignore[arg-type]

    assert error.code is grpc.StatusCode.UNIMPLEMENTED
    assert error.message == f"CompleteJob is not implemented by this Strom broker: {reason}"


def test_unimplemented_names_the_missing_feature() -> None:
    error = unimplemented("BroadcastSignal", ValueType.SIGNAL, SignalIntent.BROADCAST)

    assert "signal broadcast" in error.message
    assert "SIGNAL BROADCAST" in error.message


def test_overloaded_is_resource_exhausted_with_the_numbers() -> None:
    error = overloaded("CreateProcessInstance", 1, 100, 100)

    assert error.code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert (
        "partition 1 is overloaded: 100 requests in flight reached its backpressure limit of 100"
        in error.message
    )
