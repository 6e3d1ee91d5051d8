"""A cluster broker checks at start-up that its NATS servers take the largest command its gateways
accept (issue 15: batches larger than a message are refused, so the limit must be raised and
checked): with NATS's default ``max_payload`` (1 MiB) it stops with a clear error instead of
stopping a partition on the first large request."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.log._nats import free_port, required_binary, start_server


def test_a_broker_on_nats_with_a_smaller_max_payload_than_its_requests_refuses_to_start(
    tmp_path: Path,
) -> None:
    server = start_server(required_binary(), tmp_path / "nats")  # max_payload: the default 1 MiB
    try:
        run = subprocess.run(
            [
                *(sys.executable, "-m", "strom.cli", "broker", "--cluster", server.url, "--node-id", "1"),
                *("--data-dir", str(tmp_path / "data"), "--grpc-port", str(free_port())),
                *("--rest-port", "0", "--metrics-port", "0", "--secondary-storage", "none"),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.stop()
    assert run.returncode != 0
    error = run.stderr + run.stdout
    assert "take messages of at most 1048064 bytes" in error, error[-3000:]
    assert "max_payload: 8MB" in error and "max_message_size" in error
    assert "Traceback" not in error, error[-3000:]
