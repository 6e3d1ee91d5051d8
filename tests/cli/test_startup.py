"""The ``strom`` command starts without the engine: importing the CLI, ``strom --help`` and every
``strom COMMAND --help`` load no engine, broker, FEEL, DMN or model module, no RocksDB and no
SQLAlchemy (issue 18 item 4). What is imported is checked here; how long it takes is
``benchmarks/cli_startup.py``'s."""

from __future__ import annotations

import ast
import functools
import subprocess
import sys
from collections.abc import Callable

import click
import pytest

from strom.cli import COMMANDS, main

HEAVY = ("strom.engine", "strom.broker", "strom.feel", "strom.dmn", "strom.model", "rocksdict", "sqlalchemy")
"""What only ``strom broker``, ``strom demo`` and ``strom check`` may load."""

PACKAGE = ["strom.build_variant"]
"""What ``import strom`` itself loads: the guard that runs a stale compiled build interpreted."""

RPC = ("grpc", "google.protobuf", "pyzeebe")
"""What a client command loads when it calls the gateway, and its ``--help`` does not need."""

_RUN_THE_CLI = """
import sys
from strom.cli import main
try:
    main(sys.argv[1:], prog_name="strom")
except SystemExit:
    pass
print(sorted(sys.modules), file=sys.stderr)
"""


def _among(modules: list[str], packages: tuple[str, ...]) -> list[str]:
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in packages)]


def _modules_after(*args: str) -> list[str]:
    """The modules loaded by ``strom ARGS`` in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", _RUN_THE_CLI, *args], capture_output=True, text=True, timeout=60, check=True
    )
    modules: list[str] = ast.literal_eval(done.stderr.strip().splitlines()[-1])
    return modules


def test_importing_the_cli_loads_no_engine() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import strom.cli, sys; "
            "print(sorted(m for m in sys.modules if m.startswith(('strom.', 'rocksdict', 'sqlalchemy'))))",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    modules: list[str] = ast.literal_eval(done.stdout.strip())

    assert _among(modules, HEAVY) == []
    assert modules == [*PACKAGE, "strom.cli"]


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        *([name, "--help"] for name in sorted(COMMANDS)),
        ["create", "instance", "--help"],
        ["activate", "jobs", "--help"],
        ["complete", "job", "--help"],
        ["get", "instances", "--help"],
    ],
    ids=" ".join,
)
def test_help_loads_neither_the_engine_nor_grpc(args: list[str]) -> None:
    modules = _modules_after(*args)

    assert _among(modules, HEAVY) == []
    assert _among(modules, RPC) == []


def test_strom_help_imports_no_command_module() -> None:
    modules = _modules_after("--help")

    assert [m for m in modules if m.startswith("strom.")] == [*PACKAGE, "strom.cli"]


def test_a_client_command_loads_no_engine() -> None:
    modules = _modules_after("status", "--address", "127.0.0.1:1", "--deadline", "0.1")

    assert "strom.gateway.grpc._proto" in modules  # it did reach the stubs
    assert _among(modules, HEAVY) == []


@pytest.mark.parametrize("limit", [20, 45, 74, 200])
def test_the_summaries_are_what_click_would_show_for_the_commands(limit: int) -> None:
    ctx = click.Context(main)
    for name, (_, summary) in COMMANDS.items():
        command = main.get_command(ctx, name)
        assert command is not None
        assert click.Command(name, help=summary).get_short_help_str(limit) == command.get_short_help_str(
            limit
        ), name


@pytest.mark.parametrize("width", [60, 80, 120])
def test_strom_help_lists_the_commands_as_click_would(width: int) -> None:
    def commands_section(format_commands: Callable[[click.Context, click.HelpFormatter], None]) -> str:
        ctx = click.Context(main, info_name="strom", terminal_width=width)
        formatter = ctx.make_formatter()
        format_commands(ctx, formatter)
        return formatter.getvalue()

    from_summaries = commands_section(main.format_commands)
    from_the_commands = commands_section(functools.partial(click.Group.format_commands, main))

    assert from_summaries == from_the_commands
    assert from_summaries.count("\n") == len(COMMANDS) + 1
