"""What the REST client commands share: the REST address, requests, problem details as errors,
tables (rich) or JSON.

The read commands ask the REST API v2 (``--rest-address``, env STROM_REST_ADDRESS or
CAMUNDA_REST_ADDRESS, default http://127.0.0.1:8080/v2). Searches read the secondary storage, which
follows the engine by a moment: a just-created instance may take a fraction of a second to show.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    import urllib.error

DEFAULT_REST_ADDRESS = "http://127.0.0.1:8080/v2"

F = TypeVar("F", bound=Callable[..., Any])


def rest_options(command: F) -> F:
    command = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(command)
    return click.option(
        "--rest-address",
        default=DEFAULT_REST_ADDRESS,
        show_default=True,
        envvar=["STROM_REST_ADDRESS", "CAMUNDA_REST_ADDRESS"],
        help="Base URL of the REST API v2 (env STROM_REST_ADDRESS or CAMUNDA_REST_ADDRESS).",
    )(command)


def request(
    address: str,
    method: str,
    path: str,
    body: Any = None,
    timeout: float = 30.0,
    headers: Mapping[str, str] | None = None,
) -> Any:
    """The decoded JSON answer (None for 204); a problem detail becomes a readable error.
    ``headers`` are added (``authorization`` for a broker with authentication on)."""
    import urllib.error
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    call = urllib.request.Request(
        address.rstrip("/") + path,
        data=data,
        method=method,
        headers={"content-type": "application/json", "accept": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(call, timeout=timeout) as answer:
            payload = answer.read()
    except urllib.error.HTTPError as error:
        raise click.ClickException(_problem(error)) from None
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise click.ClickException(
            f"UNAVAILABLE: cannot reach the REST API at {address} ({reason})"
        ) from None
    return json.loads(payload) if payload else None


def _problem(error: urllib.error.HTTPError) -> str:
    try:
        problem = json.loads(error.read())
        return f"{problem.get('title', error.code)}: {problem.get('detail', '')}"
    except ValueError:
        return f"HTTP {error.code}: {error.reason}"


def show(
    items: Sequence[dict[str, Any]], columns: Sequence[tuple[str, str]], as_json: bool, title: str
) -> None:
    """``columns``: (field, heading) pairs for the table."""
    if as_json:
        click.echo(json.dumps(list(items), indent=2, ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    for field, heading in columns:  # keys whole (they are copied into the next command), text folds
        table.add_column(heading, no_wrap=field.endswith(("Key", "Date")), overflow="fold")
    for item in items:
        table.add_row(*(_cell(item.get(field)) for field, _ in columns))
    Console().print(table)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)
