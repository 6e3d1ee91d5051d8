"""A broker with three partitions, each in its own process, through unmodified clients: instances
spread over the partitions, jobs and messages across them, deployments distributed (also to a
partition whose process was killed), and a SIGKILLed partition process under load that comes back
with nothing acknowledged lost or doubled while the others keep answering."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from broker_process import BrokerProcess
from pyzeebe import ZeebeClient, ZeebeWorker
from test_pyzeebe import run, working

from strom.engine.processing.bpmn.behavior.subscription_commands import partition_for_correlation_key
from strom.protocol.keys import partition_of
from strom.testing import bpmn

pytestmark = pytest.mark.slow


@pytest.fixture
def broker(tmp_path: Path) -> Iterator[BrokerProcess]:
    # the three partitions' JSON-lines exporters append to one file (whole lines per write)
    process = BrokerProcess(tmp_path, "--partitions", "3", "--secondary-storage", "none").start(timeout=60)
    try:
        yield process
    finally:
        process.stop()


def partition_pids(broker: BrokerProcess) -> dict[int, int]:
    """The partition processes of the broker: {partition id: pid}, from their command lines."""
    assert broker.process is not None
    children = subprocess.run(
        ["pgrep", "-P", str(broker.process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    pids = {}
    for pid in children:
        arguments = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"strom.broker.partition_host" in arguments:
            pids[int(arguments[arguments.index(b"--partition") + 1])] = int(pid)
    return pids


def one_task(tmp_path: Path, process_id: str = "order", job_type: str = "work") -> str:
    path = tmp_path / f"{process_id}.bpmn"
    path.write_text(
        bpmn.process(process_id)
        .start_event()
        .service_task("task", job_type=job_type)
        .end_event("end")
        .to_xml()
    )
    return str(path)


def test_topology_shows_three_healthy_partitions_and_instances_spread_over_them(
    broker: BrokerProcess, tmp_path: Path
) -> None:
    model = one_task(tmp_path)

    async def main(client: ZeebeClient, channel: Any) -> Any:
        topology = await client.topology()
        await client.deploy_resource(model)
        instances = [await client.run_process("order", {"n": n}) for n in range(6)]
        done: list[int] = []
        worker = ZeebeWorker(channel, name="w", request_timeout=1_000)

        @worker.task(task_type="work")
        async def handle(n: int) -> dict[str, Any]:
            done.append(n)
            return {}

        async with working(worker):
            deadline = time.monotonic() + 30
            while len(done) < 6 and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
        return topology, instances, done

    topology, instances, done = run(main, broker)

    assert topology.partitions_count == 3
    [node] = topology.brokers
    assert [(p.partition_id, p.health.name) for p in node.partitions] == [
        (1, "HEALTHY"),
        (2, "HEALTHY"),
        (3, "HEALTHY"),
    ]
    keys = [instance.process_instance_key for instance in instances]
    assert sorted(partition_of(key) for key in keys) == [1, 1, 2, 2, 3, 3]
    assert sorted(done) == list(range(6))
    for key in keys:
        broker.wait_for_record("PROCESS_INSTANCE", "ELEMENT_COMPLETED", key=key, timeout=20)


def test_a_message_reaches_an_instance_on_another_partition(broker: BrokerProcess, tmp_path: Path) -> None:
    path = tmp_path / "wait.bpmn"
    path.write_text(
        bpmn.process("wait")
        .start_event()
        .receive_task("receive", message="paid", correlation_key="=key")
        .end_event("done")
        .to_xml()
    )

    async def main(client: ZeebeClient, channel: Any) -> Any:
        await client.deploy_resource(str(path))
        # one instance per partition, each waiting for its own correlation key
        instances = [await client.run_process("wait", {"key": f"order-{n}"}) for n in range(3)]
        early = "order-early"
        await client.publish_message("paid", early, {"early": True}, time_to_live_in_milliseconds=60_000)
        late_instances = [await client.run_process("wait", {"key": early})]
        for n in range(3):
            await client.publish_message("paid", f"order-{n}", {"n": n})
        return instances + late_instances

    instances = run(main, broker)

    crossing = [
        i
        for n, i in enumerate(instances)
        if partition_of(i.process_instance_key)
        != partition_for_correlation_key(f"order-{n}" if n < 3 else "order-early", 3)
    ]
    assert crossing, "round robin put every instance on its message's partition"
    for instance in instances:
        broker.wait_for_record(
            "PROCESS_INSTANCE", "ELEMENT_COMPLETED", key=instance.process_instance_key, timeout=20
        )


def test_a_deployment_reaches_a_partition_whose_process_was_killed(
    broker: BrokerProcess, tmp_path: Path
) -> None:
    os.kill(partition_pids(broker)[3], signal.SIGKILL)
    model = one_task(tmp_path, "late", "late-work")

    async def main(client: ZeebeClient, channel: Any) -> Any:
        await client.deploy_resource(model)  # partition 3 is down: distribution waits for it
        created = []
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and not any(partition_of(k) == 3 for k in created):
            try:
                created.append((await client.run_process("late")).process_instance_key)
            except Exception:  # partition 3 may not know the process yet: retry
                await asyncio.sleep(0.2)
        return created

    created = run(main, broker)

    assert any(partition_of(key) == 3 for key in created), (
        f"no instance reached partition 3 (created {created}):\n{broker.logs()[-3000:]}"
    )


def test_a_killed_partition_process_comes_back_and_nothing_acknowledged_is_lost_or_doubled(
    broker: BrokerProcess, tmp_path: Path
) -> None:
    model = one_task(tmp_path, "load", "load-work")

    async def main(client: ZeebeClient, channel: Any) -> Any:
        await client.deploy_resource(model)
        acknowledged: list[int] = []
        failures = 0
        killed_at = None
        started = time.monotonic()
        while time.monotonic() - started < 8:
            if killed_at is None and len(acknowledged) >= 30:
                os.kill(partition_pids(broker)[2], signal.SIGKILL)
                killed_at = len(acknowledged)
            try:
                acknowledged.append(
                    (await client.run_process("load", {"n": len(acknowledged)})).process_instance_key
                )
            except Exception:
                failures += 1
                await asyncio.sleep(0.05)
        return acknowledged, killed_at, failures

    acknowledged, killed_at, failures = run(main, broker)

    assert killed_at is not None
    after_kill = acknowledged[killed_at:]
    assert any(partition_of(key) in (1, 3) for key in after_kill), "the other partitions stopped answering"
    assert any(partition_of(key) == 2 for key in after_kill), (
        f"partition 2 never came back ({failures} failed requests):\n{broker.logs()[-3000:]}"
    )
    assert len(set(acknowledged)) == len(acknowledged)
    deadline = time.monotonic() + 20
    while True:
        created = {
            r["key"]
            for r in broker.records()
            if r["valueType"] == "PROCESS_INSTANCE"
            and r["intent"] == "ELEMENT_ACTIVATED"
            and r["value"]["bpmnProcessId"] == "load"
            and r["value"]["bpmnElementType"] == "PROCESS"
        }
        if set(acknowledged) <= created or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert set(acknowledged) <= created
    # an instance nobody was told about can only come from a request in flight when the
    # process was killed (its answer was lost with it): at most one per failed request
    assert len(created - set(acknowledged)) <= failures


def test_one_partition_in_its_own_process(tmp_path: Path) -> None:
    broker = BrokerProcess(
        tmp_path, "--secondary-storage", "none", env={"STROM_PARTITION_PROCESSES": "always"}
    ).start(timeout=60)
    try:
        assert list(partition_pids(broker)) == [1]
        model = one_task(tmp_path)

        async def main(client: ZeebeClient, channel: Any) -> Any:
            topology = await client.topology()
            await client.deploy_resource(model)
            return topology, await client.run_process("order")

        topology, created = run(main, broker)
    finally:
        broker.stop()

    assert topology.partitions_count == 1
    assert partition_of(created.process_instance_key) == 1
