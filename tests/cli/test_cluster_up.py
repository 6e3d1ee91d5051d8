"""``strom cluster up``: three NATS servers and two brokers from one command; a client may use
either broker (the follower forwards to the leader), and Ctrl-C / SIGTERM stops every process it
started."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
import grpc
import pytest

from strom.cli.cluster import LocalCluster
from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn
from tests.log._nats import required_binary

pytestmark = pytest.mark.slow


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_cluster_up_runs_a_cluster_any_broker_answers_and_sigterm_stops_it(tmp_path: Path) -> None:
    binary = required_binary()
    up = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "strom.cli",
            "cluster",
            "up",
            "--brokers",
            "2",
            "--nats",
            "3",
            "--dir",
            str(tmp_path / "cluster"),
            *("--grpc-port", "0", "--rest-port", "0", "--metrics-port", "0", "--nats-port", "0"),
            *("--lease-ttl", "2"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "STROM_NATS_SERVER": binary},
        start_new_session=True,  # its NATS servers and brokers: one process group to clean up
    )
    lines: list[str] = []
    try:
        assert up.stdout is not None
        deadline = time.monotonic() + 120
        while not any(line.startswith("cluster up:") for line in lines):
            line = up.stdout.readline()
            assert line, f"cluster up exited ({up.poll()}):\n" + "".join(lines)
            lines.append(line)
            assert time.monotonic() < deadline, "".join(lines)
        output = "".join(lines)
        grpc_addresses = re.findall(r"^broker \d+\s+grpc (\S+)", output, re.M)
        pids = [int(pid) for pid in re.findall(r"\(pid (\d+)\)", output)]
        assert len(grpc_addresses) == 2 and len(pids) == 5, output

        xml = bpmn.process("order").start_event().service_task("t", job_type="work").end_event().to_xml()
        keys = []
        for address in grpc_addresses:  # the leader's gateway and the follower's
            with grpc.insecure_channel(address) as channel:
                stub = GatewayStub(channel)
                stub.DeployResource(
                    pb.DeployResourceRequest(
                        resources=[pb.Resource(name="order.bpmn", content=xml.encode())]
                    ),
                    timeout=30,
                )
                keys.append(
                    stub.CreateProcessInstance(
                        pb.CreateProcessInstanceRequest(bpmnProcessId="order"), timeout=30
                    ).processInstanceKey
                )
        assert len(set(keys)) == 2 and all(key > 0 for key in keys)
        # a step of about 2.7 MB (the variable is in three records): more than NATS takes in one
        # message by default (1 MiB); the generated config raises it
        with grpc.insecure_channel(grpc_addresses[0]) as channel:
            big = json.dumps({"blob": "x" * 900_000})
            created = GatewayStub(channel).CreateProcessInstance(
                pb.CreateProcessInstanceRequest(bpmnProcessId="order", variables=big), timeout=30
            )
        assert created.processInstanceKey > 0

        up.send_signal(signal.SIGTERM)
        assert up.wait(90) == 0, up.stdout.read()
        assert [pid for pid in pids if _alive(pid)] == []
    finally:
        if up.poll() is None:  # a failed assertion: stop it as a user would, then make sure
            up.send_signal(signal.SIGTERM)
            try:
                up.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(up.pid, signal.SIGKILL)
                up.wait(10)


def test_a_cluster_whose_broker_cannot_start_stops_the_nats_servers_it_started(tmp_path: Path) -> None:
    cluster = LocalCluster(
        tmp_path / "cluster",
        brokers=1,
        nats_servers=2,
        grpc_port=0,
        rest_port=0,
        metrics_port=0,
        nats_port=0,
        lease_ttl_s=-1.0,  # refused by the broker's configuration: it exits at once
        binary=required_binary(),
    )
    try:
        with pytest.raises(click.ClickException, match="a process of the brokers exited"):
            cluster.start(timeout_s=60)

        assert [node.process is not None and node.process.poll() is not None for node in cluster.nats] == [
            True,
            True,
        ]  # stopped, not left running
    finally:
        cluster.stop()


def test_a_cluster_on_one_nats_server_starts_and_answers(tmp_path: Path) -> None:
    cluster = LocalCluster(
        tmp_path / "cluster",
        brokers=1,
        nats_servers=1,  # NATS refuses a cluster block without routes for a lone JetStream server
        grpc_port=0,
        rest_port=0,
        metrics_port=0,
        nats_port=0,
        lease_ttl_s=2.0,
        binary=required_binary(),
    )
    try:
        cluster.start(timeout_s=60)
        address = f"127.0.0.1:{cluster.brokers[0].grpc_port}"
        with grpc.insecure_channel(address) as channel:
            topology = GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=10)
        assert [partition.role for partition in topology.brokers[0].partitions] == [pb.Partition.LEADER]
    finally:
        cluster.stop()
