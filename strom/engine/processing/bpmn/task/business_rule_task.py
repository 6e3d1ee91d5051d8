"""Business rule task: evaluates a deployed decision (``zeebe:calledDecision``) and stores its
output in the result variable; without one, a job worker does the work.

The evaluation writes DECISION_EVALUATION EVALUATED with every decision evaluated on the way. A
missing decision is a CALLED_DECISION_ERROR incident; a failed evaluation writes
DECISION_EVALUATION FAILED and raises a DECISION_EVALUATION_ERROR incident; resolving either
evaluates again. The result variable is set like a script task's.
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.variable_mapping import owner_of
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.bpmn.task.job_worker_task import JobWorkerTaskProcessor
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.values.enums import ErrorType


class BusinessRuleTaskProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._variable_state = state.variables
        self._job_worker = JobWorkerTaskProcessor(state, behaviors)
        self._transitions = behaviors.state_transitions
        self._mappings = behaviors.variable_mappings
        self._expressions = behaviors.expressions
        self._variables = behaviors.variables
        self._decisions = behaviors.decisions
        self._events = behaviors.event_subscriptions

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        if context.element.called_decision is None:
            return self._job_worker.on_activate(writers, context)
        return self._mappings.apply_inputs(writers, context)

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        called = context.element.called_decision
        if called is None:
            return self._job_worker.finalize_activation(writers, context)
        decision_id = self._expressions.evaluate_string(called.decision_id, context.key, "decision id")
        if isinstance(decision_id, Failure):
            return decision_id
        decision = self._decisions.find(
            context.value.tenant_id,
            decision_id,
            called.binding_type,
            called.version_tag,
            context.process.record.deployment_key,
        )
        if isinstance(decision, Failure):
            decision.scope_key = context.key
            return decision
        value = context.value
        key, intent, record, result = self._decisions.evaluate(
            decision,
            self._variable_state.visible_values(context.key),
            bpmn_process_id=value.bpmn_process_id,
            process_definition_key=value.process_definition_key,
            process_instance_key=value.process_instance_key,
            element_id=value.element_id,
            element_instance_key=context.key,
        )
        writers.append_event(key, intent, record)
        if result is None or result.failure is not None:
            return Failure(
                record.evaluation_failure_message, ErrorType.DECISION_EVALUATION_ERROR, context.key
            )
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        document = {called.result_variable: result.output}
        if context.element.io_mappings.outputs:
            self._variables.merge_local(writers, context.key, document, owner_of(context))
        else:
            self._variables.merge_propagate(writers, context.key, document, owner_of(context))
        self._transitions.activated(writers, context)
        self._transitions.complete_element(writers, context)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._job_worker.finalize_completion(writers, context)

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        self._job_worker.on_terminate(writers, context)
