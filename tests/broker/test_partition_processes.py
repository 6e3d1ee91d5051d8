"""Partitions in their own OS processes: real children, a real hub, no mocks.

Every test runs its own event loop (``asyncio.run``) with a ``PartitionSupervisor`` over a fresh
data directory; whatever happens, the supervisor is stopped and every process a test started is
SIGKILLed at the end (the ``reaper`` fixture).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import Metric
from prometheus_client.parser import text_string_to_metric_families

from strom.broker import Partition, PartitionSettings
from strom.broker.config import BrokerConfig, ConfigError
from strom.broker.endpoint import Answer, Refusal
from strom.broker.frames import (
    Answer as AnswerFrame,
)
from strom.broker.frames import (
    Frame,
    FrameConnection,
    Hello,
    Refused,
    Request,
    Stop,
    StreamAdded,
    config_from_json,
    config_to_json,
    encode_frame,
)
from strom.broker.job_streams import JobStreamRegistry
from strom.broker.partition_supervisor import PartitionSupervisor
from strom.broker.remote_partition import RemotePartition
from strom.gateway.grpc.requests import command
from strom.protocol import codec
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import DeploymentIntent, JobBatchIntent, ProcessInstanceCreationIntent
from strom.protocol.record import Record
from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource
from strom.protocol.values.job import JobBatchRecordValue, JobRecordValue
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue
from strom.testing import bpmn

ONE_TASK = bpmn.process("p").start_event().service_task("task", job_type="work").end_event().to_xml()
POLLED = bpmn.process("polled").start_event().service_task("task", job_type="polled").end_event().to_xml()
WAIT_S = 15.0
"""The longest any single wait in these tests may take (a busy 2-core machine starts Pythons slowly)."""
START_S = 20.0
"""The longest the partition processes may take to start (import, open, Hello)."""


# -- helpers ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(data_dir: Path, **settings: Any) -> BrokerConfig:
    config = BrokerConfig(
        data_dir=data_dir, secondary_storage="none", grpc_port=_free_port(), rest_port=0, metrics_port=0
    )
    for name, value in settings.items():
        setattr(config, name, value)
    return config


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie nobody reaped does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


class Reaper:
    """PIDs a test started; SIGKILLed at the end whatever happened."""

    def __init__(self) -> None:
        self.pids: set[int] = set()

    def watch(self, supervisor: PartitionSupervisor) -> None:
        self.pids.update(supervisor.pids().values())

    def kill_all(self) -> None:
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def reaper() -> Iterator[Reaper]:
    reaper = Reaper()
    try:
        yield reaper
    finally:
        reaper.kill_all()


@contextlib.asynccontextmanager
async def supervised(
    data_dir: Path, reaper: Reaper, count: int = 2, streams: JobStreamRegistry | None = None, **settings: Any
) -> AsyncIterator[PartitionSupervisor]:
    supervisor = PartitionSupervisor(_config(data_dir, **settings), count, streams or JobStreamRegistry())
    try:
        await asyncio.wait_for(supervisor.start(), START_S)
        reaper.watch(supervisor)
        yield supervisor
    finally:
        reaper.watch(supervisor)
        await supervisor.stop(grace_s=10.0)


async def ask(endpoint: RemotePartition, record: Record[Any], timeout: float = WAIT_S) -> Answer:
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[Answer] = loop.create_future()
    endpoint.request(record, lambda a: answer.done() or answer.set_result(a))
    return await asyncio.wait_for(answer, timeout)


async def until(check: Callable[[], bool], what: str, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {timeout:.0f} s for {what}")
        await asyncio.sleep(0.05)


def run(body: Callable[[], Awaitable[None]]) -> None:
    asyncio.run(body())  # type: ignore[arg-type]


def deploy(xml: str) -> Record[Any]:
    value = DeploymentRecordValue(
        resources=[DeploymentResource(resource_name="p.bpmn", resource=xml.encode())]
    )
    return command(value, DeploymentIntent.CREATE)


def create(process_id: str) -> Record[Any]:
    return command(
        ProcessInstanceCreationRecordValue(bpmn_process_id=process_id), ProcessInstanceCreationIntent.CREATE
    )


async def deploy_and_create(endpoint: RemotePartition, xml: str, process_id: str) -> int:
    deployed = await ask(endpoint, deploy(xml))
    assert isinstance(deployed, Record) and not deployed.is_rejection, deployed
    created = await ask(endpoint, create(process_id))
    assert isinstance(created, Record) and created.record_type is RecordType.EVENT, created
    return int(created.value.process_instance_key)


# -- tests -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("processing", ["event-loop", "thread"])
def test_a_process_is_deployed_and_an_instance_created_through_partition_1s_process(
    tmp_path: Path, reaper: Reaper, processing: str
) -> None:
    async def body() -> None:
        async with supervised(tmp_path, reaper, processing=processing) as supervisor:
            endpoint = supervisor.endpoints[1]
            pids = supervisor.pids()
            assert sorted(pids) == [1, 2] and os.getpid() not in pids.values()
            os.kill(pids[2], signal.SIGINT)  # Ctrl-C reaches the process group: the children ignore it
            assert endpoint.status().healthy
            assert endpoint.supports(ValueType.DEPLOYMENT, DeploymentIntent.CREATE)
            assert not endpoint.supports(ValueType.DEPLOYMENT, DeploymentIntent.CREATED)  # an event

            key = await deploy_and_create(endpoint, ONE_TASK, "p")

            assert key > 0
            assert key >> 51 == 1  # keys carry the partition that made them
            other = await ask(supervisor.endpoints[2], activate("nothing"))
            assert isinstance(other, Record) and not other.is_rejection, other
            assert supervisor.pids() == pids and supervisor.restarts == {1: 0, 2: 0}

    run(body)


def activate(job_type: str) -> Record[Any]:
    """A cheap command: activate jobs of a type nobody created (an empty batch)."""
    value = JobBatchRecordValue(type=job_type, worker="w", timeout=1000, max_jobs_to_activate=1)
    return command(value, JobBatchIntent.ACTIVATE)


def test_a_killed_partition_process_refuses_requests_and_comes_back_while_the_others_serve(
    tmp_path: Path, reaper: Reaper
) -> None:
    async def body() -> None:
        async with supervised(tmp_path, reaper) as supervisor:
            first = supervisor.endpoints[1]
            await deploy_and_create(first, ONE_TASK, "p")
            awaiting = command(
                ProcessInstanceCreationRecordValue(bpmn_process_id="p"),
                ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
            )
            pending = asyncio.ensure_future(ask(first, awaiting))  # waits for a job nobody completes
            await asyncio.sleep(0.3)
            old_pid = supervisor.pids()[1]

            os.kill(old_pid, signal.SIGKILL)
            reaper.pids.add(old_pid)

            refused = await asyncio.wait_for(pending, WAIT_S)
            assert isinstance(refused, Refusal), refused
            assert refused.reason == "partition 1 is unavailable (restarting)" and refused.unavailable
            assert first.status().phase == "restarting" and not first.status().healthy
            now = await ask(first, activate("nothing"))
            assert now == Refusal(1, "partition 1 is unavailable (restarting)", unavailable=True)
            other = await ask(supervisor.endpoints[2], activate("nothing"))
            assert isinstance(other, Record) and not other.is_rejection, other

            await until(lambda: first.status().healthy, "partition 1 to come back healthy after SIGKILL")
            reaper.watch(supervisor)
            assert supervisor.pids()[1] != old_pid
            assert supervisor.restarts == {1: 1, 2: 0}
            created = await ask(first, create("p"))  # the deployment survived: replayed from the log
            assert isinstance(created, Record) and created.record_type is RecordType.EVENT, created

    run(body)


class CollectingStream:
    """A worker's stream in the main process: keeps what is pushed."""

    def __init__(self) -> None:
        self.worker = "collector"
        self.timeout = 60_000
        self.fetch_variables: list[str] = []
        self.authorizations: dict[str, str] = {}
        self.tenant_ids: list[str] = []
        self.jobs: list[tuple[int, JobRecordValue]] = []

    def push(self, job_key: int, job: JobRecordValue) -> None:
        self.jobs.append((job_key, job))


def test_a_job_created_in_a_partition_process_is_pushed_to_a_stream_of_the_main_process(
    tmp_path: Path, reaper: Reaper
) -> None:
    streams = JobStreamRegistry()
    stream = CollectingStream()

    async def body() -> None:
        async with supervised(tmp_path, reaper, streams=streams) as supervisor:
            streams.add("work", stream)
            instance = await deploy_and_create(supervisor.endpoints[1], ONE_TASK, "p")

            await until(lambda: bool(stream.jobs), "the job to be pushed to the main's stream")

            job_key, job = stream.jobs[0]
            assert job.process_instance_key == instance
            assert job.worker == "collector" and job.type == "work" and job.deadline > 0
            assert job_key >> 51 == 1

    run(body)


def test_jobs_available_in_a_partition_process_wake_the_main_processs_listeners(
    tmp_path: Path, reaper: Reaper
) -> None:
    streams = JobStreamRegistry()
    available: list[str] = []
    streams.add_listener(available.append)

    async def body() -> None:
        async with supervised(tmp_path, reaper, streams=streams) as supervisor:
            await deploy_and_create(supervisor.endpoints[1], POLLED, "polled")

            await until(lambda: "polled" in available, "JobsAvailable(polled) from partition 1")

    run(body)


def test_a_graceful_stop_snapshots_every_partition_and_leaves_no_process_behind(
    tmp_path: Path, reaper: Reaper
) -> None:
    async def body() -> None:
        async with supervised(tmp_path, reaper, count=3) as supervisor:
            for _ in range(3):
                await deploy_and_create(supervisor.endpoints[1], ONE_TASK, "p")
            pids = supervisor.pids()
        assert not [pid for pid in pids.values() if _alive(pid)], "partition processes outlived stop()"
        for partition_id in (1, 2, 3):
            snapshots = tmp_path / f"partition-{partition_id}" / "snapshots"
            assert snapshots.is_dir() and any(snapshots.iterdir()), f"no snapshot of partition {partition_id}"

        async with supervised(tmp_path, reaper, count=3) as supervisor:
            assert [e.replayed_events for e in supervisor.endpoints.values()] == [0, 0, 0]
            created = await ask(supervisor.endpoints[1], create("p"))
            assert isinstance(created, Record) and created.record_type is RecordType.EVENT, created

    run(body)


MAIN_PROCESS = """
import asyncio, json, sys
from pathlib import Path
from strom.broker import Partition, PartitionSettings
from strom.broker.config import BrokerConfig, ConfigError
from strom.broker.frames import (
    Answer as AnswerFrame,
    Frame,
    FrameConnection,
    Hello,
    Refused,
    Request,
    Stop,
    StreamAdded,
    config_from_json,
    config_to_json,
    encode_frame,
)
from strom.broker.job_streams import JobStreamRegistry
from strom.broker.partition_supervisor import PartitionSupervisor

async def main() -> None:
    config = BrokerConfig(data_dir=Path(sys.argv[1]), secondary_storage="none", rest_port=0, metrics_port=0)
    supervisor = PartitionSupervisor(config, 2, JobStreamRegistry())
    await supervisor.start()
    print(json.dumps({"pids": supervisor.pids(), "hub": supervisor.hub_path}), flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def test_partition_processes_close_and_exit_when_the_main_process_is_killed(
    tmp_path: Path, reaper: Reaper
) -> None:
    main = subprocess.Popen(
        [sys.executable, "-c", MAIN_PROCESS, str(tmp_path / "data")], stdout=subprocess.PIPE, text=True
    )
    reaper.pids.add(main.pid)
    hub_directory: Path | None = None
    try:
        assert main.stdout is not None
        ready, _, _ = select.select([main.stdout], [], [], START_S)
        assert ready, f"the main process did not start its partitions within {START_S:.0f} s"
        started = json.loads(main.stdout.readline())
        hub_directory = Path(started["hub"]).parent
        children = {int(k): v for k, v in started["pids"].items()}
        reaper.pids.update(children.values())
        assert sorted(children) == [1, 2] and all(_alive(pid) for pid in children.values())

        main.kill()
        main.wait(10)

        deadline = time.monotonic() + WAIT_S
        while any(_alive(pid) for pid in children.values()) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in children.values() if _alive(pid)], "orphaned partition processes"
        for partition_id in children:  # they closed gracefully: a final snapshot each
            snapshots = tmp_path / "data" / f"partition-{partition_id}" / "snapshots"
            assert snapshots.is_dir() and any(snapshots.iterdir())
    finally:
        main.kill()
        main.wait(10)
        if hub_directory is not None:  # the killed main could not remove it
            shutil.rmtree(hub_directory, ignore_errors=True)


def test_a_partition_that_cannot_open_fails_start_naming_it_and_stops_the_others(
    tmp_path: Path, reaper: Reaper
) -> None:
    holder = Partition(PartitionSettings(data_dir=tmp_path, partition_id=2, partition_count=2)).open()
    supervisor = PartitionSupervisor(_config(tmp_path), 2, JobStreamRegistry())

    async def body() -> None:
        try:
            with pytest.raises(ConfigError, match=r"partition 2 exited \(exit code 2\) before it was ready"):
                await asyncio.wait_for(supervisor.start(), START_S)
        finally:
            reaper.watch(supervisor)
            await supervisor.stop(grace_s=10.0)

    try:
        run(body)
    finally:
        holder.close()
    assert supervisor.pids() == {}
    assert supervisor.endpoints[1].status().phase == "dead"


def test_metrics_of_all_partition_processes_merge_into_one_valid_exposition(
    tmp_path: Path, reaper: Reaper
) -> None:
    async def body() -> None:
        async with supervised(tmp_path, reaper) as supervisor:
            await deploy_and_create(supervisor.endpoints[1], ONE_TASK, "p")
            second = supervisor.endpoints[2]
            await until(lambda: bool(second.metrics_text), "a Status with metrics from partition 2")
            await until(
                lambda: _processed(supervisor.endpoints[1]) >= 2, "partition 1's metrics to count 2 commands"
            )
            registry = CollectorRegistry(auto_describe=False)
            registry.register(_Collect(supervisor))

            text = generate_latest(registry).decode()

        families = {family.name: family for family in text_string_to_metric_families(text)}
        declared = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE ")]
        assert len(declared) == len(set(declared)), "a metric family declared twice"
        processed = {s.labels["partition"]: s.value for s in families["strom_records_processed"].samples}
        assert set(processed) == {"1", "2"} and processed["1"] >= 2
        up = {s.labels["partition"]: s.value for s in families["strom_partition_up"].samples}
        assert up == {"1": 1.0, "2": 1.0}
        restarts = {s.labels["partition"]: s.value for s in families["strom_partition_restarts"].samples}
        assert restarts == {"1": 0.0, "2": 0.0}

    run(body)


def _processed(endpoint: RemotePartition) -> float:
    for family in text_string_to_metric_families(endpoint.metrics_text):
        if family.name == "strom_records_processed":
            return float(family.samples[0].value)
    return 0.0


class _Collect:
    def __init__(self, supervisor: PartitionSupervisor) -> None:
        self._supervisor = supervisor

    def collect(self) -> Iterable[Metric]:
        return self._supervisor.collect_metrics()


def test_frames_and_the_config_survive_the_wire() -> None:
    record = create("p")
    frames = [
        Hello(1, 42, [1, 2], 7),
        Request(3, codec.encode(record)),
        AnswerFrame(3, codec.encode(record)),
        Refused(4, "", 10, 10),
        StreamAdded(5, "work", "w", 1000, ["a"]),
        Stop(),
    ]
    data = b"".join(encode_frame(frame) for frame in frames)
    received: list[Frame] = []
    connection = FrameConnection(lambda _, frame: received.append(frame))

    for start in range(0, len(data), 7):  # arbitrary chunks, as a socket delivers them
        connection.data_received(data[start : start + 7])

    assert received == frames
    assert codec.decode(received[1].record) == record  # type: ignore[union-attr]
    config = _config(Path("/some/where"))
    config.backpressure.algorithm = "vegas"
    assert config_from_json(config_to_json(config)) == config


class BrokenStream(CollectingStream):
    def push(self, job_key: int, job: JobRecordValue) -> None:
        super().push(job_key, job)
        raise RuntimeError("a stream that fails")


def test_a_stream_that_fails_to_take_a_job_does_not_cut_the_partition_off(
    tmp_path: Path, reaper: Reaper
) -> None:
    streams = JobStreamRegistry()
    stream = BrokenStream()
    streams.add("work", stream)

    async def body() -> None:
        async with supervised(tmp_path, reaper, streams=streams) as supervisor:
            await deploy_and_create(supervisor.endpoints[1], ONE_TASK, "p")
            await until(lambda: bool(stream.jobs), "the job to be pushed")

            answer = await ask(supervisor.endpoints[1], activate("nothing"))

            assert isinstance(answer, Record) and not answer.is_rejection, answer
            assert supervisor.endpoints[1].status().healthy

    run(body)


def test_the_secondary_storage_is_prepared_once_and_every_partition_exports_to_it(
    tmp_path: Path, reaper: Reaper
) -> None:
    async def body() -> None:
        async with supervised(tmp_path, reaper, secondary_storage="sqlite") as supervisor:
            instance = await deploy_and_create(supervisor.endpoints[1], ONE_TASK, "p")

            def exported() -> bool:
                with contextlib.closing(sqlite3.connect(tmp_path / "secondary.db")) as db:
                    rows = db.execute("SELECT key FROM process_instance").fetchall()
                return rows == [(instance,)]

            await until(exported, "the instance in the secondary storage")
            with contextlib.closing(sqlite3.connect(tmp_path / "secondary.db")) as db:
                positions = dict(
                    db.execute("SELECT partition_id, position FROM exporter_position").fetchall()
                )
            assert 1 in positions

    run(body)


def test_a_job_pushed_to_a_stream_that_is_gone_becomes_activatable_again(
    tmp_path: Path, reaper: Reaper
) -> None:
    streams = JobStreamRegistry()
    stream = CollectingStream()

    async def body() -> None:
        async with supervised(tmp_path, reaper, streams=streams) as supervisor:
            first = supervisor.endpoints[1]
            deployed = await ask(first, deploy(ONE_TASK))
            assert isinstance(deployed, Record) and not deployed.is_rejection, deployed
            streams.add("work", stream)
            await asyncio.sleep(0.2)  # mirrored into the children

            created = asyncio.ensure_future(ask(first, create("p")))
            for _ in range(3):  # the request leaves (ask's first step, then the flush)
                await asyncio.sleep(0)
            time.sleep(1.0)  # the main is busy while the child activates the job for the stream ...
            streams.remove("work", stream)  # ... which is gone before the main reads the push
            assert isinstance(await created, Record)

            async def activatable() -> list[int]:
                batch = await ask(first, activate("work"))
                assert isinstance(batch, Record), batch
                return list(batch.value.job_keys)

            deadline = time.monotonic() + WAIT_S
            while not (jobs := await activatable()):
                assert time.monotonic() < deadline, "the job was not given back (JOB YIELD)"
                await asyncio.sleep(0.1)
            assert len(jobs) == 1 and stream.jobs == []

    run(body)
