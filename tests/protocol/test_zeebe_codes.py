"""Numeric codes and names checked against Zeebe's own source (``zeebe/protocol``).

The expectations are copied from Zeebe's enums, not from Strom: a mismatch means Strom's log and
exports no longer mean what they mean to Zeebe tooling.
"""

from __future__ import annotations

from enum import Enum

import pytest

from strom.protocol import (
    INTENTS,
    AdHocSubProcessInstructionIntent,
    BatchOperationChunkIntent,
    BatchOperationExecutionIntent,
    BatchOperationIntent,
    ClockIntent,
    CommandDistributionIntent,
    DeploymentIntent,
    ErrorType,
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    JobKind,
    JobListenerEventType,
    MessageCorrelationIntent,
    MessageIntent,
    MessageSubscriptionIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    ProcessMessageSubscriptionIntent,
    RecordType,
    RejectionType,
    TimerIntent,
    UserTaskIntent,
    ValueType,
    VariableDocumentIntent,
    VariableIntent,
    intent_name,
    intent_of,
    is_event,
    is_event_code,
)

ZEEBE_CODES: list[tuple[type[Enum], dict[str, int]]] = [
    (RecordType, {"EVENT": 0, "COMMAND": 1, "COMMAND_REJECTION": 2}),
    (
        ValueType,
        {
            "JOB": 0,
            "DEPLOYMENT": 4,
            "PROCESS_INSTANCE": 5,
            "INCIDENT": 6,
            "MESSAGE": 10,
            "MESSAGE_SUBSCRIPTION": 11,
            "PROCESS_MESSAGE_SUBSCRIPTION": 12,
            "JOB_BATCH": 14,
            "TIMER": 15,
            "MESSAGE_START_EVENT_SUBSCRIPTION": 16,
            "VARIABLE": 17,
            "VARIABLE_DOCUMENT": 18,
            "PROCESS_INSTANCE_CREATION": 19,
            "ERROR": 20,
            "PROCESS_INSTANCE_RESULT": 21,
            "PROCESS": 22,
            "DEPLOYMENT_DISTRIBUTION": 23,
            "PROCESS_EVENT": 24,
            "DECISION": 25,
            "DECISION_REQUIREMENTS": 26,
            "DECISION_EVALUATION": 27,
            "PROCESS_INSTANCE_MODIFICATION": 28,
            "ESCALATION": 29,
            "SIGNAL_SUBSCRIPTION": 30,
            "SIGNAL": 31,
            "RESOURCE_DELETION": 32,
            "COMMAND_DISTRIBUTION": 33,
            "PROCESS_INSTANCE_BATCH": 34,
            "MESSAGE_BATCH": 35,
            "FORM": 36,
            "USER_TASK": 37,
            "PROCESS_INSTANCE_MIGRATION": 38,
            "COMPENSATION_SUBSCRIPTION": 39,
            "MESSAGE_CORRELATION": 40,
            "CLOCK": 42,
            "AD_HOC_SUB_PROCESS_INSTRUCTION": 53,
            "BATCH_OPERATION_CREATION": 50,
            "BATCH_OPERATION_EXECUTION": 51,
            "BATCH_OPERATION_CHUNK": 52,
            "BATCH_OPERATION_LIFECYCLE_MANAGEMENT": 54,
            "BATCH_OPERATION_PARTITION_LIFECYCLE": 55,
            "BATCH_OPERATION_INITIALIZATION": 58,
        },
    ),
    (
        RejectionType,
        {
            "INVALID_ARGUMENT": 0,
            "NOT_FOUND": 1,
            "ALREADY_EXISTS": 2,
            "INVALID_STATE": 3,
            "PROCESSING_ERROR": 4,
            "EXCEEDED_BATCH_RECORD_SIZE": 5,
            "NULL_VAL": 255,
        },
    ),
    (
        JobIntent,
        {
            "CREATED": 0,
            "COMPLETE": 1,
            "COMPLETED": 2,
            "TIME_OUT": 3,
            "TIMED_OUT": 4,
            "FAIL": 5,
            "FAILED": 6,
            "UPDATE_RETRIES": 7,
            "RETRIES_UPDATED": 8,
            "CANCEL": 9,
            "CANCELED": 10,
            "THROW_ERROR": 11,
            "ERROR_THROWN": 12,
            "RECUR_AFTER_BACKOFF": 13,
            "RECURRED_AFTER_BACKOFF": 14,
            "YIELD": 15,
            "YIELDED": 16,
            "UPDATE_TIMEOUT": 17,
            "TIMEOUT_UPDATED": 18,
            "MIGRATED": 19,
            "UPDATE": 20,
        },
    ),
    (
        ProcessInstanceIntent,
        {
            "CANCEL": 0,
            "SEQUENCE_FLOW_TAKEN": 1,
            "ELEMENT_ACTIVATING": 2,
            "ELEMENT_ACTIVATED": 3,
            "ELEMENT_COMPLETING": 4,
            "ELEMENT_COMPLETED": 5,
            "ELEMENT_TERMINATING": 6,
            "ELEMENT_TERMINATED": 7,
            "ACTIVATE_ELEMENT": 8,
            "COMPLETE_ELEMENT": 9,
            "TERMINATE_ELEMENT": 10,
            "ELEMENT_MIGRATED": 11,
            "COMPLETE_EXECUTION_LISTENER": 12,
            "ANCESTOR_MIGRATED": 13,
        },
    ),
    (
        DeploymentIntent,
        {
            "CREATE": 0,
            "CREATED": 1,
            "DISTRIBUTE": 2,
            "DISTRIBUTED": 3,
            "FULLY_DISTRIBUTED": 4,
            "RECONSTRUCT": 5,
            "RECONSTRUCTED": 6,
            "RECONSTRUCTED_ALL": 7,
        },
    ),
    (ProcessInstanceCreationIntent, {"CREATE": 0, "CREATED": 1, "CREATE_WITH_AWAITING_RESULT": 2}),
    (JobBatchIntent, {"ACTIVATE": 0, "ACTIVATED": 1}),
    (VariableIntent, {"CREATED": 0, "UPDATED": 1, "MIGRATED": 2, "CREATING": 3, "UPDATING": 4}),
    (VariableDocumentIntent, {"UPDATE": 0, "UPDATED": 1, "UPDATING": 2, "UPDATE_DENIED": 3}),
    (IncidentIntent, {"CREATED": 0, "RESOLVE": 1, "RESOLVED": 2, "MIGRATED": 3}),
    (MessageIntent, {"PUBLISH": 0, "PUBLISHED": 1, "EXPIRE": 2, "EXPIRED": 3}),
    (
        MessageSubscriptionIntent,
        {"CREATE": 0, "CREATED": 1, "CORRELATE": 2, "CORRELATED": 3, "CORRELATING": 8, "MIGRATED": 10},
    ),
    (ProcessMessageSubscriptionIntent, {"CREATING": 0, "CREATE": 1, "CREATED": 2, "MIGRATED": 8}),
    (MessageCorrelationIntent, {"CORRELATE": 1, "CORRELATING": 2, "CORRELATED": 3, "NOT_CORRELATED": 4}),
    (TimerIntent, {"CREATED": 0, "TRIGGER": 1, "TRIGGERED": 2, "CANCEL": 3, "CANCELED": 4, "MIGRATED": 5}),
    (
        UserTaskIntent,
        {
            "CREATING": 0,
            "CREATED": 1,
            "COMPLETE": 2,
            "ASSIGN": 7,
            "CLAIM": 10,
            "UPDATE": 11,
            "MIGRATED": 14,
            "COMPLETE_TASK_LISTENER": 15,
            "CORRECTED": 18,
            "CANCEL": 23,
        },
    ),
    (
        CommandDistributionIntent,
        {"STARTED": 0, "DISTRIBUTING": 1, "ACKNOWLEDGE": 2, "ACKNOWLEDGED": 3, "FINISHED": 4, "CONTINUE": 9},
    ),
    (ClockIntent, {"PIN": 0, "PINNED": 1, "RESET": 2, "RESETTED": 3}),
    (AdHocSubProcessInstructionIntent, {"ACTIVATE": 0, "ACTIVATED": 1, "COMPLETE": 2, "COMPLETED": 3}),
    (
        BatchOperationIntent,
        {
            "CREATE": 0,
            "CREATED": 1,
            "INITIALIZE": 2,
            "INITIALIZING": 3,
            "FINISH_INITIALIZATION": 4,
            "INITIALIZED": 5,
            "FAIL": 6,
            "FAILED": 7,
            "CANCEL": 8,
            "CANCELED": 9,
            "SUSPEND": 10,
            "SUSPENDED": 11,
            "RESUME": 12,
            "RESUMED": 13,
            "COMPLETE": 14,
            "COMPLETED": 15,
            "COMPLETE_PARTITION": 16,
            "PARTITION_COMPLETED": 17,
            "FAIL_PARTITION": 18,
            "PARTITION_FAILED": 19,
        },
    ),
    (BatchOperationChunkIntent, {"CREATE": 0, "CREATED": 1}),
    (BatchOperationExecutionIntent, {"EXECUTE": 0, "EXECUTING": 1, "EXECUTED": 2}),
]


@pytest.mark.parametrize(("enum", "expected"), ZEEBE_CODES, ids=lambda e: getattr(e, "__name__", ""))
def test_codes_match_zeebe(enum: type[Enum], expected: dict[str, int]) -> None:
    assert {name: enum[name].value for name in expected} == expected


ZEEBE_EVENTS: list[tuple[type[Enum], set[str]]] = [
    (
        JobIntent,
        {
            "CREATED",
            "COMPLETED",
            "TIMED_OUT",
            "FAILED",
            "RETRIES_UPDATED",
            "CANCELED",
            "ERROR_THROWN",
            "RECURRED_AFTER_BACKOFF",
            "YIELDED",
            "TIMEOUT_UPDATED",
            "MIGRATED",
            "UPDATED",
        },
    ),
    (
        ProcessInstanceIntent,
        {
            "SEQUENCE_FLOW_TAKEN",
            "ELEMENT_ACTIVATING",
            "ELEMENT_ACTIVATED",
            "ELEMENT_COMPLETING",
            "ELEMENT_COMPLETED",
            "ELEMENT_TERMINATING",
            "ELEMENT_TERMINATED",
            "ELEMENT_MIGRATED",
            "ANCESTOR_MIGRATED",
            "SEQUENCE_FLOW_DELETED",
            "CANCELING",
        },
    ),
    (
        DeploymentIntent,
        {"CREATED", "DISTRIBUTED", "FULLY_DISTRIBUTED", "RECONSTRUCTED", "RECONSTRUCTED_ALL"},
    ),
    (VariableIntent, {"CREATED", "UPDATED", "MIGRATED", "CREATING", "UPDATING"}),
    (
        MessageSubscriptionIntent,
        {"CREATED", "CORRELATING", "CORRELATED", "REJECTED", "DELETED", "MIGRATED"},
    ),
    (
        UserTaskIntent,
        {
            "CREATING",
            "CREATED",
            "COMPLETING",
            "COMPLETED",
            "CANCELING",
            "CANCELED",
            "ASSIGNING",
            "ASSIGNED",
            "UPDATING",
            "UPDATED",
            "MIGRATED",
            "COMPLETION_DENIED",
            "CORRECTED",
            "ASSIGNMENT_DENIED",
            "CLAIMING",
            "UPDATE_DENIED",
        },
    ),
    (ClockIntent, {"PINNED", "RESETTED"}),
]


@pytest.mark.parametrize(("enum", "events"), ZEEBE_EVENTS, ids=lambda e: getattr(e, "__name__", ""))
def test_events_are_the_intents_zeebe_calls_events(enum: type[Enum], events: set[str]) -> None:
    assert {intent.name for intent in enum if is_event(intent)} == events  # type: ignore[arg-type]


def test_event_check_by_code_agrees_with_the_enum() -> None:
    for value_type, intents in INTENTS.items():
        for intent in intents:
            assert is_event_code(value_type, intent.value) is is_event(intent)


def test_codes_a_value_type_does_not_define_are_not_events() -> None:
    assert not is_event_code(ValueType.JOB, 999)
    assert not is_event_code(ValueType.IDENTITY_SETUP, 0)


def test_intent_names_render_like_zeebe_including_unknown_codes() -> None:
    assert intent_name(ValueType.JOB, JobIntent.COMPLETED.value) == "COMPLETED"
    assert intent_name(ValueType.MESSAGE_CORRELATION, 0) == "UNKNOWN"
    assert intent_name(ValueType.IDENTITY_SETUP, 0) == "UNKNOWN"


def test_intent_of_gives_the_member_and_rejects_unknown_codes() -> None:
    assert intent_of(ValueType.PROCESS_INSTANCE, 3) is ProcessInstanceIntent.ELEMENT_ACTIVATED
    with pytest.raises(ValueError):
        intent_of(ValueType.JOB, 999)


BRIEFED_VALUE_TYPES = [
    "DEPLOYMENT",
    "PROCESS",
    "PROCESS_INSTANCE",
    "PROCESS_INSTANCE_CREATION",
    "PROCESS_INSTANCE_RESULT",
    "PROCESS_INSTANCE_MODIFICATION",
    "PROCESS_INSTANCE_MIGRATION",
    "PROCESS_INSTANCE_BATCH",
    "JOB",
    "JOB_BATCH",
    "VARIABLE",
    "VARIABLE_DOCUMENT",
    "INCIDENT",
    "MESSAGE",
    "MESSAGE_SUBSCRIPTION",
    "PROCESS_MESSAGE_SUBSCRIPTION",
    "MESSAGE_START_EVENT_SUBSCRIPTION",
    "MESSAGE_CORRELATION",
    "MESSAGE_BATCH",
    "TIMER",
    "SIGNAL",
    "SIGNAL_SUBSCRIPTION",
    "ERROR",
    "ESCALATION",
    "DECISION",
    "DECISION_REQUIREMENTS",
    "DECISION_EVALUATION",
    "FORM",
    "USER_TASK",
    "RESOURCE_DELETION",
    "COMMAND_DISTRIBUTION",
    "DEPLOYMENT_DISTRIBUTION",
    "COMPENSATION_SUBSCRIPTION",
    "PROCESS_EVENT",
    "CLOCK",
    "USER",
    "GROUP",
    "ROLE",
    "TENANT",
    "MAPPING_RULE",
    "AUTHORIZATION",
    "AD_HOC_SUB_PROCESS_INSTRUCTION",
    "BATCH_OPERATION_CREATION",
    "BATCH_OPERATION_INITIALIZATION",
    "BATCH_OPERATION_CHUNK",
    "BATCH_OPERATION_EXECUTION",
    "BATCH_OPERATION_LIFECYCLE_MANAGEMENT",
    "BATCH_OPERATION_PARTITION_LIFECYCLE",
]


def test_every_value_type_strom_speaks_has_intents() -> None:
    assert {value_type.name for value_type in INTENTS} == set(BRIEFED_VALUE_TYPES)


def test_value_enums_use_zeebe_names() -> None:
    assert {
        "JOB_NO_RETRIES",
        "EXTRACT_VALUE_ERROR",
        "IO_MAPPING_ERROR",
        "CONDITION_ERROR",
        "CALLED_ELEMENT_ERROR",
        "UNHANDLED_ERROR_EVENT",
        "DECISION_EVALUATION_ERROR",
        "MESSAGE_SIZE_EXCEEDED",
        "FORM_NOT_FOUND",
        "RESOURCE_NOT_FOUND",
        "EXECUTION_LISTENER_NO_RETRIES",
        "TASK_LISTENER_NO_RETRIES",
        "UNKNOWN",
    } <= set(ErrorType)
    assert list(JobKind) == ["BPMN_ELEMENT", "EXECUTION_LISTENER", "TASK_LISTENER", "AD_HOC_SUB_PROCESS"]
    assert JobListenerEventType.UNSPECIFIED == "UNSPECIFIED"
