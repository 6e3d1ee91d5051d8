"""The ``strom`` command.

Subcommands live in their own modules and are registered in ``COMMANDS`` (name -> where the click
command is, and its summary for ``strom --help``), so importing the CLI stays cheap: a subcommand's
module is imported only when it runs (or shows its own help), and ``strom --help`` imports none of
them. The modules keep their imports of grpc, the gateway stubs and the engine inside the command
functions, so ``strom COMMAND --help`` is cheap too (tests/cli/test_startup.py checks both).
"""

from __future__ import annotations

import importlib

import click

COMMANDS: dict[str, tuple[str, str]] = {
    "demo": (
        "strom.cli.demo:demo",
        "Run an example order process end to end and print its record log.",
    ),
    "check": (
        "strom.cli.check:check",
        "Validate BPMN and DMN files as Zeebe would at deployment, without a broker.",
    ),
    "broker": (
        "strom.cli.broker:broker",
        "Run a broker: its partitions on the embedded log and RocksDB, with Zeebe's gRPC API and REST.",
    ),
    "status": (
        "strom.cli.zb_resources:status",
        "Show the cluster topology: brokers, partitions, versions.",
    ),
    "deploy": (
        "strom.cli.zb_resources:deploy",
        "Deploy BPMN (and, once supported, DMN and form) RESOURCES in one deployment.",
    ),
    "create": ("strom.cli.zb_resources:create", "Create a resource (an instance)."),
    "cancel": ("strom.cli.zb_resources:cancel", "Cancel a resource (an instance)."),
    "set": ("strom.cli.zb_resources:set_", "Set a resource (variables)."),
    "resolve": ("strom.cli.zb_resources:resolve", "Resolve a resource (an incident)."),
    "evaluate": ("strom.cli.zb_resources:evaluate", "Evaluate a resource (a decision)."),
    "activate": ("strom.cli.zb_jobs:activate", "Activate a resource (jobs)."),
    "complete": (
        "strom.cli.zb_jobs:complete",
        "Complete a resource (a job, or a Camunda user task over REST).",
    ),
    "fail": ("strom.cli.zb_jobs:fail", "Fail a resource (a job)."),
    "throw": ("strom.cli.zb_jobs:throw", "Throw a resource (a BPMN error)."),
    "update": ("strom.cli.zb_jobs:update", "Update a resource (a job's retries or timeout)."),
    "publish": ("strom.cli.zb_events:publish", "Publish a resource (a message)."),
    "broadcast": ("strom.cli.zb_events:broadcast", "Broadcast a resource (a signal)."),
    "user": ("strom.cli.user:user", "Manage users of a broker with authentication (create)."),
    "authorization": (
        "strom.cli.authorization:authorization",
        "Manage authorizations of a broker (create).",
    ),
    "cluster": (
        "strom.cli.cluster:cluster",
        "A cluster on this machine: NATS JetStream servers and brokers (cluster up).",
    ),
    "get": (
        "strom.cli.rest_reads:get",
        "Show what runs, from the secondary storage (tables; --json for scripts).",
    ),
}
"""name -> ("module:attribute" of the click command, the first paragraph of its help)."""


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        entry = COMMANDS.get(cmd_name)
        if entry is None:
            return None
        module_name, _, attribute = entry[0].partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``strom --help`` from the summaries, without importing a module:
        click lays out stand-ins that carry only the summary, as it would the real commands."""
        stand_ins = {name: click.Command(name, help=summary) for name, (_, summary) in COMMANDS.items()}
        click.Group(commands=stand_ins).format_commands(ctx, formatter)


@click.group(cls=_LazyGroup)
@click.version_option(package_name="strom")
def main() -> None:
    """Strom: BPMN workflows on a durable log, compatible with Zeebe clients."""
