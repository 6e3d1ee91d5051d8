"""``TestEngine``: real partitions in a directory, driven synchronously, with a controllable clock.

``TestEngine(partitions=3)`` runs three partitions connected by an in-memory transport
(``engine.transport``; it can hold back what partitions send each other, to test what happens when
a command between partitions is lost or late); commands are routed as the gateways route them.
Commands are processed as they are sent; records are queried through ``engine.records`` (always
with a bound); time moves only through ``engine.clock`` / ``engine.advance_time``. The state after
processing can be checked against a fresh replay of the same log (``check_replay``), which the
pytest fixture does after every test.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from strom.broker import Partition, PartitionSettings
from strom.broker.routing import Router
from strom.client import ActivatedJob, Client, ClientError
from strom.client._client import Resource, deployment_resource
from strom.db import digest
from strom.engine.state import ProcessingState
from strom.exporter import Controller, ExporterContext
from strom.protocol.enums import RecordType
from strom.protocol.intents import (
    DeploymentIntent,
    IncidentIntent,
    JobIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    SignalIntent,
    VariableDocumentIntent,
)
from strom.protocol.keys import partition_of
from strom.protocol.record import AUTHORIZED_CLIENT_ID, AUTHORIZED_USERNAME, USER_TOKEN_CLAIMS, Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource
from strom.protocol.values.enums import VariableDocumentUpdateSemantic
from strom.protocol.values.incident import IncidentRecordValue
from strom.protocol.values.job import JobRecordValue
from strom.protocol.values.message import MessageRecordValue
from strom.protocol.values.process_instance import (
    ProcessInstanceCreationRecordValue,
    ProcessInstanceRecordValue,
)
from strom.protocol.values.signal import SignalRecordValue
from strom.protocol.values.variable import VariableDocumentRecordValue
from strom.stream.clock import ControlledClock
from strom.stream.processor import ReadScope
from strom.testing._compact_log import compact_log
from strom.testing._records import RecordingExporter, RecordQueries

DEFAULT_START = datetime(2026, 1, 1, tzinfo=UTC)


class ReplayMismatchError(AssertionError):
    """Replaying the log did not rebuild the state the engine had: an applier is not deterministic,
    or a processor changed state outside an event."""


class InMemoryTransport:
    """Commands between the partitions of a ``TestEngine``, delivered at once unless held."""

    def __init__(self, engine: TestEngine) -> None:
        self._engine = engine
        self.holding = False
        self.held: list[tuple[int, Record[Any]]] = []
        self.sent: list[tuple[int, Record[Any]]] = []
        """Everything sent, in order: (target partition, command)."""

    def send(self, partition_id: int, command: Record[Any]) -> None:
        self.sent.append((partition_id, command))
        if self.holding:
            self.held.append((partition_id, command))
        else:
            self._engine.partitions[partition_id].submit(command)

    def hold(self) -> None:
        """Keep what partitions send from now on (``release`` delivers it, ``drop`` loses it)."""
        self.holding = True

    def release(self) -> None:
        self.holding = False
        held, self.held = self.held, []
        for partition_id, command in held:
            self._engine.partitions[partition_id].submit(command)
        self._engine.run()

    def drop(self) -> list[tuple[int, Record[Any]]]:
        """Lose what was held (a crash, a network fault) and deliver again from now on."""
        self.holding = False
        dropped, self.held = self.held, []
        return dropped


class _PartitionTap:
    """The shared recorder as one partition's exporter (each partition acknowledges its own)."""

    def __init__(self, recorder: RecordingExporter) -> None:
        self._recorder = recorder
        self._controller: Controller | None = None

    def configure(self, context: ExporterContext) -> None:
        return None

    def open(self, controller: Controller) -> None:
        self._controller = controller

    def export(self, record: Record[Any]) -> None:
        self._recorder.export(record)
        if self._controller is not None:
            self._controller.update_last_exported_position(record.position)

    def close(self) -> None:
        return None


class TestEngine:
    __test__ = False  # not a pytest test class

    def __init__(
        self,
        directory: Path | None = None,
        *,
        start: datetime = DEFAULT_START,
        partitions: int = 1,
        multi_tenancy: bool = False,
        authorizations: bool = True,
    ) -> None:
        """``multi_tenancy``: a caller (``as_caller``) acts only in tenants it is assigned to;
        ``authorizations``: its permissions are checked."""
        self._own_directory = directory is None
        self.multi_tenancy = multi_tenancy
        self.authorizations = authorizations
        self.directory = (
            Path(tempfile.mkdtemp(prefix="strom-test-")) if directory is None else Path(directory)
        )
        self.clock = ControlledClock(start)
        self.recorder = RecordingExporter()
        self.records = RecordQueries(self.recorder)
        self.deployed: list[tuple[str, bytes]] = []
        self.partition_count = partitions
        self.router = Router(partitions)
        self.transport = InMemoryTransport(self)
        self.partitions: dict[int, Partition] = {}
        self._open_all()
        self.partition = self.partitions[1]
        self.client = Client(self.partition)
        self.deployments = _Deployments(self)
        self.instances = _Instances(self)
        self.jobs = _Jobs(self)
        self.variables = _Variables(self)
        self.incidents = _Incidents(self)
        self.messages = _Messages(self)
        self.signals = _Signals(self)

    def _open(self, partition_id: int = 1) -> Partition:
        single = self.partition_count == 1
        settings = PartitionSettings(
            data_dir=self.directory,
            partition_id=partition_id,
            partition_count=self.partition_count,
            group_commit=False,
            snapshot_period_s=float("inf"),
            exporters={"recording": self.recorder if single else _PartitionTap(self.recorder)},
            multi_tenancy=self.multi_tenancy,
            authorizations=self.authorizations,
        )
        sender = None if single else self.transport
        return Partition(settings, clock=self.clock, sender=sender).open()

    def _open_all(self) -> None:
        for partition_id in range(1, self.partition_count + 1):
            self.partitions[partition_id] = self._open(partition_id)

    # -- driving ---------------------------------------------------------------------------------

    def run(self) -> None:
        """Process until nothing is left to do on any partition (commands, due scheduled tasks,
        commands the partitions send each other)."""
        if self.partition_count == 1:
            self.partition.run_until_idle()
            return
        while sum(partition.run_until_idle() for partition in self.partitions.values()):
            pass

    def advance_time(self, delta: timedelta | float) -> None:
        """Move the clock forward and process what became due (timers, deadlines, back-offs)."""
        self.clock.advance(delta)
        self.run()

    def send(self, value: Any, intent: int, key: int = -1, *, expect_rejection: bool = False) -> Record[Any]:
        """Send a command to the partition the router picks and process until all are idle."""
        if self.partition_count == 1:
            record = self.client.send(value, intent, key, expect_rejection=expect_rejection)
        else:
            record = self._send_routed(value, intent, key)
            if record.is_rejection and not expect_rejection:
                raise ClientError(record.rejection_reason, record.rejection_type, record)
        if expect_rejection and not record.is_rejection:
            raise AssertionError(f"expected the command to be rejected, but it was answered with {record}")
        return record

    def _send_routed(self, value: Any, intent: int, key: int) -> Record[Any]:
        command = RECORD_CLASS_FOR_VALUE[type(value)](
            key=key,
            record_type=RecordType.COMMAND,
            intent=intent,
            value=value,
            authorizations=dict(self.client.caller),
        )
        partition_id = self.router.partition_for(command)
        answers: list[Record[Any]] = []
        self.partitions[partition_id].submit(command, answers.append)
        self.run()
        if not answers:
            raise ClientError(f"partition {partition_id} did not answer {type(value).__name__} {intent}")
        return answers[0]

    @contextlib.contextmanager
    def as_caller(
        self, username: str = "", *, client_id: str = "", claims: Mapping[str, Any] | None = None
    ) -> Iterator[None]:
        """Send the commands of the ``with`` block as the named user or client (with its token's
        ``claims``), as a gateway with authentication on does: the engine checks their permissions."""
        caller: dict[str, Any] = {}
        if username:
            caller[AUTHORIZED_USERNAME] = username
        if client_id:
            caller[AUTHORIZED_CLIENT_ID] = client_id
        if claims:
            caller[USER_TOKEN_CLAIMS] = dict(claims)
        before, self.client.caller = self.client.caller, caller
        try:
            yield
        finally:
            self.client.caller = before

    def partition_of_instance(self, process_instance_key: int) -> Partition:
        return self.partitions[partition_of(process_instance_key)]

    def deploy(self, *resources: Resource | Any) -> Record[Any]:
        """Deploy BPMN (XML text, paths, ``(name, bytes)`` or builder objects with ``to_xml()``)."""
        return self.deployments.deploy(*resources)

    def restart(self, snapshot: bool = False) -> None:
        """Close the partitions (optionally snapshotting) and open them again: replay from the log."""
        for partition in self.partitions.values():
            partition.close(snapshot=snapshot)
        recorded = len(self.recorder.records)
        self._open_all()
        self.partition = self.partitions[1]
        self.client = Client(self.partition)
        # The exporter resumes after its acknowledged position: nothing recorded twice.
        del self.recorder.records[recorded:]

    # -- checks ------------------------------------------------------------------------------------

    def restart_partition(self, partition_id: int, snapshot: bool = False) -> None:
        """Close one partition and open it again (the others keep their state and pending sends)."""
        recorded = len(self.recorder.records)
        self.partitions[partition_id].close(snapshot=snapshot)
        self.partitions[partition_id] = self._open(partition_id)
        if partition_id == 1:
            self.partition = self.partitions[1]
            self.client = Client(self.partition)
        del self.recorder.records[recorded:]

    @contextlib.contextmanager
    def state(self, partition_id: int = 1) -> Iterator[ProcessingState]:
        """Read a partition's committed state: ``with engine.state(2) as state: ...``."""
        partition = self.partitions[partition_id]
        with ReadScope(partition.db):
            yield partition.engine.state

    def pending_distributions(self, partition_id: int = 1) -> list[tuple[int, int]]:
        """(distribution key, target partition) of every distribution not acknowledged yet."""
        with self.state(partition_id) as state:
            return [(key, target.partition_id) for key, target in state.distributions.all_pending()]

    def state_digest(self, partition_id: int = 1) -> dict[str, str]:
        return digest(self.partitions[partition_id].db)

    def check_replay(self) -> None:
        """Replay each partition's whole log into a fresh state and compare it with the live state.

        Raises:
            ReplayMismatchError: naming the partition and the column families that differ.
        """
        self.run()
        for partition_id in self.partitions:
            self._check_replay(partition_id)

    def _check_replay(self, partition_id: int) -> None:
        live = self.state_digest(partition_id)
        partition = self.partitions[partition_id]
        partition.log.flush()
        copy = Path(tempfile.mkdtemp(prefix="strom-replay-"))
        try:
            shutil.copytree(partition.directory / "log", copy / f"partition-{partition_id}" / "log")
            replayed = Partition(
                PartitionSettings(
                    data_dir=copy,
                    partition_id=partition_id,
                    partition_count=self.partition_count,
                    group_commit=False,
                    snapshot_period_s=float("inf"),
                ),
                clock=ControlledClock(datetime.fromtimestamp(0, UTC)),
                sender=_Nowhere(),
            ).open()
            try:
                fresh = digest(replayed.db)
            finally:
                replayed.close(snapshot=False)
        finally:
            shutil.rmtree(copy, ignore_errors=True)
        differing = sorted(name for name in set(live) | set(fresh) if live.get(name) != fresh.get(name))
        if differing:
            where = "" if self.partition_count == 1 else f" of partition {partition_id}"
            raise ReplayMismatchError(
                f"replaying the log{where} did not rebuild the same state; column families that "
                "differ: " + ", ".join(differing)
            )

    def compact_log(self) -> str:
        return compact_log(self.recorder.records, self.deployed)

    def close(self) -> None:
        for partition in self.partitions.values():
            partition.close(snapshot=False)
        if self._own_directory:
            shutil.rmtree(self.directory, ignore_errors=True)


class _Nowhere:
    """A replayed copy sends nothing anywhere (it is closed right after replay)."""

    def send(self, partition_id: int, command: Record[Any]) -> None:
        return None


class _Part:
    def __init__(self, engine: TestEngine) -> None:
        self._engine = engine


class _Deployments(_Part):
    def deploy(
        self, *resources: Any, expect_rejection: bool = False, tenant_id: str = DEFAULT_TENANT_ID
    ) -> Record[Any]:
        deployment = []
        for resource in resources:
            if hasattr(resource, "to_xml"):
                name = f"{getattr(resource, 'process_id', 'process')}.bpmn"
                resource = (name, resource.to_xml().encode())
            deployment.append(deployment_resource(resource))
        record = self._engine.send(
            DeploymentRecordValue(resources=deployment, tenant_id=tenant_id),
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
        tenant_id: str = DEFAULT_TENANT_ID,
    ) -> Any:
        """Create an instance (of tenant ``tenant_id``); returns its key (or the rejection record)."""
        record = self._engine.send(
            ProcessInstanceCreationRecordValue(
                bpmn_process_id=bpmn_process_id,
                version=version,
                variables=dict(variables or {}),
                tenant_id=tenant_id,
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
        tenant_ids: Iterable[str] = (),
    ) -> list[ActivatedJob]:
        engine = self._engine
        if engine.partition_count == 1:
            return engine.client.activate_jobs(
                job_type, worker, timeout_ms, max_jobs, fetch_variables, tenant_ids
            )
        jobs: list[ActivatedJob] = []
        for partition in engine.partitions.values():  # as the gateway does: each partition in turn
            if len(jobs) >= max_jobs:
                break
            jobs.extend(
                Client(partition).activate_jobs(
                    job_type, worker, timeout_ms, max_jobs - len(jobs), fetch_variables, tenant_ids
                )
            )
        engine.run()
        return jobs

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


class _Messages(_Part):
    def publish(
        self,
        name: str,
        correlation_key: str = "",
        variables: Mapping[str, Any] | None = None,
        *,
        ttl_ms: int = 60_000,
        message_id: str = "",
        expect_rejection: bool = False,
    ) -> Record[Any]:
        """Publish a message (routed by its correlation key, as the gateways do)."""
        return self._engine.send(
            MessageRecordValue(
                name=name,
                correlation_key=correlation_key,
                time_to_live=ttl_ms,
                message_id=message_id,
                variables=dict(variables or {}),
            ),
            MessageIntent.PUBLISH,
            expect_rejection=expect_rejection,
        )


class _Signals(_Part):
    def broadcast(self, name: str, variables: Mapping[str, Any] | None = None) -> Record[Any]:
        """Broadcast a signal (to every partition)."""
        return self._engine.send(
            SignalRecordValue(signal_name=name, variables=dict(variables or {})), SignalIntent.BROADCAST
        )


__all__ = ["DeploymentResource", "ReplayMismatchError", "TestEngine"]
