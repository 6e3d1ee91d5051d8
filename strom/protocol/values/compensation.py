"""COMPENSATION_SUBSCRIPTION values."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID


class CompensationSubscriptionRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """A completed activity that has a compensation handler, waiting for a compensation throw.

    ``variables`` are the activity's local variables at completion, which the handler sees.
    """

    tenant_id: str = DEFAULT_TENANT_ID
    process_instance_key: int = -1
    process_definition_key: int = -1
    compensable_activity_id: str = ""
    compensable_activity_scope_id: str = ""
    throw_event_id: str = ""
    throw_event_instance_key: int = -1
    compensation_handler_id: str = ""
    compensation_handler_instance_key: int = -1
    compensable_activity_scope_key: int = -1
    compensable_activity_instance_key: int = -1
    variables: dict[str, Any] = {}
