"""VARIABLE and VARIABLE_DOCUMENT values."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.protocol.values.enums import VariableDocumentUpdateSemantic


class VariableRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """One variable of one scope; ``value`` is its JSON text, exactly as Zeebe exports it."""

    name: str = ""
    value: str = ""
    scope_key: int = -1
    process_instance_key: int = -1
    process_definition_key: int = -1
    bpmn_process_id: str = ""
    tenant_id: str = DEFAULT_TENANT_ID


class VariableDocumentRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """A request to set several variables on a scope (the set-variables API)."""

    scope_key: int = -1
    update_semantics: VariableDocumentUpdateSemantic = VariableDocumentUpdateSemantic.PROPAGATE
    variables: dict[str, Any] = {}
    tenant_id: str = DEFAULT_TENANT_ID
