"""Which tenant a request acts in: the gateways' half of multi-tenancy (Zeebe's tenant checks).

A request names its tenant (``tenantId``; ``tenantIds`` to activate or stream jobs). The request
builders check only the form of the id; this policy, applied to every command the gateways send,
decides what an id means:

* multi-tenancy off (the default): every request is the default tenant's; naming another tenant is
  INVALID_ARGUMENT;
* multi-tenancy on: a request that creates something in a tenant (deploy, create an instance,
  publish or correlate a message, broadcast a signal, evaluate a decision, activate jobs) must
  name it — INVALID_ARGUMENT with Camunda 8.8's text otherwise. Whether the caller is assigned to
  that tenant is the engine's check (FORBIDDEN / NOT_FOUND).
"""

from __future__ import annotations

import re
from typing import Any

import msgspec

from strom.gateway.grpc.errors import GatewayError, invalid_argument
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    DecisionEvaluationIntent,
    DeploymentIntent,
    JobBatchIntent,
    MessageCorrelationIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    SignalIntent,
)
from strom.protocol.record import Record
from strom.protocol.tenant import DEFAULT_TENANT_ID

TENANT_ID_PATTERN = re.compile(r"[\w.-]{1,31}", re.ASCII)
"""Zeebe's tenant identifiers: 1 to 31 letters, digits, ``_``, ``.`` or ``-`` (and ``<default>``)."""

_NAMES_TENANT = frozenset(
    value_type << 8 | intent
    for value_type, intent in (
        (ValueType.DEPLOYMENT, DeploymentIntent.CREATE),
        (ValueType.PROCESS_INSTANCE_CREATION, ProcessInstanceCreationIntent.CREATE),
        (ValueType.PROCESS_INSTANCE_CREATION, ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT),
        (ValueType.MESSAGE, MessageIntent.PUBLISH),
        (ValueType.MESSAGE_CORRELATION, MessageCorrelationIntent.CORRELATE),
        (ValueType.SIGNAL, SignalIntent.BROADCAST),
        (ValueType.DECISION_EVALUATION, DecisionEvaluationIntent.EVALUATE),
    )
)
"""Commands whose value's ``tenant_id`` is the tenant the request named."""
_JOB_ACTIVATION = ValueType.JOB_BATCH << 8 | JobBatchIntent.ACTIVATE


def checked_tenant_id(tenant_id: str, field: str = "tenantId") -> str:
    """``tenant_id`` if it has the form of a tenant id (or is empty: not named)."""
    if tenant_id and tenant_id != DEFAULT_TENANT_ID and TENANT_ID_PATTERN.fullmatch(tenant_id) is None:
        raise invalid_argument(
            f"Expected '{field}' to be a tenant identifier of 1 to 31 letters, digits, '_', '.' or "
            f"'-', but it was '{tenant_id[:64]}'"
        )
    return tenant_id


class TenancyPolicy:
    """Resolves the tenant of each command a gateway sends (see the module)."""

    def __init__(self, multi_tenancy: bool = False) -> None:
        self.multi_tenancy = multi_tenancy

    def apply(self, command: Record[Any], rpc: str) -> Record[Any]:
        """``command`` with its tenant resolved; raises INVALID_ARGUMENT for a tenant it may not name."""
        kind = command.value_type << 8 | command.intent
        value = command.value
        if kind in _NAMES_TENANT:
            tenant_id = self.tenant(value.tenant_id, rpc)
            if tenant_id != value.tenant_id:
                command = msgspec.structs.replace(
                    command, value=msgspec.structs.replace(value, tenant_id=tenant_id)
                )
        elif kind == _JOB_ACTIVATION:
            tenant_ids = self.tenants(value.tenant_ids, rpc)
            if tenant_ids != value.tenant_ids:
                command = msgspec.structs.replace(
                    command, value=msgspec.structs.replace(value, tenant_ids=tenant_ids)
                )
        return command

    def tenant(self, tenant_id: str, rpc: str) -> str:
        """The tenant a request naming ``tenant_id`` (empty: none) acts in."""
        if not self.multi_tenancy:
            if tenant_id and tenant_id != DEFAULT_TENANT_ID:
                raise _disabled(rpc, "tenantId", f"'{tenant_id}'")
            return DEFAULT_TENANT_ID
        if not tenant_id:
            raise _missing(rpc)
        return tenant_id

    def tenants(self, tenant_ids: list[str], rpc: str) -> list[str]:
        """The tenants a request naming ``tenant_ids`` (empty: none) acts in."""
        if not self.multi_tenancy:
            named = [tenant_id for tenant_id in tenant_ids if tenant_id and tenant_id != DEFAULT_TENANT_ID]
            if named:
                raise _disabled(rpc, "tenantIds", str(named))
            return [DEFAULT_TENANT_ID]
        if not tenant_ids:
            raise _missing(rpc)
        return [checked_tenant_id(tenant_id, "tenantIds") for tenant_id in tenant_ids]


def _disabled(rpc: str, field: str, named: str) -> GatewayError:
    return invalid_argument(
        f"Expected to handle request {rpc} with '{field}' {named}, but multi-tenancy is disabled: "
        f"leave '{field}' empty or use '{DEFAULT_TENANT_ID}' (or start the broker with --multi-tenancy)"
    )


def _missing(rpc: str) -> GatewayError:
    return invalid_argument(
        f"Expected to handle request {rpc} with multi-tenancy enabled, but no tenant identifier was provided"
    )
