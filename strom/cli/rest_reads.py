"""Read commands on the REST API v2: ``strom get instances|incidents|variables|user-tasks`` and
``strom complete user-task`` (Camunda user tasks complete only over REST)."""

from __future__ import annotations

from typing import Any

import click

from strom.cli._rest import request, rest_options, show


@click.group("get")
def get() -> None:
    """Show what runs, from the secondary storage (tables; --json for scripts)."""


def _search(address: str, path: str, filters: dict[str, Any], limit: int) -> list[dict[str, Any]]:
    body = {"filter": {k: v for k, v in filters.items() if v is not None}, "page": {"limit": limit}}
    answer = request(address, "POST", path, body)
    items: list[dict[str, Any]] = answer["items"]
    return items


_LIMIT = click.option("--limit", type=click.IntRange(1, 10_000), default=50, show_default=True)


@get.command("instances")
@click.option("--process", "process_id", help="Only instances of this process (BPMN process id).")
@click.option(
    "--state",
    type=click.Choice(["ACTIVE", "COMPLETED", "TERMINATED"], case_sensitive=False),
    help="Only this state.",
)
@click.option("--incidents", is_flag=True, help="Only instances with an incident.")
@_LIMIT
@rest_options
def instances(
    process_id: str | None, state: str | None, incidents: bool, limit: int, rest_address: str, as_json: bool
) -> None:
    """Process instances, newest first."""
    filters = {
        "processDefinitionId": process_id,
        "state": state.upper() if state else None,
        "hasIncident": True if incidents else None,
    }
    body = {
        "filter": {k: v for k, v in filters.items() if v is not None},
        "sort": [{"field": "startDate", "order": "DESC"}],
        "page": {"limit": limit},
    }
    items = request(rest_address, "POST", "/process-instances/search", body)["items"]
    show(
        items,
        [
            ("processInstanceKey", "key"),
            ("processDefinitionId", "process"),
            ("processDefinitionVersion", "version"),
            ("state", "state"),
            ("hasIncident", "incident"),
            ("startDate", "started"),
            ("endDate", "ended"),
        ],
        as_json,
        "Process instances",
    )


@get.command("incidents")
@click.option("--instance", "instance_key", help="Only incidents of this process instance (key).")
@click.option("--all", "include_resolved", is_flag=True, help="Resolved incidents too.")
@_LIMIT
@rest_options
def incidents(
    instance_key: str | None, include_resolved: bool, limit: int, rest_address: str, as_json: bool
) -> None:
    """Incidents (active ones unless --all)."""
    filters = {"processInstanceKey": instance_key, "state": None if include_resolved else "ACTIVE"}
    items = _search(rest_address, "/incidents/search", filters, limit)
    show(
        items,
        [
            ("incidentKey", "key"),
            ("processInstanceKey", "instance"),
            ("elementId", "element"),
            ("errorType", "type"),
            ("errorMessage", "message"),
            ("jobKey", "job"),
            ("state", "state"),
        ],
        as_json,
        "Incidents",
    )


@get.command("variables")
@click.argument("instance_key")
@_LIMIT
@rest_options
def variables(instance_key: str, limit: int, rest_address: str, as_json: bool) -> None:
    """The variables of process instance INSTANCE_KEY, every scope."""
    items = _search(rest_address, "/variables/search", {"processInstanceKey": instance_key}, limit)
    show(
        items,
        [("name", "name"), ("value", "value"), ("scopeKey", "scope"), ("variableKey", "key")],
        as_json,
        f"Variables of {instance_key}",
    )


@get.command("user-tasks")
@click.option("--assignee", help="Only tasks assigned to this user.")
@click.option("--all", "include_done", is_flag=True, help="Completed and canceled tasks too.")
@_LIMIT
@rest_options
def user_tasks(
    assignee: str | None, include_done: bool, limit: int, rest_address: str, as_json: bool
) -> None:
    """Camunda user tasks (open ones unless --all)."""
    filters = {"assignee": assignee, "state": None if include_done else "CREATED"}
    items = _search(rest_address, "/user-tasks/search", filters, limit)
    show(
        items,
        [
            ("userTaskKey", "key"),
            ("name", "name"),
            ("elementId", "element"),
            ("processInstanceKey", "instance"),
            ("assignee", "assignee"),
            ("state", "state"),
            ("creationDate", "created"),
        ],
        as_json,
        "User tasks",
    )


@click.command("user-task")
@click.argument("key")
@click.option("--variables", default="", help="A JSON object of variables to complete with.")
@rest_options
def complete_user_task(key: str, variables: str, rest_address: str, as_json: bool) -> None:
    """Complete the Camunda user task KEY (optionally with --variables)."""
    import json

    body: dict[str, Any] = {}
    if variables:
        try:
            body["variables"] = json.loads(variables)
        except ValueError as error:
            raise click.BadParameter(f"--variables must be a JSON object: {error}") from None
    request(rest_address, "POST", f"/user-tasks/{key}/completion", body)
    if as_json:
        click.echo(json.dumps({"userTaskKey": key, "completed": True}))
    else:
        click.echo(f"user task {key} completed")
