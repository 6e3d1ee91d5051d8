"""Benchmark the start of the ``strom`` command: how long ``strom --help`` and ``strom status --help``
take next to a bare ``python -c pass``, in the same run (issue 18 item 4: a CLI that answers at once).

Each figure is the median wall time of ``--repeat`` subprocess runs, interleaved (one run of each
command per round, after one untimed run of each to warm the file cache). ``strom`` is the console
script next to the interpreter (``[project.scripts]``), or ``python -m strom.cli`` when it is not
installed. Prints a line per measurement for people, then one JSON object on the last line for
scripts.

    .venv/bin/python benchmarks/cli_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def strom_command() -> list[str]:
    script = Path(sys.executable).with_name("strom")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "strom.cli"]


def wall_ms(command: Sequence[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return (time.perf_counter() - start) * 1000


def medians_ms(commands: dict[str, list[str]], repeat: int) -> dict[str, float]:
    """The median wall time of each command; the runs are interleaved (one of each per round), so a
    change in the machine's load weighs on every command alike."""
    for command in commands.values():
        wall_ms(command)  # warm the file cache
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, command in commands.items():
            times[name].append(wall_ms(command))
    return {name: round(statistics.median(runs), 1) for name, runs in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    repeat = max(1, args.repeat)
    strom = strom_command()
    measurements = {
        "python_pass_ms": [sys.executable, "-c", "pass"],
        "help_ms": [*strom, "--help"],
        "status_help_ms": [*strom, "status", "--help"],
    }
    figures = medians_ms(measurements, repeat)
    for name, command in measurements.items():
        shown = " ".join(Path(part).name if part == command[0] else part for part in command)
        print(f"{shown:<40} {figures[name]:8.1f} ms  (median of {repeat})")
    result = {
        "python_pass_ms": figures["python_pass_ms"],
        "help_ms": figures["help_ms"],
        "help_vs_python": round(figures["help_ms"] / figures["python_pass_ms"], 2),
        "status_help_ms": figures["status_help_ms"],
    }
    print(f"strom --help is {result['help_vs_python']}x python -c pass (goal: at most 3x)")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
