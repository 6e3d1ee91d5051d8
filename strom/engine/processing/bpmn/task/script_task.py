"""Script task: a FEEL script (``zeebe:script``) evaluated by the engine, its result stored in the
result variable; without one, a job worker does the work (``zeebe:taskDefinition``).

The result is set when the task activates: as the task's local variable when it has output
mappings (they read it), otherwise merged upward from the task's scope (the nearest scope that has
the variable, else the process instance). A failing script is an incident on the activating task.
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.variable_mapping import owner_of
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.bpmn.task.job_worker_task import JobWorkerTaskProcessor
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState


class ScriptTaskProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._instances = state.element_instances
        self._job_worker = JobWorkerTaskProcessor(state, behaviors)
        self._transitions = behaviors.state_transitions
        self._mappings = behaviors.variable_mappings
        self._expressions = behaviors.expressions
        self._variables = behaviors.variables
        self._incidents = behaviors.incidents
        self._events = behaviors.event_subscriptions
        self._jobs = behaviors.jobs

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        if context.element.script is None:
            return self._job_worker.on_activate(writers, context)
        return self._mappings.apply_inputs(writers, context)

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        script = context.element.script
        if script is None:
            return self._job_worker.finalize_activation(writers, context)
        result = self._expressions.evaluate(script.expression, context.key)
        if isinstance(result, Failure):
            return result
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        document = {script.result_variable: result}
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
