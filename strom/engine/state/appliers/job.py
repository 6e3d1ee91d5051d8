"""Appliers for JOB and JOB_BATCH events."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers
from strom.engine.state.task_listener import index_key
from strom.protocol.enums import ValueType
from strom.protocol.intents import JobBatchIntent, JobIntent
from strom.protocol.record import Record
from strom.protocol.values.enums import JobKind

_replace = msgspec.structs.replace


class JobCreatedV1:
    """Stores the job as activatable and links it to its element instance."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        job = record.value
        self._jobs.create(record.key, job)
        instance = self._instances.get(job.element_instance_key)
        if instance is not None:
            self._instances.put(_replace(instance, job_key=record.key))


class JobBatchActivatedV1:
    """Marks every job of the batch activated with its worker and deadline (without variables:
    those were read for the workers, not stored with the job)."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs

    def __call__(self, record: Record[Any]) -> None:
        for key, job in zip(record.value.job_keys, record.value.jobs, strict=True):
            self._jobs.activate(key, _replace(job, variables={}))


class JobCompletedV1:
    """Removes the completed job and unlinks it from its element instance."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        job = self._jobs.get(record.key)
        self._jobs.remove(record.key)
        element_key = job.element_instance_key if job is not None else record.value.element_instance_key
        instance = self._instances.get(element_key)
        if instance is not None and instance.job_key == record.key:
            self._instances.put(_replace(instance, job_key=-1))


class JobCompletedV2:
    """V2: as V1, and a completed execution listener job also counts on its element instance, so
    the next listener (or the rest of the element's step) follows."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        stored = self._jobs.get(record.key)
        self._jobs.remove(record.key)
        element_key = stored.element_instance_key if stored is not None else record.value.element_instance_key
        instance = self._instances.get(element_key)
        if instance is not None and instance.job_key == record.key:
            self._instances.put(_replace(instance, job_key=-1))
        job = record.value
        if job.job_kind is not JobKind.EXECUTION_LISTENER:
            return
        instance = self._instances.get(job.element_instance_key)
        if instance is not None:
            self._instances.put(
                _replace(instance, execution_listener_index=instance.execution_listener_index + 1)
            )


class JobCompletedV3:
    """V3: as V2, and a completed user task listener job counts on its element instance, per
    listener event type, so the next listener (or the rest of the task's transition) follows."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._v2 = JobCompletedV2(state)
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        self._v2(record)
        job = record.value
        if job.job_kind is not JobKind.TASK_LISTENER:
            return
        instance = self._instances.get(job.element_instance_key)
        if instance is not None:
            key = index_key(job.job_listener_event_type.value)
            extra = {**instance.extra, key: int(instance.extra.get(key, 0)) + 1}
            self._instances.put(_replace(instance, extra=extra))


class JobCanceledV1:
    """Removes the canceled job and unlinks it from its element instance."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        job = self._jobs.get(record.key)
        self._jobs.remove(record.key)
        element_key = job.element_instance_key if job is not None else record.value.element_instance_key
        instance = self._instances.get(element_key)
        if instance is not None and instance.job_key == record.key:
            self._instances.put(_replace(instance, job_key=-1))


class JobFailedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs

    def __call__(self, record: Record[Any]) -> None:
        self._jobs.fail(record.key, _replace(record.value, variables={}))


class JobTimedOutV1:
    """The job's deadline passed: workers may activate it again."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs

    def __call__(self, record: Record[Any]) -> None:
        job = self._jobs.get(record.key)
        if job is not None:
            self._jobs.make_activatable(
                record.key, _replace(job, worker="", deadline=-1, recurring_time=-1, variables={})
            )


class JobYieldedV1:
    """The worker gave the job back: workers may activate it again."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs

    def __call__(self, record: Record[Any]) -> None:
        job = self._jobs.get(record.key)
        if job is not None:
            self._jobs.make_activatable(
                record.key, _replace(job, worker="", deadline=-1, recurring_time=-1, variables={})
            )


class JobRecurredAfterBackoffV1:
    """The failed job's back-off is over: workers may activate it again."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs

    def __call__(self, record: Record[Any]) -> None:
        job = self._jobs.get(record.key)
        if job is not None:
            self._jobs.make_activatable(
                record.key, _replace(job, worker="", deadline=-1, recurring_time=-1, variables={})
            )


class JobRetriesUpdatedV1:
    """Stores the job with its new retries; keeps its status."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs

    def __call__(self, record: Record[Any]) -> None:
        if self._jobs.get(record.key) is not None:
            self._jobs.update(record.key, _replace(record.value, variables={}))


class JobTimeoutUpdatedV1:
    """Stores the job with its new deadline; keeps its status."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs

    def __call__(self, record: Record[Any]) -> None:
        if self._jobs.get(record.key) is not None:
            self._jobs.update(record.key, _replace(record.value, variables={}))


class JobErrorThrownV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs

    def __call__(self, record: Record[Any]) -> None:
        if self._jobs.get(record.key) is not None:
            self._jobs.throw_error(record.key, _replace(record.value, variables={}))


NO_CATCH_EVENT_FOUND = "NO_CATCH_EVENT_FOUND"
"""Zeebe's marker in the ``elementId`` of JOB ERROR_THROWN when no catch event took the error."""


class JobErrorThrownV2:
    """V2: a caught error ends the job (it is deleted and unlinked from its element instance, so
    terminating the task does not cancel it); an uncaught one (element id
    ``NO_CATCH_EVENT_FOUND``) keeps it, waiting for its incident."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        job = record.value
        if self._jobs.get(record.key) is None:
            return
        self._jobs.throw_error(record.key, _replace(job, variables={}))
        if job.element_id == NO_CATCH_EVENT_FOUND:
            return
        self._jobs.remove(record.key)
        instance = self._instances.get(job.element_instance_key)
        if instance is not None and instance.job_key == record.key:
            self._instances.put(_replace(instance, job_key=-1))


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    job = ValueType.JOB
    appliers.register(job, JobIntent.CREATED, JobCreatedV1(state))
    appliers.register(ValueType.JOB_BATCH, JobBatchIntent.ACTIVATED, JobBatchActivatedV1(state))
    appliers.register(job, JobIntent.COMPLETED, JobCompletedV1(state))
    appliers.register(job, JobIntent.COMPLETED, JobCompletedV2(state), version=2)
    appliers.register(job, JobIntent.COMPLETED, JobCompletedV3(state), version=3)
    appliers.register(job, JobIntent.CANCELED, JobCanceledV1(state))
    appliers.register(job, JobIntent.FAILED, JobFailedV1(state))
    appliers.register(job, JobIntent.TIMED_OUT, JobTimedOutV1(state))
    appliers.register(job, JobIntent.YIELDED, JobYieldedV1(state))
    appliers.register(job, JobIntent.RECURRED_AFTER_BACKOFF, JobRecurredAfterBackoffV1(state))
    appliers.register(job, JobIntent.RETRIES_UPDATED, JobRetriesUpdatedV1(state))
    appliers.register(job, JobIntent.TIMEOUT_UPDATED, JobTimeoutUpdatedV1(state))
    appliers.register(job, JobIntent.ERROR_THROWN, JobErrorThrownV1(state))
    appliers.register(job, JobIntent.ERROR_THROWN, JobErrorThrownV2(state), version=2)
