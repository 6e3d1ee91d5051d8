"""The UI is built by the package build (setup.py's ``build_py`` step), not committed: the step builds
when the apps are missing or older than ui/, installs node_modules only when the lock file changed,
goes on without npm (with a warning) and stops with a clear error when npm fails."""

from __future__ import annotations

import filecmp
import importlib.util
import os
import re
import shutil
import stat
from pathlib import Path
from types import ModuleType

import pytest
from _services import unavailable

from strom.gateway.ui import APPS, STATIC

ROOT = Path(__file__).parents[3]
SOURCES = ROOT / "ui"


def _setup_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_strom_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # not __main__: setup() is not called
    return module


build = _setup_module()


def _copy_sources(root: Path) -> Path:
    shutil.copytree(SOURCES, root / "ui", ignore=shutil.ignore_patterns("node_modules"))
    return root / "ui"


def _static(root: Path) -> Path:
    return root / "strom" / "gateway" / "ui" / "static"


def _differences(left: Path, right: Path) -> list[str]:
    compared = filecmp.dircmp(left, right)
    found = [f"only in the package: {name}" for name in compared.left_only]
    found += [f"only in the build: {name}" for name in compared.right_only]
    found += [f"differs: {name}" for name in compared.diff_files]
    for name in compared.common_dirs:
        found += _differences(left / name, right / name)
    return found


def _fake_npm(tmp_path: Path, exit_code: int = 0) -> tuple[str, Path]:
    """An ``npm`` that logs its arguments and makes what ``npm ci`` / ``npm run build`` would."""
    log = tmp_path / "npm.log"
    script = tmp_path / "npm"
    script.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> {log}\n'
        f"if [ {exit_code} -ne 0 ]; then echo 'npm ERR! network unreachable' >&2; exit {exit_code}; fi\n"
        'if [ "$1" = ci ]; then mkdir -p node_modules; fi\n'
        'if [ "$1" = run ]; then for app in operate tasklist; do\n'
        "  mkdir -p ../strom/gateway/ui/static/$app && echo '<html></html>' > "
        "../strom/gateway/ui/static/$app/index.html; done; fi\n"
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script), log


def test_the_build_step_makes_the_served_apps(tmp_path: Path) -> None:
    """A real build on a copy of ui/: every file an index.html loads exists, no source maps, a second
    run does nothing, and the result is what the installation serves (a change to ui/ without a
    reinstall or rebuild is caught)."""
    npm = shutil.which("npm")
    if npm is None:
        unavailable("npm", "install Node.js 20 and npm to build the UI")
    ui = _copy_sources(tmp_path)
    installed = SOURCES / "node_modules"
    stamp = installed / build.STAMP
    if stamp.is_file() and stamp.read_text().strip() == build._lock_digest(SOURCES):
        # node_modules installed from this lock file by the package build saves the download; the
        # step sees the stamp and runs no `npm ci` (which would empty the linked directory).
        (ui / "node_modules").symlink_to(installed)
    assert build.build_ui(tmp_path, npm) == "built"
    static = _static(tmp_path)
    for app in APPS:
        index = (static / app / "index.html").read_text()
        references = re.findall(r'(?:src|href)="(/[^"]+)"', index)
        assets = [ref for ref in references if ref.startswith(f"/{app}/assets/")]
        assert assets, f"{app}/index.html loads no built assets: {references}"
        for asset in assets:
            assert (static / asset.lstrip("/")).is_file(), f"{asset} was not built"
        assert not any(path.suffix == ".map" for path in (static / app / "assets").iterdir())
    assert build.build_ui(tmp_path, npm) == "up to date"
    differences = _differences(STATIC, static)
    assert not differences, (
        "the installed UI is not what ui/ builds: reinstall (pip install -e .) or run "
        f"`cd ui && npm run build`: {differences}"
    )


def test_builds_when_missing_or_older_than_a_source_and_installs_only_a_new_lock(
    tmp_path: Path,
) -> None:
    npm, log = _fake_npm(tmp_path)
    ui = _copy_sources(tmp_path)
    assert build.build_ui(tmp_path, npm) == "built"
    assert log.read_text().splitlines() == ["ci --no-audit --no-fund", "run build"]
    assert build.build_ui(tmp_path, npm) == "up to date"

    later = (_static(tmp_path) / "operate" / "index.html").stat().st_mtime + 10
    os.utime(ui / "operate" / "main.js", (later, later))
    assert build.build_ui(tmp_path, npm) == "built"
    assert log.read_text().splitlines()[2:] == ["run build"], "same lock file: node_modules reused"

    (ui / "package-lock.json").write_text((ui / "package-lock.json").read_text() + "\n")
    assert build.build_ui(tmp_path, npm) == "built"
    assert log.read_text().splitlines()[3:] == ["ci --no-audit --no-fund", "run build"]


def test_without_npm_the_install_goes_on_with_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _copy_sources(tmp_path)
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    assert build.build_ui(tmp_path) == "no npm"
    warning = capsys.readouterr().err
    assert "WARNING" in warning and "503" in warning and "cd ui && npm ci && npm run build" in warning
    assert not _static(tmp_path).exists()


def test_a_failing_npm_is_a_clear_error(tmp_path: Path) -> None:
    npm, _ = _fake_npm(tmp_path, exit_code=1)
    _copy_sources(tmp_path)
    with pytest.raises(build.UIBuildError) as failed:
        build.build_ui(tmp_path, npm)
    message = str(failed.value)
    assert "`npm ci --no-audit --no-fund`" in message and "network unreachable" in message
    assert "Node.js" in message and "cd ui && npm ci && npm run build" in message
