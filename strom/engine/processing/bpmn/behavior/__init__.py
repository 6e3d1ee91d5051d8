"""Behaviors: logic shared by processors, composed into them (never inherited).

Built once per partition in ``Behaviors.build``; each processor takes what it needs in its
``__init__`` so its dependencies show at the top. Writers come per call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from strom.engine.job_streams import JobStreams
from strom.engine.processing.bpmn.behavior.call_activity import CallActivityBehavior
from strom.engine.processing.bpmn.behavior.event_subscription import EventSubscriptionBehavior
from strom.engine.processing.bpmn.behavior.execution_listener import ExecutionListenerBehavior
from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.incident import IncidentBehavior
from strom.engine.processing.bpmn.behavior.job import JobActivationBehavior, JobBehavior
from strom.engine.processing.bpmn.behavior.multi_instance import MultiInstanceBehavior
from strom.engine.processing.bpmn.behavior.state_transition import StateTransitionBehavior
from strom.engine.processing.bpmn.behavior.variable import VariableBehavior
from strom.engine.processing.bpmn.behavior.variable_mapping import VariableMappingBehavior
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
    event_subscriptions: EventSubscriptionBehavior
    execution_listeners: ExecutionListenerBehavior
    multi_instance: MultiInstanceBehavior
    call_activities: CallActivityBehavior

    @staticmethod
    def build(
        state: ProcessingState,
        keys: KeyGenerator,
        job_streams: JobStreams,
        on_job_deadline: Callable[[int], None],
    ) -> Behaviors:
        expressions = ExpressionBehavior(state.variables)
        variables = VariableBehavior(state.variables, keys)
        incidents = IncidentBehavior(state.incidents, keys)
        activation = JobActivationBehavior(state.variables, keys, job_streams, on_job_deadline)
        jobs = JobBehavior(state.jobs, keys, expressions, incidents, activation)
        transitions = StateTransitionBehavior(state.element_instances, state.processes, keys)
        return Behaviors(
            expressions=expressions,
            variables=variables,
            variable_mappings=VariableMappingBehavior(state.variables, variables),
            incidents=incidents,
            job_activation=activation,
            jobs=jobs,
            state_transitions=transitions,
            event_subscriptions=EventSubscriptionBehavior(),
            execution_listeners=ExecutionListenerBehavior(jobs),
            multi_instance=MultiInstanceBehavior(
                state.element_instances, state.variables, expressions, variables
            ),
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


__all__ = ["Behaviors", "Failure"]
