"""The standing fault campaign (benchmarks/chaos.py) in the suite: 20 SIGKILLs of `strom broker` at
random moments under a pyzeebe load of creates and job completions, and nothing acknowledged is lost
or doubled, and every instance finishes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
CHAOS = Path(__file__).resolve().parents[2] / "benchmarks" / "chaos.py"


def test_twenty_sigkills_under_load_lose_nothing_double_nothing_and_every_instance_finishes(
    tmp_path: Path,
) -> None:
    run = subprocess.run(
        [sys.executable, str(CHAOS), "--kills", "20", "--data-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ},
    )
    assert run.returncode == 0, run.stderr[-4000:]
    figures = json.loads(run.stdout.splitlines()[-1])

    assert figures["kills"] == 20
    assert figures["acknowledged_creates"] > 100 and figures["acknowledged_completions"] > 100, figures
    assert (figures["lost"], figures["doubled"], figures["unfinished"]) == (0, 0, 0), figures
    assert figures["final_stop_status"] == 0, figures
