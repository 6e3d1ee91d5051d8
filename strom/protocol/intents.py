"""Intents: what a record asks for (commands) or says happened (events), per value type.

Names and numeric codes are Zeebe's (``io.camunda.zeebe.protocol.record.intent``); the code is what
the log stores in ``Record.intent``. Zeebe decides per intent whether it is an event
(``Intent#isEvent``); :func:`is_event` answers the same, because replay applies events only and a
command intent must never reach an applier.

Codes follow Zeebe 8.8. Where Zeebe's history holds two numberings for one code, the one its engine
writes is kept; families still in flux on Zeebe's main branch (process instance suspension,
job batch acknowledgement, process definition draining) are left out until they are released.
"""

from __future__ import annotations

from enum import IntEnum

from strom.protocol.enums import ValueType

UNKNOWN_INTENT_NAME = "UNKNOWN"
"""What Zeebe calls an intent whose code its value type does not define."""


class DeploymentIntent(IntEnum):
    CREATE = 0
    CREATED = 1
    DISTRIBUTE = 2
    DISTRIBUTED = 3
    FULLY_DISTRIBUTED = 4
    RECONSTRUCT = 5
    RECONSTRUCTED = 6
    RECONSTRUCTED_ALL = 7


class ProcessIntent(IntEnum):
    CREATED = 0
    DELETING = 1
    DELETED = 2


class ProcessInstanceIntent(IntEnum):
    CANCEL = 0
    SEQUENCE_FLOW_TAKEN = 1
    ELEMENT_ACTIVATING = 2
    ELEMENT_ACTIVATED = 3
    ELEMENT_COMPLETING = 4
    ELEMENT_COMPLETED = 5
    ELEMENT_TERMINATING = 6
    ELEMENT_TERMINATED = 7
    ACTIVATE_ELEMENT = 8
    COMPLETE_ELEMENT = 9
    TERMINATE_ELEMENT = 10
    ELEMENT_MIGRATED = 11
    COMPLETE_EXECUTION_LISTENER = 12
    ANCESTOR_MIGRATED = 13
    CONTINUE_TERMINATING_ELEMENT = 14
    SEQUENCE_FLOW_DELETED = 15
    CANCELING = 16


class ProcessInstanceCreationIntent(IntEnum):
    CREATE = 0
    CREATED = 1
    CREATE_WITH_AWAITING_RESULT = 2


class ProcessInstanceResultIntent(IntEnum):
    COMPLETED = 0


class ProcessInstanceModificationIntent(IntEnum):
    MODIFY = 0
    MODIFIED = 1


class ProcessInstanceMigrationIntent(IntEnum):
    MIGRATE = 0
    MIGRATED = 1


class ProcessInstanceBatchIntent(IntEnum):
    TERMINATE = 0
    ACTIVATE = 1
    ACTIVATING = 2
    ACTIVATED = 3


class JobIntent(IntEnum):
    CREATED = 0
    COMPLETE = 1
    COMPLETED = 2
    TIME_OUT = 3
    TIMED_OUT = 4
    FAIL = 5
    FAILED = 6
    UPDATE_RETRIES = 7
    RETRIES_UPDATED = 8
    CANCEL = 9
    CANCELED = 10
    THROW_ERROR = 11
    ERROR_THROWN = 12
    RECUR_AFTER_BACKOFF = 13
    RECURRED_AFTER_BACKOFF = 14
    YIELD = 15
    YIELDED = 16
    UPDATE_TIMEOUT = 17
    TIMEOUT_UPDATED = 18
    MIGRATED = 19
    UPDATE = 20
    UPDATED = 21


class JobBatchIntent(IntEnum):
    ACTIVATE = 0
    ACTIVATED = 1


class VariableIntent(IntEnum):
    CREATED = 0
    UPDATED = 1
    MIGRATED = 2
    CREATING = 3
    UPDATING = 4


class VariableDocumentIntent(IntEnum):
    UPDATE = 0
    UPDATED = 1
    UPDATING = 2
    UPDATE_DENIED = 3


class IncidentIntent(IntEnum):
    CREATED = 0
    RESOLVE = 1
    RESOLVED = 2
    MIGRATED = 3


class MessageIntent(IntEnum):
    PUBLISH = 0
    PUBLISHED = 1
    EXPIRE = 2
    EXPIRED = 3


class MessageSubscriptionIntent(IntEnum):
    CREATE = 0
    CREATED = 1
    CORRELATE = 2
    CORRELATED = 3
    REJECT = 4
    REJECTED = 5
    DELETE = 6
    DELETED = 7
    CORRELATING = 8
    MIGRATE = 9
    MIGRATED = 10


class ProcessMessageSubscriptionIntent(IntEnum):
    CREATING = 0
    CREATE = 1
    CREATED = 2
    CORRELATE = 3
    CORRELATED = 4
    DELETING = 5
    DELETE = 6
    DELETED = 7
    MIGRATED = 8


class MessageStartEventSubscriptionIntent(IntEnum):
    CREATED = 0
    CORRELATED = 1
    DELETED = 2


class MessageCorrelationIntent(IntEnum):
    CORRELATE = 1
    CORRELATING = 2
    CORRELATED = 3
    NOT_CORRELATED = 4


class MessageBatchIntent(IntEnum):
    EXPIRE = 0


class TimerIntent(IntEnum):
    CREATED = 0
    TRIGGER = 1
    TRIGGERED = 2
    CANCEL = 3
    CANCELED = 4
    MIGRATED = 5


class SignalIntent(IntEnum):
    BROADCAST = 0
    BROADCASTED = 1


class SignalSubscriptionIntent(IntEnum):
    CREATED = 0
    DELETED = 1
    MIGRATED = 2


class ErrorIntent(IntEnum):
    CREATED = 0


class EscalationIntent(IntEnum):
    ESCALATED = 0
    NOT_ESCALATED = 1


class DecisionIntent(IntEnum):
    CREATED = 0
    DELETED = 1


class DecisionRequirementsIntent(IntEnum):
    CREATED = 0
    DELETED = 1


class DecisionEvaluationIntent(IntEnum):
    EVALUATED = 0
    FAILED = 1
    EVALUATE = 2


class FormIntent(IntEnum):
    CREATED = 0
    DELETED = 1


class UserTaskIntent(IntEnum):
    CREATING = 0
    CREATED = 1
    COMPLETE = 2
    COMPLETING = 3
    COMPLETED = 4
    CANCELING = 5
    CANCELED = 6
    ASSIGN = 7
    ASSIGNING = 8
    ASSIGNED = 9
    CLAIM = 10
    UPDATE = 11
    UPDATING = 12
    UPDATED = 13
    MIGRATED = 14
    COMPLETE_TASK_LISTENER = 15
    DENY_TASK_LISTENER = 16
    COMPLETION_DENIED = 17
    CORRECTED = 18
    ASSIGNMENT_DENIED = 19
    CLAIMING = 20
    UPDATE_DENIED = 21
    CREATE = 22
    CANCEL = 23


class ResourceDeletionIntent(IntEnum):
    DELETE = 0
    DELETING = 1
    DELETED = 2


class CommandDistributionIntent(IntEnum):
    STARTED = 0
    DISTRIBUTING = 1
    ACKNOWLEDGE = 2
    ACKNOWLEDGED = 3
    FINISHED = 4
    ENQUEUED = 5
    CONTINUATION_REQUESTED = 6
    CONTINUED = 7
    FINISH = 8
    CONTINUE = 9


class DeploymentDistributionIntent(IntEnum):
    DISTRIBUTING = 0
    COMPLETE = 1
    COMPLETED = 2


class CompensationSubscriptionIntent(IntEnum):
    CREATED = 0
    TRIGGERED = 1
    COMPLETED = 2
    DELETED = 3
    MIGRATED = 4


class ProcessEventIntent(IntEnum):
    TRIGGERING = 0
    TRIGGERED = 1


class ClockIntent(IntEnum):
    PIN = 0
    PINNED = 1
    RESET = 2
    RESETTED = 3


class UserIntent(IntEnum):
    CREATE = 0
    CREATED = 1
    UPDATE = 2
    UPDATED = 3
    DELETE = 4
    DELETED = 5
    CREATE_INITIAL_ADMIN = 6
    INITIAL_ADMIN_CREATED = 7


class GroupIntent(IntEnum):
    CREATE = 0
    CREATED = 1
    UPDATE = 2
    UPDATED = 3
    DELETE = 4
    DELETED = 5
    ADD_ENTITY = 6
    ENTITY_ADDED = 7
    REMOVE_ENTITY = 8
    ENTITY_REMOVED = 9


class RoleIntent(IntEnum):
    CREATE = 0
    CREATED = 1
    UPDATE = 2
    UPDATED = 3
    DELETE = 4
    DELETED = 5
    ADD_ENTITY = 6
    ENTITY_ADDED = 7
    REMOVE_ENTITY = 8
    ENTITY_REMOVED = 9


class TenantIntent(IntEnum):
    CREATE = 0
    CREATED = 1
    UPDATE = 2
    UPDATED = 3
    DELETE = 4
    DELETED = 5
    ADD_ENTITY = 6
    ENTITY_ADDED = 7
    REMOVE_ENTITY = 8
    ENTITY_REMOVED = 9


class MappingRuleIntent(IntEnum):
    CREATE = 0
    CREATED = 1
    DELETE = 2
    DELETED = 3
    UPDATE = 4
    UPDATED = 5


class AdHocSubProcessInstructionIntent(IntEnum):
    ACTIVATE = 0
    ACTIVATED = 1
    COMPLETE = 2
    COMPLETED = 3


class BatchOperationIntent(IntEnum):
    """Zeebe 8.8's intents of BATCH_OPERATION_CREATION, _INITIALIZATION, _LIFECYCLE_MANAGEMENT and
    _PARTITION_LIFECYCLE (one enum for the four value types, as in Zeebe)."""

    CREATE = 0
    CREATED = 1
    INITIALIZE = 2
    INITIALIZING = 3
    FINISH_INITIALIZATION = 4
    INITIALIZED = 5
    FAIL = 6
    FAILED = 7
    CANCEL = 8
    CANCELED = 9
    SUSPEND = 10
    SUSPENDED = 11
    RESUME = 12
    RESUMED = 13
    COMPLETE = 14
    COMPLETED = 15
    COMPLETE_PARTITION = 16
    PARTITION_COMPLETED = 17
    FAIL_PARTITION = 18
    PARTITION_FAILED = 19


class BatchOperationChunkIntent(IntEnum):
    CREATE = 0
    CREATED = 1


class BatchOperationExecutionIntent(IntEnum):
    EXECUTE = 0
    EXECUTING = 1
    EXECUTED = 2


class AuthorizationIntent(IntEnum):
    CREATE = 0
    CREATED = 1
    DELETE = 2
    DELETED = 3
    UPDATE = 4
    UPDATED = 5


INTENTS: dict[ValueType, type[IntEnum]] = {
    ValueType.DEPLOYMENT: DeploymentIntent,
    ValueType.PROCESS: ProcessIntent,
    ValueType.PROCESS_INSTANCE: ProcessInstanceIntent,
    ValueType.PROCESS_INSTANCE_CREATION: ProcessInstanceCreationIntent,
    ValueType.PROCESS_INSTANCE_RESULT: ProcessInstanceResultIntent,
    ValueType.PROCESS_INSTANCE_MODIFICATION: ProcessInstanceModificationIntent,
    ValueType.PROCESS_INSTANCE_MIGRATION: ProcessInstanceMigrationIntent,
    ValueType.PROCESS_INSTANCE_BATCH: ProcessInstanceBatchIntent,
    ValueType.JOB: JobIntent,
    ValueType.JOB_BATCH: JobBatchIntent,
    ValueType.VARIABLE: VariableIntent,
    ValueType.VARIABLE_DOCUMENT: VariableDocumentIntent,
    ValueType.INCIDENT: IncidentIntent,
    ValueType.MESSAGE: MessageIntent,
    ValueType.MESSAGE_SUBSCRIPTION: MessageSubscriptionIntent,
    ValueType.PROCESS_MESSAGE_SUBSCRIPTION: ProcessMessageSubscriptionIntent,
    ValueType.MESSAGE_START_EVENT_SUBSCRIPTION: MessageStartEventSubscriptionIntent,
    ValueType.MESSAGE_CORRELATION: MessageCorrelationIntent,
    ValueType.MESSAGE_BATCH: MessageBatchIntent,
    ValueType.TIMER: TimerIntent,
    ValueType.SIGNAL: SignalIntent,
    ValueType.SIGNAL_SUBSCRIPTION: SignalSubscriptionIntent,
    ValueType.ERROR: ErrorIntent,
    ValueType.ESCALATION: EscalationIntent,
    ValueType.DECISION: DecisionIntent,
    ValueType.DECISION_REQUIREMENTS: DecisionRequirementsIntent,
    ValueType.DECISION_EVALUATION: DecisionEvaluationIntent,
    ValueType.FORM: FormIntent,
    ValueType.USER_TASK: UserTaskIntent,
    ValueType.RESOURCE_DELETION: ResourceDeletionIntent,
    ValueType.COMMAND_DISTRIBUTION: CommandDistributionIntent,
    ValueType.DEPLOYMENT_DISTRIBUTION: DeploymentDistributionIntent,
    ValueType.COMPENSATION_SUBSCRIPTION: CompensationSubscriptionIntent,
    ValueType.PROCESS_EVENT: ProcessEventIntent,
    ValueType.CLOCK: ClockIntent,
    ValueType.USER: UserIntent,
    ValueType.GROUP: GroupIntent,
    ValueType.ROLE: RoleIntent,
    ValueType.TENANT: TenantIntent,
    ValueType.MAPPING_RULE: MappingRuleIntent,
    ValueType.AUTHORIZATION: AuthorizationIntent,
    ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION: AdHocSubProcessInstructionIntent,
    ValueType.BATCH_OPERATION_CREATION: BatchOperationIntent,
    ValueType.BATCH_OPERATION_INITIALIZATION: BatchOperationIntent,
    ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT: BatchOperationIntent,
    ValueType.BATCH_OPERATION_PARTITION_LIFECYCLE: BatchOperationIntent,
    ValueType.BATCH_OPERATION_CHUNK: BatchOperationChunkIntent,
    ValueType.BATCH_OPERATION_EXECUTION: BatchOperationExecutionIntent,
}
"""The intent enum of every value type Strom speaks."""


def _all(intents: type[IntEnum]) -> frozenset[IntEnum]:
    return frozenset(intents)


def _all_but(*commands: IntEnum) -> frozenset[IntEnum]:
    return frozenset(type(commands[0])) - frozenset(commands)


_EVENTS: dict[type[IntEnum], frozenset[IntEnum]] = {
    DeploymentIntent: frozenset(
        {
            DeploymentIntent.CREATED,
            DeploymentIntent.DISTRIBUTED,
            DeploymentIntent.FULLY_DISTRIBUTED,
            DeploymentIntent.RECONSTRUCTED,
            DeploymentIntent.RECONSTRUCTED_ALL,
        }
    ),
    ProcessIntent: _all(ProcessIntent),
    ProcessInstanceIntent: _all_but(
        ProcessInstanceIntent.CANCEL,
        ProcessInstanceIntent.ACTIVATE_ELEMENT,
        ProcessInstanceIntent.COMPLETE_ELEMENT,
        ProcessInstanceIntent.TERMINATE_ELEMENT,
        ProcessInstanceIntent.COMPLETE_EXECUTION_LISTENER,
        ProcessInstanceIntent.CONTINUE_TERMINATING_ELEMENT,
    ),
    ProcessInstanceCreationIntent: frozenset({ProcessInstanceCreationIntent.CREATED}),
    ProcessInstanceResultIntent: _all(ProcessInstanceResultIntent),
    ProcessInstanceModificationIntent: frozenset({ProcessInstanceModificationIntent.MODIFIED}),
    ProcessInstanceMigrationIntent: frozenset({ProcessInstanceMigrationIntent.MIGRATED}),
    ProcessInstanceBatchIntent: frozenset(
        {
            ProcessInstanceBatchIntent.ACTIVATING,
            ProcessInstanceBatchIntent.ACTIVATED,
        }
    ),
    JobIntent: frozenset(
        {
            JobIntent.CREATED,
            JobIntent.COMPLETED,
            JobIntent.TIMED_OUT,
            JobIntent.FAILED,
            JobIntent.RETRIES_UPDATED,
            JobIntent.CANCELED,
            JobIntent.ERROR_THROWN,
            JobIntent.RECURRED_AFTER_BACKOFF,
            JobIntent.YIELDED,
            JobIntent.TIMEOUT_UPDATED,
            JobIntent.MIGRATED,
            JobIntent.UPDATED,
        }
    ),
    JobBatchIntent: frozenset({JobBatchIntent.ACTIVATED}),
    VariableIntent: _all(VariableIntent),
    VariableDocumentIntent: _all_but(VariableDocumentIntent.UPDATE),
    IncidentIntent: _all_but(IncidentIntent.RESOLVE),
    MessageIntent: frozenset({MessageIntent.PUBLISHED, MessageIntent.EXPIRED}),
    MessageSubscriptionIntent: frozenset(
        {
            MessageSubscriptionIntent.CREATED,
            MessageSubscriptionIntent.CORRELATING,
            MessageSubscriptionIntent.CORRELATED,
            MessageSubscriptionIntent.REJECTED,
            MessageSubscriptionIntent.DELETED,
            MessageSubscriptionIntent.MIGRATED,
        }
    ),
    ProcessMessageSubscriptionIntent: frozenset(
        {
            ProcessMessageSubscriptionIntent.CREATING,
            ProcessMessageSubscriptionIntent.CREATED,
            ProcessMessageSubscriptionIntent.CORRELATED,
            ProcessMessageSubscriptionIntent.DELETING,
            ProcessMessageSubscriptionIntent.DELETED,
            ProcessMessageSubscriptionIntent.MIGRATED,
        }
    ),
    MessageStartEventSubscriptionIntent: _all(MessageStartEventSubscriptionIntent),
    MessageCorrelationIntent: _all_but(MessageCorrelationIntent.CORRELATE),
    MessageBatchIntent: frozenset(),
    TimerIntent: frozenset(
        {
            TimerIntent.CREATED,
            TimerIntent.TRIGGERED,
            TimerIntent.CANCELED,
            TimerIntent.MIGRATED,
        }
    ),
    SignalIntent: frozenset({SignalIntent.BROADCASTED}),
    SignalSubscriptionIntent: _all(SignalSubscriptionIntent),
    ErrorIntent: _all(ErrorIntent),
    EscalationIntent: _all(EscalationIntent),
    DecisionIntent: _all(DecisionIntent),
    DecisionRequirementsIntent: _all(DecisionRequirementsIntent),
    DecisionEvaluationIntent: _all_but(DecisionEvaluationIntent.EVALUATE),
    FormIntent: _all(FormIntent),
    UserTaskIntent: _all_but(
        UserTaskIntent.COMPLETE,
        UserTaskIntent.ASSIGN,
        UserTaskIntent.CLAIM,
        UserTaskIntent.UPDATE,
        UserTaskIntent.COMPLETE_TASK_LISTENER,
        UserTaskIntent.DENY_TASK_LISTENER,
        UserTaskIntent.CREATE,
        UserTaskIntent.CANCEL,
    ),
    ResourceDeletionIntent: _all_but(ResourceDeletionIntent.DELETE),
    CommandDistributionIntent: _all_but(
        CommandDistributionIntent.ACKNOWLEDGE,
        CommandDistributionIntent.FINISH,
        CommandDistributionIntent.CONTINUE,
    ),
    DeploymentDistributionIntent: _all_but(DeploymentDistributionIntent.COMPLETE),
    CompensationSubscriptionIntent: _all(CompensationSubscriptionIntent),
    ProcessEventIntent: _all(ProcessEventIntent),
    ClockIntent: frozenset({ClockIntent.PINNED, ClockIntent.RESETTED}),
    UserIntent: frozenset(
        {UserIntent.CREATED, UserIntent.UPDATED, UserIntent.DELETED, UserIntent.INITIAL_ADMIN_CREATED}
    ),
    GroupIntent: _all_but(
        GroupIntent.CREATE,
        GroupIntent.UPDATE,
        GroupIntent.DELETE,
        GroupIntent.ADD_ENTITY,
        GroupIntent.REMOVE_ENTITY,
    ),
    RoleIntent: _all_but(
        RoleIntent.CREATE,
        RoleIntent.UPDATE,
        RoleIntent.DELETE,
        RoleIntent.ADD_ENTITY,
        RoleIntent.REMOVE_ENTITY,
    ),
    TenantIntent: _all_but(
        TenantIntent.CREATE,
        TenantIntent.UPDATE,
        TenantIntent.DELETE,
        TenantIntent.ADD_ENTITY,
        TenantIntent.REMOVE_ENTITY,
    ),
    MappingRuleIntent: frozenset(
        {MappingRuleIntent.CREATED, MappingRuleIntent.UPDATED, MappingRuleIntent.DELETED}
    ),
    AuthorizationIntent: frozenset(
        {AuthorizationIntent.CREATED, AuthorizationIntent.UPDATED, AuthorizationIntent.DELETED}
    ),
    AdHocSubProcessInstructionIntent: frozenset(
        {AdHocSubProcessInstructionIntent.ACTIVATED, AdHocSubProcessInstructionIntent.COMPLETED}
    ),
    BatchOperationIntent: frozenset(
        {
            BatchOperationIntent.CREATED,
            BatchOperationIntent.INITIALIZING,
            BatchOperationIntent.INITIALIZED,
            BatchOperationIntent.FAILED,
            BatchOperationIntent.CANCELED,
            BatchOperationIntent.SUSPENDED,
            BatchOperationIntent.RESUMED,
            BatchOperationIntent.COMPLETED,
            BatchOperationIntent.PARTITION_COMPLETED,
            BatchOperationIntent.PARTITION_FAILED,
        }
    ),
    BatchOperationChunkIntent: frozenset({BatchOperationChunkIntent.CREATED}),
    BatchOperationExecutionIntent: frozenset(
        {BatchOperationExecutionIntent.EXECUTING, BatchOperationExecutionIntent.EXECUTED}
    ),
}

EVENT_INTENTS: dict[ValueType, frozenset[int]] = {
    value_type: frozenset(int(intent) for intent in _EVENTS[intents])
    for value_type, intents in INTENTS.items()
}
"""Per value type, the codes of its event intents (Zeebe's ``isEvent()``)."""


def is_event(intent: IntEnum) -> bool:
    """Whether ``intent`` names an event (applied on replay) rather than a command."""
    return intent in _EVENTS[type(intent)]


def is_event_code(value_type: ValueType, code: int) -> bool:
    """Whether ``code`` is an event intent of ``value_type``; False for codes it does not define."""
    events = EVENT_INTENTS.get(value_type)
    return events is not None and code in events


def intent_of(value_type: ValueType, code: int) -> IntEnum:
    """The intent enum member with ``code`` for ``value_type``.

    Raises:
        KeyError: Strom has no intents for ``value_type``.
        ValueError: ``value_type`` defines no intent with ``code``.
    """
    return INTENTS[value_type](code)


def intent_name(value_type: ValueType, code: int) -> str:
    """Zeebe's name of the intent, or ``"UNKNOWN"`` as Zeebe renders a code it does not know."""
    intents = INTENTS.get(value_type)
    if intents is None:
        return UNKNOWN_INTENT_NAME
    try:
        return intents(code).name
    except ValueError:
        return UNKNOWN_INTENT_NAME


__all__ = [
    "EVENT_INTENTS",
    "INTENTS",
    "UNKNOWN_INTENT_NAME",
    "AdHocSubProcessInstructionIntent",
    "AuthorizationIntent",
    "BatchOperationChunkIntent",
    "BatchOperationExecutionIntent",
    "BatchOperationIntent",
    "ClockIntent",
    "CommandDistributionIntent",
    "CompensationSubscriptionIntent",
    "DecisionEvaluationIntent",
    "DecisionIntent",
    "DecisionRequirementsIntent",
    "DeploymentDistributionIntent",
    "DeploymentIntent",
    "ErrorIntent",
    "EscalationIntent",
    "FormIntent",
    "GroupIntent",
    "IncidentIntent",
    "JobBatchIntent",
    "JobIntent",
    "MappingRuleIntent",
    "MessageBatchIntent",
    "MessageCorrelationIntent",
    "MessageIntent",
    "MessageStartEventSubscriptionIntent",
    "MessageSubscriptionIntent",
    "ProcessEventIntent",
    "ProcessInstanceBatchIntent",
    "ProcessInstanceCreationIntent",
    "ProcessInstanceIntent",
    "ProcessInstanceMigrationIntent",
    "ProcessInstanceModificationIntent",
    "ProcessInstanceResultIntent",
    "ProcessIntent",
    "ProcessMessageSubscriptionIntent",
    "ResourceDeletionIntent",
    "RoleIntent",
    "SignalIntent",
    "SignalSubscriptionIntent",
    "TenantIntent",
    "TimerIntent",
    "UserIntent",
    "UserTaskIntent",
    "VariableDocumentIntent",
    "VariableIntent",
    "intent_name",
    "intent_of",
    "is_event",
    "is_event_code",
]
