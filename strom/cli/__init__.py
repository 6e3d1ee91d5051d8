"""The ``strom`` command.

Subcommands live in their own modules and are registered in ``COMMANDS`` (name -> "module:attribute"),
so importing the CLI stays cheap: a subcommand's module is imported only when it runs.
"""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, str] = {
    "check": "strom.cli.check:check",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, _, attribute = target.partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


@click.group(cls=_LazyGroup)
@click.version_option(package_name="strom")
def main() -> None:
    """Strom: BPMN workflows on a durable log, compatible with Zeebe clients."""
