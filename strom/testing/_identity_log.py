"""The compact record log's summary of identity records (never a password, clear or hashed)."""

from __future__ import annotations

from typing import Any

from strom.protocol.enums import ValueType

IDENTITY_VALUE_TYPES = {
    ValueType.USER: "USER",
    ValueType.GROUP: "GROUP",
    ValueType.ROLE: "ROLE",
    ValueType.TENANT: "TENANT",
    ValueType.MAPPING_RULE: "MAPPING",
    ValueType.AUTHORIZATION: "AUTH",
}
"""The compact log's short names of the identity value types."""

_IDS = {ValueType.GROUP: "group_id", ValueType.ROLE: "role_id", ValueType.TENANT: "tenant_id"}


def identity_summary(kind: ValueType, value: Any) -> str:
    """One line about an identity value: who or what, and for a membership change the member."""
    if kind is ValueType.USER:
        text = f'"{value.username}"'
        details = [part for part in (value.name, value.email) if part]
        return (
            text + (f" ({', '.join(details)})" if details else "") + (" +password" if value.password else "")
        )
    if kind in _IDS:
        text = f'"{getattr(value, _IDS[kind])}"' + (f" name={value.name!r}" if value.name else "")
        if value.entity_id:
            text += f' member {value.entity_type} "{value.entity_id}"'
        return text
    if kind is ValueType.MAPPING_RULE:
        return f'"{value.mapping_rule_id}" claim {value.claim_name}={value.claim_value!r}'
    permissions = ",".join(str(permission) for permission in value.permission_types)
    return (
        f'{value.owner_type} "{value.owner_id}" -> {value.resource_type} "{value.resource_id}" '
        f"[{permissions}]"
    )
