"""The in-process client and streaming workers against a running (threaded) partition."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from strom.broker import Partition, PartitionSettings
from strom.client import ActivatedJob, Client, ClientError, JobWorker
from strom.protocol.enums import RejectionType
from strom.testing import bpmn

PROCESS = bpmn.process("p").start_event().service_task("task", job_type="work").end_event().to_xml()


@pytest.fixture
def running(tmp_path: Path) -> Iterator[Partition]:
    partition = Partition(PartitionSettings(data_dir=tmp_path, group_commit=True)).open()
    partition.start()
    try:
        yield partition
    finally:
        partition.close()


def test_a_threaded_worker_completes_pushed_jobs_and_instances_finish(running: Partition) -> None:
    client = Client(running)
    client.deploy(("p.bpmn", PROCESS.encode()))
    seen: list[int] = []
    lock = threading.Lock()

    def handle(job: ActivatedJob) -> dict[str, int]:
        with lock:
            seen.append(job.variables["n"])
        return {"doubled": job.variables["n"] * 2}

    with JobWorker(running, "work", handle):
        results = [
            client.create_instance_with_result("p", {"n": n}, fetch_variables=["doubled"], timeout=20)
            for n in range(20)
        ]

    assert sorted(seen) == list(range(20))
    assert [r.value.variables["doubled"] for r in results] == [n * 2 for n in range(20)]


def test_jobs_created_before_the_worker_started_are_picked_up(running: Partition) -> None:
    client = Client(running)
    client.deploy(("p.bpmn", PROCESS.encode()))
    keys = [client.create_instance("p") for _ in range(3)]
    done = threading.Semaphore(0)

    def handle(job: ActivatedJob) -> None:
        done.release()

    with JobWorker(running, "work", handle):
        for _ in keys:
            assert done.acquire(timeout=10)


def test_a_handler_that_raises_fails_the_job_with_one_retry_less(running: Partition) -> None:
    client = Client(running)
    client.deploy(("p.bpmn", PROCESS.encode()))
    attempts = threading.Semaphore(0)

    def broken(job: ActivatedJob) -> None:
        attempts.release()
        raise RuntimeError(f"attempt with {job.retries} retries")

    with JobWorker(running, "work", broken) as worker:
        client.create_instance("p")
        for _ in range(3):
            assert attempts.acquire(timeout=10)

    assert worker.failed == 3
    assert client.activate_jobs("work") == []  # three failures: no retries left, an incident


def test_rejections_raise_client_errors_with_zeebes_type_and_reason(running: Partition) -> None:
    client = Client(running)

    with pytest.raises(ClientError) as raised:
        client.complete_job(12345)

    assert raised.value.rejection_type is RejectionType.NOT_FOUND
    assert str(raised.value) == "Expected to complete job with key '12345', but no such job was found"
