"""JOB_BATCH ACTIVATE: hand up to N activatable jobs of a type to a worker, with their variables.

The batch is one JOB_BATCH ACTIVATED event (written even when empty, so the gateway knows to long
poll). It is cut short (``truncated``) before its records would exceed the batch size limit.
A worker that names its tenants gets only their jobs; a worker whose command names its caller gets
only jobs of processes the caller may update (``UPDATE_PROCESS_INSTANCE``) and, with multi-tenancy
on, of tenants the caller is assigned to, as Zeebe filters them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import msgspec

from strom.engine.processing.authorization import names_caller
from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import JobBatchIntent
from strom.protocol.record import Record
from strom.protocol.values.identity import WILDCARD_RESOURCE_ID, AuthorizationResourceType, PermissionType
from strom.protocol.values.job import JobRecordValue
from strom.stream.key_generator import KeyGenerator

MAX_BATCH_BYTES = 2 * 1024 * 1024
_encode = msgspec.msgpack.Encoder().encode


class JobBatchActivateProcessor:
    def __init__(
        self,
        state: ProcessingState,
        behaviors: Behaviors,
        keys: KeyGenerator,
        on_deadline: Callable[[int], None],
        max_batch_bytes: int = MAX_BATCH_BYTES,
    ) -> None:
        self._on_deadline = on_deadline
        self._jobs = state.jobs
        self._activation = behaviors.job_activation
        self._keys = keys
        self._max_bytes = max_batch_bytes
        self._authorization = behaviors.job_activation.authorization

    def process(self, command: Record[Any], writers: Writers) -> None:
        request = command.value
        problem = _invalid(request)
        if problem is not None:
            writers.reject(command, RejectionType.INVALID_ARGUMENT, problem)
            return
        deadline = writers.timestamp + request.timeout
        keys: list[int] = []
        jobs: list[JobRecordValue] = []
        size = 0
        truncated = False
        fetch = request.variables
        tenants: Collection[str] | None = request.tenant_ids or None  # None: every tenant
        if self._authorization.multi_tenancy and names_caller(command):
            assigned = self._authorization.caller(command).tenants
            tenants = assigned if tenants is None else assigned.intersection(tenants)
        processes = self._permitted_processes(command)
        for job_key in self._jobs.activatable(request.type):
            if len(keys) >= request.max_jobs_to_activate:
                break
            job = self._jobs.get(job_key)
            if job is None:
                continue
            if tenants is not None and job.tenant_id not in tenants:
                continue
            if processes is not None and job.bpmn_process_id not in processes:
                continue
            activated = msgspec.structs.replace(
                job,
                worker=request.worker,
                deadline=deadline,
                timeout=request.timeout,
                variables=self._activation.variables_for(job, fetch),
            )
            job_size = len(_encode(activated))
            if keys and size + job_size > self._max_bytes:
                truncated = True
                break
            size += job_size
            keys.append(job_key)
            jobs.append(activated)
        batch = msgspec.structs.replace(request, job_keys=keys, jobs=jobs, truncated=truncated)
        writers.respond(writers.append_event(self._keys.next_key(), JobBatchIntent.ACTIVATED, batch))
        if keys:
            on_deadline = self._on_deadline
            writers.side_effect(lambda: on_deadline(deadline))

    def _permitted_processes(self, command: Record[Any]) -> set[str] | None:
        """The processes whose jobs the command's caller may take, ``None`` for every one."""
        if not command.authorizations or not names_caller(command):
            return None
        check = self._authorization
        processes = check.resource_ids(
            check.caller(command),
            AuthorizationResourceType.PROCESS_DEFINITION,
            PermissionType.UPDATE_PROCESS_INSTANCE,
        )
        return None if WILDCARD_RESOURCE_ID in processes else processes


def _invalid(request: Any) -> str | None:
    if not request.type:
        return "Expected to activate job batch with type to be present, but it was blank"
    if request.timeout < 1:
        return (
            "Expected to activate job batch with timeout to be greater than zero, but it was "
            f"'{request.timeout}'"
        )
    if request.max_jobs_to_activate < 1:
        return (
            "Expected to activate job batch with max jobs to activate to be greater than zero, but it "
            f"was '{request.max_jobs_to_activate}'"
        )
    return None
