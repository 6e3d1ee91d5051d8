"""INCIDENT values."""

from __future__ import annotations

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.protocol.values.enums import ErrorType


class IncidentRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A process error that stopped an element instance until someone resolves it.

    ``job_key`` is set when a job ran out of retries; ``variable_scope_key`` is the scope whose
    variables must be fixed before resolving. The RESOLVE command carries only the incident key,
    so every field may hold its default there.
    """

    error_type: ErrorType = ErrorType.UNKNOWN
    error_message: str = ""
    bpmn_process_id: str = ""
    process_definition_key: int = -1
    process_instance_key: int = -1
    element_id: str = ""
    element_instance_key: int = -1
    job_key: int = -1
    variable_scope_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID
    element_instance_path: list[list[int]] = []
    process_definition_path: list[int] = []
    calling_element_path: list[int] = []
    root_process_instance_key: int = -1
