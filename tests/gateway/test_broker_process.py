"""``strom broker`` as a process: graceful shutdown on SIGTERM/SIGINT, restart from its data,
readable start-up errors."""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import grpc
import pytest
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn

pytestmark = pytest.mark.slow


def _deploy_and_create(address: str) -> int:
    xml = bpmn.process("durable").start_event().service_task("t", job_type="durable").end_event().to_xml()
    with grpc.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="d.bpmn", content=xml.encode())])
        )
        created = stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="durable"))
        return int(created.processInstanceKey)


def _jobs(address: str) -> list[pb.ActivatedJob]:
    with grpc.insecure_channel(address) as channel:
        request = pb.ActivateJobsRequest(
            type="durable", worker="w", timeout=60_000, maxJobsToActivate=10, requestTimeout=-1
        )
        return [
            job for answer in GatewayStub(channel).ActivateJobs(request, timeout=10) for job in answer.jobs
        ]


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_shuts_down_gracefully_and_a_restart_keeps_everything(tmp_path: Path, sig: int) -> None:
    broker = BrokerProcess(tmp_path).start()
    instance = _deploy_and_create(broker.address)
    # A long poll is running when the signal comes: it must not hold the shutdown up for long.
    poll = threading.Thread(
        target=lambda: _ignore_errors(
            lambda: list(
                GatewayStub(grpc.insecure_channel(broker.address)).ActivateJobs(
                    pb.ActivateJobsRequest(
                        type="nothing", worker="w", timeout=1000, maxJobsToActivate=1, requestTimeout=60_000
                    ),
                    timeout=70,
                )
            )
        )
    )
    poll.start()
    time.sleep(0.3)

    started = time.monotonic()
    status = broker.stop(sig)

    assert status == 0, broker.logs()
    assert time.monotonic() - started < 15
    assert "Strom broker stopped" in broker.logs()
    assert list((tmp_path / "data" / "partition-1" / "snapshots").iterdir())
    poll.join(10)

    again = BrokerProcess(tmp_path).start()
    try:
        [job] = _jobs(again.address)
        assert job.processInstanceKey == instance
    finally:
        assert again.stop() == 0


def test_a_port_in_use_is_a_readable_error(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                "from strom.cli import main; main()",
                "broker",
                "--data-dir",
                str(tmp_path / "data"),
                "--grpc-port",
                str(port),
                "--metrics-port",
                "0",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_setting_is_a_readable_error(tmp_path: Path) -> None:
    config = tmp_path / "strom.toml"
    config.write_text('[backpressure]\nalgorithm = "magic"\n')

    result = subprocess.run(
        [sys.executable, "-c", "from strom.cli import main; main()", "broker", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 1
    assert "backpressure.algorithm must be one of aimd, vegas, fixed" in result.stderr
    assert "Traceback" not in result.stderr


def _ignore_errors(call: Callable[[], object]) -> None:
    with contextlib.suppress(grpc.RpcError):
        call()


def test_the_broker_also_runs_with_processing_on_its_own_thread(tmp_path: Path) -> None:
    broker = BrokerProcess(tmp_path, env={"STROM_PROCESSING": "thread"}).start()
    try:
        instance = _deploy_and_create(broker.address)
        [job] = _jobs(broker.address)
        with grpc.insecure_channel(broker.address) as channel:
            GatewayStub(channel).CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
        assert job.processInstanceKey == instance
        broker.wait_for_record(
            "PROCESS_INSTANCE", "ELEMENT_COMPLETED", key=instance, bpmn_element_type="PROCESS"
        )
    finally:
        assert broker.stop() == 0, broker.logs()
