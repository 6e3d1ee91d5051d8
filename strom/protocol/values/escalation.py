"""ESCALATION values."""

from __future__ import annotations

import msgspec


class EscalationRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """An escalation thrown by ``throw_element_id``; ``catch_element_id`` is empty when none caught it."""

    process_instance_key: int = -1
    escalation_code: str = ""
    throw_element_id: str = ""
    catch_element_id: str = ""
