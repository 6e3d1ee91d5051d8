"""The BPMN stream processor: ACTIVATE_ELEMENT, COMPLETE_ELEMENT, TERMINATE_ELEMENT,
COMPLETE_EXECUTION_LISTENER and CONTINUE_TERMINATING_ELEMENT commands (the last after a user
task's canceling listeners, to the processor's ``finalize_termination``).

It checks that the command still applies to the element instance, writes the lifecycle event
that starts the step, and hands the element's work to the processor registered for its BPMN
element type. A ``Failure`` becomes an incident and leaves the element where it stopped;
resolving the incident writes the same command again (see the incident resolve processor).

A step runs in up to three parts, as in Zeebe: the processor's ``on_activate`` (input mappings),
then the element's start execution listeners (one job each), then ``finalize_activation`` (the
element's own work, ACTIVATED); likewise ``on_complete`` (output mappings), end listeners,
``finalize_completion``. A processor without the ``finalize_*`` methods does its whole step in
``on_activate`` / ``on_complete`` and runs no listeners. For an instance inside a multi-instance
body, the body's part (loop variables; output element and completion condition) runs around it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.join import is_join
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.bpmn.element_processor import ElementProcessor
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.model import ExecutionListenerEventType, FlowNode
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.record import Record
from strom.protocol.values.enums import ErrorType
from strom.stream.key_generator import KeyGenerator

Step = Callable[[Writers, ElementContext], "Failure | None"]
ChildStep = Callable[[Writers, ElementContext, ElementContext], None]


class BpmnProcessor:
    def __init__(
        self,
        state: ProcessingState,
        behaviors: Behaviors,
        keys: KeyGenerator,
        processors: Mapping[BpmnElementType, ElementProcessor],
    ) -> None:
        self._processes = state.processes
        self._instances = state.element_instances
        self._event_scopes = state.event_scopes
        self._transitions = behaviors.state_transitions
        self._incidents = behaviors.incidents
        self._listeners = behaviors.execution_listeners
        self._multi_instance = behaviors.multi_instance
        self._keys = keys
        self._processors: dict[BpmnElementType, ElementProcessor] = {}
        # what each element type's processor does beyond the three steps, found once at registration
        self._activation_finalizers: dict[BpmnElementType, Step] = {}
        self._completion_finalizers: dict[BpmnElementType, Step] = {}
        self._termination_finalizers: dict[BpmnElementType, Callable[[Writers, ElementContext], None]] = {}
        self._child_completed: dict[BpmnElementType, ChildStep] = {}
        self._child_terminated: dict[BpmnElementType, ChildStep] = {}
        for element_type, processor in processors.items():
            self.register(element_type, processor)
        behaviors.state_transitions.containers = self

    def register(self, element_type: BpmnElementType, processor: ElementProcessor) -> None:
        """Add or replace the processor of an element type (engine extensions use this)."""
        self._processors[element_type] = processor
        for table in (
            self._activation_finalizers,
            self._completion_finalizers,
            self._termination_finalizers,
            self._child_completed,
            self._child_terminated,
        ):
            table.pop(element_type, None)
        # checked once, here: the steps look these up instead of probing each processor
        # (the protocols of element_processor say what each method is; mypyc's classes cannot be
        # checked against them at run time, so the methods are looked up by name)
        for name, table in (
            ("finalize_activation", self._activation_finalizers),
            ("finalize_completion", self._completion_finalizers),
            ("finalize_termination", self._termination_finalizers),
            ("on_child_completed", self._child_completed),
            ("on_child_terminated", self._child_terminated),
        ):
            method = getattr(processor, name, None)
            if method is not None:
                table[element_type] = method

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        process = self._processes.by_key(value.process_definition_key)
        if process is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to find process definition with key '{value.process_definition_key}', "
                "but none found",
            )
            return
        element = process.executable.elements.get(value.element_id)
        if not isinstance(element, FlowNode):
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to find element '{value.element_id}' in process "
                f"'{value.bpmn_process_id}', but none found",
            )
            return
        intent = command.intent
        if intent == PI.ACTIVATE_ELEMENT:
            self._activate(
                command,
                writers,
                ElementContext(
                    command.key if command.key > 0 else self._keys.next_key(), value, element, process
                ),
            )
        elif intent == PI.COMPLETE_ELEMENT:
            self._complete(command, writers, element, process)
        elif intent == PI.TERMINATE_ELEMENT:
            self._terminate(command, writers, element, process)
        elif intent == PI.COMPLETE_EXECUTION_LISTENER:
            self._continue_after_listener(command, writers, element, process)
        elif intent == PI.CONTINUE_TERMINATING_ELEMENT:
            self._continue_terminating(command, writers, element, process)

    # -- steps -------------------------------------------------------------------------------------

    def _activate(self, command: Record[Any], writers: Writers, context: ElementContext) -> None:
        instance = self._instances.get(context.key)
        if instance is None:
            scope_key = context.flow_scope_key
            if scope_key > 0:
                scope = self._instances.get(scope_key)
                if scope is None or not scope.is_active:
                    writers.reject(
                        command,
                        RejectionType.INVALID_STATE,
                        f"Expected to activate element '{context.element_id}' in flow scope "
                        f"with key '{scope_key}', but the flow scope is not active",
                    )
                    return
                if (
                    context.value.bpmn_element_type is not BpmnElementType.EVENT_SUB_PROCESS
                    and self._event_scopes.scope(scope_key).is_interrupted
                ):
                    writers.reject(
                        command,
                        RejectionType.INVALID_STATE,
                        f"Expected to activate element '{context.element_id}' in flow scope "
                        f"with key '{scope_key}', but the flow scope was interrupted by "
                        f"'{self._event_scopes.scope(scope_key).interrupted_by}'",
                    )
                    return
                if is_join(context.element):
                    problem = self._transitions.joins.activation_problem(scope_key, context.element)
                    if problem is not None:
                        writers.reject(command, RejectionType.INVALID_STATE, problem)
                        return
            self._transitions.activating(writers, context)
            listener_index = 0
        elif instance.state != PI.ELEMENT_ACTIVATING:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to activate element with key '{context.key}', but it is already "
                f"in state '{PI(instance.state).name}'",
            )
            return
        else:
            listener_index = instance.execution_listener_index
        if context.is_multi_instance_inner:
            failure = self._multi_instance.on_inner_activating(writers, context)
            if failure is not None:
                self._incidents.raise_for_element(writers, failure, context)
                return
        processor = self._processor(context)
        failure = processor.on_activate(writers, context)
        finalizer = self._activation_finalizers.get(context.value.bpmn_element_type)
        if failure is None and finalizer is not None:
            failure = self._listeners.next_or(
                writers,
                context,
                ExecutionListenerEventType.START,
                listener_index,
                finalizer,
            )
        if failure is not None:
            self._incidents.raise_for_element(writers, failure, context)

    def _complete(self, command: Record[Any], writers: Writers, element: FlowNode, process: Any) -> None:
        instance = self._instances.get(command.key)
        if instance is None or instance.state not in (PI.ELEMENT_ACTIVATED, PI.ELEMENT_COMPLETING):
            state = "NOT_FOUND" if instance is None else PI(instance.state).name
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to complete element with key '{command.key}', but it is in state '{state}'",
            )
            return
        context = ElementContext(instance.key, instance.value, element, process)
        listener_index = instance.execution_listener_index
        if instance.state == PI.ELEMENT_ACTIVATED:
            self._transitions.completing(writers, context)
            listener_index = 0
        processor = self._processor(context)
        finalizer = self._completion_finalizers.get(context.value.bpmn_element_type)
        if finalizer is None:
            # a processor doing its whole completion in on_complete: no end listeners
            failure = None
            if context.is_multi_instance_inner:
                failure = self._multi_instance.before_inner_completed(writers, context)
            if failure is None:
                failure = processor.on_complete(writers, context)
        else:
            failure = processor.on_complete(writers, context)
            if failure is None:
                failure = self._listeners.next_or(
                    writers,
                    context,
                    ExecutionListenerEventType.END,
                    listener_index,
                    self._finalizer(finalizer),
                )
        if failure is not None:
            self._incidents.raise_for_element(writers, failure, context)

    def _continue_after_listener(
        self, command: Record[Any], writers: Writers, element: FlowNode, process: Any
    ) -> None:
        """An execution listener's job completed: the next listener, or the rest of the step."""
        instance = self._instances.get(command.key)
        if instance is None or instance.state not in (PI.ELEMENT_ACTIVATING, PI.ELEMENT_COMPLETING):
            state = "NOT_FOUND" if instance is None else PI(instance.state).name
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected element instance to be in state 'ELEMENT_ACTIVATING' or one of "
                f"'[ELEMENT_COMPLETING]' but was '{state}'.",
            )
            return
        context = ElementContext(instance.key, instance.value, element, process)
        element_type = context.value.bpmn_element_type
        activation = self._activation_finalizers.get(element_type)
        completion = self._completion_finalizers.get(element_type)
        if instance.state == PI.ELEMENT_ACTIVATING and activation is not None:
            failure = self._listeners.next_or(
                writers,
                context,
                ExecutionListenerEventType.START,
                instance.execution_listener_index,
                activation,
            )
        elif instance.state == PI.ELEMENT_COMPLETING and completion is not None:
            failure = self._listeners.next_or(
                writers,
                context,
                ExecutionListenerEventType.END,
                instance.execution_listener_index,
                self._finalizer(completion),
            )
        else:  # listeners run only around two-phase steps: nothing waits for this one
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected element '{context.element_id}' to wait for an execution listener, but its "
                "element type runs none",
            )
            return
        if failure is not None:
            self._incidents.raise_for_element(writers, failure, context)

    def _finalizer(self, finalize_completion: Step) -> Step:
        """The processor's ``finalize_completion``, preceded by the multi-instance body's part
        for an inner instance (output element, completion condition)."""

        def finalize(writers: Writers, context: ElementContext) -> Failure | None:
            if context.is_multi_instance_inner:
                failure = self._multi_instance.before_inner_completed(writers, context)
                if failure is not None:
                    return failure
            return finalize_completion(writers, context)

        return finalize

    def _terminate(self, command: Record[Any], writers: Writers, element: FlowNode, process: Any) -> None:
        instance = self._instances.get(command.key)
        if instance is None or instance.state in (
            PI.ELEMENT_TERMINATING,
            PI.ELEMENT_COMPLETED,
            PI.ELEMENT_TERMINATED,
        ):
            state = "NOT_FOUND" if instance is None else PI(instance.state).name
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to terminate element with key '{command.key}', but it is in state '{state}'",
            )
            return
        context = ElementContext(instance.key, instance.value, element, process)
        self._transitions.terminating(writers, context)
        self._processor(context).on_terminate(writers, context)

    def _continue_terminating(
        self, command: Record[Any], writers: Writers, element: FlowNode, process: Any
    ) -> None:
        """What held a termination is done (a user task's canceling listeners): finish it."""
        instance = self._instances.get(command.key)
        finalizer = (
            None if instance is None else self._termination_finalizers.get(instance.value.bpmn_element_type)
        )
        if instance is None or instance.state != PI.ELEMENT_TERMINATING or finalizer is None:
            state = "NOT_FOUND" if instance is None else PI(instance.state).name
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected element instance to be in state 'ELEMENT_TERMINATING' but was '{state}'.",
            )
            return
        context = ElementContext(instance.key, instance.value, element, process)
        finalizer(writers, context)

    def _processor(self, context: ElementContext) -> ElementProcessor:
        processor = self._processors.get(context.value.bpmn_element_type)
        if processor is None:
            return _Unsupported(context.value.bpmn_element_type)
        return processor

    # -- container notifications (called by the state transition behavior) ------------------------

    def on_child_completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        on_child_completed = self._child_completed.get(scope.value.bpmn_element_type)
        if on_child_completed is not None:
            on_child_completed(writers, scope, child)

    def on_child_terminated(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        on_child_terminated = self._child_terminated.get(scope.value.bpmn_element_type)
        if on_child_terminated is not None:
            on_child_terminated(writers, scope, child)


class _Unsupported:
    """An element type Strom does not execute yet: an incident says so, honestly."""

    def __init__(self, element_type: BpmnElementType) -> None:
        self._element_type = element_type

    def _failure(self, context: ElementContext) -> Failure:
        return Failure(
            f"Element '{context.element_id}' of type {self._element_type} is not supported "
            "by this version of Strom",
            ErrorType.UNKNOWN,
        )

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._failure(context)

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._failure(context)

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        writers.append_event(context.key, PI.ELEMENT_TERMINATED, context.value)
