"""The committed assets are what ``npm ci && npm run build`` makes from the committed sources, so a
change to ui/ without a rebuild (or a rebuild from other dependencies) does not go unnoticed."""

from __future__ import annotations

import filecmp
import shutil
import subprocess
from pathlib import Path

from _services import unavailable

from strom.gateway.ui import STATIC

SOURCES = Path(__file__).parents[3] / "ui"


def _differences(left: Path, right: Path) -> list[str]:
    compared = filecmp.dircmp(left, right)
    found = [f"only in the package: {name}" for name in compared.left_only]
    found += [f"only in the build: {name}" for name in compared.right_only]
    found += [f"differs: {name}" for name in compared.diff_files]
    for name in compared.common_dirs:
        found += _differences(left / name, right / name)
    return found


def test_committed_assets_match_a_fresh_build(tmp_path: Path) -> None:
    npm = shutil.which("npm")
    if npm is None:
        unavailable("npm", "install Node.js 20 and npm to rebuild the UI")
    work = tmp_path / "ui"
    shutil.copytree(SOURCES, work, ignore=shutil.ignore_patterns("node_modules"))
    installed = SOURCES / "node_modules"
    if installed.is_dir():  # a developer's install of the same lock file saves the download
        (work / "node_modules").symlink_to(installed)
    else:
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=work, check=True, capture_output=True, timeout=300
        )
    built = subprocess.run([npm, "run", "build"], cwd=work, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    differences = _differences(STATIC, tmp_path / "strom" / "gateway" / "ui" / "static")
    assert not differences, f"rebuild the UI (cd ui && npm ci && npm run build): {differences}"
