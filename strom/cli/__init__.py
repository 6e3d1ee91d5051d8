"""The ``strom`` command.

Subcommands live in their own modules and are registered in ``COMMANDS`` (name -> "module:attribute"),
so importing the CLI stays cheap: a subcommand's module is imported only when it runs.
"""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, str] = {
    "demo": "strom.cli.demo:demo",
    "check": "strom.cli.check:check",
    "broker": "strom.cli.broker:broker",
    "status": "strom.cli.zb_resources:status",
    "deploy": "strom.cli.zb_resources:deploy",
    "create": "strom.cli.zb_resources:create",
    "cancel": "strom.cli.zb_resources:cancel",
    "set": "strom.cli.zb_resources:set_",
    "resolve": "strom.cli.zb_resources:resolve",
    "evaluate": "strom.cli.zb_resources:evaluate",
    "activate": "strom.cli.zb_jobs:activate",
    "complete": "strom.cli.zb_jobs:complete",
    "fail": "strom.cli.zb_jobs:fail",
    "throw": "strom.cli.zb_jobs:throw",
    "update": "strom.cli.zb_jobs:update",
    "publish": "strom.cli.zb_events:publish",
    "broadcast": "strom.cli.zb_events:broadcast",
    "get": "strom.cli.rest_reads:get",
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
