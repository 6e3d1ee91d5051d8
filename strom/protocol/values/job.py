"""JOB and JOB_BATCH values: work handed to workers, and the batches that activate it."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.protocol.values.enums import JobKind, JobListenerEventType, JobResultType


class JobResultCorrectionsValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """User task attributes a task listener corrected; only those in ``corrected_attributes`` count."""

    assignee: str = ""
    due_date: str = ""
    follow_up_date: str = ""
    candidate_groups_list: list[str] = []
    candidate_users_list: list[str] = []
    priority: int = -1


class JobResultActivateElementValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """An element an ad-hoc sub-process job asks to activate, with the variables to set on it."""

    element_id: str = ""
    variables: dict[str, Any] = {}


class JobResultValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """What a worker returned beyond variables: a listener's verdict or ad-hoc activations."""

    type: JobResultType = JobResultType.USER_TASK
    denied: bool = False
    denied_reason: str = ""
    corrected_attributes: list[str] = []
    corrections: JobResultCorrectionsValue = JobResultCorrectionsValue()
    activate_elements: list[JobResultActivateElementValue] = []
    completion_condition_fulfilled: bool = False
    cancel_remaining_instances: bool = False


class JobRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A job: its type and worker lease, and the element instance whose progress waits on it.

    ``deadline`` and ``recurring_time`` are epoch milliseconds (-1 when unset); ``timeout`` and
    ``retry_backoff`` are durations in milliseconds.
    """

    type: str = ""
    custom_headers: dict[str, str] = {}
    worker: str = ""
    retries: int = -1
    retry_backoff: int = 0
    recurring_time: int = -1
    deadline: int = -1
    timeout: int = -1
    error_message: str = ""
    error_code: str = ""
    element_id: str = ""
    element_instance_key: int = -1
    bpmn_process_id: str = ""
    process_definition_version: int = -1
    process_definition_key: int = -1
    process_instance_key: int = -1
    variables: dict[str, Any] = {}
    tenant_id: str = DEFAULT_TENANT_ID
    job_kind: JobKind = JobKind.BPMN_ELEMENT
    job_listener_event_type: JobListenerEventType = JobListenerEventType.UNSPECIFIED
    changed_attributes: list[str] = []
    result: JobResultValue = JobResultValue()


class JobBatchRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A worker's request to activate up to ``max_jobs_to_activate`` jobs of one type, and the result.

    ``job_keys`` and ``jobs`` are parallel lists; ``truncated`` says more jobs were activatable than
    fit into the batch.
    """

    type: str = ""
    worker: str = ""
    timeout: int = -1
    max_jobs_to_activate: int = -1
    job_keys: list[int] = []
    jobs: list[JobRecordValue] = []
    truncated: bool = False
    tenant_ids: list[str] = []
    variables: list[str] = []
    """Names of the variables to fetch with each job; empty means all visible variables."""
