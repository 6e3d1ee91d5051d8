"""Behaviors: logic shared by processors, composed into them (never inherited).

Built once per partition in ``Behaviors.build``; each processor takes what it needs in its
``__init__`` so its dependencies show at the top. Writers come per call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from strom.engine.job_streams import JobStreams
from strom.engine.partitions import InterPartitionSender, SinglePartition
from strom.engine.processing.authorization import AuthorizationCheck
from strom.engine.processing.bpmn.behavior.call_activity import CallActivityBehavior
from strom.engine.processing.bpmn.behavior.compensation import CompensationBehavior
from strom.engine.processing.bpmn.behavior.conditional import ConditionalBehavior
from strom.engine.processing.bpmn.behavior.decision import DecisionBehavior
from strom.engine.processing.bpmn.behavior.element_activation import ElementActivationBehavior
from strom.engine.processing.bpmn.behavior.event_lifecycle import EventLifecycle
from strom.engine.processing.bpmn.behavior.event_publication import EventPublicationBehavior
from strom.engine.processing.bpmn.behavior.event_subscription import EventSubscriptionBehavior
from strom.engine.processing.bpmn.behavior.event_trigger import EventTriggerBehavior
from strom.engine.processing.bpmn.behavior.execution_listener import ExecutionListenerBehavior
from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.incident import IncidentBehavior
from strom.engine.processing.bpmn.behavior.job import JobActivationBehavior, JobBehavior
from strom.engine.processing.bpmn.behavior.leaving import LeavingBehavior
from strom.engine.processing.bpmn.behavior.message_correlation import MessageCorrelationBehavior
from strom.engine.processing.bpmn.behavior.multi_instance import MultiInstanceBehavior
from strom.engine.processing.bpmn.behavior.signal import SignalBehavior
from strom.engine.processing.bpmn.behavior.start_event_subscriptions import StartEventSubscriptionBehavior
from strom.engine.processing.bpmn.behavior.state_transition import StateTransitionBehavior
from strom.engine.processing.bpmn.behavior.subscription_commands import SubscriptionCommands
from strom.engine.processing.bpmn.behavior.timer import TimerBehavior
from strom.engine.processing.bpmn.behavior.user_task import UserTaskBehavior
from strom.engine.processing.bpmn.behavior.variable import VariableBehavior
from strom.engine.processing.bpmn.behavior.variable_mapping import VariableMappingBehavior
from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.state import ProcessingState
from strom.stream.key_generator import KeyGenerator


@dataclass(frozen=True, slots=True)
class Behaviors:
    expressions: ExpressionBehavior
    variables: VariableBehavior
    variable_mappings: VariableMappingBehavior
    incidents: IncidentBehavior
    job_activation: JobActivationBehavior
    jobs: JobBehavior
    state_transitions: StateTransitionBehavior
    leaving: LeavingBehavior
    event_subscriptions: EventSubscriptionBehavior
    event_triggers: EventTriggerBehavior
    event_publication: EventPublicationBehavior
    compensation: CompensationBehavior
    signals: SignalBehavior
    timers: TimerBehavior
    subscription_commands: SubscriptionCommands
    message_correlation: MessageCorrelationBehavior
    start_events: StartEventSubscriptionBehavior
    execution_listeners: ExecutionListenerBehavior
    multi_instance: MultiInstanceBehavior
    call_activities: CallActivityBehavior
    decisions: DecisionBehavior
    user_tasks: UserTaskBehavior
    element_activation: ElementActivationBehavior
    distribution: CommandDistributionBehavior

    @staticmethod
    def build(
        state: ProcessingState,
        keys: KeyGenerator,
        job_streams: JobStreams,
        on_job_deadline: Callable[[int], None],
        *,
        on_timer_due: Callable[[int], None] | None = None,
        partition_id: int = 1,
        partition_count: int = 1,
        sender: InterPartitionSender | None = None,
        authorization: AuthorizationCheck | None = None,
    ) -> Behaviors:
        sender = sender if sender is not None else SinglePartition()
        authorization = authorization if authorization is not None else AuthorizationCheck(state.identity)
        expressions = ExpressionBehavior(state.variables)
        variables = VariableBehavior(state.variables, keys)
        incidents = IncidentBehavior(state.incidents, keys)
        activation = JobActivationBehavior(state.variables, keys, job_streams, on_job_deadline, authorization)
        jobs = JobBehavior(state.jobs, keys, expressions, incidents, activation)
        transitions = StateTransitionBehavior(
            state.element_instances, state.processes, keys, state.event_scopes
        )
        # events: subscriptions opened by activating elements, triggers, thrown errors and
        # escalations, compensation; the lifecycle hooks hand terminated activities and
        # interrupted scopes over to the events that caught something
        timers = TimerBehavior(expressions)
        commands = SubscriptionCommands(partition_id, partition_count, sender)
        triggers = EventTriggerBehavior(state, keys, transitions, variables)
        subscriptions = EventSubscriptionBehavior(
            state, keys, expressions, timers, commands, on_timer_due or _ignore_due_date
        )
        triggers.unsubscribe_event_subprocesses = subscriptions.unsubscribe_event_subprocesses
        compensation = CompensationBehavior(state, keys)
        correlation = MessageCorrelationBehavior(state, keys, triggers, commands)
        conditionals = ConditionalBehavior(state, expressions, triggers)
        variables.on_changed = conditionals.on_variable_changed
        transitions.events = EventLifecycle(triggers, compensation, state.messages, correlation, conditionals)
        return Behaviors(
            expressions=expressions,
            variables=variables,
            variable_mappings=VariableMappingBehavior(state.variables, variables),
            incidents=incidents,
            job_activation=activation,
            jobs=jobs,
            state_transitions=transitions,
            leaving=LeavingBehavior(state.element_instances, transitions, subscriptions, incidents, jobs),
            event_subscriptions=subscriptions,
            event_triggers=triggers,
            event_publication=EventPublicationBehavior(state, keys, triggers),
            compensation=compensation,
            signals=SignalBehavior(state.variables, expressions),
            timers=timers,
            subscription_commands=commands,
            message_correlation=correlation,
            start_events=StartEventSubscriptionBehavior(state, keys, timers, subscriptions),
            execution_listeners=ExecutionListenerBehavior(jobs),
            multi_instance=MultiInstanceBehavior(
                state.element_instances, state.variables, expressions, variables
            ),
            decisions=DecisionBehavior(state.decisions, keys),
            user_tasks=UserTaskBehavior(state.user_tasks, state.forms, expressions, keys),
            element_activation=ElementActivationBehavior(state.element_instances, keys, subscriptions),
            distribution=CommandDistributionBehavior(partition_id, partition_count, sender),
            call_activities=CallActivityBehavior(
                state.element_instances,
                state.processes,
                state.variables,
                expressions,
                variables,
                transitions,
                keys,
            ),
        )


def _ignore_due_date(due_date: int) -> None:
    """Without a timer checker (tools, tests of parts) nobody waits for due dates."""


__all__ = ["Behaviors", "Failure"]
