"""SIGNAL and SIGNAL_SUBSCRIPTION values."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID


class SignalRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A broadcast signal; it reaches every subscription of its name on every partition."""

    signal_name: str = ""
    variables: dict[str, Any] = {}
    tenant_id: str = DEFAULT_TENANT_ID


class SignalSubscriptionRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """A signal catch event (or start event, with no instance key) waiting for ``signal_name``."""

    process_definition_key: int = -1
    bpmn_process_id: str = ""
    catch_event_id: str = ""
    catch_event_instance_key: int = -1
    signal_name: str = ""
    tenant_id: str = DEFAULT_TENANT_ID
