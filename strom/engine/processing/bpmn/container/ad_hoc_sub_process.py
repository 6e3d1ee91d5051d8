"""Ad-hoc subprocess (``bpmn:adHocSubProcess`` with ``zeebe:adHoc``): a scope whose inner elements
are not started by a start event but activated by name, each in its own inner instance.

On activation (after the input mappings) it evaluates ``activeElementsCollection`` — a FEEL list
of element ids; only elements without incoming sequence flows may be named — and activates each
(see ``AdHocActivities``). Each time an inner instance completes, the output element is appended
to the output collection and the completion condition is evaluated: without one, the subprocess
completes when nothing is left running in it; once it holds, it completes, terminating the inner
instances still running first unless ``cancelRemainingInstances="false"``. Boundary events, event
subprocesses, execution listeners and termination work as for an embedded subprocess. As Zeebe
8.8's ``AdHocSubProcessProcessor``, BPMN implementation type.

With a ``zeebe:taskDefinition`` (Zeebe's JOB_WORKER implementation type) a job worker chooses
instead: the subprocess creates a job of kind ``AD_HOC_SUB_PROCESS`` when it activates (no
``activeElementsCollection``, no completion condition expression) and again after each inner flow;
see ``AdHocActivities``.
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.variable_mapping import owner_of
from strom.engine.processing.bpmn.container._children import ScopeChildren
from strom.engine.processing.bpmn.container.ad_hoc_activities import AdHocActivities, ad_hoc_of
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.values.enums import JobKind


class AdHocSubProcessProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, activities: AdHocActivities) -> None:
        self._variables = state.variables
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._children = ScopeChildren(state.element_instances, behaviors.state_transitions)
        self._mappings = behaviors.variable_mappings
        self._variable_behavior = behaviors.variables
        self._events = behaviors.event_subscriptions
        self._jobs = behaviors.jobs
        self._activities = activities

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._activities.initialize_variables(writers, context)
        return self._mappings.apply_inputs(writers, context)

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        definition = context.element.job
        if definition is not None:
            # a job worker chooses the elements: no activeElementsCollection (Zeebe's JOB_WORKER type)
            job = self._jobs.prepare(
                context, definition, context.element.task_headers, JobKind.AD_HOC_SUB_PROCESS
            )
            if isinstance(job, Failure):
                return job
            failure = self._events.subscribe(writers, context)
            if failure is not None:
                return failure
            self._jobs.write(writers, job)
            self._transitions.activated(writers, context)
            return None
        elements = self._activities.elements_to_activate(context)
        if isinstance(elements, Failure):
            return elements
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        self._transitions.activated(writers, context)
        for element_id in elements:
            self._activities.activate(writers, context, element_id)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        name = ad_hoc_of(context).output_collection
        if name:
            # handed to the enclosing scope like a multi-instance output collection
            stored = self._variables.get_local(context.key, name)
            if stored is not None:
                scope = context.flow_scope_key if context.flow_scope_key > 0 else context.key
                self._variable_behavior.merge_propagate(
                    writers, scope, {name: stored.value}, owner_of(context)
                )
        return self._mappings.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._leaving.leave_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        # cancels a listener's or the job worker's job
        self._leaving.leave_terminated(writers, context, held_by=self._children.terminate)

    def on_child_completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        if child.value.bpmn_element_type is BpmnElementType.AD_HOC_SUB_PROCESS_INNER_INSTANCE:
            self._activities.after_inner_completed(writers, scope, child)
        else:  # an event subprocess of the ad-hoc subprocess ended
            self._children.completed(writers, scope, child)

    def on_child_terminated(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        # terminating: it ends with its last child; active: the completion condition held and the
        # remaining inner instances are gone now, so it completes (Zeebe's onChildTerminated)
        self._children.terminated(writers, scope)
