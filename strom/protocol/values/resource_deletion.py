"""RESOURCE_DELETION values."""

from __future__ import annotations

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID


class ResourceDeletionRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """Delete a deployed resource (process, DRG or form) by its key."""

    resource_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID
