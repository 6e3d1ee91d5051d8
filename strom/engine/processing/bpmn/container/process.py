"""The process itself: starts at its none start event, completes when its last token ends.

A process called by a call activity reports its completion (with its variables) and its
termination to the call activity (see ``CallActivityBehavior``).
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.container._children import ScopeChildren
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RecordType
from strom.protocol.intents import ProcessInstanceResultIntent
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.process_instance import ProcessInstanceResultRecordValue


class ProcessProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._variables = state.variables
        self._awaits = state.await_results
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._children = ScopeChildren(state.element_instances, behaviors.state_transitions)
        self._events = behaviors.event_subscriptions
        self._calls = behaviors.call_activities
        self._triggers = behaviors.event_triggers

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return None

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        self._transitions.activated(writers, context)
        if self._triggers.activate_start_event(writers, context):
            return None  # started by a message, timer or signal: at that start event
        start = context.process.executable.none_start_event
        if start is not None:
            self._transitions.activate_element(writers, context, start)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._events.unsubscribe(writers, context)
        return None

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        awaited = self._awaits.get(context.key)
        result_variables = None
        if awaited is not None:
            result_variables = self._variables.visible_values(context.key, awaited.fetch_variables or None)
        called = context.value.parent_element_instance_key > 0
        child_variables = self._calls.child_variables(context) if called else {}
        self._transitions.completed(writers, context)
        if awaited is not None:
            value = context.value
            result_class = RECORD_CLASS_FOR_VALUE[ProcessInstanceResultRecordValue]
            writers.respond_to(
                awaited.request_stream_id,
                awaited.request_id,
                result_class(
                    key=context.key,
                    record_type=RecordType.EVENT,
                    intent=ProcessInstanceResultIntent.COMPLETED,
                    timestamp=writers.timestamp,
                    value=ProcessInstanceResultRecordValue(
                        bpmn_process_id=value.bpmn_process_id,
                        version=value.version,
                        process_definition_key=value.process_definition_key,
                        process_instance_key=context.key,
                        variables=result_variables or {},
                        tenant_id=value.tenant_id,
                    ),
                ),
            )
        self._transitions.after_completed(writers, context)
        if called:
            self._calls.on_child_completed(writers, context, child_variables)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        if self._leaving.leave_terminated(writers, context, held_by=self._children.terminate):
            self._tell_caller_terminated(writers, context)

    def _tell_caller_terminated(self, writers: Writers, context: ElementContext) -> None:
        if context.value.parent_element_instance_key > 0:
            self._calls.on_child_terminated(writers, context)

    def on_child_completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        self._children.completed(writers, scope, child)

    def on_child_terminated(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        if self._children.terminated(writers, scope):
            self._tell_caller_terminated(writers, scope)
