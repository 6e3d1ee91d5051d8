"""The package's public face and its place in the layering."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import strom.log


def test_every_exported_class_exists_and_says_what_it_is_for() -> None:
    for name in strom.log.__all__:
        value = getattr(strom.log, name)
        if inspect.isclass(value):
            assert inspect.getdoc(value), f"strom.log.{name} has no docstring"


def test_the_log_imports_nothing_from_other_strom_packages() -> None:
    package = Path(strom.log.__file__).parent
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            parts = [name.split(".") for name in names]
            outside = [p for p in parts if p[0] == "strom" and p[:2] != ["strom", "log"]]
            assert not outside, f"{module.name} imports {outside}"
