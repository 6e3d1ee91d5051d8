"""Behaviors: logic shared by processors, composed into them (never inherited).

Built once per partition in ``Behaviors.build``; each processor takes what it needs in its
``__init__`` so its dependencies show at the top. Writers come per call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from strom.engine.job_streams import JobStreams
from strom.engine.processing.bpmn.behavior.event_subscription import EventSubscriptionBehavior
from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.incident import IncidentBehavior
from strom.engine.processing.bpmn.behavior.job import JobActivationBehavior, JobBehavior
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
        return Behaviors(
            expressions=expressions,
            variables=variables,
            variable_mappings=VariableMappingBehavior(state.variables, variables),
            incidents=incidents,
            job_activation=activation,
            jobs=JobBehavior(state.jobs, keys, expressions, incidents, activation),
            state_transitions=StateTransitionBehavior(state.element_instances, state.processes, keys),
            event_subscriptions=EventSubscriptionBehavior(),
        )


__all__ = ["Behaviors", "Failure"]
