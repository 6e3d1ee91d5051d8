"""The process instance a variable belongs to: a struct module of its own, so that the variable
behavior (hot: every variable written) is compiled with the engine (setup.py leaves out modules
that define a msgspec struct)."""

from __future__ import annotations

import msgspec


class VariableOwner(msgspec.Struct, frozen=True, array_like=True):
    """The process instance a variable belongs to (copied onto VARIABLE records)."""

    process_instance_key: int
    process_definition_key: int
    bpmn_process_id: str
    tenant_id: str
