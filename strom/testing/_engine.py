"""``TestEngine``: a real partition in a directory, driven synchronously, with a controllable clock.

Commands are processed as they are sent; records are queried through ``engine.records`` (always
with a bound); time moves only through ``engine.clock`` / ``engine.advance_time``. The state after
processing can be checked against a fresh replay of the same log (``check_replay``), which the
pytest fixture does after every test.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from strom.broker import Partition, PartitionSettings
from strom.client import ActivatedJob, Client
from strom.client._client import Resource, deployment_resource
from strom.db import digest
from strom.protocol.intents import (
    DeploymentIntent,
    IncidentIntent,
    JobIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    VariableDocumentIntent,
)
from strom.protocol.record import Record
from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource
from strom.protocol.values.enums import VariableDocumentUpdateSemantic
from strom.protocol.values.incident import IncidentRecordValue
from strom.protocol.values.job import JobRecordValue
from strom.protocol.values.process_instance import (
    ProcessInstanceCreationRecordValue,
    ProcessInstanceRecordValue,
)
from strom.protocol.values.variable import VariableDocumentRecordValue
from strom.stream.clock import ControlledClock
from strom.testing._compact_log import compact_log
from strom.testing._records import RecordingExporter, RecordQueries

DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)


class ReplayMismatchError(AssertionError):
    """Replaying the log did not rebuild the state the engine had: an applier is not deterministic,
    or a processor changed state outside an event."""


class TestEngine:
    __test__ = False  # not a pytest test class

    def __init__(self, directory: Path | None = None, *, start: datetime = DEFAULT_START) -> None:
        self._own_directory = directory is None
        self.directory = (
            Path(tempfile.mkdtemp(prefix="strom-test-")) if directory is None else Path(directory)
        )
        self.clock = ControlledClock(start)
        self.recorder = RecordingExporter()
        self.records = RecordQueries(self.recorder)
        self.deployed: list[tuple[str, bytes]] = []
        self.partition = self._open()
        self.client = Client(self.partition)
        self.deployments = _Deployments(self)
        self.instances = _Instances(self)
        self.jobs = _Jobs(self)
        self.variables = _Variables(self)
        self.incidents = _Incidents(self)

    def _open(self) -> Partition:
        settings = PartitionSettings(
            data_dir=self.directory,
            group_commit=False,
            snapshot_period_s=float("inf"),
            exporters={"recording": self.recorder},
        )
        return Partition(settings, clock=self.clock).open()

    # -- driving ---------------------------------------------------------------------------------

    def run(self) -> None:
        """Process until nothing is left to do (commands, due scheduled tasks)."""
        self.partition.run_until_idle()

    def advance_time(self, delta: timedelta | float) -> None:
        """Move the clock forward and process what became due (timers, deadlines, back-offs)."""
        self.clock.advance(delta)
        self.run()

    def send(self, value: Any, intent: int, key: int = -1, *, expect_rejection: bool = False) -> Record[Any]:
        record = self.client.send(value, intent, key, expect_rejection=expect_rejection)
        if expect_rejection and not record.is_rejection:
            raise AssertionError(f"expected the command to be rejected, but it was answered with {record}")
        return record

    def deploy(self, *resources: Resource | Any) -> Record[Any]:
        """Deploy BPMN (XML text, paths, ``(name, bytes)`` or builder objects with ``to_xml()``)."""
        return self.deployments.deploy(*resources)

    def restart(self, snapshot: bool = False) -> None:
        """Close the partition (optionally snapshotting) and open it again: replay from the log."""
        self.partition.close(snapshot=snapshot)
        recorded = len(self.recorder.records)
        self.partition = self._open()
        self.client = Client(self.partition)
        # The exporter resumes after its acknowledged position: nothing recorded twice.
        del self.recorder.records[recorded:]

    # -- checks ------------------------------------------------------------------------------------

    def state_digest(self) -> dict[str, str]:
        return digest(self.partition.db)

    def check_replay(self) -> None:
        """Replay the whole log into a fresh state and compare it with the live state.

        Raises:
            ReplayMismatchError: naming the column families that differ.
        """
        self.run()
        live = self.state_digest()
        self.partition.log.flush()
        copy = Path(tempfile.mkdtemp(prefix="strom-replay-"))
        try:
            shutil.copytree(self.partition.directory / "log", copy / "partition-1" / "log")
            replayed = Partition(
                PartitionSettings(data_dir=copy, group_commit=False, snapshot_period_s=float("inf")),
                clock=ControlledClock(datetime.fromtimestamp(0, UTC)),
            ).open()
            try:
                fresh = digest(replayed.db)
            finally:
                replayed.close(snapshot=False)
        finally:
            shutil.rmtree(copy, ignore_errors=True)
        differing = sorted(name for name in set(live) | set(fresh) if live.get(name) != fresh.get(name))
        if differing:
            raise ReplayMismatchError(
                "replaying the log did not rebuild the same state; column families that differ: "
                + ", ".join(differing)
            )

    def compact_log(self) -> str:
        return compact_log(self.recorder.records, self.deployed)

    def close(self) -> None:
        self.partition.close(snapshot=False)
        if self._own_directory:
            shutil.rmtree(self.directory, ignore_errors=True)


class _Part:
    def __init__(self, engine: TestEngine) -> None:
        self._engine = engine


class _Deployments(_Part):
    def deploy(self, *resources: Any, expect_rejection: bool = False) -> Record[Any]:
        deployment = []
        for resource in resources:
            if hasattr(resource, "to_xml"):
                name = f"{getattr(resource, 'process_id', 'process')}.bpmn"
                resource = (name, resource.to_xml().encode())
            deployment.append(deployment_resource(resource))
        record = self._engine.send(
            DeploymentRecordValue(resources=deployment),
            DeploymentIntent.CREATE,
            expect_rejection=expect_rejection,
        )
        if not record.is_rejection:
            self._engine.deployed.extend((r.resource_name, r.resource) for r in deployment)
        return record


class _Instances(_Part):
    def create(
        self,
        bpmn_process_id: str,
        variables: Mapping[str, Any] | None = None,
        version: int = -1,
        expect_rejection: bool = False,
    ) -> Any:
        """Create an instance; returns its key (or the rejection record)."""
        record = self._engine.send(
            ProcessInstanceCreationRecordValue(
                bpmn_process_id=bpmn_process_id, version=version, variables=dict(variables or {})
            ),
            ProcessInstanceCreationIntent.CREATE,
            expect_rejection=expect_rejection,
        )
        return record if expect_rejection else int(record.value.process_instance_key)

    def create_by_key(
        self,
        process_definition_key: int,
        variables: Mapping[str, Any] | None = None,
        expect_rejection: bool = False,
    ) -> Any:
        record = self._engine.send(
            ProcessInstanceCreationRecordValue(
                process_definition_key=process_definition_key, variables=dict(variables or {})
            ),
            ProcessInstanceCreationIntent.CREATE,
            expect_rejection=expect_rejection,
        )
        return record if expect_rejection else int(record.value.process_instance_key)

    def cancel(self, process_instance_key: int, expect_rejection: bool = False) -> Record[Any]:
        return self._engine.send(
            ProcessInstanceRecordValue(),
            ProcessInstanceIntent.CANCEL,
            process_instance_key,
            expect_rejection=expect_rejection,
        )


class _Jobs(_Part):
    def activate(
        self,
        job_type: str,
        worker: str = "test-worker",
        timeout_ms: int = 300_000,
        max_jobs: int = 32,
        fetch_variables: Iterable[str] = (),
    ) -> list[ActivatedJob]:
        return self._engine.client.activate_jobs(job_type, worker, timeout_ms, max_jobs, fetch_variables)

    def complete(
        self, job_key: int, variables: Mapping[str, Any] | None = None, expect_rejection: bool = False
    ) -> Record[Any]:
        return self._engine.send(
            JobRecordValue(variables=dict(variables or {})),
            JobIntent.COMPLETE,
            job_key,
            expect_rejection=expect_rejection,
        )

    def fail(
        self,
        job_key: int,
        retries: int,
        error_message: str = "",
        retry_backoff_ms: int = 0,
        variables: Mapping[str, Any] | None = None,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        return self._engine.send(
            JobRecordValue(
                retries=retries,
                error_message=error_message,
                retry_backoff=retry_backoff_ms,
                variables=dict(variables or {}),
            ),
            JobIntent.FAIL,
            job_key,
            expect_rejection=expect_rejection,
        )

    def throw_error(
        self,
        job_key: int,
        error_code: str,
        error_message: str = "",
        variables: Mapping[str, Any] | None = None,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        return self._engine.send(
            JobRecordValue(
                error_code=error_code, error_message=error_message, variables=dict(variables or {})
            ),
            JobIntent.THROW_ERROR,
            job_key,
            expect_rejection=expect_rejection,
        )

    def update_retries(self, job_key: int, retries: int, expect_rejection: bool = False) -> Record[Any]:
        return self._engine.send(
            JobRecordValue(retries=retries),
            JobIntent.UPDATE_RETRIES,
            job_key,
            expect_rejection=expect_rejection,
        )

    def update_timeout(self, job_key: int, timeout_ms: int, expect_rejection: bool = False) -> Record[Any]:
        return self._engine.send(
            JobRecordValue(timeout=timeout_ms),
            JobIntent.UPDATE_TIMEOUT,
            job_key,
            expect_rejection=expect_rejection,
        )

    def yield_(self, job_key: int, expect_rejection: bool = False) -> Record[Any]:
        return self._engine.send(
            JobRecordValue(), JobIntent.YIELD, job_key, expect_rejection=expect_rejection
        )


class _Variables(_Part):
    def set(
        self,
        scope_key: int,
        variables: Mapping[str, Any],
        local: bool = False,
        expect_rejection: bool = False,
    ) -> Record[Any]:
        semantics = (
            VariableDocumentUpdateSemantic.LOCAL if local else VariableDocumentUpdateSemantic.PROPAGATE
        )
        return self._engine.send(
            VariableDocumentRecordValue(
                scope_key=scope_key, variables=dict(variables), update_semantics=semantics
            ),
            VariableDocumentIntent.UPDATE,
            expect_rejection=expect_rejection,
        )


class _Incidents(_Part):
    def resolve(self, incident_key: int, expect_rejection: bool = False) -> Record[Any]:
        return self._engine.send(
            IncidentRecordValue(), IncidentIntent.RESOLVE, incident_key, expect_rejection=expect_rejection
        )


__all__ = ["DeploymentResource", "ReplayMismatchError", "TestEngine"]
