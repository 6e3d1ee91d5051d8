"""Command processors: the one place mapping (value type, intent) to the processor of a command.

Each processor takes what it needs from the state and the behaviors in its constructor and gets
the writers per call. ``Processors.register`` lets engine extensions (messages, timers, …) add
their processors next to these.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from strom.engine.processing.ad_hoc_sub_process_instruction import register as register_ad_hoc_instructions
from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.bpmn_processor import BpmnProcessor
from strom.engine.processing.bpmn.container.ad_hoc_activities import AdHocActivities
from strom.engine.processing.bpmn.container.ad_hoc_inner_instance import AdHocInnerInstanceProcessor
from strom.engine.processing.bpmn.container.ad_hoc_sub_process import AdHocSubProcessProcessor
from strom.engine.processing.bpmn.container.call_activity import CallActivityProcessor
from strom.engine.processing.bpmn.container.event_sub_process import EventSubProcessProcessor
from strom.engine.processing.bpmn.container.multi_instance import MultiInstanceBodyProcessor
from strom.engine.processing.bpmn.container.process import ProcessProcessor
from strom.engine.processing.bpmn.container.sub_process import SubProcessProcessor
from strom.engine.processing.bpmn.event.boundary_event import BoundaryEventProcessor
from strom.engine.processing.bpmn.event.end_event import EndEventProcessor
from strom.engine.processing.bpmn.event.intermediate_catch_event import IntermediateCatchEventProcessor
from strom.engine.processing.bpmn.event.intermediate_throw_event import IntermediateThrowEventProcessor
from strom.engine.processing.bpmn.event.start_event import StartEventProcessor
from strom.engine.processing.bpmn.gateway.conditional_gateway import ConditionalGatewayProcessor
from strom.engine.processing.bpmn.gateway.event_based_gateway import EventBasedGatewayProcessor
from strom.engine.processing.bpmn.gateway.parallel_gateway import ParallelGatewayProcessor
from strom.engine.processing.bpmn.task.business_rule_task import BusinessRuleTaskProcessor
from strom.engine.processing.bpmn.task.job_worker_task import JobWorkerTaskProcessor
from strom.engine.processing.bpmn.task.pass_through import PassThroughProcessor
from strom.engine.processing.bpmn.task.receive_task import ReceiveTaskProcessor
from strom.engine.processing.bpmn.task.script_task import ScriptTaskProcessor
from strom.engine.processing.bpmn.task.user_task import UserTaskProcessor
from strom.engine.processing.decision_evaluation.evaluate import DecisionEvaluationEvaluateProcessor
from strom.engine.processing.deployment.create import DeploymentCreateProcessor
from strom.engine.processing.distribution.acknowledge import CommandDistributionAcknowledgeProcessor
from strom.engine.processing.identity import register as register_identity
from strom.engine.processing.incident.resolve import IncidentResolveProcessor
from strom.engine.processing.job.complete import JobCompleteProcessor
from strom.engine.processing.job.fail import JobFailProcessor
from strom.engine.processing.job.recur_after_backoff import JobRecurAfterBackoffProcessor
from strom.engine.processing.job.throw_error import JobThrowErrorProcessor
from strom.engine.processing.job.time_out import JobTimeOutProcessor
from strom.engine.processing.job.update_retries import JobUpdateRetriesProcessor
from strom.engine.processing.job.update_timeout import JobUpdateTimeoutProcessor
from strom.engine.processing.job.yield_ import JobYieldProcessor
from strom.engine.processing.job_batch.activate import JobBatchActivateProcessor
from strom.engine.processing.message.correlate import MessageCorrelateProcessor
from strom.engine.processing.message.expire import MessageBatchExpireProcessor, MessageExpireProcessor
from strom.engine.processing.message.publish import MessagePublishProcessor
from strom.engine.processing.message_subscription.correlate import MessageSubscriptionCorrelateProcessor
from strom.engine.processing.message_subscription.create import MessageSubscriptionCreateProcessor
from strom.engine.processing.message_subscription.delete import MessageSubscriptionDeleteProcessor
from strom.engine.processing.message_subscription.migrate import MessageSubscriptionMigrateProcessor
from strom.engine.processing.message_subscription.reject import MessageSubscriptionRejectProcessor
from strom.engine.processing.process_instance.cancel import ProcessInstanceCancelProcessor
from strom.engine.processing.process_instance_batch.activate import ProcessInstanceBatchActivateProcessor
from strom.engine.processing.process_instance_creation.create import ProcessInstanceCreateProcessor
from strom.engine.processing.process_instance_migration.migrate import (
    ProcessInstanceMigrationMigrateProcessor,
)
from strom.engine.processing.process_instance_modification.modify import (
    ProcessInstanceModificationModifyProcessor,
)
from strom.engine.processing.process_message_subscription.correlate import (
    ProcessMessageSubscriptionCorrelateProcessor,
)
from strom.engine.processing.process_message_subscription.create import (
    ProcessMessageSubscriptionCreateProcessor,
)
from strom.engine.processing.process_message_subscription.delete import (
    ProcessMessageSubscriptionDeleteProcessor,
)
from strom.engine.processing.resource_deletion.delete import ResourceDeletionDeleteProcessor
from strom.engine.processing.signal.broadcast import SignalBroadcastProcessor
from strom.engine.processing.timer.trigger import TimerTriggerProcessor
from strom.engine.processing.user_task.assign import UserTaskAssignProcessor
from strom.engine.processing.user_task.claim import UserTaskClaimProcessor
from strom.engine.processing.user_task.complete import UserTaskCompleteProcessor
from strom.engine.processing.user_task.complete_task_listener import (
    UserTaskCompleteTaskListenerProcessor,
)
from strom.engine.processing.user_task.deny_task_listener import UserTaskDenyTaskListenerProcessor
from strom.engine.processing.user_task.update import UserTaskUpdateProcessor
from strom.engine.processing.variable_document.update import VariableDocumentUpdateProcessor
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.bpmn import BpmnElementType as E
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    CommandDistributionIntent,
    DecisionEvaluationIntent,
    DeploymentIntent,
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    MessageBatchIntent,
    MessageCorrelationIntent,
    MessageIntent,
    MessageSubscriptionIntent,
    ProcessInstanceBatchIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessInstanceModificationIntent,
    ProcessMessageSubscriptionIntent,
    ResourceDeletionIntent,
    SignalIntent,
    TimerIntent,
    UserTaskIntent,
    VariableDocumentIntent,
)
from strom.protocol.record import Record
from strom.stream.key_generator import KeyGenerator


class CommandProcessor(Protocol):
    def process(self, command: Record[Any], writers: Writers) -> None: ...


class Processors:
    """The dispatch table, indexed by ``value_type << 8 | intent``."""

    def __init__(self) -> None:
        self._table: dict[int, CommandProcessor] = {}

    def register(self, value_type: ValueType, intent: int, processor: CommandProcessor) -> None:
        self._table[value_type << 8 | intent] = processor

    def get(self, value_type: ValueType, intent: int) -> CommandProcessor | None:
        return self._table.get(value_type << 8 | intent)

    @property
    def table(self) -> dict[int, CommandProcessor]:
        return self._table


def build_processors(
    state: ProcessingState,
    behaviors: Behaviors,
    keys: KeyGenerator,
    on_job_deadline: Callable[[int], None],
    on_job_backoff: Callable[[int], None],
    *,
    on_message_deadline: Callable[[int], None] | None = None,
) -> tuple[Processors, BpmnProcessor]:
    processors = Processors()
    ad_hoc = AdHocActivities(state, behaviors, keys)
    bpmn = BpmnProcessor(state, behaviors, keys, _element_processors(state, behaviors, keys, ad_hoc))
    for intent in (
        ProcessInstanceIntent.ACTIVATE_ELEMENT,
        ProcessInstanceIntent.COMPLETE_ELEMENT,
        ProcessInstanceIntent.TERMINATE_ELEMENT,
        ProcessInstanceIntent.COMPLETE_EXECUTION_LISTENER,
        ProcessInstanceIntent.CONTINUE_TERMINATING_ELEMENT,
    ):
        processors.register(ValueType.PROCESS_INSTANCE, intent, bpmn)
    processors.register(
        ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL, ProcessInstanceCancelProcessor(state)
    )
    creation = ProcessInstanceCreateProcessor(state, behaviors, keys)
    processors.register(ValueType.PROCESS_INSTANCE_CREATION, ProcessInstanceCreationIntent.CREATE, creation)
    processors.register(
        ValueType.PROCESS_INSTANCE_CREATION,
        ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
        creation,
    )
    processors.register(
        ValueType.DEPLOYMENT,
        DeploymentIntent.CREATE,
        DeploymentCreateProcessor(state, keys, behaviors.start_events, behaviors.distribution),
    )
    processors.register(
        ValueType.COMMAND_DISTRIBUTION,
        CommandDistributionIntent.ACKNOWLEDGE,
        CommandDistributionAcknowledgeProcessor(state),
    )
    job = ValueType.JOB
    processors.register(job, JobIntent.COMPLETE, JobCompleteProcessor(state, behaviors))
    processors.register(job, JobIntent.FAIL, JobFailProcessor(state, behaviors, on_job_backoff))
    processors.register(job, JobIntent.THROW_ERROR, JobThrowErrorProcessor(state, behaviors))
    processors.register(job, JobIntent.UPDATE_RETRIES, JobUpdateRetriesProcessor(state))
    processors.register(job, JobIntent.UPDATE_TIMEOUT, JobUpdateTimeoutProcessor(state, on_job_deadline))
    processors.register(job, JobIntent.TIME_OUT, JobTimeOutProcessor(state, behaviors))
    processors.register(job, JobIntent.RECUR_AFTER_BACKOFF, JobRecurAfterBackoffProcessor(state, behaviors))
    processors.register(job, JobIntent.YIELD, JobYieldProcessor(state, behaviors))
    processors.register(
        ValueType.JOB_BATCH,
        JobBatchIntent.ACTIVATE,
        JobBatchActivateProcessor(state, behaviors, keys, on_job_deadline),
    )
    processors.register(
        ValueType.VARIABLE_DOCUMENT,
        VariableDocumentIntent.UPDATE,
        VariableDocumentUpdateProcessor(state, behaviors, keys),
    )
    processors.register(
        ValueType.INCIDENT, IncidentIntent.RESOLVE, IncidentResolveProcessor(state, behaviors)
    )
    processors.register(
        ValueType.RESOURCE_DELETION,
        ResourceDeletionIntent.DELETE,
        ResourceDeletionDeleteProcessor(state, behaviors, keys),
    )
    processors.register(
        ValueType.PROCESS_INSTANCE_MODIFICATION,
        ProcessInstanceModificationIntent.MODIFY,
        ProcessInstanceModificationModifyProcessor(state, behaviors),
    )
    processors.register(
        ValueType.PROCESS_INSTANCE_MIGRATION,
        ProcessInstanceMigrationIntent.MIGRATE,
        ProcessInstanceMigrationMigrateProcessor(state, behaviors),
    )
    user_task = ValueType.USER_TASK
    processors.register(user_task, UserTaskIntent.COMPLETE, UserTaskCompleteProcessor(state, behaviors))
    processors.register(user_task, UserTaskIntent.ASSIGN, UserTaskAssignProcessor(state, behaviors))
    processors.register(
        user_task,
        UserTaskIntent.COMPLETE_TASK_LISTENER,
        UserTaskCompleteTaskListenerProcessor(state, behaviors),
    )
    processors.register(
        user_task, UserTaskIntent.DENY_TASK_LISTENER, UserTaskDenyTaskListenerProcessor(state)
    )
    processors.register(user_task, UserTaskIntent.CLAIM, UserTaskClaimProcessor(state, behaviors))
    processors.register(user_task, UserTaskIntent.UPDATE, UserTaskUpdateProcessor(state, behaviors))
    processors.register(
        ValueType.DECISION_EVALUATION,
        DecisionEvaluationIntent.EVALUATE,
        DecisionEvaluationEvaluateProcessor(behaviors),
    )
    processors.register(
        ValueType.PROCESS_INSTANCE_BATCH,
        ProcessInstanceBatchIntent.ACTIVATE,
        ProcessInstanceBatchActivateProcessor(state, keys),
    )
    _register_event_processors(processors, state, behaviors, keys, on_message_deadline or _ignore_due_date)
    register_identity(processors, state, behaviors, keys)
    register_ad_hoc_instructions(processors, state, behaviors, ad_hoc)
    return processors, bpmn


def _ignore_due_date(due_date: int) -> None:
    """Without a TTL checker (tools, tests of parts) nobody waits for message deadlines."""


def _register_event_processors(
    processors: Processors,
    state: ProcessingState,
    behaviors: Behaviors,
    keys: KeyGenerator,
    on_message_deadline: Callable[[int], None],
) -> None:
    """Messages, their subscriptions on both sides, timers and signals."""
    message = ValueType.MESSAGE
    processors.register(
        message, MessageIntent.PUBLISH, MessagePublishProcessor(state, behaviors, keys, on_message_deadline)
    )
    processors.register(
        ValueType.MESSAGE_CORRELATION,
        MessageCorrelationIntent.CORRELATE,
        MessageCorrelateProcessor(state, behaviors, keys),
    )
    processors.register(message, MessageIntent.EXPIRE, MessageExpireProcessor(state))
    processors.register(
        ValueType.MESSAGE_BATCH, MessageBatchIntent.EXPIRE, MessageBatchExpireProcessor(state)
    )
    ms = ValueType.MESSAGE_SUBSCRIPTION
    processors.register(
        ms, MessageSubscriptionIntent.CREATE, MessageSubscriptionCreateProcessor(state, behaviors, keys)
    )
    processors.register(
        ms, MessageSubscriptionIntent.CORRELATE, MessageSubscriptionCorrelateProcessor(state, behaviors)
    )
    processors.register(
        ms, MessageSubscriptionIntent.DELETE, MessageSubscriptionDeleteProcessor(state, behaviors)
    )
    processors.register(ms, MessageSubscriptionIntent.REJECT, MessageSubscriptionRejectProcessor(behaviors))
    processors.register(ms, MessageSubscriptionIntent.MIGRATE, MessageSubscriptionMigrateProcessor(state))
    pms = ValueType.PROCESS_MESSAGE_SUBSCRIPTION
    processors.register(
        pms, ProcessMessageSubscriptionIntent.CREATE, ProcessMessageSubscriptionCreateProcessor(state)
    )
    processors.register(
        pms,
        ProcessMessageSubscriptionIntent.CORRELATE,
        ProcessMessageSubscriptionCorrelateProcessor(state, behaviors),
    )
    processors.register(
        pms, ProcessMessageSubscriptionIntent.DELETE, ProcessMessageSubscriptionDeleteProcessor(state)
    )
    processors.register(ValueType.TIMER, TimerIntent.TRIGGER, TimerTriggerProcessor(state, behaviors, keys))
    processors.register(
        ValueType.SIGNAL, SignalIntent.BROADCAST, SignalBroadcastProcessor(state, behaviors, keys)
    )


def _element_processors(
    state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator, ad_hoc: AdHocActivities
) -> dict[E, Any]:
    pass_through = PassThroughProcessor(behaviors)
    job_worker = JobWorkerTaskProcessor(state, behaviors)
    return {
        E.PROCESS: ProcessProcessor(state, behaviors),
        E.SUB_PROCESS: SubProcessProcessor(state, behaviors),
        E.AD_HOC_SUB_PROCESS: AdHocSubProcessProcessor(state, behaviors, ad_hoc),
        E.AD_HOC_SUB_PROCESS_INNER_INSTANCE: AdHocInnerInstanceProcessor(state, behaviors, ad_hoc),
        E.CALL_ACTIVITY: CallActivityProcessor(state, behaviors),
        E.MULTI_INSTANCE_BODY: MultiInstanceBodyProcessor(state, behaviors, keys),
        E.EXCLUSIVE_GATEWAY: ConditionalGatewayProcessor(behaviors, first_only=True),
        E.PARALLEL_GATEWAY: ParallelGatewayProcessor(behaviors),
        E.INCLUSIVE_GATEWAY: ConditionalGatewayProcessor(behaviors, first_only=False),
        E.START_EVENT: StartEventProcessor(behaviors),
        E.END_EVENT: EndEventProcessor(state, behaviors),
        E.INTERMEDIATE_THROW_EVENT: IntermediateThrowEventProcessor(behaviors),
        E.INTERMEDIATE_CATCH_EVENT: IntermediateCatchEventProcessor(behaviors),
        E.BOUNDARY_EVENT: BoundaryEventProcessor(behaviors),
        E.RECEIVE_TASK: ReceiveTaskProcessor(behaviors),
        E.EVENT_BASED_GATEWAY: EventBasedGatewayProcessor(behaviors),
        E.EVENT_SUB_PROCESS: EventSubProcessProcessor(state, behaviors),
        E.TASK: pass_through,
        E.MANUAL_TASK: pass_through,
        E.SERVICE_TASK: job_worker,
        E.SEND_TASK: job_worker,
        E.SCRIPT_TASK: ScriptTaskProcessor(state, behaviors),
        E.BUSINESS_RULE_TASK: BusinessRuleTaskProcessor(state, behaviors),
        E.USER_TASK: UserTaskProcessor(state, behaviors),
    }
