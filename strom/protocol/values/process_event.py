"""PROCESS_EVENT values."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID


class ProcessEventRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """An event triggered in scope ``scope_key`` for ``target_element_id`` (e.g. a boundary event).

    Written when the thrower is far from the catcher (error end event, escalation), so the catching
    side can pick the event up with its ``variables``.
    """

    scope_key: int = -1
    target_element_id: str = ""
    variables: dict[str, Any] = {}
    process_definition_key: int = -1
    process_instance_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID
