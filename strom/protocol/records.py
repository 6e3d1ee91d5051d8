"""One envelope class per value type, and the tables that map value types and values to them.

Each class is ``Record`` specialised to its value struct and tagged with its value type's code, so
``AnyRecord`` is a tagged union msgspec decodes in one pass (see ``strom.protocol.codec``). A writer
holding a value finds its envelope with ``RECORD_CLASS_FOR_VALUE[type(value)]``.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import msgspec

from strom.protocol.enums import ValueType
from strom.protocol.record import Record
from strom.protocol.values import (
    AdHocSubProcessInstructionRecordValue,
    ClockRecordValue,
    CommandDistributionRecordValue,
    CompensationSubscriptionRecordValue,
    DecisionEvaluationRecordValue,
    DecisionRecordValue,
    DecisionRequirementsRecordValue,
    DeploymentDistributionRecordValue,
    DeploymentRecordValue,
    ErrorRecordValue,
    EscalationRecordValue,
    FormRecordValue,
    IncidentRecordValue,
    JobBatchRecordValue,
    JobRecordValue,
    MessageBatchRecordValue,
    MessageCorrelationRecordValue,
    MessageRecordValue,
    MessageStartEventSubscriptionRecordValue,
    MessageSubscriptionRecordValue,
    ProcessEventRecordValue,
    ProcessInstanceBatchRecordValue,
    ProcessInstanceCreationRecordValue,
    ProcessInstanceMigrationRecordValue,
    ProcessInstanceModificationRecordValue,
    ProcessInstanceRecordValue,
    ProcessInstanceResultRecordValue,
    ProcessMessageSubscriptionRecordValue,
    ProcessRecordValue,
    ResourceDeletionRecordValue,
    SignalRecordValue,
    SignalSubscriptionRecordValue,
    TimerRecordValue,
    UserTaskRecordValue,
    VariableDocumentRecordValue,
    VariableRecordValue,
)
from strom.protocol.values.batch_operation import (
    BatchOperationChunkRecordValue,
    BatchOperationCreationRecordValue,
    BatchOperationExecutionRecordValue,
    BatchOperationInitializationRecordValue,
    BatchOperationLifecycleManagementRecordValue,
    BatchOperationPartitionLifecycleRecordValue,
)
from strom.protocol.values.identity import (
    AuthorizationRecordValue,
    GroupRecordValue,
    MappingRuleRecordValue,
    RoleRecordValue,
    TenantRecordValue,
    UserRecordValue,
)


class DeploymentRecord(Record[DeploymentRecordValue], tag=int(ValueType.DEPLOYMENT), frozen=True):
    value_type = ValueType.DEPLOYMENT


class ProcessRecord(Record[ProcessRecordValue], tag=int(ValueType.PROCESS), frozen=True):
    value_type = ValueType.PROCESS


class ProcessInstanceRecord(
    Record[ProcessInstanceRecordValue], tag=int(ValueType.PROCESS_INSTANCE), frozen=True
):
    value_type = ValueType.PROCESS_INSTANCE


class ProcessInstanceCreationRecord(
    Record[ProcessInstanceCreationRecordValue], tag=int(ValueType.PROCESS_INSTANCE_CREATION), frozen=True
):
    value_type = ValueType.PROCESS_INSTANCE_CREATION


class ProcessInstanceResultRecord(
    Record[ProcessInstanceResultRecordValue], tag=int(ValueType.PROCESS_INSTANCE_RESULT), frozen=True
):
    value_type = ValueType.PROCESS_INSTANCE_RESULT


class ProcessInstanceModificationRecord(
    Record[ProcessInstanceModificationRecordValue],
    tag=int(ValueType.PROCESS_INSTANCE_MODIFICATION),
    frozen=True,
):
    value_type = ValueType.PROCESS_INSTANCE_MODIFICATION


class ProcessInstanceMigrationRecord(
    Record[ProcessInstanceMigrationRecordValue], tag=int(ValueType.PROCESS_INSTANCE_MIGRATION), frozen=True
):
    value_type = ValueType.PROCESS_INSTANCE_MIGRATION


class ProcessInstanceBatchRecord(
    Record[ProcessInstanceBatchRecordValue], tag=int(ValueType.PROCESS_INSTANCE_BATCH), frozen=True
):
    value_type = ValueType.PROCESS_INSTANCE_BATCH


class JobRecord(Record[JobRecordValue], tag=int(ValueType.JOB), frozen=True):
    value_type = ValueType.JOB


class JobBatchRecord(Record[JobBatchRecordValue], tag=int(ValueType.JOB_BATCH), frozen=True):
    value_type = ValueType.JOB_BATCH


class VariableRecord(Record[VariableRecordValue], tag=int(ValueType.VARIABLE), frozen=True):
    value_type = ValueType.VARIABLE


class VariableDocumentRecord(
    Record[VariableDocumentRecordValue], tag=int(ValueType.VARIABLE_DOCUMENT), frozen=True
):
    value_type = ValueType.VARIABLE_DOCUMENT


class IncidentRecord(Record[IncidentRecordValue], tag=int(ValueType.INCIDENT), frozen=True):
    value_type = ValueType.INCIDENT


class MessageRecord(Record[MessageRecordValue], tag=int(ValueType.MESSAGE), frozen=True):
    value_type = ValueType.MESSAGE


class MessageSubscriptionRecord(
    Record[MessageSubscriptionRecordValue], tag=int(ValueType.MESSAGE_SUBSCRIPTION), frozen=True
):
    value_type = ValueType.MESSAGE_SUBSCRIPTION


class ProcessMessageSubscriptionRecord(
    Record[ProcessMessageSubscriptionRecordValue],
    tag=int(ValueType.PROCESS_MESSAGE_SUBSCRIPTION),
    frozen=True,
):
    value_type = ValueType.PROCESS_MESSAGE_SUBSCRIPTION


class MessageStartEventSubscriptionRecord(
    Record[MessageStartEventSubscriptionRecordValue],
    tag=int(ValueType.MESSAGE_START_EVENT_SUBSCRIPTION),
    frozen=True,
):
    value_type = ValueType.MESSAGE_START_EVENT_SUBSCRIPTION


class MessageCorrelationRecord(
    Record[MessageCorrelationRecordValue], tag=int(ValueType.MESSAGE_CORRELATION), frozen=True
):
    value_type = ValueType.MESSAGE_CORRELATION


class MessageBatchRecord(Record[MessageBatchRecordValue], tag=int(ValueType.MESSAGE_BATCH), frozen=True):
    value_type = ValueType.MESSAGE_BATCH


class TimerRecord(Record[TimerRecordValue], tag=int(ValueType.TIMER), frozen=True):
    value_type = ValueType.TIMER


class SignalRecord(Record[SignalRecordValue], tag=int(ValueType.SIGNAL), frozen=True):
    value_type = ValueType.SIGNAL


class SignalSubscriptionRecord(
    Record[SignalSubscriptionRecordValue], tag=int(ValueType.SIGNAL_SUBSCRIPTION), frozen=True
):
    value_type = ValueType.SIGNAL_SUBSCRIPTION


class ErrorRecord(Record[ErrorRecordValue], tag=int(ValueType.ERROR), frozen=True):
    value_type = ValueType.ERROR


class EscalationRecord(Record[EscalationRecordValue], tag=int(ValueType.ESCALATION), frozen=True):
    value_type = ValueType.ESCALATION


class DecisionRecord(Record[DecisionRecordValue], tag=int(ValueType.DECISION), frozen=True):
    value_type = ValueType.DECISION


class DecisionRequirementsRecord(
    Record[DecisionRequirementsRecordValue], tag=int(ValueType.DECISION_REQUIREMENTS), frozen=True
):
    value_type = ValueType.DECISION_REQUIREMENTS


class DecisionEvaluationRecord(
    Record[DecisionEvaluationRecordValue], tag=int(ValueType.DECISION_EVALUATION), frozen=True
):
    value_type = ValueType.DECISION_EVALUATION


class FormRecord(Record[FormRecordValue], tag=int(ValueType.FORM), frozen=True):
    value_type = ValueType.FORM


class UserTaskRecord(Record[UserTaskRecordValue], tag=int(ValueType.USER_TASK), frozen=True):
    value_type = ValueType.USER_TASK


class ResourceDeletionRecord(
    Record[ResourceDeletionRecordValue], tag=int(ValueType.RESOURCE_DELETION), frozen=True
):
    value_type = ValueType.RESOURCE_DELETION


class CommandDistributionRecord(
    Record[CommandDistributionRecordValue], tag=int(ValueType.COMMAND_DISTRIBUTION), frozen=True
):
    value_type = ValueType.COMMAND_DISTRIBUTION


class DeploymentDistributionRecord(
    Record[DeploymentDistributionRecordValue], tag=int(ValueType.DEPLOYMENT_DISTRIBUTION), frozen=True
):
    value_type = ValueType.DEPLOYMENT_DISTRIBUTION


class CompensationSubscriptionRecord(
    Record[CompensationSubscriptionRecordValue], tag=int(ValueType.COMPENSATION_SUBSCRIPTION), frozen=True
):
    value_type = ValueType.COMPENSATION_SUBSCRIPTION


class ProcessEventRecord(Record[ProcessEventRecordValue], tag=int(ValueType.PROCESS_EVENT), frozen=True):
    value_type = ValueType.PROCESS_EVENT


class ClockRecord(Record[ClockRecordValue], tag=int(ValueType.CLOCK), frozen=True):
    value_type = ValueType.CLOCK


class UserRecord(Record[UserRecordValue], tag=int(ValueType.USER), frozen=True):
    value_type = ValueType.USER


class GroupRecord(Record[GroupRecordValue], tag=int(ValueType.GROUP), frozen=True):
    value_type = ValueType.GROUP


class RoleRecord(Record[RoleRecordValue], tag=int(ValueType.ROLE), frozen=True):
    value_type = ValueType.ROLE


class TenantRecord(Record[TenantRecordValue], tag=int(ValueType.TENANT), frozen=True):
    value_type = ValueType.TENANT


class MappingRuleRecord(Record[MappingRuleRecordValue], tag=int(ValueType.MAPPING_RULE), frozen=True):
    value_type = ValueType.MAPPING_RULE


class AuthorizationRecord(Record[AuthorizationRecordValue], tag=int(ValueType.AUTHORIZATION), frozen=True):
    value_type = ValueType.AUTHORIZATION


class AdHocSubProcessInstructionRecord(
    Record[AdHocSubProcessInstructionRecordValue],
    tag=int(ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION),
    frozen=True,
):
    value_type = ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION


class BatchOperationCreationRecord(
    Record[BatchOperationCreationRecordValue], tag=int(ValueType.BATCH_OPERATION_CREATION), frozen=True
):
    value_type = ValueType.BATCH_OPERATION_CREATION


class BatchOperationInitializationRecord(
    Record[BatchOperationInitializationRecordValue],
    tag=int(ValueType.BATCH_OPERATION_INITIALIZATION),
    frozen=True,
):
    value_type = ValueType.BATCH_OPERATION_INITIALIZATION


class BatchOperationChunkRecord(
    Record[BatchOperationChunkRecordValue], tag=int(ValueType.BATCH_OPERATION_CHUNK), frozen=True
):
    value_type = ValueType.BATCH_OPERATION_CHUNK


class BatchOperationExecutionRecord(
    Record[BatchOperationExecutionRecordValue], tag=int(ValueType.BATCH_OPERATION_EXECUTION), frozen=True
):
    value_type = ValueType.BATCH_OPERATION_EXECUTION


class BatchOperationLifecycleManagementRecord(
    Record[BatchOperationLifecycleManagementRecordValue],
    tag=int(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT),
    frozen=True,
):
    value_type = ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT


class BatchOperationPartitionLifecycleRecord(
    Record[BatchOperationPartitionLifecycleRecordValue],
    tag=int(ValueType.BATCH_OPERATION_PARTITION_LIFECYCLE),
    frozen=True,
):
    value_type = ValueType.BATCH_OPERATION_PARTITION_LIFECYCLE


AnyRecord: TypeAlias = (
    DeploymentRecord
    | ProcessRecord
    | ProcessInstanceRecord
    | ProcessInstanceCreationRecord
    | ProcessInstanceResultRecord
    | ProcessInstanceModificationRecord
    | ProcessInstanceMigrationRecord
    | ProcessInstanceBatchRecord
    | JobRecord
    | JobBatchRecord
    | VariableRecord
    | VariableDocumentRecord
    | IncidentRecord
    | MessageRecord
    | MessageSubscriptionRecord
    | ProcessMessageSubscriptionRecord
    | MessageStartEventSubscriptionRecord
    | MessageCorrelationRecord
    | MessageBatchRecord
    | TimerRecord
    | SignalRecord
    | SignalSubscriptionRecord
    | ErrorRecord
    | EscalationRecord
    | DecisionRecord
    | DecisionRequirementsRecord
    | DecisionEvaluationRecord
    | FormRecord
    | UserTaskRecord
    | ResourceDeletionRecord
    | CommandDistributionRecord
    | DeploymentDistributionRecord
    | CompensationSubscriptionRecord
    | ProcessEventRecord
    | ClockRecord
    | UserRecord
    | GroupRecord
    | RoleRecord
    | TenantRecord
    | MappingRuleRecord
    | AuthorizationRecord
    | AdHocSubProcessInstructionRecord
    | BatchOperationCreationRecord
    | BatchOperationInitializationRecord
    | BatchOperationChunkRecord
    | BatchOperationExecutionRecord
    | BatchOperationLifecycleManagementRecord
    | BatchOperationPartitionLifecycleRecord
)
"""Every envelope class: the type the codec decodes into; ``match`` on it to dispatch."""

RECORD_CLASSES: dict[ValueType, type[Record[Any]]] = {
    ValueType.DEPLOYMENT: DeploymentRecord,
    ValueType.PROCESS: ProcessRecord,
    ValueType.PROCESS_INSTANCE: ProcessInstanceRecord,
    ValueType.PROCESS_INSTANCE_CREATION: ProcessInstanceCreationRecord,
    ValueType.PROCESS_INSTANCE_RESULT: ProcessInstanceResultRecord,
    ValueType.PROCESS_INSTANCE_MODIFICATION: ProcessInstanceModificationRecord,
    ValueType.PROCESS_INSTANCE_MIGRATION: ProcessInstanceMigrationRecord,
    ValueType.PROCESS_INSTANCE_BATCH: ProcessInstanceBatchRecord,
    ValueType.JOB: JobRecord,
    ValueType.JOB_BATCH: JobBatchRecord,
    ValueType.VARIABLE: VariableRecord,
    ValueType.VARIABLE_DOCUMENT: VariableDocumentRecord,
    ValueType.INCIDENT: IncidentRecord,
    ValueType.MESSAGE: MessageRecord,
    ValueType.MESSAGE_SUBSCRIPTION: MessageSubscriptionRecord,
    ValueType.PROCESS_MESSAGE_SUBSCRIPTION: ProcessMessageSubscriptionRecord,
    ValueType.MESSAGE_START_EVENT_SUBSCRIPTION: MessageStartEventSubscriptionRecord,
    ValueType.MESSAGE_CORRELATION: MessageCorrelationRecord,
    ValueType.MESSAGE_BATCH: MessageBatchRecord,
    ValueType.TIMER: TimerRecord,
    ValueType.SIGNAL: SignalRecord,
    ValueType.SIGNAL_SUBSCRIPTION: SignalSubscriptionRecord,
    ValueType.ERROR: ErrorRecord,
    ValueType.ESCALATION: EscalationRecord,
    ValueType.DECISION: DecisionRecord,
    ValueType.DECISION_REQUIREMENTS: DecisionRequirementsRecord,
    ValueType.DECISION_EVALUATION: DecisionEvaluationRecord,
    ValueType.FORM: FormRecord,
    ValueType.USER_TASK: UserTaskRecord,
    ValueType.RESOURCE_DELETION: ResourceDeletionRecord,
    ValueType.COMMAND_DISTRIBUTION: CommandDistributionRecord,
    ValueType.DEPLOYMENT_DISTRIBUTION: DeploymentDistributionRecord,
    ValueType.COMPENSATION_SUBSCRIPTION: CompensationSubscriptionRecord,
    ValueType.PROCESS_EVENT: ProcessEventRecord,
    ValueType.CLOCK: ClockRecord,
    ValueType.USER: UserRecord,
    ValueType.GROUP: GroupRecord,
    ValueType.ROLE: RoleRecord,
    ValueType.TENANT: TenantRecord,
    ValueType.MAPPING_RULE: MappingRuleRecord,
    ValueType.AUTHORIZATION: AuthorizationRecord,
    ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION: AdHocSubProcessInstructionRecord,
    ValueType.BATCH_OPERATION_CREATION: BatchOperationCreationRecord,
    ValueType.BATCH_OPERATION_INITIALIZATION: BatchOperationInitializationRecord,
    ValueType.BATCH_OPERATION_CHUNK: BatchOperationChunkRecord,
    ValueType.BATCH_OPERATION_EXECUTION: BatchOperationExecutionRecord,
    ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT: BatchOperationLifecycleManagementRecord,
    ValueType.BATCH_OPERATION_PARTITION_LIFECYCLE: BatchOperationPartitionLifecycleRecord,
}
"""The envelope class of each value type Strom speaks."""


def _value_class(record_class: type[Record[Any]]) -> type[msgspec.Struct]:
    [value_field] = [field for field in msgspec.structs.fields(record_class) if field.name == "value"]
    value_class: type[msgspec.Struct] = value_field.type
    return value_class


VALUE_CLASSES: dict[ValueType, type[msgspec.Struct]] = {
    value_type: _value_class(record_class) for value_type, record_class in RECORD_CLASSES.items()
}
"""The value struct of each value type (e.g. to ``msgspec.convert`` a distributed command's value)."""

RECORD_CLASS_FOR_VALUE: dict[type[msgspec.Struct], type[Record[Any]]] = {
    VALUE_CLASSES[value_type]: record_class for value_type, record_class in RECORD_CLASSES.items()
}
"""The envelope class for a value struct class: ``RECORD_CLASS_FOR_VALUE[type(value)]``."""

__all__ = [
    "RECORD_CLASSES",
    "RECORD_CLASS_FOR_VALUE",
    "VALUE_CLASSES",
    "AdHocSubProcessInstructionRecord",
    "AnyRecord",
    "AuthorizationRecord",
    "BatchOperationChunkRecord",
    "BatchOperationCreationRecord",
    "BatchOperationExecutionRecord",
    "BatchOperationInitializationRecord",
    "BatchOperationLifecycleManagementRecord",
    "BatchOperationPartitionLifecycleRecord",
    "ClockRecord",
    "CommandDistributionRecord",
    "CompensationSubscriptionRecord",
    "DecisionEvaluationRecord",
    "DecisionRecord",
    "DecisionRequirementsRecord",
    "DeploymentDistributionRecord",
    "DeploymentRecord",
    "ErrorRecord",
    "EscalationRecord",
    "FormRecord",
    "GroupRecord",
    "IncidentRecord",
    "JobBatchRecord",
    "JobRecord",
    "MappingRuleRecord",
    "MessageBatchRecord",
    "MessageCorrelationRecord",
    "MessageRecord",
    "MessageStartEventSubscriptionRecord",
    "MessageSubscriptionRecord",
    "ProcessEventRecord",
    "ProcessInstanceBatchRecord",
    "ProcessInstanceCreationRecord",
    "ProcessInstanceMigrationRecord",
    "ProcessInstanceModificationRecord",
    "ProcessInstanceRecord",
    "ProcessInstanceResultRecord",
    "ProcessMessageSubscriptionRecord",
    "ProcessRecord",
    "ResourceDeletionRecord",
    "RoleRecord",
    "SignalRecord",
    "SignalSubscriptionRecord",
    "TenantRecord",
    "TimerRecord",
    "UserRecord",
    "UserTaskRecord",
    "VariableDocumentRecord",
    "VariableRecord",
]
