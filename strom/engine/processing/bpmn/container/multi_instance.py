"""Multi-instance body (``MULTI_INSTANCE_BODY``): runs its activity once per item of the input
collection, one after another (sequential) or all at once (parallel, created through
PROCESS_INSTANCE_BATCH ACTIVATE commands as in Zeebe), and completes when every instance is done
or the completion condition holds (the instances still active are then terminated). Boundary
events and the outgoing flows belong to the body; the output collection is its local variable,
handed to its flow scope when it completes. See ``MultiInstanceBehavior`` for the variables.
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.variable_mapping import owner_of
from strom.engine.processing.bpmn.container._children import terminate_children
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.model import MultiInstance
from strom.protocol.intents import ProcessInstanceBatchIntent
from strom.protocol.values.process_instance import ProcessInstanceBatchRecordValue
from strom.stream.key_generator import KeyGenerator


class MultiInstanceBodyProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._instances = state.element_instances
        self._variables = state.variables
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._incidents = behaviors.incidents
        self._events = behaviors.event_subscriptions
        self._jobs = behaviors.jobs
        self._multi = behaviors.multi_instance
        self._variable_behavior = behaviors.variables
        self._keys = keys

    @staticmethod
    def _loop(context: ElementContext) -> MultiInstance:
        loop = context.element.multi_instance
        assert loop is not None  # only multi-instance activities are entered as a body
        return loop

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return None

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        loop = self._loop(context)
        collection = self._multi.input_collection(loop, context.key)
        if isinstance(collection, Failure):
            return collection
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        self._transitions.activated(writers, context)
        self._multi.initialize_output_collection(writers, context, len(collection))
        if not collection:
            self._transitions.complete_element(writers, context)
        elif loop.is_sequential:
            self._transitions.activate_element(writers, context, context.element, inner=True)
        else:
            writers.append_command(
                self._keys.next_key(),
                ProcessInstanceBatchIntent.ACTIVATE,
                ProcessInstanceBatchRecordValue(
                    process_instance_key=context.process_instance_key,
                    batch_element_instance_key=context.key,
                    index=len(collection),
                    tenant_id=context.value.tenant_id,
                ),
            )
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        # closed before the output collection is handed over, so finalize_completion finds none
        self._events.unsubscribe(writers, context)
        name = self._loop(context).output_collection
        if name:
            stored = self._variables.get_local(context.key, name)
            if stored is not None:
                scope = context.flow_scope_key if context.flow_scope_key > 0 else context.key
                self._variable_behavior.merge_propagate(
                    writers, scope, {name: stored.value}, owner_of(context)
                )
        return None

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._leaving.leave_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        instance = self._instances.get(context.key)
        if instance is not None and instance.job_key > 0:
            self._jobs.cancel(writers, instance.job_key)  # an execution listener's job
        self._events.unsubscribe(writers, context)
        if not terminate_children(self._instances, self._transitions, writers, context):
            self._terminated(writers, context)

    def _terminated(self, writers: Writers, context: ElementContext) -> None:
        """Unlike other scopes, the body's incident is resolved once its last instance ended."""
        self._incidents.resolve_for_element(writers, context.key)
        self._transitions.end_terminated(writers, context)

    def on_child_completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        instance = self._instances.get(scope.key)
        satisfied = self._multi.completion_condition_met(child.key)
        if instance is None:
            return
        if instance.is_terminating:
            if instance.active_children == 0:
                self._terminated(writers, scope)
            return
        if not instance.is_active:
            return
        loop = self._loop(scope)
        if satisfied:
            if (
                not terminate_children(self._instances, self._transitions, writers, scope)
                or loop.is_sequential
            ):
                self._transitions.complete_element(writers, scope)
            return
        collection = self._multi.input_collection(loop, scope.key)
        if isinstance(collection, Failure):
            self._incidents.raise_for_element(writers, collection, scope)
            return
        if loop.is_sequential and instance.activated_children < len(collection):
            self._transitions.activate_element(writers, scope, scope.element, inner=True)
            return
        done = instance.completed_children + instance.terminated_children
        if instance.active_children == 0 and done >= len(collection):
            self._transitions.complete_element(writers, scope)

    def on_child_terminated(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        instance = self._instances.get(scope.key)
        if instance is None:
            return
        if instance.is_terminating:
            if instance.active_children == 0:
                self._terminated(writers, scope)
        elif instance.is_active and instance.active_children == 0:
            # the completion condition held and the remaining instances are terminated now
            self._transitions.complete_element(writers, scope)
