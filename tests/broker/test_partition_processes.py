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
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from strom.broker.config import BrokerConfig
from strom.broker.endpoint import Answer, Refusal
from strom.broker.job_streams import JobStreamRegistry
from strom.broker.partition_supervisor import PartitionSupervisor
from strom.broker.remote_partition import RemotePartition
from strom.gateway.grpc.requests import command
from strom.protocol.enums import RecordType
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


# -- helpers ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _config(data_dir: Path) -> BrokerConfig:
    return BrokerConfig(
        data_dir=data_dir, secondary_storage="none", grpc_port=_free_port(), rest_port=0, metrics_port=0
    )


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
    data_dir: Path, reaper: Reaper, count: int = 2, streams: JobStreamRegistry | None = None
) -> AsyncIterator[PartitionSupervisor]:
    supervisor = PartitionSupervisor(_config(data_dir), count, streams or JobStreamRegistry())
    try:
        await asyncio.wait_for(supervisor.start(), 60)
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


def test_a_process_is_deployed_and_an_instance_created_through_partition_1s_process(
    tmp_path: Path, reaper: Reaper
) -> None:
    async def body() -> None:
        async with supervised(tmp_path, reaper) as supervisor:
            endpoint = supervisor.endpoints[1]
            pids = supervisor.pids()
            assert sorted(pids) == [1, 2] and os.getpid() not in pids.values()
            assert endpoint.status().healthy
            assert endpoint.supports(*_vt(DeploymentIntent.CREATE))

            key = await deploy_and_create(endpoint, ONE_TASK, "p")

            assert key > 0
            assert key >> 51 == 1  # keys carry the partition that made them

    run(body)


def _vt(intent: Any) -> tuple[Any, int]:
    from strom.protocol.enums import ValueType

    return ValueType.DEPLOYMENT, int(intent)


_ = (json, subprocess, sys, JobBatchIntent, JobBatchRecordValue, JobRecordValue, Refusal)
