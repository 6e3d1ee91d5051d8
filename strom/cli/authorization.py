"""``strom authorization create``: give an owner permissions through a running broker's REST API
(``POST /v2/authorizations``).

Against a broker with authentication the request needs an existing user's credentials, read from
the same variables as ``strom user create`` (CAMUNDA_BASIC_AUTH_USERNAME / _PASSWORD, or
CAMUNDA_OAUTH_TOKEN). Permissions are not checked on commands yet (docs/authentication.md): an
authorization is recorded, replayed and searchable, and takes effect once checks are built.
"""

from __future__ import annotations

import click

from strom.cli._rest import DEFAULT_REST_ADDRESS, request
from strom.cli.user import _credentials
from strom.protocol.values.identity import AuthorizationOwnerType, AuthorizationResourceType, PermissionType

_OWNER_TYPES = [
    kind.value for kind in AuthorizationOwnerType if kind is not AuthorizationOwnerType.UNSPECIFIED
]
_RESOURCE_TYPES = [
    kind.value for kind in AuthorizationResourceType if kind is not AuthorizationResourceType.UNSPECIFIED
]


@click.group("authorization")
def authorization() -> None:
    """Manage authorizations of a broker (create)."""


@authorization.command("create")
@click.option(
    "--owner-type", required=True, type=click.Choice(_OWNER_TYPES), help="Who holds the permissions."
)
@click.option("--owner-id", required=True, help="The username, client, group, role or mapping rule id.")
@click.option(
    "--resource-type",
    required=True,
    type=click.Choice(_RESOURCE_TYPES),
    metavar="TYPE",
    help="What kind of resource (PROCESS_DEFINITION, DECISION_DEFINITION, ...).",
)
@click.option("--resource-id", default="*", show_default=True, help="The resource's id; '*' for every one.")
@click.option(
    "--permission",
    "permissions",
    required=True,
    multiple=True,
    type=click.Choice([permission.value for permission in PermissionType]),
    metavar="PERMISSION",
    help="A permission type (CREATE_PROCESS_INSTANCE, READ, ...); repeat for several.",
)
@click.option(
    "--rest-address",
    default=DEFAULT_REST_ADDRESS,
    show_default=True,
    envvar=["STROM_REST_ADDRESS", "CAMUNDA_REST_ADDRESS"],
    help="Base URL of the REST API v2 (env STROM_REST_ADDRESS or CAMUNDA_REST_ADDRESS).",
)
def create(
    owner_type: str,
    owner_id: str,
    resource_type: str,
    resource_id: str,
    permissions: tuple[str, ...],
    rest_address: str,
) -> None:
    """Give OWNER the permissions on a resource; prints the new authorization's key."""
    body = {
        "ownerType": owner_type,
        "ownerId": owner_id,
        "resourceType": resource_type,
        "resourceId": resource_id,
        "permissionTypes": list(permissions),
    }
    created = request(rest_address, "POST", "/authorizations", body, headers=_credentials())
    click.echo(f"created authorization {created['authorizationKey']}")
