"""A data directory has one owner at a time, and Strom uses only directories that are its own.

The owner holds an exclusive lock (``partition-N/LOCK``, with its PID) from ``open`` to ``close``;
the kernel releases it when the process dies. Anyone else is refused before writing anything.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from broker_process import BrokerProcess, free_port

from strom.broker import Partition, PartitionSettings
from strom.broker.data_dir import (
    FORMAT,
    MARKER_NAME,
    DataDirectoryError,
    DataDirectoryFormatError,
    DataDirectoryLockedError,
)
from strom.cli import main as strom_cli
from strom.log import LogCorruptionError
from strom.testing import TestEngine, bpmn

Listing = dict[str, tuple[bool, int, int]]


def _listing(directory: Path) -> Listing:
    """Every entry under ``directory``: (is a directory, size, mtime in ns) — except RocksDB's own
    diagnostic log, which the running owner's database appends to whenever it likes."""
    entries: Listing = {}
    for path in sorted(directory.rglob("*")):
        if path.parent.name == "runtime" and path.name.startswith("LOG"):
            continue
        stat = path.stat()
        entries[str(path.relative_to(directory))] = (path.is_dir(), stat.st_size, stat.st_mtime_ns)
    return entries


def _open(data_dir: Path) -> Partition:
    return Partition(
        PartitionSettings(data_dir=data_dir, group_commit=False, snapshot_period_s=float("inf"))
    ).open()


def _run_broker(data_dir: Path) -> subprocess.CompletedProcess[str]:
    """``strom broker`` on ``data_dir`` and free ports, expected to exit by itself."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from strom.cli import main; main()",
            "broker",
            "--data-dir",
            str(data_dir),
            "--grpc-port",
            str(free_port()),
            "--metrics-port",
            str(free_port()),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )


# -- one owner -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_second_broker_on_same_directory_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    first = BrokerProcess(tmp_path).start()
    try:
        assert first.process is not None
        data_dir = tmp_path / "data"
        before = _listing(data_dir)

        second = _run_broker(data_dir)

        assert second.returncode == 1, second.stderr
        assert str(data_dir) in second.stderr
        assert f"PID {first.process.pid}" in second.stderr
        assert "Traceback" not in second.stderr
        assert len(second.stderr.strip().splitlines()) == 1, "one paragraph"
        assert _listing(data_dir) == before
        assert first.process.poll() is None, "the first broker keeps running"
    finally:
        assert first.stop() == 0, first.logs()


@pytest.mark.slow
def test_lock_is_released_when_the_owner_is_killed(tmp_path: Path) -> None:
    first = BrokerProcess(tmp_path).start()
    first.stop(signal.SIGKILL)

    second = BrokerProcess(tmp_path).start()  # no stale lock to remove by hand
    try:
        assert second.process is not None
        lock = tmp_path / "data" / "partition-1" / "LOCK"
        assert lock.read_text().strip() == str(second.process.pid)
    finally:
        assert second.stop() == 0, second.logs()


def test_a_second_partition_on_the_same_directory_in_one_process_is_refused(tmp_path: Path) -> None:
    first = _open(tmp_path)
    try:
        before = _listing(tmp_path)
        with pytest.raises(DataDirectoryLockedError) as refused:
            _open(tmp_path)
        assert refused.value.pid == os.getpid()
        assert str(tmp_path) in str(refused.value) and f"PID {os.getpid()}" in str(refused.value)
        assert _listing(tmp_path) == before
    finally:
        first.close(snapshot=False)

    _open(tmp_path).close(snapshot=False)  # released on close


def test_partitions_of_one_data_directory_each_lock_their_own(tmp_path: Path) -> None:
    one = _open(tmp_path)
    two = Partition(PartitionSettings(data_dir=tmp_path, partition_id=2, group_commit=False)).open()
    two.close(snapshot=False)
    one.close(snapshot=False)


def test_a_failed_open_gives_the_directory_back(tmp_path: Path) -> None:
    engine = TestEngine(tmp_path)
    engine.deploy(bpmn.process("p").start_event().end_event())
    for _ in range(5):  # damage in the first batch is then well before the tail
        engine.instances.create("p")
    engine.partition.close(snapshot=False)
    [segment] = (tmp_path / "partition-1" / "log").glob("segment-*.log")
    data = bytearray(segment.read_bytes())
    data[200] ^= 0xFF
    segment.write_bytes(bytes(data))

    for _ in range(2):  # the second attempt meets the same damage, not a lock held by the first
        with pytest.raises(LogCorruptionError):
            _open(tmp_path)


# -- Strom's directories only --------------------------------------------------------------------


def test_a_new_directory_gets_a_format_marker(tmp_path: Path) -> None:
    _open(tmp_path / "data").close(snapshot=False)

    marker = json.loads((tmp_path / "data" / MARKER_NAME).read_text())
    assert marker["format"] == FORMAT
    assert marker["createdBy"].startswith("strom ")


def test_a_directory_from_before_the_marker_is_used_and_marked(tmp_path: Path) -> None:
    _open(tmp_path).close(snapshot=False)
    (tmp_path / MARKER_NAME).unlink()

    _open(tmp_path).close(snapshot=False)

    assert json.loads((tmp_path / MARKER_NAME).read_text())["format"] == FORMAT


def test_a_directory_written_by_a_newer_format_is_refused(tmp_path: Path) -> None:
    (tmp_path / MARKER_NAME).write_text(json.dumps({"format": FORMAT + 1, "createdBy": "strom 9.0.0"}))
    before = _listing(tmp_path)

    with pytest.raises(DataDirectoryFormatError) as refused:
        _open(tmp_path)

    message = str(refused.value)
    assert str(tmp_path) in message and "strom 9.0.0" in message and f"format {FORMAT + 1}" in message
    assert _listing(tmp_path) == before


@pytest.mark.parametrize(
    "marker",
    ['{"format": 1, "createdBy": "zeebe 8.5"}', "not json at all", '{"createdBy": "strom 0.1.0"}', "[1]"],
)
def test_a_directory_of_another_program_is_refused(tmp_path: Path, marker: str) -> None:
    (tmp_path / MARKER_NAME).write_text(marker)
    before = _listing(tmp_path)

    with pytest.raises(DataDirectoryFormatError) as refused:
        _open(tmp_path)

    assert str(tmp_path) in str(refused.value) and "not written by Strom" in str(refused.value)
    assert _listing(tmp_path) == before


def test_a_folder_with_other_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    (tmp_path / "thesis.tex").write_text("my work")
    (tmp_path / "figures").mkdir()
    before = _listing(tmp_path)

    with pytest.raises(DataDirectoryFormatError) as refused:
        _open(tmp_path)

    assert str(tmp_path) in str(refused.value) and "thesis.tex" in str(refused.value)
    assert _listing(tmp_path) == before


@pytest.mark.slow
def test_a_broker_on_a_directory_of_a_newer_format_says_so_without_a_traceback(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / MARKER_NAME).write_text(json.dumps({"format": FORMAT + 1, "createdBy": "strom 9.0.0"}))

    result = _run_broker(data_dir)

    assert result.returncode == 1
    assert str(data_dir) in result.stderr and "strom 9.0.0" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in data_dir.iterdir()) == [MARKER_NAME]


# -- strom demo ----------------------------------------------------------------------------------


def test_demo_runs_in_a_fresh_temporary_directory_and_removes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    temporary = tmp_path / "tmp"
    work.mkdir()
    temporary.mkdir()
    monkeypatch.chdir(work)
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))

    result = CliRunner().invoke(strom_cli, ["demo", "--instances", "2"])

    assert result.exit_code == 0, result.output
    assert "instances      2 completed" in result.output
    assert str(temporary) in result.output and "temporary" in result.output
    assert list(work.iterdir()) == [], "nothing in the working directory (no ./data)"
    assert list(temporary.iterdir()) == [], "the temporary directory is removed"


def test_demo_keeps_a_data_dir_it_was_given(tmp_path: Path) -> None:
    runner = CliRunner()
    first = runner.invoke(strom_cli, ["demo", "--instances", "2", "--data-dir", str(tmp_path / "d")])
    second = runner.invoke(strom_cli, ["demo", "--instances", "2", "--data-dir", str(tmp_path / "d")])

    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "(unchanged, kept its version)" in second.output
    assert (tmp_path / "d" / MARKER_NAME).exists()


def test_demo_refuses_a_directory_in_use(tmp_path: Path) -> None:
    owner = _open(tmp_path)
    try:
        result = CliRunner().invoke(strom_cli, ["demo", "--instances", "1", "--data-dir", str(tmp_path)])
    finally:
        owner.close(snapshot=False)

    assert result.exit_code == 1
    assert "in use by another partition of this process" in result.output
    assert not isinstance(result.exception, DataDirectoryError), "a message, not a traceback"
