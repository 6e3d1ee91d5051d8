"""An in-process client of one partition: Zeebe's commands as Python calls.

With a running partition (``Partition.start``) a call waits for the answer; with a partition
driven synchronously (tests, tools) a call processes until the partition is idle, then answers.
A rejection raises ``ClientError`` carrying Zeebe's rejection type and reason.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from strom.broker import Partition
from strom.client._errors import ClientError
from strom.protocol.enums import RecordType
from strom.protocol.intents import (
    DeploymentIntent,
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    VariableDocumentIntent,
)
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource
from strom.protocol.values.enums import VariableDocumentUpdateSemantic
from strom.protocol.values.incident import IncidentRecordValue
from strom.protocol.values.job import JobBatchRecordValue, JobRecordValue
from strom.protocol.values.process_instance import (
    ProcessInstanceCreationRecordValue,
    ProcessInstanceRecordValue,
)
from strom.protocol.values.variable import VariableDocumentRecordValue

Resource = tuple[str, bytes] | Path | str


class _Answer:
    __slots__ = ("event", "record")

    def __init__(self) -> None:
        self.event = threading.Event()
        self.record: Record[Any] | None = None

    def __call__(self, record: Record[Any]) -> None:
        self.record = record
        self.event.set()


class Client:
    """Commands to one partition. ``timeout`` (seconds) bounds each wait for an answer."""

    def __init__(self, partition: Partition, timeout: float = 30.0) -> None:
        self._partition = partition
        self._timeout = timeout
        self.caller: dict[str, Any] = {}
        """Who sends the commands (``Record.authorizations``, as an authenticating gateway fills
        it); empty sends them as the engine's own, checked against no permission."""

    # -- generic ---------------------------------------------------------------------------------

    def send(
        self,
        value: Any,
        intent: int,
        key: int = -1,
        *,
        expect_rejection: bool = False,
        timeout: float | None = None,
    ) -> Record[Any]:
        """Send a command and return the record that answers it.

        Raises:
            ClientError: the command was rejected (unless ``expect_rejection``), or no answer came.
        """
        command = RECORD_CLASS_FOR_VALUE[type(value)](
            key=key,
            record_type=RecordType.COMMAND,
            intent=intent,
            value=value,
            authorizations=dict(self.caller),
        )
        answer = _Answer()
        request_id = self._partition.submit(command, answer)
        if not self._partition.running:
            self._partition.run_until_idle()
        if not answer.event.wait(self._timeout if timeout is None else timeout):
            self._partition.forget_request(request_id)
            raise ClientError(f"no answer to {type(value).__name__} within {self._timeout} s")
        record = answer.record
        assert record is not None
        if record.is_rejection and not expect_rejection:
            raise ClientError(record.rejection_reason, record.rejection_type, record)
        return record

    # -- deployments and instances ------------------------------------------------------------------

    def deploy(self, *resources: Resource) -> Record[Any]:
        """Deploy BPMN resources: paths, or ``(name, bytes)`` pairs, or BPMN XML text."""
        return self.send(
            DeploymentRecordValue(resources=[deployment_resource(r) for r in resources]),
            DeploymentIntent.CREATE,
        )

    def create_instance(
        self, bpmn_process_id: str, variables: Mapping[str, Any] | None = None, version: int = -1
    ) -> int:
        """Start an instance of the process (latest version by default); returns its key."""
        record = self.send(
            ProcessInstanceCreationRecordValue(
                bpmn_process_id=bpmn_process_id, version=version, variables=dict(variables or {})
            ),
            ProcessInstanceCreationIntent.CREATE,
        )
        return int(record.value.process_instance_key)

    def create_instance_with_result(
        self,
        bpmn_process_id: str,
        variables: Mapping[str, Any] | None = None,
        fetch_variables: Iterable[str] = (),
        version: int = -1,
        timeout: float | None = None,
    ) -> Record[Any]:
        """Start an instance and wait until it completes; returns the PROCESS_INSTANCE_RESULT."""
        return self.send(
            ProcessInstanceCreationRecordValue(
                bpmn_process_id=bpmn_process_id,
                version=version,
                variables=dict(variables or {}),
                fetch_variables=list(fetch_variables),
            ),
            ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
            timeout=timeout,
        )

    def cancel_instance(self, process_instance_key: int) -> Record[Any]:
        return self.send(ProcessInstanceRecordValue(), ProcessInstanceIntent.CANCEL, process_instance_key)

    def set_variables(self, scope_key: int, variables: Mapping[str, Any], local: bool = False) -> Record[Any]:
        semantics = (
            VariableDocumentUpdateSemantic.LOCAL if local else VariableDocumentUpdateSemantic.PROPAGATE
        )
        return self.send(
            VariableDocumentRecordValue(
                scope_key=scope_key, variables=dict(variables), update_semantics=semantics
            ),
            VariableDocumentIntent.UPDATE,
        )

    def resolve_incident(self, incident_key: int) -> Record[Any]:
        return self.send(IncidentRecordValue(), IncidentIntent.RESOLVE, incident_key)

    # -- jobs --------------------------------------------------------------------------------------

    def activate_jobs(
        self,
        job_type: str,
        worker: str = "strom-client",
        timeout_ms: int = 300_000,
        max_jobs: int = 32,
        fetch_variables: Iterable[str] = (),
        tenant_ids: Iterable[str] = (),
    ) -> list[ActivatedJob]:
        """Activate jobs of ``job_type`` (of ``tenant_ids`` only, when given)."""
        record = self.send(
            JobBatchRecordValue(
                type=job_type,
                worker=worker,
                timeout=timeout_ms,
                max_jobs_to_activate=max_jobs,
                variables=list(fetch_variables),
                tenant_ids=list(tenant_ids),
            ),
            JobBatchIntent.ACTIVATE,
        )
        return [
            ActivatedJob(key, job) for key, job in zip(record.value.job_keys, record.value.jobs, strict=True)
        ]

    def complete_job(self, job_key: int, variables: Mapping[str, Any] | None = None) -> Record[Any]:
        return self.send(JobRecordValue(variables=dict(variables or {})), JobIntent.COMPLETE, job_key)

    def fail_job(
        self,
        job_key: int,
        retries: int,
        error_message: str = "",
        retry_backoff_ms: int = 0,
        variables: Mapping[str, Any] | None = None,
    ) -> Record[Any]:
        return self.send(
            JobRecordValue(
                retries=retries,
                error_message=error_message,
                retry_backoff=retry_backoff_ms,
                variables=dict(variables or {}),
            ),
            JobIntent.FAIL,
            job_key,
        )

    def throw_error(
        self,
        job_key: int,
        error_code: str,
        error_message: str = "",
        variables: Mapping[str, Any] | None = None,
    ) -> Record[Any]:
        return self.send(
            JobRecordValue(
                error_code=error_code, error_message=error_message, variables=dict(variables or {})
            ),
            JobIntent.THROW_ERROR,
            job_key,
        )

    def update_job_retries(self, job_key: int, retries: int) -> Record[Any]:
        return self.send(JobRecordValue(retries=retries), JobIntent.UPDATE_RETRIES, job_key)

    def update_job_timeout(self, job_key: int, timeout_ms: int) -> Record[Any]:
        return self.send(JobRecordValue(timeout=timeout_ms), JobIntent.UPDATE_TIMEOUT, job_key)


class ActivatedJob:
    """A job handed to a worker: its key and record (type, variables, headers, retries, …)."""

    __slots__ = ("key", "record")

    def __init__(self, key: int, record: JobRecordValue) -> None:
        self.key = key
        self.record = record

    @property
    def type(self) -> str:
        return self.record.type

    @property
    def variables(self) -> dict[str, Any]:
        return self.record.variables

    @property
    def custom_headers(self) -> dict[str, str]:
        return self.record.custom_headers

    @property
    def retries(self) -> int:
        return self.record.retries

    @property
    def process_instance_key(self) -> int:
        return self.record.process_instance_key

    @property
    def element_instance_key(self) -> int:
        return self.record.element_instance_key

    def __repr__(self) -> str:
        return f"ActivatedJob(key={self.key}, type={self.type!r}, variables={self.variables!r})"


def deployment_resource(resource: Resource) -> DeploymentResource:
    if isinstance(resource, tuple):
        name, data = resource
        return DeploymentResource(resource_name=name, resource=data)
    if isinstance(resource, Path):
        return DeploymentResource(resource_name=resource.name, resource=resource.read_bytes())
    if resource.lstrip().startswith("<"):
        return DeploymentResource(resource_name="process.bpmn", resource=resource.encode())
    path = Path(resource)
    return DeploymentResource(resource_name=path.name, resource=path.read_bytes())
