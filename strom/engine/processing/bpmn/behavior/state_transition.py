"""The element lifecycle: the events that move an element instance, and taking sequence flows.

Each transition writes the event (applied at once) and returns the context with the new value.
After an element completes or terminates, its flow scope's container processor is told, so a
process completes when its last token ends and a terminating scope ends with its last child.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from strom.engine.processing.bpmn.behavior.join import JoinBehavior, is_join
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.element_instance import ElementInstance, ElementInstanceState
from strom.engine.state.event_scope import EventScopeState
from strom.engine.state.process import ProcessState
from strom.model import FlowNode, SequenceFlow
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.stream.key_generator import KeyGenerator


class ContainerNotifications(Protocol):
    """What the BPMN processor offers the behavior: tell a scope its child has left."""

    def on_child_completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None: ...
    def on_child_terminated(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None: ...


class LifecycleEvents(Protocol):
    """What caught and thrown events add to the lifecycle (set by the event trigger behavior):
    compensation subscriptions of completing activities, the boundary event that takes over a
    terminated activity, the event subprocess that takes over an interrupted scope."""

    def after_activated(self, writers: Writers, context: ElementContext) -> None: ...
    def before_completed(self, writers: Writers, context: ElementContext) -> object | None: ...
    def after_completed(self, writers: Writers, context: ElementContext, before: object | None) -> None: ...
    def before_terminated(self, context: ElementContext) -> object | None: ...
    def after_terminated(self, writers: Writers, context: ElementContext, before: object | None) -> None: ...
    def on_child_terminated(self, writers: Writers, scope: ElementContext) -> bool: ...


class StateTransitionBehavior:
    def __init__(
        self,
        instances: ElementInstanceState,
        processes: ProcessState,
        keys: KeyGenerator,
        event_scopes: EventScopeState,
    ) -> None:
        self._instances = instances
        self._processes = processes
        self._event_scopes = event_scopes
        self._keys = keys
        self.joins = JoinBehavior(instances)
        self.containers: ContainerNotifications | None = None  # set once processors are built
        self.events: LifecycleEvents | None = None  # set once the event behaviors are built

    # -- lifecycle events --------------------------------------------------------------------------

    def activating(self, writers: Writers, context: ElementContext) -> ElementContext:
        writers.append_event(context.key, PI.ELEMENT_ACTIVATING, context.value)
        return context

    def activated(self, writers: Writers, context: ElementContext) -> ElementContext:
        writers.append_event(context.key, PI.ELEMENT_ACTIVATED, context.value)
        if self.events is not None:
            self.events.after_activated(writers, context)
        return context

    def completing(self, writers: Writers, context: ElementContext) -> ElementContext:
        writers.append_event(context.key, PI.ELEMENT_COMPLETING, context.value)
        return context

    def completed(self, writers: Writers, context: ElementContext) -> ElementContext:
        events = self.events
        before = events.before_completed(writers, context) if events is not None else None
        writers.append_event(context.key, PI.ELEMENT_COMPLETED, context.value)
        if events is not None:
            events.after_completed(writers, context, before)
        return context

    def terminating(self, writers: Writers, context: ElementContext) -> ElementContext:
        writers.append_event(context.key, PI.ELEMENT_TERMINATING, context.value)
        return context

    def terminated(self, writers: Writers, context: ElementContext) -> ElementContext:
        """ELEMENT_TERMINATED; an activity ended by an interrupting boundary event hands over to
        that event right after (its trigger is read before the instance is gone)."""
        events = self.events
        before = events.before_terminated(context) if events is not None else None
        writers.append_event(context.key, PI.ELEMENT_TERMINATED, context.value)
        if events is not None:
            events.after_terminated(writers, context, before)
        return context

    # -- commands ----------------------------------------------------------------------------------

    def complete_element(self, writers: Writers, context: ElementContext) -> None:
        """Ask for the element to complete (processed after the current command)."""
        writers.append_command(context.key, PI.COMPLETE_ELEMENT, context.value)

    def terminate_element(self, writers: Writers, instance: ElementInstance) -> None:
        writers.append_command(instance.key, PI.TERMINATE_ELEMENT, instance.value)

    def activate_element(
        self, writers: Writers, scope: ElementContext, element: FlowNode, *, inner: bool = False
    ) -> int:
        """Ask for a new instance of ``element`` inside ``scope``; returns its key.

        A multi-instance activity is activated as its body unless ``inner`` (see
        ``ElementContext.child``).
        """
        key = self._keys.next_key()
        writers.append_command(key, PI.ACTIVATE_ELEMENT, scope.child(key, element, inner=inner).value)
        return key

    # -- sequence flows ----------------------------------------------------------------------------

    def take_outgoing_flows(self, writers: Writers, context: ElementContext) -> None:
        """Take every outgoing flow (an implicit parallel split); none: the token ends here.

        An instance inside a multi-instance body takes nothing: the body owns the flows.
        """
        if context.is_multi_instance_inner:
            return
        outgoing = context.element.outgoing
        if outgoing:
            self.take_flows(writers, context, outgoing)

    def take_flow(self, writers: Writers, context: ElementContext, flow: SequenceFlow) -> None:
        """SEQUENCE_FLOW_TAKEN, then activate the target (a join only once it may join)."""
        self.take_flows(writers, context, (flow,))

    def take_flows(self, writers: Writers, context: ElementContext, flows: Sequence[SequenceFlow]) -> None:
        """Take ``flows`` in order, activating each target; joins are decided after every flow
        of the step holds its token, so an inclusive join sees the tokens still on their way.

        In a flow scope a terminate end event interrupted, no flow is taken: the token ends here,
        as in Zeebe, and the scope completes once its last child has left."""
        if self._event_scopes.scope(context.flow_scope_key).is_interrupted:
            return
        scope = self._scope_of(context)
        executable = context.process.executable
        joins: list[FlowNode] = []
        for flow in flows:
            self._write_taken(writers, context, flow)
            target = executable.flow_node(flow.target_id)
            if is_join(target):
                if all(join.id != target.id for join in joins):
                    joins.append(target)
            else:
                self.activate_element(writers, scope, target)
        for target in joins:
            if self.joins.ready(scope.key, target, executable):
                self.activate_element(writers, scope, target)

    def recheck_inclusive_joins(self, writers: Writers, scope: ElementContext) -> None:
        """Activate the inclusive joins of ``scope`` that hold tokens and that no token can reach
        any more (called when a path of the scope ended: an element without outgoing flows
        completed, or a child terminated)."""
        instance = self._instances.get(scope.key)
        if instance is None or instance.active_flows == 0 or not instance.is_active:
            return
        executable = scope.process.executable
        for gateway in self.joins.inclusive_joins_in(
            scope.process_definition_key, executable, scope.element_id
        ):
            counts = self._instances.taken_flows(scope.key, gateway.id)
            if any(counts.values()) and self.joins.ready(scope.key, gateway, executable):
                self.activate_element(writers, scope, gateway)

    def _write_taken(self, writers: Writers, context: ElementContext, flow: SequenceFlow) -> None:
        value = context.value
        taken = value.__class__(
            bpmn_process_id=value.bpmn_process_id,
            version=value.version,
            process_definition_key=value.process_definition_key,
            process_instance_key=value.process_instance_key,
            element_id=flow.id,
            flow_scope_key=value.flow_scope_key,
            bpmn_element_type=BpmnElementType.SEQUENCE_FLOW,
            parent_process_instance_key=value.parent_process_instance_key,
            parent_element_instance_key=value.parent_element_instance_key,
            tenant_id=value.tenant_id,
        )
        writers.append_event(self._keys.next_key(), PI.SEQUENCE_FLOW_TAKEN, taken)

    def _scope_of(self, context: ElementContext) -> ElementContext:
        """The flow scope's context (for activating siblings inside it)."""
        instance = self._instances.get(context.flow_scope_key)
        if instance is None:
            raise LookupError(f"flow scope {context.flow_scope_key} of {context!r} is gone")
        element = context.process.executable.flow_node(instance.value.element_id)
        return ElementContext(instance.key, instance.value, element, context.process)

    # -- leaving ---------------------------------------------------------------------------------

    def after_completed(self, writers: Writers, context: ElementContext) -> None:
        """Tell the flow scope a child completed (it may complete now)."""
        scope = self.flow_scope(context)
        if scope is not None and self.containers is not None:
            self.containers.on_child_completed(writers, scope, context)

    def after_terminated(self, writers: Writers, context: ElementContext) -> None:
        """Tell the flow scope a child terminated, unless an interrupting event subprocess waits
        for the scope's children to end (it takes over the scope)."""
        scope = self.flow_scope(context)
        if scope is not None and self.events is not None and self.events.on_child_terminated(writers, scope):
            return
        if scope is not None and self.containers is not None:
            self.containers.on_child_terminated(writers, scope, context)

    def end_terminated(self, writers: Writers, context: ElementContext) -> None:
        """TERMINATED, then tell the flow scope: how every termination ends, at once or once what
        held it (children, a called process, canceling task listeners) is gone."""
        self.terminated(writers, context)
        self.after_terminated(writers, context)

    def flow_scope(self, context: ElementContext) -> ElementContext | None:
        if context.flow_scope_key <= 0:
            return None
        instance = self._instances.get(context.flow_scope_key)
        if instance is None:
            return None
        element = context.process.executable.flow_node(instance.value.element_id)
        return ElementContext(instance.key, instance.value, element, context.process)

    def context_of(self, instance: ElementInstance) -> ElementContext:
        """Rebuild the context of a stored element instance."""
        process = self._processes.by_key(instance.value.process_definition_key)
        if process is None:
            raise LookupError(f"process definition {instance.value.process_definition_key} is gone")
        element = process.executable.flow_node(instance.value.element_id)
        return ElementContext(instance.key, instance.value, element, process)
