"""Tenant-qualified ids: how the state keeps one version line per tenant.

A process, decision, decision requirements graph or form is found by ``(tenant, id, version)``:
deploying ``order`` in two tenants gives two independent version lines. The state keeps the tenant
inside the id part of its keys: the default tenant's ids as they always were (state written before
multi-tenancy, and the golden logs, replay to the same keys), another tenant's as
``<tenant>\\x1f<id>``. Tenant ids match ``[\\w.-]{1,31}`` (checked by the gateways), so a qualified
id never equals a default-tenant id that does not itself begin with a tenant id and the unit
separator (BPMN and DMN ids are XML names and cannot; a form id is free text, and would have to
hold that control character).
"""

from __future__ import annotations

from strom.protocol.tenant import DEFAULT_TENANT_ID

SEPARATOR = "\x1f"
"""ASCII unit separator, between the tenant and the id."""


def tenant_qualified(tenant_id: str, resource_id: str) -> str:
    """The id ``resource_id`` of tenant ``tenant_id`` is kept under."""
    if not tenant_id or tenant_id == DEFAULT_TENANT_ID:
        return resource_id
    return f"{tenant_id}{SEPARATOR}{resource_id}"
