"""Which build of Strom runs: the engine compiled with mypyc, or the same modules interpreted.

``pip install`` compiles the engine's hot packages with mypyc (setup.py) and puts the extension
modules next to the sources, where Python prefers them. ``STROM_PURE_PYTHON=1`` in the environment
makes ``import strom`` install a finder that loads every ``strom.*`` module from its ``.py`` source
instead: the interpreted variant, which CI tests too and benchmarks compare against.

In an editable install a compiled module would hide every later edit of its source; so when any
source is newer than its compiled module, ``import strom`` warns once and runs interpreted
(:func:`stale_compiled_modules`) until the next ``pip install -e .`` compiles again.
"""

from __future__ import annotations

import importlib.machinery
import os
import sys
import warnings
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

__all__ = ["fall_back_if_stale", "prefer_sources", "stale_compiled_modules", "variant"]

COMPILED_PACKAGES = ("db", "stream", "engine")
"""The packages of ``strom`` that setup.py compiles."""

_SOURCES_ONLY = (importlib.machinery.SourceFileLoader, importlib.machinery.SOURCE_SUFFIXES)


class _SourcesFirst:
    """A meta path finder that finds ``strom.*`` modules by their ``.py`` files only."""

    @classmethod
    def find_spec(
        cls, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not fullname.startswith("strom.") or not path:
            return None
        for entry in path:
            spec = importlib.machinery.FileFinder(entry, _SOURCES_ONLY).find_spec(fullname, target)
            if spec is not None:
                return spec
        return None


def prefer_sources() -> None:
    """Load ``strom.*`` modules imported from now on from their sources, ignoring compiled ones."""
    if _SourcesFirst not in sys.meta_path:
        sys.meta_path.insert(0, _SourcesFirst)


def stale_compiled_modules(package_dir: str) -> list[str]:
    """Sources under ``package_dir`` (the ``strom`` folder) edited after they were compiled."""
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    stale = []
    for package in COMPILED_PACKAGES:
        for folder, _, files in os.walk(os.path.join(package_dir, package)):
            for name in files:
                if not name.endswith(suffixes):
                    continue
                source = os.path.join(folder, name.split(".", 1)[0] + ".py")
                try:
                    if os.stat(source).st_mtime > os.stat(os.path.join(folder, name)).st_mtime:
                        stale.append(source)
                except FileNotFoundError:
                    continue
    return stale


def fall_back_if_stale(package_dir: str) -> None:
    """Run interpreted (with a warning) when a source was edited after it was compiled."""
    stale = stale_compiled_modules(package_dir)
    if stale:
        prefer_sources()
        warnings.warn(
            f"strom: {len(stale)} source file(s) changed since the engine was compiled with mypyc "
            f"(e.g. {stale[0]}); running the interpreted sources. `pip install -e .` compiles "
            "again (STROM_COMPILE=0 installs without compiling).",
            RuntimeWarning,
            stacklevel=2,
        )


def variant() -> str:
    """``"mypyc"`` when the stream processor runs compiled, else ``"interpreted"``."""
    from strom.stream import processor

    return "mypyc" if not (processor.__file__ or "").endswith(".py") else "interpreted"
