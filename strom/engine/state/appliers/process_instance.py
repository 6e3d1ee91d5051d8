"""Appliers for PROCESS_INSTANCE lifecycle events, PROCESS_INSTANCE_CREATION, and the events of
PROCESS_INSTANCE_BATCH and PROCESS_INSTANCE_MODIFICATION (which change no state)."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.engine.state.await_result import AwaitedResult
from strom.engine.state.element_instance import ElementInstance
from strom.protocol.bpmn import BpmnElementType, BpmnEventType
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    ProcessInstanceBatchIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    ProcessInstanceModificationIntent,
)
from strom.protocol.record import Record

_replace = msgspec.structs.replace
_JOINS = frozenset({BpmnElementType.PARALLEL_GATEWAY, BpmnElementType.INCLUSIVE_GATEWAY})
# Elements that are entered without a sequence flow even when the model gives them incoming ones.
_NOT_ENTERED_BY_FLOW_V2 = frozenset(
    {
        BpmnElementType.PROCESS,
        BpmnElementType.START_EVENT,
        BpmnElementType.BOUNDARY_EVENT,
        BpmnElementType.EVENT_SUB_PROCESS,
    }
)
_NOT_ENTERED_BY_FLOW = frozenset(
    {
        BpmnElementType.PROCESS,
        BpmnElementType.START_EVENT,
        BpmnElementType.BOUNDARY_EVENT,
        BpmnElementType.EVENT_SUB_PROCESS,
        BpmnElementType.MULTI_INSTANCE_BODY,
    }
)


class ElementActivatingV1:
    """Creates the element instance and its variable scope; counts it as a child of its flow scope.

    An element entered through sequence flows consumes their tokens: one for an ordinary element,
    one per incoming flow that holds a token for a joining gateway.
    """

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances
        self._variables = state.variables
        self._processes = state.processes

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        key = record.key
        parent_key = value.flow_scope_key
        instances = self._instances
        instances.create(
            ElementInstance(
                key=key, state=ProcessInstanceIntent.ELEMENT_ACTIVATING, value=value, parent_key=parent_key
            )
        )
        self._variables.create_scope(key, parent_key)
        if parent_key <= 0:
            return
        parent = instances.get(parent_key)
        if parent is None:
            return
        consumed = 0
        element_type = value.bpmn_element_type
        if element_type not in _NOT_ENTERED_BY_FLOW and parent.active_flows > 0:
            process = self._processes.by_key(value.process_definition_key)
            element = process.executable.elements.get(value.element_id) if process else None
            incoming = getattr(element, "incoming", ())
            if incoming:
                if element_type in _JOINS and len(incoming) > 1:
                    taken = instances.taken_flows(parent_key, value.element_id)
                    flow_ids = [flow.id for flow in incoming if taken.get(flow.id, 0) > 0]
                    instances.consume_taken_flows(parent_key, value.element_id, flow_ids)
                    consumed = len(flow_ids)
                else:
                    consumed = 1
        instances.put(
            _replace(
                parent,
                active_children=parent.active_children + 1,
                activated_children=parent.activated_children + 1,
                active_flows=max(0, parent.active_flows - consumed),
            )
        )


class ElementActivatingV2:
    """V2: every sequence flow holds its tokens by target (see ``SequenceFlowTakenV2``), so an
    element entered through a flow takes one token off one of its incoming flows (a joining
    gateway one off each incoming flow that has one). A multi-instance body is entered through
    its flows; its inner instances are not, and get their loop counter (1, 2, ...) here. A
    process called by a call activity links itself to the call activity instance.
    """

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances
        self._variables = state.variables
        self._processes = state.processes

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        key = record.key
        parent_key = value.flow_scope_key
        instances = self._instances
        element_type = value.bpmn_element_type
        instance = ElementInstance(
            key=key, state=ProcessInstanceIntent.ELEMENT_ACTIVATING, value=value, parent_key=parent_key
        )
        self._variables.create_scope(key, parent_key)
        if parent_key <= 0:
            instances.create(instance)
            caller_key = value.parent_element_instance_key
            if element_type is BpmnElementType.PROCESS and caller_key > 0:
                caller = instances.get(caller_key)
                if caller is not None:
                    instances.put(_replace(caller, called_child_instance_key=key))
            return
        parent = instances.get(parent_key)
        if parent is None:
            instances.create(instance)
            return
        activated = parent.activated_children + 1
        if parent.value.bpmn_element_type is BpmnElementType.MULTI_INSTANCE_BODY:
            instance = _replace(instance, multi_instance_loop_counter=activated)
        instances.create(instance)
        consumed = 0
        if (
            element_type not in _NOT_ENTERED_BY_FLOW_V2
            and parent.active_flows > 0
            and instance.multi_instance_loop_counter == 0
        ):
            process = self._processes.by_key(value.process_definition_key)
            element = process.executable.elements.get(value.element_id) if process else None
            incoming: tuple[Any, ...] = getattr(element, "incoming", ())
            if len(incoming) == 1:
                # the common case: the one token is on the one incoming flow (no scan)
                consumed = instances.consume_taken_flows(parent_key, value.element_id, [incoming[0].id])
            elif incoming:
                taken = instances.taken_flows(parent_key, value.element_id)
                if element_type in _JOINS:
                    flow_ids = [flow.id for flow in incoming if taken.get(flow.id, 0) > 0]
                else:
                    flow_ids = [flow.id for flow in incoming if taken.get(flow.id, 0) > 0][:1]
                instances.consume_taken_flows(parent_key, value.element_id, flow_ids)
                consumed = len(flow_ids)
        instances.put(
            _replace(
                parent,
                active_children=parent.active_children + 1,
                activated_children=activated,
                active_flows=max(0, parent.active_flows - consumed),
            )
        )


class ElementActivatedV1:
    """The element instance is active: its state and value as the event shows it."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        instance = self._instances.get(record.key)
        if instance is not None:
            self._instances.put(
                _replace(instance, state=int(ProcessInstanceIntent.ELEMENT_ACTIVATED), value=record.value)
            )


class ElementCompletingV1:
    """The element instance is completing: its state and value as the event shows it."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        instance = self._instances.get(record.key)
        if instance is not None:
            self._instances.put(
                _replace(instance, state=int(ProcessInstanceIntent.ELEMENT_COMPLETING), value=record.value)
            )


class ElementTerminatingV1:
    """The element instance is terminating: its state and value as the event shows it."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        instance = self._instances.get(record.key)
        if instance is not None:
            self._instances.put(
                _replace(instance, state=int(ProcessInstanceIntent.ELEMENT_TERMINATING), value=record.value)
            )


class ElementCompletingV2:
    """V2: also starts the count of completed execution listeners over, for the end listeners."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        instance = self._instances.get(record.key)
        if instance is not None:
            self._instances.put(
                _replace(
                    instance,
                    state=ProcessInstanceIntent.ELEMENT_COMPLETING,
                    value=record.value,
                    execution_listener_index=0,
                )
            )


class ElementCompletedV1:
    """Removes a completed element instance, its variables and its awaited result, its event scope
    (unconsumed event triggers) and, for a process, its message start lock; counts it as a
    completed child of its flow scope. A terminate end event interrupts its flow scope."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances
        self._variables = state.variables
        self._awaits = state.await_results
        self._event_scopes = state.event_scopes
        self._messages = state.messages

    def __call__(self, record: Record[Any]) -> None:
        key = record.key
        instances = self._instances
        instance = instances.get(key)
        if instance is None:
            return
        instances.remove(instance)
        self._variables.remove_scope(key)
        self._event_scopes.remove(key)
        parent_key = instance.parent_key
        if parent_key > 0:
            parent = instances.get(parent_key)
            if parent is not None:
                parent = _replace(
                    parent,
                    active_children=max(0, parent.active_children - 1),
                    completed_children=parent.completed_children + 1,
                )
                value = record.value
                if (
                    value.bpmn_element_type is BpmnElementType.END_EVENT
                    and value.bpmn_event_type is BpmnEventType.TERMINATE
                ):
                    # A terminate end event interrupts its flow scope (as in Zeebe): tokens in
                    # flight are dropped, and nothing more is activated in it.
                    parent = _replace(parent, active_flows=0)
                    scope = self._event_scopes.scope(parent_key)
                    if not scope.is_interrupted:
                        self._event_scopes.put_scope(
                            parent_key, _replace(scope, interrupted_by=value.element_id)
                        )
                instances.put(parent)
        elif record.value.bpmn_element_type is BpmnElementType.PROCESS:
            self._awaits.remove(key)
            self._messages.release_start(key)


class ElementTerminatedV1:
    """Removes a terminated element instance, its variables and its awaited result, its event
    scope (unconsumed event triggers) and, for a process, its message start lock; counts it as a
    terminated child of its flow scope."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances
        self._variables = state.variables
        self._awaits = state.await_results
        self._event_scopes = state.event_scopes
        self._messages = state.messages

    def __call__(self, record: Record[Any]) -> None:
        key = record.key
        instances = self._instances
        instance = instances.get(key)
        if instance is None:
            return
        instances.remove(instance)
        self._variables.remove_scope(key)
        self._event_scopes.remove(key)
        parent_key = instance.parent_key
        if parent_key > 0:
            parent = instances.get(parent_key)
            if parent is not None:
                parent = _replace(
                    parent,
                    active_children=max(0, parent.active_children - 1),
                    terminated_children=parent.terminated_children + 1,
                )
                instances.put(parent)
        elif record.value.bpmn_element_type is BpmnElementType.PROCESS:
            self._awaits.remove(key)
            self._messages.release_start(key)


class SequenceFlowTakenV1:
    """Puts a token on the flow: its scope may not complete until the target is activated."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances
        self._processes = state.processes

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        scope_key = value.flow_scope_key
        scope = self._instances.get(scope_key)
        if scope is None:
            return
        self._instances.put(_replace(scope, active_flows=scope.active_flows + 1))
        process = self._processes.by_key(value.process_definition_key)
        if process is None:
            return
        flow = process.executable.elements.get(value.element_id)
        target_id = getattr(flow, "target_id", None)
        target = process.executable.elements.get(target_id) if target_id else None
        if target is not None and target.element_type in _JOINS and len(getattr(target, "incoming", ())) > 1:
            self._instances.increment_taken_flow(scope_key, target.id, value.element_id)


class SequenceFlowTakenV2:
    """V2: the token is kept by (scope, target, flow) for every flow, not only for joins, so the
    engine knows where the tokens in flight go (an inclusive join waits while one may reach it)."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances
        self._processes = state.processes

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        scope_key = value.flow_scope_key
        scope = self._instances.get(scope_key)
        if scope is None:
            return
        self._instances.put(_replace(scope, active_flows=scope.active_flows + 1))
        process = self._processes.by_key(value.process_definition_key)
        if process is None:
            return
        flow = process.executable.elements.get(value.element_id)
        target_id = getattr(flow, "target_id", None)
        if target_id:
            self._instances.increment_taken_flow(scope_key, target_id, value.element_id)


class CreationCreatedV1:
    """Remembers a request that waits for the instance's result (CreateProcessInstanceWithResult)."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._awaits = state.await_results

    def __call__(self, record: Record[Any]) -> None:
        if record.request_id >= 0:
            self._awaits.put(
                record.value.process_instance_key,
                AwaitedResult(
                    record.request_stream_id, record.request_id, list(record.value.fetch_variables)
                ),
            )


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    pi = ValueType.PROCESS_INSTANCE
    appliers.register(pi, ProcessInstanceIntent.ELEMENT_ACTIVATING, ElementActivatingV1(state))
    appliers.register(pi, ProcessInstanceIntent.ELEMENT_ACTIVATING, ElementActivatingV2(state), version=2)
    appliers.register(pi, ProcessInstanceIntent.ELEMENT_ACTIVATED, ElementActivatedV1(state))
    appliers.register(pi, ProcessInstanceIntent.ELEMENT_COMPLETING, ElementCompletingV1(state))
    appliers.register(pi, ProcessInstanceIntent.ELEMENT_TERMINATING, ElementTerminatingV1(state))
    appliers.register(pi, ProcessInstanceIntent.ELEMENT_COMPLETED, ElementCompletedV1(state))
    appliers.register(pi, ProcessInstanceIntent.ELEMENT_TERMINATED, ElementTerminatedV1(state))
    appliers.register(pi, ProcessInstanceIntent.SEQUENCE_FLOW_TAKEN, SequenceFlowTakenV1(state))
    appliers.register(pi, ProcessInstanceIntent.SEQUENCE_FLOW_TAKEN, SequenceFlowTakenV2(state), version=2)
    appliers.register(pi, ProcessInstanceIntent.ELEMENT_COMPLETING, ElementCompletingV2(state), version=2)
    appliers.register(
        ValueType.PROCESS_INSTANCE_CREATION, ProcessInstanceCreationIntent.CREATED, CreationCreatedV1(state)
    )
    appliers.register(
        pi,
        ProcessInstanceIntent.CANCELING,
        NoStateChange("the instance is terminated by the TERMINATE_ELEMENT command that follows"),
    )
    appliers.register(
        ValueType.PROCESS_INSTANCE_BATCH,
        ProcessInstanceBatchIntent.ACTIVATED,
        NoStateChange("the inner instances are activated by their own commands and events"),
    )
    appliers.register(
        ValueType.PROCESS_INSTANCE_MODIFICATION,
        ProcessInstanceModificationIntent.MODIFIED,
        NoStateChange("the activations and terminations are written as their own events"),
    )
