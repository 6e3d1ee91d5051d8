"""PROCESS_INSTANCE, _CREATION, _RESULT, _BATCH, _MODIFICATION and _MIGRATION values."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.bpmn import BpmnElementType, BpmnEventType
from strom.protocol.tenant import DEFAULT_TENANT_ID


class ProcessInstanceRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """One element instance of a process instance (the process itself included) and where it sits.

    ``flow_scope_key`` is the element instance that contains this one (-1 for the process). The
    three paths describe the call hierarchy: one list of element instance keys per process instance
    from the root down, the process definition of each, and the index of each calling element.
    """

    bpmn_process_id: str = ""
    version: int = -1
    process_definition_key: int = -1
    process_instance_key: int = -1
    element_id: str = ""
    flow_scope_key: int = -1
    bpmn_element_type: BpmnElementType = BpmnElementType.UNSPECIFIED
    bpmn_event_type: BpmnEventType = BpmnEventType.UNSPECIFIED
    parent_process_instance_key: int = -1
    parent_element_instance_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID
    element_instance_path: list[list[int]] = []
    process_definition_path: list[int] = []
    calling_element_path: list[int] = []


class ProcessInstanceCreationStartInstructionValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """Start the new instance at this element instead of the none start event."""

    element_id: str = ""


class ProcessInstanceCreationRuntimeInstructionValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """An instruction acting while the instance runs, e.g. terminate it after an element completes."""

    type: str = ""
    after_element_id: str = ""


class ProcessInstanceCreationRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """A request to start a process instance, by id (latest or given ``version``) or by key.

    ``fetch_variables`` names the variables a create-with-result caller wants back; empty means all.
    """

    bpmn_process_id: str = ""
    version: int = -1
    process_definition_key: int = -1
    process_instance_key: int = -1
    variables: dict[str, Any] = {}
    start_instructions: list[ProcessInstanceCreationStartInstructionValue] = []
    runtime_instructions: list[ProcessInstanceCreationRuntimeInstructionValue] = []
    tenant_id: str = DEFAULT_TENANT_ID
    fetch_variables: list[str] = []


class ProcessInstanceResultRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """The variables of a completed instance, answering a create-with-result request."""

    bpmn_process_id: str = ""
    version: int = -1
    process_definition_key: int = -1
    process_instance_key: int = -1
    variables: dict[str, Any] = {}
    tenant_id: str = DEFAULT_TENANT_ID


class ProcessInstanceBatchRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """A chunk of work over a container's children (e.g. terminating them), resumed from ``index``."""

    process_instance_key: int = -1
    batch_element_instance_key: int = -1
    index: int = -1
    tenant_id: str = DEFAULT_TENANT_ID


class ProcessInstanceModificationTerminateInstructionValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """Terminate this element instance."""

    element_instance_key: int = -1


class ProcessInstanceModificationVariableInstructionValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """Set ``variables`` on the scope of ``element_id`` (the process instance when empty)."""

    variables: dict[str, Any] = {}
    element_id: str = ""


class ProcessInstanceModificationActivateInstructionValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """Activate ``element_id``, inside ``ancestor_scope_key`` when several flow scopes are active.

    ``ancestor_scope_keys`` is filled in the MODIFIED event with every scope the activation used.
    """

    element_id: str = ""
    ancestor_scope_key: int = -1
    variable_instructions: list[ProcessInstanceModificationVariableInstructionValue] = []
    ancestor_scope_keys: list[int] = []


class ProcessInstanceModificationRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """Terminate and activate element instances of a running process instance in one step.

    The top-level ``ancestor_scope_keys`` is kept for Zeebe compatibility (deprecated there since
    8.1.3); each activate instruction carries its own.
    """

    process_instance_key: int = -1
    terminate_instructions: list[ProcessInstanceModificationTerminateInstructionValue] = []
    activate_instructions: list[ProcessInstanceModificationActivateInstructionValue] = []
    ancestor_scope_keys: list[int] = []
    tenant_id: str = DEFAULT_TENANT_ID


class ProcessInstanceMigrationMappingInstructionValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """Element instances of ``source_element_id`` become instances of ``target_element_id``."""

    source_element_id: str = ""
    target_element_id: str = ""


class ProcessInstanceMigrationRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """Move a running instance to another process definition, element by element."""

    process_instance_key: int = -1
    target_process_definition_key: int = -1
    mapping_instructions: list[ProcessInstanceMigrationMappingInstructionValue] = []
