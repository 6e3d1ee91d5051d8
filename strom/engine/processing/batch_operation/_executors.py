"""What executing one item means for each type of batch operation: the ordinary command a client
would send for it (so the ordinary checks apply, and a rejection is the item's failure), written
with the operation's key as its batch operation reference and the creator's authorizations.
Every partition executes only the items it owns (the filter is resolved per partition).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.intents import (
    IncidentIntent,
    JobIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessInstanceModificationIntent,
)
from strom.protocol.keys import partition_of
from strom.protocol.values.batch_operation import (
    BatchOperationCreationRecordValue,
    BatchOperationItemValue,
    BatchOperationType,
)
from strom.protocol.values.incident import IncidentRecordValue
from strom.protocol.values.job import JobRecordValue
from strom.protocol.values.process_instance import (
    ProcessInstanceMigrationMappingInstructionValue,
    ProcessInstanceMigrationRecordValue,
    ProcessInstanceModificationActivateInstructionValue,
    ProcessInstanceModificationRecordValue,
    ProcessInstanceModificationTerminateInstructionValue,
    ProcessInstanceRecordValue,
)

Executor = Callable[[int, BatchOperationCreationRecordValue, BatchOperationItemValue, Writers], None]
"""(operation key, operation, item, writers): write the item's command."""


class ItemExecutors:
    def __init__(self, state: ProcessingState, partition_id: int) -> None:
        self._incidents = state.incidents
        self._elements = state.element_instances
        self._partition_id = partition_id
        self._by_type: dict[BatchOperationType, Executor] = {
            BatchOperationType.CANCEL_PROCESS_INSTANCE: self._cancel,
            BatchOperationType.RESOLVE_INCIDENT: self._resolve_incident,
            BatchOperationType.MIGRATE_PROCESS_INSTANCE: self._migrate,
            BatchOperationType.MODIFY_PROCESS_INSTANCE: self._modify,
        }

    def execute(
        self,
        key: int,
        operation: BatchOperationCreationRecordValue,
        item: BatchOperationItemValue,
        writers: Writers,
    ) -> None:
        self._by_type[operation.batch_operation_type](key, operation, item, writers)

    # -- the commands ------------------------------------------------------------------------------

    def _cancel(
        self,
        key: int,
        operation: BatchOperationCreationRecordValue,
        item: BatchOperationItemValue,
        writers: Writers,
    ) -> None:
        value = ProcessInstanceRecordValue(process_instance_key=item.item_key)
        self._write(key, operation, item.item_key, ProcessInstanceIntent.CANCEL, value, writers)

    def _resolve_incident(
        self,
        key: int,
        operation: BatchOperationCreationRecordValue,
        item: BatchOperationItemValue,
        writers: Writers,
    ) -> None:
        incident = self._incidents.get(item.item_key) if self._owns(item.item_key) else None
        if incident is not None and incident.job_key > 0:
            # As Zeebe: a job out of retries gets one more, or resolving raises the incident again.
            writers.append_command(incident.job_key, JobIntent.UPDATE_RETRIES, JobRecordValue(retries=1))
        self._write(key, operation, item.item_key, IncidentIntent.RESOLVE, IncidentRecordValue(), writers)

    def _migrate(
        self,
        key: int,
        operation: BatchOperationCreationRecordValue,
        item: BatchOperationItemValue,
        writers: Writers,
    ) -> None:
        plan = operation.migration_plan
        value = ProcessInstanceMigrationRecordValue(
            process_instance_key=item.item_key,
            target_process_definition_key=plan.target_process_definition_key,
            mapping_instructions=[
                ProcessInstanceMigrationMappingInstructionValue(
                    source_element_id=m.source_element_id, target_element_id=m.target_element_id
                )
                for m in plan.mapping_instructions
            ],
        )
        self._write(key, operation, item.item_key, ProcessInstanceMigrationIntent.MIGRATE, value, writers)

    def _modify(
        self,
        key: int,
        operation: BatchOperationCreationRecordValue,
        item: BatchOperationItemValue,
        writers: Writers,
    ) -> None:
        # As Zeebe: each move terminates the active instances of the source element and activates
        # the target once, when the source has any.
        active = self._active_elements(item.item_key) if self._owns(item.item_key) else {}
        terminate: list[ProcessInstanceModificationTerminateInstructionValue] = []
        activate: list[ProcessInstanceModificationActivateInstructionValue] = []
        for move in operation.modification_plan.move_instructions:
            keys = active.get(move.source_element_id, [])
            if not keys:
                continue
            terminate.extend(
                ProcessInstanceModificationTerminateInstructionValue(element_instance_key=element)
                for element in keys
            )
            activate.append(
                ProcessInstanceModificationActivateInstructionValue(element_id=move.target_element_id)
            )
        value = ProcessInstanceModificationRecordValue(
            process_instance_key=item.item_key,
            terminate_instructions=terminate,
            activate_instructions=activate,
        )
        self._write(key, operation, item.item_key, ProcessInstanceModificationIntent.MODIFY, value, writers)

    # -- helpers -----------------------------------------------------------------------------------

    def _owns(self, key: int) -> bool:
        return partition_of(key) == self._partition_id

    def _active_elements(self, process_instance_key: int) -> dict[str, list[int]]:
        found: dict[str, list[int]] = {}
        pending = [process_instance_key]
        while pending:
            for child in self._elements.children(pending.pop()):
                if child.is_active:
                    found.setdefault(child.value.element_id, []).append(child.key)
                pending.append(child.key)
        return found

    @staticmethod
    def _write(
        key: int,
        operation: BatchOperationCreationRecordValue,
        item_key: int,
        intent: int,
        value: Any,
        writers: Writers,
    ) -> None:
        writers.append_command(item_key, intent, value, operation.authentication, key)
