"""Builds the UI (Operate, Tasklist) with npm and compiles the engine with mypyc while the
Python package is built.

Compilation: the modules of ``COMPILED_PACKAGES`` are compiled with mypyc (they are plain, typed
Python and run uncompiled too); the compiled extension modules are written next to the sources,
where Python prefers them. Left out: ``__init__`` modules (package glue: nothing to gain, and a
compiled module loses its docstring) and every module that defines a msgspec struct (mypyc drops a
class's keywords, and a struct's ``array_like`` / ``frozen`` are keywords). ``STROM_COMPILE=0``
installs without compiling; ``STROM_PURE_PYTHON=1`` at run time ignores the compiled modules
(``strom.build_variant``). A compiler (gcc) and the Python headers are needed to compile.

The metadata is in pyproject.toml; this file only adds a step to ``build_py``, which both a wheel
build and an editable install (``pip install -e .``, PEP 660) run. The step runs ``npm ci`` (only
when ui/node_modules is missing or was installed from another package-lock.json) and
``npm run build`` in ui/ when the built apps in strom/gateway/ui/static are missing or older than
a file of ui/. The apps are written to the source tree, where an editable install serves them and
from which ``build_py`` copies them into a wheel as package data. Without npm the package installs
without them and the broker answers 503 on /operate and /tasklist, saying how to build them.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
APPS = ("operate", "tasklist")
HOW_TO_BUILD = "cd ui && npm ci && npm run build"
STAMP = ".strom-lock-sha256"
"""In ui/node_modules: the SHA-256 of the package-lock.json that ``npm ci`` installed."""


COMPILED_PACKAGES = ("strom/db", "strom/stream", "strom/engine")


def compiled_modules(root: Path = ROOT) -> list[str]:
    """The source files mypyc compiles, relative to ``root``."""
    modules = []
    for package in COMPILED_PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if path.name == "__init__.py" or "msgspec.Struct" in path.read_text(encoding="utf-8"):
                continue
            modules.append(path.relative_to(root).as_posix())
    return modules


def compiled_extensions() -> list[Any]:
    """The mypyc extension modules, or none when ``STROM_COMPILE=0``."""
    if os.environ.get("STROM_COMPILE", "1") == "0":
        print("strom: STROM_COMPILE=0: the engine is not compiled", file=sys.stderr, flush=True)
        return []
    from mypyc.build import mypycify

    print(
        "strom: compiling the engine with mypyc (a few minutes; STROM_COMPILE=0 skips it)",
        file=sys.stderr,
        flush=True,
    )
    return list(
        mypycify(
            ["--no-warn-unused-ignores", *compiled_modules()],
            opt_level="3",
            group_name="strom",
            multi_file=True,
        )
    )


class UIBuildError(Exception):
    """npm failed; the message says what failed and how to build by hand."""


def _sources(ui: Path) -> list[Path]:
    return [
        path for path in ui.rglob("*") if path.is_file() and "node_modules" not in path.relative_to(ui).parts
    ]


def _built(static: Path) -> list[Path]:
    return [path for app in APPS for path in (static / app).rglob("*") if path.is_file()]


def ui_is_stale(root: Path) -> bool:
    """True when an app's index.html is missing or a file of ui/ is newer than a built file."""
    ui, static = root / "ui", root / "strom" / "gateway" / "ui" / "static"
    if not all((static / app / "index.html").is_file() for app in APPS):
        return True
    newest_source = max(path.stat().st_mtime for path in _sources(ui))
    oldest_build = min(path.stat().st_mtime for path in _built(static))
    return newest_source > oldest_build


def _lock_digest(ui: Path) -> str:
    return hashlib.sha256((ui / "package-lock.json").read_bytes()).hexdigest()


def _run(npm: str, args: list[str], ui: Path) -> None:
    command = " ".join(["npm", *args])
    print(f"strom: UI: {command} (in {ui})", file=sys.stderr, flush=True)
    try:
        done = subprocess.run([npm, *args], cwd=ui, capture_output=True, text=True, timeout=900, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise UIBuildError(_failure(command, ui, str(error))) from error
    if done.returncode != 0:
        output = (done.stdout + done.stderr).strip().splitlines()
        raise UIBuildError(_failure(command, ui, "\n".join(output[-40:])))


def _failure(command: str, ui: Path, detail: str) -> str:
    return (
        f"Building Strom's UI failed: `{command}` in {ui}:\n{detail}\n\n"
        "The UI (Operate, Tasklist) is built with Node.js (20 or later) and npm, which fetch the "
        "pinned bpmn.io libraries of ui/package-lock.json from the npm registry. Fix the error "
        f"above and install again, or build it by hand with `{HOW_TO_BUILD}` and install again. "
        "To install without the UI, set STROM_SKIP_UI_BUILD=1 (the broker then answers 503 on "
        "/operate and /tasklist)."
    )


def build_ui(root: Path = ROOT, npm: str | None = None, force: bool = False) -> str:
    """Builds the apps into strom/gateway/ui/static of ``root`` if needed; says what it did.

    Returns "up to date", "built", "skipped" (STROM_SKIP_UI_BUILD) or "no npm"; raises
    ``UIBuildError`` when npm fails.
    """
    ui = root / "ui"
    if not (ui / "package.json").is_file():
        return "no sources"  # e.g. a build from an sdist that ships the built apps only
    if not force and not ui_is_stale(root):
        return "up to date"
    if os.environ.get("STROM_SKIP_UI_BUILD"):
        return "skipped"
    npm = npm or shutil.which("npm")
    if npm is None:
        print(
            "strom: WARNING: npm was not found, so the UI (Operate, Tasklist) is not built and the "
            f"broker will answer 503 on /operate and /tasklist. Install Node.js 20 and npm, then "
            f"install Strom again or run `{HOW_TO_BUILD}`.",
            file=sys.stderr,
            flush=True,
        )
        return "no npm"
    modules = ui / "node_modules"
    stamp = modules / STAMP
    digest = _lock_digest(ui)
    if not (stamp.is_file() and stamp.read_text().strip() == digest):
        _run(npm, ["ci", "--no-audit", "--no-fund"], ui)
        stamp.write_text(digest + "\n")
    _run(npm, ["run", "build"], ui)
    return "built"


class BuildPyWithUI(build_py):
    """``build_py`` that first builds the UI into the source tree's strom/gateway/ui/static."""

    def run(self) -> None:
        try:
            outcome = build_ui()
        except UIBuildError as error:
            raise SystemExit(f"error: {error}") from None
        print(f"strom: UI {outcome}", file=sys.stderr, flush=True)
        # The package data (static/**/*) may have been listed before the build made the files.
        self.__dict__.pop("data_files", None)
        super().run()


if __name__ == "__main__":
    setup(cmdclass={"build_py": BuildPyWithUI}, ext_modules=compiled_extensions())
