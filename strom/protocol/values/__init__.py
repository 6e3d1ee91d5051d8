"""Record values: one ``msgspec.Struct`` per value type, field for field Zeebe's ``*RecordValue``.

Every field has a default because commands carry partial values. Fields are snake_case here and
camelCase on the wire (Zeebe's exported JSON names). Add fields only at the end of a struct, with a
default, and never change a field's type: logs written by older code must still decode.
"""

from strom.protocol.values.ad_hoc_sub_process import (
    AdHocSubProcessActivateElementInstructionValue,
    AdHocSubProcessInstructionRecordValue,
)
from strom.protocol.values.clock import ClockRecordValue
from strom.protocol.values.command_distribution import CommandDistributionRecordValue
from strom.protocol.values.compensation import CompensationSubscriptionRecordValue
from strom.protocol.values.decision import (
    DecisionEvaluationRecordValue,
    DecisionRecordValue,
    DecisionRequirementsMetadataValue,
    DecisionRequirementsRecordValue,
    EvaluatedDecisionValue,
    EvaluatedInputValue,
    EvaluatedOutputValue,
    MatchedRuleValue,
)
from strom.protocol.values.deployment import (
    DeploymentDistributionRecordValue,
    DeploymentRecordValue,
    DeploymentResource,
)
from strom.protocol.values.enums import (
    ErrorType,
    JobKind,
    JobListenerEventType,
    JobResultType,
    VariableDocumentUpdateSemantic,
)
from strom.protocol.values.error import ErrorRecordValue
from strom.protocol.values.escalation import EscalationRecordValue
from strom.protocol.values.form import FormMetadataValue, FormRecordValue
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationRecordValue,
    AuthorizationResourceMatcher,
    AuthorizationResourceType,
    EntityType,
    GroupRecordValue,
    MappingRuleRecordValue,
    PermissionType,
    RoleRecordValue,
    TenantRecordValue,
    UserRecordValue,
)
from strom.protocol.values.incident import IncidentRecordValue
from strom.protocol.values.job import (
    JobBatchRecordValue,
    JobRecordValue,
    JobResultActivateElementValue,
    JobResultCorrectionsValue,
    JobResultValue,
)
from strom.protocol.values.message import (
    MessageBatchRecordValue,
    MessageCorrelationRecordValue,
    MessageRecordValue,
    MessageStartEventSubscriptionRecordValue,
    MessageSubscriptionRecordValue,
    ProcessMessageSubscriptionRecordValue,
)
from strom.protocol.values.process import ProcessMetadataValue, ProcessRecordValue
from strom.protocol.values.process_event import ProcessEventRecordValue
from strom.protocol.values.process_instance import (
    ProcessInstanceBatchRecordValue,
    ProcessInstanceCreationRecordValue,
    ProcessInstanceCreationRuntimeInstructionValue,
    ProcessInstanceCreationStartInstructionValue,
    ProcessInstanceMigrationMappingInstructionValue,
    ProcessInstanceMigrationRecordValue,
    ProcessInstanceModificationActivateInstructionValue,
    ProcessInstanceModificationRecordValue,
    ProcessInstanceModificationTerminateInstructionValue,
    ProcessInstanceModificationVariableInstructionValue,
    ProcessInstanceRecordValue,
    ProcessInstanceResultRecordValue,
)
from strom.protocol.values.resource_deletion import ResourceDeletionRecordValue
from strom.protocol.values.signal import SignalRecordValue, SignalSubscriptionRecordValue
from strom.protocol.values.timer import TimerRecordValue
from strom.protocol.values.user_task import UserTaskRecordValue
from strom.protocol.values.variable import VariableDocumentRecordValue, VariableRecordValue

__all__ = [
    "AdHocSubProcessActivateElementInstructionValue",
    "AdHocSubProcessInstructionRecordValue",
    "AuthorizationOwnerType",
    "AuthorizationRecordValue",
    "AuthorizationResourceMatcher",
    "AuthorizationResourceType",
    "ClockRecordValue",
    "CommandDistributionRecordValue",
    "CompensationSubscriptionRecordValue",
    "DecisionEvaluationRecordValue",
    "DecisionRecordValue",
    "DecisionRequirementsMetadataValue",
    "DecisionRequirementsRecordValue",
    "DeploymentDistributionRecordValue",
    "DeploymentRecordValue",
    "DeploymentResource",
    "EntityType",
    "ErrorRecordValue",
    "ErrorType",
    "EscalationRecordValue",
    "EvaluatedDecisionValue",
    "EvaluatedInputValue",
    "EvaluatedOutputValue",
    "FormMetadataValue",
    "FormRecordValue",
    "GroupRecordValue",
    "IncidentRecordValue",
    "JobBatchRecordValue",
    "JobKind",
    "JobListenerEventType",
    "JobRecordValue",
    "JobResultActivateElementValue",
    "JobResultCorrectionsValue",
    "JobResultType",
    "JobResultValue",
    "MappingRuleRecordValue",
    "MatchedRuleValue",
    "MessageBatchRecordValue",
    "MessageCorrelationRecordValue",
    "MessageRecordValue",
    "MessageStartEventSubscriptionRecordValue",
    "MessageSubscriptionRecordValue",
    "PermissionType",
    "ProcessEventRecordValue",
    "ProcessInstanceBatchRecordValue",
    "ProcessInstanceCreationRecordValue",
    "ProcessInstanceCreationRuntimeInstructionValue",
    "ProcessInstanceCreationStartInstructionValue",
    "ProcessInstanceMigrationMappingInstructionValue",
    "ProcessInstanceMigrationRecordValue",
    "ProcessInstanceModificationActivateInstructionValue",
    "ProcessInstanceModificationRecordValue",
    "ProcessInstanceModificationTerminateInstructionValue",
    "ProcessInstanceModificationVariableInstructionValue",
    "ProcessInstanceRecordValue",
    "ProcessInstanceResultRecordValue",
    "ProcessMessageSubscriptionRecordValue",
    "ProcessMetadataValue",
    "ProcessRecordValue",
    "ResourceDeletionRecordValue",
    "RoleRecordValue",
    "SignalRecordValue",
    "SignalSubscriptionRecordValue",
    "TenantRecordValue",
    "TimerRecordValue",
    "UserRecordValue",
    "UserTaskRecordValue",
    "VariableDocumentRecordValue",
    "VariableDocumentUpdateSemantic",
    "VariableRecordValue",
]
