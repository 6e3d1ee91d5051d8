"""Authorization inside the engine: the permission a client command needs and whether its caller
holds it (see docs/identity.md)."""

from strom.engine.processing.authorization.check import (
    ADMIN_ROLE,
    READONLY_ADMIN_ROLE,
    AuthorizationCheck,
    Caller,
    PermissionRequest,
    granted_by_role,
    names_caller,
    names_caller_data,
)
from strom.engine.processing.authorization.requirements import REQUIREMENTS

__all__ = [
    "ADMIN_ROLE",
    "READONLY_ADMIN_ROLE",
    "REQUIREMENTS",
    "AuthorizationCheck",
    "Caller",
    "PermissionRequest",
    "granted_by_role",
    "names_caller",
    "names_caller_data",
]
