"""Record values: one ``msgspec.Struct`` per value type, field for field Zeebe's ``*RecordValue``.

Every field has a default because commands carry partial values. Fields are snake_case here and
camelCase on the wire (Zeebe's exported JSON names). Add fields only at the end of a struct, with a
default, and never change a field's type: logs written by older code must still decode.
"""

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
from strom.protocol.values.form import FormMetadataValue, FormRecordValue
from strom.protocol.values.incident import IncidentRecordValue
from strom.protocol.values.job import (
    JobBatchRecordValue,
    JobRecordValue,
    JobResultActivateElementValue,
    JobResultCorrectionsValue,
    JobResultValue,
)
from strom.protocol.values.process import ProcessMetadataValue, ProcessRecordValue
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
from strom.protocol.values.variable import VariableDocumentRecordValue, VariableRecordValue

__all__ = [
    "DecisionEvaluationRecordValue",
    "DecisionRecordValue",
    "DecisionRequirementsMetadataValue",
    "DecisionRequirementsRecordValue",
    "DeploymentDistributionRecordValue",
    "DeploymentRecordValue",
    "DeploymentResource",
    "ErrorType",
    "EvaluatedDecisionValue",
    "EvaluatedInputValue",
    "EvaluatedOutputValue",
    "FormMetadataValue",
    "FormRecordValue",
    "IncidentRecordValue",
    "JobBatchRecordValue",
    "JobKind",
    "JobListenerEventType",
    "JobRecordValue",
    "JobResultActivateElementValue",
    "JobResultCorrectionsValue",
    "JobResultType",
    "JobResultValue",
    "MatchedRuleValue",
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
    "ProcessMetadataValue",
    "ProcessRecordValue",
    "VariableDocumentRecordValue",
    "VariableDocumentUpdateSemantic",
    "VariableRecordValue",
]
