"""gRPC status codes for what can go wrong, the way Zeebe's gateway maps them.

A rejection becomes ``Command '<INTENT>' rejected with code '<TYPE>': <reason>`` with Zeebe's code
per rejection type (INVALID_STATE is FAILED_PRECONDITION, PROCESSING_ERROR is INTERNAL, …). A
command the engine has no processor for is UNIMPLEMENTED, naming what is missing, never a fake
success. A full partition is RESOURCE_EXHAUSTED, which clients retry.
"""

from __future__ import annotations

from typing import Any

import grpc

from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import (
    DecisionEvaluationIntent,
    MessageIntent,
    ProcessInstanceMigrationIntent,
    ProcessInstanceModificationIntent,
    ResourceDeletionIntent,
    SignalIntent,
    intent_name,
)
from strom.protocol.record import Record

Code = grpc.StatusCode

_REJECTION_CODES: dict[RejectionType, grpc.StatusCode] = {
    RejectionType.INVALID_ARGUMENT: Code.INVALID_ARGUMENT,
    RejectionType.NOT_FOUND: Code.NOT_FOUND,
    RejectionType.ALREADY_EXISTS: Code.ALREADY_EXISTS,
    RejectionType.INVALID_STATE: Code.FAILED_PRECONDITION,
    RejectionType.PROCESSING_ERROR: Code.INTERNAL,
    RejectionType.UNAUTHORIZED: Code.PERMISSION_DENIED,
    RejectionType.FORBIDDEN: Code.PERMISSION_DENIED,
}
"""Zeebe's GrpcErrorMapper; other types (EXCEEDED_BATCH_RECORD_SIZE) are UNKNOWN there too."""

_FEATURES: dict[tuple[ValueType, int], str] = {
    (ValueType.MESSAGE, MessageIntent.PUBLISH): "message publication (BPMN message events)",
    (ValueType.SIGNAL, SignalIntent.BROADCAST): "signal broadcast (BPMN signal events)",
    (ValueType.DECISION_EVALUATION, DecisionEvaluationIntent.EVALUATE): "decision evaluation (DMN)",
    (
        ValueType.PROCESS_INSTANCE_MODIFICATION,
        ProcessInstanceModificationIntent.MODIFY,
    ): "process instance modification",
    (
        ValueType.PROCESS_INSTANCE_MIGRATION,
        ProcessInstanceMigrationIntent.MIGRATE,
    ): "process instance migration",
    (ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETE): "resource deletion",
}

UNSUPPORTED_REASON_END = "does not support it"
"""How the engine ends the reason of a command it has no processor for."""


class GatewayError(Exception):
    """Ends an RPC with ``code`` and ``message`` (the client sees both)."""

    def __init__(self, code: grpc.StatusCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def invalid_argument(message: str) -> GatewayError:
    return GatewayError(Code.INVALID_ARGUMENT, message)


def from_rejection(record: Record[Any], rpc: str) -> GatewayError:
    """The error for a rejection record, with Zeebe's code and message format."""
    reason = record.rejection_reason
    intent = intent_name(record.value_type, record.intent)
    if record.rejection_type is RejectionType.INVALID_ARGUMENT and reason.endswith(UNSUPPORTED_REASON_END):
        return GatewayError(Code.UNIMPLEMENTED, f"{rpc} is not implemented by this Strom broker: {reason}")
    code = _REJECTION_CODES.get(record.rejection_type, Code.UNKNOWN)
    return GatewayError(
        code, f"Command '{intent}' rejected with code '{record.rejection_type.name}': {reason}"
    )


def unimplemented(rpc: str, value_type: ValueType, intent: int) -> GatewayError:
    feature = _FEATURES.get((value_type, intent), f"{value_type.name} {intent_name(value_type, intent)}")
    return GatewayError(
        Code.UNIMPLEMENTED,
        f"{rpc} is not implemented by this Strom broker: its engine has no {feature} yet "
        f"(no processor for {value_type.name} {intent_name(value_type, intent)} commands)",
    )


def throttled(rpc: str, partition_id: int, reason: str) -> GatewayError:
    """Flow control refused the request (write rate, exporter backlog)."""
    return GatewayError(
        Code.RESOURCE_EXHAUSTED,
        f"Expected to handle {rpc}, but partition {partition_id} is throttled: {reason}; retry later",
    )


def overloaded(rpc: str, partition_id: int, inflight: int, limit: int) -> GatewayError:
    return GatewayError(
        Code.RESOURCE_EXHAUSTED,
        f"Expected to handle {rpc}, but partition {partition_id} is overloaded: {inflight} requests "
        f"in flight reached its backpressure limit of {limit}; retry later or send fewer requests",
    )


def not_found(rpc: str, message: str) -> GatewayError:
    return GatewayError(Code.NOT_FOUND, f"Expected to handle {rpc}: {message}")


def unavailable(rpc: str, reason: str) -> GatewayError:
    """The partition cannot take requests now (its process is restarting): retry later."""
    return GatewayError(Code.UNAVAILABLE, f"Expected to handle {rpc}, but {reason}; retry later")


def timed_out(rpc: str, seconds: float) -> GatewayError:
    return GatewayError(
        Code.DEADLINE_EXCEEDED,
        f"Expected to handle {rpc} within {seconds:g} s, but the partition did not answer in time",
    )
