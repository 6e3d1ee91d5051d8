"""Which build runs: pip compiles the engine with mypyc, ``STROM_PURE_PYTHON=1`` runs the same
sources interpreted, and a source edited after compiling is run interpreted with a warning."""

from __future__ import annotations

import importlib.machinery
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from strom.build_variant import stale_compiled_modules, variant

_VARIANT = "import strom.build_variant as b; print(b.variant())"


def _variant_of(environment: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", _VARIANT],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


@pytest.mark.skipif(
    not os.environ.get("STROM_CI") or os.environ.get("STROM_PURE_PYTHON", "") not in ("", "0"),
    reason="the compiled build is checked where CI installs it (STROM_CI=1); a user's install may "
    "have been made with STROM_COMPILE=0",
)
def test_ci_runs_the_engine_compiled() -> None:
    assert variant() == "mypyc"


def test_pure_python_runs_the_sources() -> None:
    assert _variant_of({"STROM_PURE_PYTHON": "1"}) == "interpreted"


def test_a_source_edited_after_compiling_is_found(tmp_path: Path) -> None:
    package = tmp_path / "stream"
    package.mkdir()
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    compiled = package / ("processor" + suffix)
    source = package / "processor.py"
    fresh = package / "scheduler.py"
    fresh.write_text("")
    source.write_text("")
    compiled.write_bytes(b"")
    (package / ("scheduler" + suffix)).write_bytes(b"")
    assert stale_compiled_modules(str(tmp_path)) == []

    later = time.time() + 10
    os.utime(source, (later, later))

    assert stale_compiled_modules(str(tmp_path)) == [str(source)]
