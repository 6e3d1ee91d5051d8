"""The BPMN stream processor: ACTIVATE_ELEMENT, COMPLETE_ELEMENT and TERMINATE_ELEMENT commands.

It checks that the command still applies to the element instance, writes the lifecycle event
that starts the step, and hands the element's work to the processor registered for its BPMN
element type. A ``Failure`` becomes an incident and leaves the element where it stopped;
resolving the incident writes the same command again (see the incident resolve processor).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.bpmn.element_processor import ContainerProcessor, ElementProcessor
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.model import FlowNode
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.record import Record
from strom.protocol.values.enums import ErrorType
from strom.stream.key_generator import KeyGenerator


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
        self._transitions = behaviors.state_transitions
        self._incidents = behaviors.incidents
        self._keys = keys
        self._processors = dict(processors)
        behaviors.state_transitions.containers = self

    def register(self, element_type: BpmnElementType, processor: ElementProcessor) -> None:
        """Add or replace the processor of an element type (engine extensions use this)."""
        self._processors[element_type] = processor

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
            self._transitions.activating(writers, context)
        elif instance.state != PI.ELEMENT_ACTIVATING:
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to activate element with key '{context.key}', but it is already "
                f"in state '{PI(instance.state).name}'",
            )
            return
        self._run(writers, context, self._processor(context).on_activate)

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
        if instance.state == PI.ELEMENT_ACTIVATED:
            self._transitions.completing(writers, context)
        self._run(writers, context, self._processor(context).on_complete)

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

    def _run(self, writers: Writers, context: ElementContext, step: Any) -> None:
        failure = step(writers, context)
        if failure is not None:
            self._incidents.raise_for_element(writers, failure, context)

    def _processor(self, context: ElementContext) -> ElementProcessor:
        processor = self._processors.get(context.value.bpmn_element_type)
        if processor is None:
            return _Unsupported(context.value.bpmn_element_type)
        return processor

    # -- container notifications (called by the state transition behavior) ------------------------

    def on_child_completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        processor = self._processors.get(scope.value.bpmn_element_type)
        if processor is not None and hasattr(processor, "on_child_completed"):
            container: ContainerProcessor = processor  # type: ignore[assignment]
            container.on_child_completed(writers, scope, child)

    def on_child_terminated(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        processor = self._processors.get(scope.value.bpmn_element_type)
        if processor is not None and hasattr(processor, "on_child_terminated"):
            container: ContainerProcessor = processor  # type: ignore[assignment]
            container.on_child_terminated(writers, scope, child)


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
