"""Run ``strom broker`` as a subprocess on free ports, for integration tests and benchmarks."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _distinct_free_port(taken: set[int]) -> int:
    """A free port none of ``taken`` (a port just released can be handed out again at once)."""
    while (port := free_port()) in taken:
        pass
    taken.add(port)
    return port


class BrokerProcess:
    """A broker in ``directory`` (data, logs, and a JSON-lines record export to read back)."""

    def __init__(self, directory: Path, *args: str, env: dict[str, str] | None = None) -> None:
        self.directory = directory
        self.args = args
        self.env = env or {}
        self.port = 0
        self.metrics_port = 0
        self.rest_port = 0
        self.records_path = directory / "records.jsonl"
        self._records: list[dict[str, Any]] = []
        self._records_offset = 0
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def rest_address(self) -> str:
        return f"http://127.0.0.1:{self.rest_port}/v2"

    def start(self, timeout: float = 30.0) -> BrokerProcess:
        taken: set[int] = {port for port in (self.port, self.metrics_port, self.rest_port) if port}
        self.port = self.port or _distinct_free_port(taken)
        self.metrics_port = self.metrics_port or _distinct_free_port(taken)
        self.rest_port = self.rest_port or _distinct_free_port(taken)
        env = {
            **os.environ,
            "STROM_EXPORTERS__RECORDS__PATH": str(self.records_path),
            "STROM_EXPORTERS__RECORDS__FLUSH_EVERY": "1",
            **self.env,
        }
        command = [
            sys.executable,
            "-c",
            "from strom.cli import main; main()",
            "broker",
            "--data-dir",
            str(self.directory / "data"),
            "--grpc-port",
            str(self.port),
            "--metrics-port",
            str(self.metrics_port),
            "--rest-port",
            str(self.rest_port),
            *self.args,
        ]
        out = self.directory / "broker.out"
        offset = out.stat().st_size if out.exists() else 0  # a restart appends to the same file
        self._stdout = open(out, "ab")  # noqa: SIM115
        self._stderr = open(self.directory / "broker.err", "ab")  # noqa: SIM115
        self.process = subprocess.Popen(command, stdout=self._stdout, stderr=self._stderr, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if b"ready" in out.read_bytes()[offset:]:
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"strom broker exited with {self.process.returncode}:\n{self.logs()}")
            time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"strom broker was not ready within {timeout} s:\n{self.logs()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """Signal the broker and wait for it to exit; returns the exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        self._stdout.close()
        self._stderr.close()
        return int(self.process.returncode)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)

    def logs(self) -> str:
        out = (self.directory / "broker.out").read_text(errors="replace")
        err = (self.directory / "broker.err").read_text(errors="replace")
        return f"--- stdout ---\n{out}\n--- stderr ---\n{err[-20000:]}"

    def records(self) -> list[dict[str, Any]]:
        """Every record exported so far (Zeebe's JSON shape), read on from where the last call
        stopped. Only complete lines count: the broker may be writing the next one right now."""
        if not self.records_path.exists():
            return list(self._records)
        with open(self.records_path, "rb") as file:
            file.seek(self._records_offset)
            data = file.read()
        complete = data.rfind(b"\n") + 1
        for line in data[:complete].splitlines():
            if line.strip():
                try:
                    self._records.append(json.loads(line))
                except ValueError:  # a line a crash tore; the exporter went on on the next line
                    continue
        self._records_offset += complete
        return list(self._records)

    def wait_for_record(
        self, value_type: str, intent: str, *, key: int | None = None, timeout: float = 10.0, **value: Any
    ) -> dict[str, Any]:
        """The first exported record of ``value_type`` and ``intent`` (names, as exported) with
        ``key`` and the given value fields (snake_case names); waits for the exporter."""
        wanted = {_camel(name): expected for name, expected in value.items()}
        deadline = time.monotonic() + timeout
        while True:
            for record in self.records():
                if (
                    record["valueType"] == value_type
                    and record["intent"] == intent
                    and (key is None or record["key"] == key)
                    and all(record["value"].get(name) == expected for name, expected in wanted.items())
                ):
                    return record
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"no exported {value_type} {intent} record with key {key} and {value} within {timeout} s"
                )
            time.sleep(0.05)

    def metric(self, name: str, **labels: str) -> float:
        """The value of a metric on the broker's /metrics (0 when it is not there)."""
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        text = urllib.request.urlopen(url, timeout=5).read().decode()
        for line in text.splitlines():
            if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    def wait_for_metric(
        self, name: str, check: Callable[[float], bool], *, timeout: float = 10.0, **labels: str
    ) -> float:
        """Waits until ``check`` holds for the metric's value; fails saying what never happened."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.metric(name, **labels)
            if check(value):
                return value
            if time.monotonic() > deadline:
                raise AssertionError(f"metric {name}{labels or ''} stayed at {value} for {timeout} s")
            time.sleep(0.02)


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)
