"""Durability under SIGKILL: every position reported durable survives, byte for byte."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from strom.log import FileJournal

from ._payload import payload

WRITER = Path(__file__).with_name("_sigkill_writer.py")
SEGMENT_SIZE = 64 * 1024  # small, so the writer rolls segments while it is killed


def run_writer_and_kill(directory: Path, reports_wanted: int) -> tuple[int, list[int]]:
    """Start the writer, read ``reports_wanted`` durable positions, SIGKILL it mid-stream."""
    process = subprocess.Popen(
        [sys.executable, str(WRITER), str(directory), str(SEGMENT_SIZE)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    try:
        start_line = process.stdout.readline()
        assert start_line.startswith("start "), start_line
        reports = [int(process.stdout.readline()) for _ in range(reports_wanted)]
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        process.stdout.close()
    assert process.returncode == -signal.SIGKILL
    return int(start_line.split()[1]), reports


@pytest.mark.slow
@pytest.mark.timeout(60)
def test_every_position_reported_durable_survives_sigkill(journal_dir: Path) -> None:
    kept = 0  # the last position recovery found
    for _ in range(5):  # each round also appends after what the previous kill left behind
        start, reports = run_writer_and_kill(journal_dir, reports_wanted=400)

        assert start == kept + 1
        assert reports == sorted(set(reports))
        assert reports[0] >= start

        with FileJournal(journal_dir, segment_size=SEGMENT_SIZE) as journal:
            kept = journal.next_position - 1
            assert kept >= reports[-1], "a position reported durable was lost"
            assert len(journal.segment_paths) > 1
            with journal.reader() as reader:
                positions = []
                for position, record in reader:
                    assert record == payload(position), f"position {position} has the wrong bytes"
                    positions.append(position)
        assert positions == list(range(1, kept + 1)), "a position was doubled or skipped"
