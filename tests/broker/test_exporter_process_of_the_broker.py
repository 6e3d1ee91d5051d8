"""``strom broker`` runs its exporters in a process of their own that never outlives it."""

from __future__ import annotations

import signal
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from broker_process import BrokerProcess


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.extend(int(child) for child in (task / "children").read_text().split())
    return found


def _command_line(pid: int) -> str:
    return (Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")).decode()


def _exporter_process(broker: BrokerProcess) -> int:
    assert broker.process is not None
    [child] = [pid for pid in _children(broker.process.pid) if "strom.exporter._child" in _command_line(pid)]
    return child


def _gone(pid: int, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists():
        status = Path(f"/proc/{pid}/status")
        try:
            if "State:\tZ" in status.read_text():  # exited, not yet reaped by init
                return True
        except FileNotFoundError:
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.slow
def test_the_exporter_process_exits_with_a_killed_broker_and_a_restart_gets_a_new_one(
    tmp_path: Path,
) -> None:
    first = BrokerProcess(tmp_path).start()
    exporter = _exporter_process(first)

    first.stop(signal.SIGKILL)

    assert _gone(exporter), "the exporter process outlived its broker"
    second = BrokerProcess(tmp_path).start()
    try:
        assert _exporter_process(second) != exporter
    finally:
        replacement = _exporter_process(second)
        assert second.stop() == 0, second.logs()
    assert _gone(replacement, timeout=1.0), "a stopped broker leaves its exporter process behind"
