"""The BATCH permissions a batch operation command needs, checked by its processor (creation asks
for either of two permissions, which the engine's one-permission table cannot say)."""

from __future__ import annotations

from typing import Any

from strom.engine.processing.authorization import AuthorizationCheck, names_caller
from strom.engine.processing.authorization.check import PermissionRequest
from strom.engine.processing.writers import Writers
from strom.protocol.enums import RejectionType
from strom.protocol.record import Record
from strom.protocol.values.identity import AuthorizationResourceType, PermissionType


def authorized(
    check: AuthorizationCheck, command: Record[Any], writers: Writers, *permissions: PermissionType
) -> bool:
    """Whether the command's caller holds one of ``permissions`` on BATCH; rejects it FORBIDDEN
    naming the last one otherwise. A command naming no caller needs none."""
    if not command.authorizations or not names_caller(command):
        return True
    caller = check.caller(command)
    requests = [PermissionRequest(AuthorizationResourceType.BATCH, permission) for permission in permissions]
    if any(check.permits(caller, request) for request in requests):
        return True
    writers.reject(command, RejectionType.FORBIDDEN, requests[-1].forbidden_reason())
    return False
