"""Batch operation values (Zeebe 8.8): one operation — cancel, resolve incidents, migrate, modify —
applied to every process instance a search filter finds in secondary storage.

Each value type has its own struct, as Zeebe has a record class per value type:
BATCH_OPERATION_CREATION (the operation as a client asked for it), BATCH_OPERATION_CHUNK (item keys
the filter found, a page at a time), BATCH_OPERATION_INITIALIZATION (the filter is resolved),
BATCH_OPERATION_EXECUTION (items whose command was written), BATCH_OPERATION_LIFECYCLE_MANAGEMENT
(cancel / suspend / resume / complete / fail) and BATCH_OPERATION_PARTITION_LIFECYCLE.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import msgspec


class BatchOperationType(StrEnum):
    CANCEL_PROCESS_INSTANCE = "CANCEL_PROCESS_INSTANCE"
    RESOLVE_INCIDENT = "RESOLVE_INCIDENT"
    MIGRATE_PROCESS_INSTANCE = "MIGRATE_PROCESS_INSTANCE"
    MODIFY_PROCESS_INSTANCE = "MODIFY_PROCESS_INSTANCE"


class BatchOperationMappingInstructionValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    source_element_id: str = ""
    target_element_id: str = ""


class BatchOperationMigrationPlanValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """What MIGRATE_PROCESS_INSTANCE does to each instance (a migration command's plan)."""

    target_process_definition_key: int = -1
    mapping_instructions: list[BatchOperationMappingInstructionValue] = []


class BatchOperationMoveInstructionValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """Terminate the active instances of ``source_element_id`` and activate ``target_element_id``."""

    source_element_id: str = ""
    target_element_id: str = ""


class BatchOperationModificationPlanValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    move_instructions: list[BatchOperationMoveInstructionValue] = []


class BatchOperationCreationRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """CREATE / CREATED. ``entity_filter`` is the JSON text of a process instance search filter
    (as ``POST /v2/process-instances/search`` takes it); ``authentication`` is the creator's
    ``Record.authorizations``, which every item command carries."""

    batch_operation_key: int = -1
    batch_operation_type: BatchOperationType = BatchOperationType.CANCEL_PROCESS_INSTANCE
    entity_filter: str = ""
    migration_plan: BatchOperationMigrationPlanValue = BatchOperationMigrationPlanValue()
    modification_plan: BatchOperationModificationPlanValue = BatchOperationModificationPlanValue()
    authentication: dict[str, Any] = {}
    partition_ids: list[int] = []


class BatchOperationItemValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """One entity the operation applies to: a process instance, or an incident of one."""

    item_key: int = -1
    process_instance_key: int = -1


class BatchOperationChunkRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """CREATE / CREATED: the next page of items the filter found. ``search_result_cursor`` is the
    cursor after this page, ``previous_search_result_cursor`` the one before it: a chunk whose
    previous cursor is not where the operation stands is a repeated page and is rejected."""

    batch_operation_key: int = -1
    items: list[BatchOperationItemValue] = []
    search_result_cursor: str = ""
    previous_search_result_cursor: str = ""


class BatchOperationInitializationRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """FINISH_INITIALIZATION / INITIALIZED: every item of the filter is known."""

    batch_operation_key: int = -1
    search_result_cursor: str = ""
    search_query_page_size: int = 0


class BatchOperationExecutionRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """EXECUTE (the next items, please) / EXECUTING / EXECUTED (their commands were written)."""

    batch_operation_key: int = -1
    item_keys: list[int] = []


class BatchOperationErrorValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    partition_id: int = 0
    type: str = ""
    """``QUERY_FAILED`` (the filter could not be resolved) or ``UNKNOWN``."""
    message: str = ""


class BatchOperationLifecycleManagementRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """CANCEL / SUSPEND / RESUME and their events, COMPLETED and FAILED (``errors`` say why)."""

    batch_operation_key: int = -1
    errors: list[BatchOperationErrorValue] = []


class BatchOperationPartitionLifecycleRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """FAIL: a partition could not resolve the filter (``error``)."""

    batch_operation_key: int = -1
    source_partition_id: int = 0
    error: BatchOperationErrorValue = BatchOperationErrorValue()
