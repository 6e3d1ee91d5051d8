"""Conditional events (boundary, intermediate catch, event subprocess start): triggered when
their condition is true.

The condition of a conditional catch event is evaluated when its element instance is activated
(an intermediate catch event, the activity of a boundary event, the (sub)process of an event
subprocess) and again whenever a variable visible to that instance is created or updated,
narrowed by the event's ``variableNames`` and ``variableEvents`` filters. True triggers the event
like any other caught event; an expression that fails or is not a boolean counts as false.

Zeebe 8.8's protocol has no conditional subscription records, so there are none: the
conditional events of a process instance are found from its element instances and the model,
only for processes that have conditional events at all. Root-level conditional start events are
started through an API Zeebe added later; Strom does not start them.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior.event_trigger import EventTriggerBehavior
from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.element_instance import ElementInstance
from strom.engine.state.process import DeployedProcess
from strom.model import FlowNode
from strom.protocol.bpmn import BpmnElementType as E
from strom.protocol.values.variable import VariableRecordValue

_CONTAINERS = frozenset({E.PROCESS, E.SUB_PROCESS, E.EVENT_SUB_PROCESS, E.AD_HOC_SUB_PROCESS})
_NO_BOUNDARY = frozenset({E.PROCESS, E.EVENT_SUB_PROCESS})


def conditional_events_of(
    process: DeployedProcess, element: FlowNode, element_type: E
) -> tuple[FlowNode, ...]:
    """The conditional catch events an element instance waits for while it is active."""
    executable = process.executable
    events: list[FlowNode] = []
    if element_type is E.INTERMEDIATE_CATCH_EVENT:
        events.append(element)
    is_inner = element.multi_instance is not None and element_type is not E.MULTI_INSTANCE_BODY
    if element.boundary_event_ids and not is_inner and element_type not in _NO_BOUNDARY:
        events.extend(executable.flow_node(event_id) for event_id in element.boundary_event_ids)
    container = element.container
    if container is not None and element_type in _CONTAINERS:
        for subprocess_id in container.event_subprocess_ids:
            subprocess = executable.flow_node(subprocess_id).container
            if subprocess is not None:
                events.extend(executable.flow_node(start) for start in subprocess.start_event_ids)
    return tuple(event for event in events if event.conditional is not None)


class ConditionalBehavior:
    def __init__(
        self, state: ProcessingState, expressions: ExpressionBehavior, triggers: EventTriggerBehavior
    ) -> None:
        self._instances = state.element_instances
        self._processes = state.processes
        self._expressions = expressions
        self._triggers = triggers
        # derived from the immutable models only: safe to keep across steps
        self._processes_with_conditionals: dict[int, bool] = {}
        self._events: dict[tuple[int, str, E], tuple[FlowNode, ...]] = {}

    def _has_conditionals(self, process: DeployedProcess) -> bool:
        known = self._processes_with_conditionals.get(process.key)
        if known is None:
            known = any(
                isinstance(node, FlowNode) and node.conditional is not None
                for node in process.executable.elements.values()
            )
            self._processes_with_conditionals[process.key] = known
        return known

    def _events_of(self, process: DeployedProcess, element_id: str, element_type: E) -> tuple[FlowNode, ...]:
        cache_key = (process.key, element_id, element_type)
        events = self._events.get(cache_key)
        if events is None:
            element = process.executable.elements.get(element_id)
            events = (
                conditional_events_of(process, element, element_type) if isinstance(element, FlowNode) else ()
            )
            self._events[cache_key] = events
        return events

    # -- when a scope is activated ------------------------------------------------------------------

    def on_activated(self, writers: Writers, context: ElementContext) -> None:
        process = context.process
        if not self._has_conditionals(process):
            return
        events = self._events_of(process, context.element_id, context.value.bpmn_element_type)
        if events:
            instance = self._instances.get(context.key)
            if instance is not None:
                self._evaluate(writers, instance, process, events, None)

    # -- when a variable changes ----------------------------------------------------------------

    def on_variable_changed(self, writers: Writers, variable: VariableRecordValue, created: bool) -> None:
        process = self._processes.by_key(variable.process_definition_key)
        if process is None or not self._has_conditionals(process):
            return
        change = (variable.name, "create" if created else "update")
        pending = [variable.scope_key]
        while pending:
            instance = self._instances.get(pending.pop())
            if instance is None:
                continue
            events = self._events_of(process, instance.value.element_id, instance.value.bpmn_element_type)
            if events and instance.is_active:
                self._evaluate(writers, instance, process, events, change)
            pending.extend(self._instances.child_keys(instance.key))

    def _evaluate(
        self,
        writers: Writers,
        instance: ElementInstance,
        process: DeployedProcess,
        events: tuple[FlowNode, ...],
        change: tuple[str, str] | None,
    ) -> None:
        for event in events:
            conditional = event.conditional
            assert conditional is not None
            if change is not None:
                name, kind = change
                if conditional.variable_names and name not in conditional.variable_names:
                    continue
                if conditional.variable_events and kind not in conditional.variable_events:
                    continue
            if not self._is_true(conditional.condition, instance.key):
                continue
            if not self._triggers.can_trigger(self._instances.get(instance.key), event.id, process):
                continue
            current = self._instances.get(instance.key)
            assert current is not None
            self._triggers.trigger(writers, current, event, process)

    def _is_true(self, condition: Any, scope_key: int) -> bool:
        return self._expressions.evaluate_bool(condition, scope_key, "condition") is True
