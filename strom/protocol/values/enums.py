"""Enums carried inside record values.

Zeebe stores and exports these by name, never by ordinal, so they are string enums and a new member
can go anywhere; a name, once written to a log, is never renamed.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorType(StrEnum):
    """Why an incident was raised (``IncidentRecordValue.error_type``)."""

    UNKNOWN = "UNKNOWN"
    IO_MAPPING_ERROR = "IO_MAPPING_ERROR"
    JOB_NO_RETRIES = "JOB_NO_RETRIES"
    EXECUTION_LISTENER_NO_RETRIES = "EXECUTION_LISTENER_NO_RETRIES"
    TASK_LISTENER_NO_RETRIES = "TASK_LISTENER_NO_RETRIES"
    AD_HOC_SUB_PROCESS_NO_RETRIES = "AD_HOC_SUB_PROCESS_NO_RETRIES"
    CONDITION_ERROR = "CONDITION_ERROR"
    EXTRACT_VALUE_ERROR = "EXTRACT_VALUE_ERROR"
    CALLED_ELEMENT_ERROR = "CALLED_ELEMENT_ERROR"
    UNHANDLED_ERROR_EVENT = "UNHANDLED_ERROR_EVENT"
    MESSAGE_SIZE_EXCEEDED = "MESSAGE_SIZE_EXCEEDED"
    CALLED_DECISION_ERROR = "CALLED_DECISION_ERROR"
    DECISION_EVALUATION_ERROR = "DECISION_EVALUATION_ERROR"
    FORM_NOT_FOUND = "FORM_NOT_FOUND"
    RESOURCE_NOT_FOUND = "RESOURCE_NOT_FOUND"


class JobKind(StrEnum):
    """What created a job, which decides what completing it continues."""

    BPMN_ELEMENT = "BPMN_ELEMENT"
    EXECUTION_LISTENER = "EXECUTION_LISTENER"
    TASK_LISTENER = "TASK_LISTENER"
    AD_HOC_SUB_PROCESS = "AD_HOC_SUB_PROCESS"


class JobListenerEventType(StrEnum):
    """The lifecycle event a listener job was created for; UNSPECIFIED for BPMN element jobs."""

    UNSPECIFIED = "UNSPECIFIED"
    START = "START"
    END = "END"
    COMPLETING = "COMPLETING"
    ASSIGNING = "ASSIGNING"
    UPDATING = "UPDATING"
    CREATING = "CREATING"
    CANCELING = "CANCELING"


class JobResultType(StrEnum):
    """Which part of a job result is set: user task corrections or ad-hoc sub-process activations."""

    USER_TASK = "USER_TASK"
    AD_HOC_SUB_PROCESS = "AD_HOC_SUB_PROCESS"


class VariableDocumentUpdateSemantic(StrEnum):
    """LOCAL sets every variable on the scope itself; PROPAGATE updates the nearest scope defining it."""

    LOCAL = "LOCAL"
    PROPAGATE = "PROPAGATE"
