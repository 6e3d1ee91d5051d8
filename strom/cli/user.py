"""``strom user create NAME``: create a user through a running broker's REST API (``POST /v2/users``).

The new user's password is asked on the terminal, or read from standard input with
``--password-stdin`` (one line), never taken as a flag (it would show in ``ps`` and shell history).
Against a broker with ``--auth basic`` the request itself needs an existing user's credentials:
CAMUNDA_BASIC_AUTH_USERNAME / CAMUNDA_BASIC_AUTH_PASSWORD (the names Camunda's SDKs read), or a
token in CAMUNDA_OAUTH_TOKEN for ``--auth oidc``.
"""

from __future__ import annotations

import base64
import os
import sys

import click

from strom.cli._rest import DEFAULT_REST_ADDRESS, request


@click.group("user")
def user() -> None:
    """Manage users of a broker with authentication (create)."""


@user.command("create")
@click.argument("username")
@click.option("--name", default="", help="The user's display name.")
@click.option("--email", default="", help="The user's email address.")
@click.option("--password-stdin", is_flag=True, help="Read the new user's password from standard input.")
@click.option(
    "--rest-address",
    default=DEFAULT_REST_ADDRESS,
    show_default=True,
    envvar=["STROM_REST_ADDRESS", "CAMUNDA_REST_ADDRESS"],
    help="Base URL of the REST API v2 (env STROM_REST_ADDRESS or CAMUNDA_REST_ADDRESS).",
)
def create(username: str, name: str, email: str, password_stdin: bool, rest_address: str) -> None:
    """Create USERNAME (the broker hashes the password before it reaches the log)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif sys.stdin.isatty():
        password = click.prompt(f"Password for {username}", hide_input=True, confirmation_prompt=True)
    else:
        raise click.ClickException("no terminal to ask for the password on: pass it with --password-stdin")
    if not password:
        raise click.ClickException("the password must not be empty")
    body = {"username": username, "password": password, "name": name, "email": email}
    created = request(rest_address, "POST", "/users", body, headers=_credentials())
    click.echo(f"created user {created['username']}")


def _credentials() -> dict[str, str]:
    token = os.environ.get("CAMUNDA_OAUTH_TOKEN")
    if token:
        return {"authorization": f"Bearer {token}"}
    username = os.environ.get("CAMUNDA_BASIC_AUTH_USERNAME")
    if username:
        secret = f"{username}:{os.environ.get('CAMUNDA_BASIC_AUTH_PASSWORD', '')}"
        return {"authorization": "Basic " + base64.b64encode(secret.encode()).decode()}
    return {}
