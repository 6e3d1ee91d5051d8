"""Triggering caught events: Zeebe's ``EventHandle`` and ``EventTriggerBehavior``.

An event caught for an element instance (its *event scope*) is first stored on that scope with
PROCESS_EVENT TRIGGERING, then acted on according to what caught it:

* the catch event itself (intermediate catch event, receive task) or an event-based gateway:
  the scope completes (COMPLETE_ELEMENT) and takes the trigger's variables on completion;
* a boundary event, interrupting: the activity terminates; once it is terminated the boundary
  event is activated with the trigger (``on_terminated``);
* a boundary event, non-interrupting: the boundary event is activated at once, next to the
  activity;
* an event subprocess start event: the event subprocess is activated in the scope; an
  interrupting one first terminates the scope's other children and is activated when the last of
  them terminated (``on_child_terminated``).

A triggered catch event is activated by writing ELEMENT_ACTIVATING and ELEMENT_ACTIVATED directly
(with PROCESS_EVENT TRIGGERED), the event's variables becoming its local variables, followed by a
COMPLETE_ELEMENT command: its output mappings (or the default propagation) then see them.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.state_transition import StateTransitionBehavior
from strom.engine.processing.bpmn.behavior.variable import VariableBehavior
from strom.engine.processing.bpmn.behavior.variable_mapping import VariableMappingBehavior, owner_of
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.appliers.process_event import can_trigger, trigger_kind
from strom.engine.state.element_instance import ElementInstance
from strom.engine.state.event_scope import EventTrigger
from strom.engine.state.process import DeployedProcess
from strom.model import FlowNode
from strom.protocol.bpmn import BpmnElementType, BpmnEventType
from strom.protocol.intents import ProcessEventIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.process_event import ProcessEventRecordValue
from strom.protocol.values.process_instance import ProcessInstanceRecordValue
from strom.stream.key_generator import KeyGenerator

_COMPLETES_ITS_SCOPE = frozenset({BpmnElementType.INTERMEDIATE_CATCH_EVENT, BpmnElementType.RECEIVE_TASK})


def is_event_subprocess_start(process: DeployedProcess, element: FlowNode) -> bool:
    if element.element_type is not BpmnElementType.START_EVENT or element.flow_scope_id is None:
        return False
    scope = process.executable.flow_node(element.flow_scope_id)
    return scope.element_type is BpmnElementType.EVENT_SUB_PROCESS


class EventTriggerBehavior:
    def __init__(
        self,
        state: ProcessingState,
        keys: KeyGenerator,
        transitions: StateTransitionBehavior,
        variables: VariableBehavior,
    ) -> None:
        self._instances = state.element_instances
        self._scopes = state.event_scopes
        self._processes = state.processes
        self._keys = keys
        self._transitions = transitions
        self._variables = variables
        self._variable_state = state.variables
        self._mappings = VariableMappingBehavior(state.variables, variables)
        self.unsubscribe_event_subprocesses: Any = None  # set by the event subscription behavior

    # -- can an event be caught? ------------------------------------------------------------------

    def can_trigger(self, scope: ElementInstance | None, element_id: str, process: DeployedProcess) -> bool:
        """Zeebe's ``canTriggerElement``: the scope is active, accepts this event, and its own
        flow scope was not interrupted meanwhile."""
        if scope is None or not scope.is_active:
            return False
        target = process.executable.elements.get(element_id)
        is_boundary, _ = trigger_kind(target if isinstance(target, FlowNode) else None)
        if not can_trigger(self._scopes.scope(scope.key), is_boundary):
            return False
        parent_key = scope.parent_key
        return parent_key <= 0 or not self._scopes.scope(parent_key).is_interrupted

    def is_interrupted(self, element_instance_key: int) -> bool:
        return self._scopes.scope(element_instance_key).is_interrupted

    # -- catching ---------------------------------------------------------------------------------

    def trigger(
        self,
        writers: Writers,
        scope: ElementInstance,
        catch_event: FlowNode,
        process: DeployedProcess,
        variables: dict[str, Any] | None = None,
    ) -> int:
        """An event caught by ``catch_event`` in ``scope`` (checked with ``can_trigger``);
        returns the process event key."""
        value = scope.value
        event_key = self.triggering(
            writers, value, scope.key, catch_event.id, variables or {}, value.process_instance_key
        )
        if catch_event.element_type in _COMPLETES_ITS_SCOPE:
            writers.append_command(scope.key, PI.COMPLETE_ELEMENT, value)
        elif is_event_subprocess_start(process, catch_event):
            self._trigger_event_subprocess(writers, scope, catch_event, process)
        elif catch_event.interrupting:
            writers.append_command(scope.key, PI.TERMINATE_ELEMENT, value)
        else:
            trigger = EventTrigger(event_key, catch_event.id, variables or {}, value.process_instance_key)
            context = ElementContext(
                scope.key, value, process.executable.flow_node(value.element_id), process
            )
            self.activate_triggered(writers, context, scope.key, value.flow_scope_key, trigger)
        return event_key

    def triggering(
        self,
        writers: Writers,
        value: Any,
        scope_key: int,
        element_id: str,
        variables: dict[str, Any],
        process_instance_key: int,
    ) -> int:
        """PROCESS_EVENT TRIGGERING: store the trigger on its scope; returns the event key."""
        event_key = self._keys.next_key()
        writers.append_event(
            event_key,
            ProcessEventIntent.TRIGGERING,
            ProcessEventRecordValue(
                scope_key=scope_key,
                target_element_id=element_id,
                variables=variables,
                process_definition_key=value.process_definition_key,
                process_instance_key=process_instance_key,
                tenant_id=value.tenant_id,
            ),
        )
        return event_key

    def triggered(self, writers: Writers, value: Any, scope_key: int, trigger: EventTrigger) -> None:
        """PROCESS_EVENT TRIGGERED: the trigger was consumed by the element it activated."""
        writers.append_event(
            trigger.event_key,
            ProcessEventIntent.TRIGGERED,
            ProcessEventRecordValue(
                scope_key=scope_key,
                target_element_id=trigger.element_id,
                process_definition_key=value.process_definition_key,
                process_instance_key=value.process_instance_key,
                tenant_id=value.tenant_id,
            ),
        )

    def _trigger_event_subprocess(
        self, writers: Writers, scope: ElementInstance, start_event: FlowNode, process: DeployedProcess
    ) -> None:
        scope_element = process.executable.flow_node(scope.value.element_id)
        context = ElementContext(scope.key, scope.value, scope_element, process)
        if start_event.interrupting:
            if self.unsubscribe_event_subprocesses is not None:
                self.unsubscribe_event_subprocesses(writers, context)
            any_child = False
            for child in self._instances.children(scope.key):
                if not child.is_terminating:
                    any_child = True
                    self._transitions.terminate_element(writers, child)
            if any_child:
                return  # activated once the last child terminated (on_child_terminated)
        self._activate_event_subprocess(writers, context, start_event)

    def _activate_event_subprocess(
        self, writers: Writers, scope: ElementContext, start_event: FlowNode
    ) -> None:
        assert start_event.flow_scope_id is not None
        event_subprocess = scope.process.executable.flow_node(start_event.flow_scope_id)
        self._transitions.activate_element(writers, scope, event_subprocess)

    # -- activating what a trigger asks for ---------------------------------------------------------

    def activate_triggered(
        self,
        writers: Writers,
        source: ElementContext,
        scope_key: int,
        flow_scope_key: int,
        trigger: EventTrigger,
    ) -> int:
        """Activate the trigger's element inside ``flow_scope_key``: ACTIVATING and ACTIVATED with
        the trigger's variables as local variables, then COMPLETE_ELEMENT. Returns its key."""
        element = source.process.executable.flow_node(trigger.element_id)
        self.triggered(writers, source.value, scope_key, trigger)
        key = self._keys.next_key()
        context = source.child(key, element, flow_scope_key)
        writers.append_event(key, PI.ELEMENT_ACTIVATING, context.value)
        writers.append_event(key, PI.ELEMENT_ACTIVATED, context.value)
        if trigger.variables:
            self._variables.merge_local(writers, key, trigger.variables, owner_of(context))
        writers.append_command(key, PI.COMPLETE_ELEMENT, context.value)
        return key

    def own_trigger(self, context: ElementContext) -> EventTrigger | None:
        """The trigger stored on the element itself (a catch event that caught its event)."""
        for trigger in self._scopes.triggers(context.key):
            return trigger
        return None

    def consume_own_trigger(self, writers: Writers, context: ElementContext) -> dict[str, Any]:
        """Write TRIGGERED for the element's own trigger (if any) and return its variables."""
        trigger = self.own_trigger(context)
        if trigger is None:
            return {}
        self.triggered(writers, context.value, context.key, trigger)
        return trigger.variables

    def apply_outputs(self, writers: Writers, context: ElementContext) -> Failure | None:
        """The output mappings of a catch event, with the variables of the event it caught
        (Zeebe's ``applyOutputMappings``).

        With output mappings the event's variables become local variables for the mappings to
        read. Without, they are merged with propagation from the element. A catch event activated
        with the event's variables as its local variables (a boundary event other than an error
        one, a start event, an event after an event-based gateway) hands them to its flow scope.
        """
        variables = self.consume_own_trigger(writers, context)
        owner = owner_of(context)
        if context.element.io_mappings.outputs:
            if variables:
                self._variables.merge_local(writers, context.key, variables, owner)
            return self._mappings.apply_outputs(writers, context)
        if variables:
            self._variables.merge_propagate(writers, context.key, variables, owner)
        elif self._keeps_event_variables_local(context):
            local = {v.name: v.value for v in self._variable_state.local_variables(context.key)}
            if local:
                inner = context.element.multi_instance is not None
                scope = context.key if inner or context.flow_scope_key <= 0 else context.flow_scope_key
                self._variables.merge_propagate(writers, scope, local, owner)
        return None

    def _keeps_event_variables_local(self, context: ElementContext) -> bool:
        element = context.element
        element_type = element.element_type
        if element_type is BpmnElementType.BOUNDARY_EVENT:
            return element.event_type is not BpmnEventType.ERROR
        if element_type is BpmnElementType.START_EVENT:
            return element.event_type is not BpmnEventType.NONE
        executable = context.process.executable
        return any(
            executable.flow_node(flow.source_id).element_type is BpmnElementType.EVENT_BASED_GATEWAY
            for flow in element.incoming
        )

    def trigger_for(self, scope_key: int, element_id: str) -> EventTrigger | None:
        for trigger in self._scopes.triggers(scope_key):
            if trigger.element_id == element_id:
                return trigger
        return None

    # -- hooks of the element lifecycle (called by the state transition behavior) ------------------

    def boundary_trigger(self, context: ElementContext) -> EventTrigger | None:
        """Before an activity is gone: the interrupting boundary event that ends it, if any."""
        for trigger in self._scopes.triggers(context.key):
            if trigger.element_id != context.element_id:
                return trigger
        return None

    def on_terminated(self, writers: Writers, context: ElementContext, trigger: EventTrigger) -> None:
        """The activity an interrupting boundary event hit is terminated: activate the event,
        unless its flow scope left or was interrupted meanwhile."""
        flow_scope_key = context.flow_scope_key
        flow_scope = self._instances.get(flow_scope_key)
        if flow_scope is None or not flow_scope.is_active or self.is_interrupted(flow_scope_key):
            return
        self.activate_triggered(writers, context, context.key, flow_scope_key, trigger)

    def on_child_terminated(self, writers: Writers, scope: ElementContext) -> bool:
        """A child of ``scope`` terminated: if an interrupting event subprocess waits for the
        scope's children to end and this was the last one, activate it. True if it took over."""
        event_scope = self._scopes.scope(scope.key)
        if not event_scope.is_interrupted:
            return False
        instance = self._instances.get(scope.key)
        if instance is None or not instance.is_active:
            return False
        start_event = scope.process.executable.elements.get(event_scope.interrupted_by)
        if not isinstance(start_event, FlowNode) or not is_event_subprocess_start(scope.process, start_event):
            return False
        if instance.active_children > 0:
            return True
        if self.trigger_for(scope.key, start_event.id) is None:
            return False
        self._activate_event_subprocess(writers, scope, start_event)
        return True

    def activate_event_subprocess_start(self, writers: Writers, context: ElementContext) -> bool:
        """An event subprocess was activated: activate its start event with the trigger waiting on
        the event subprocess's flow scope. False if there is none."""
        container = context.element.container
        if container is None or not container.start_event_ids:
            return False
        start_id = container.start_event_ids[0]
        trigger = self.trigger_for(context.flow_scope_key, start_id)
        if trigger is None:
            return False
        self.activate_triggered(writers, context, context.flow_scope_key, context.key, trigger)
        return True

    # -- process start events ---------------------------------------------------------------------

    def start_event_trigger(
        self, process_definition_key: int, process_instance_key: int
    ) -> EventTrigger | None:
        for trigger in self._scopes.triggers(process_definition_key):
            if trigger.process_instance_key in (process_instance_key, -1):
                return trigger
        return None

    def activate_start_event(self, writers: Writers, context: ElementContext) -> bool:
        """A process started by an event (message, timer, signal): activate that start event with
        the event's variables. False if the process was started otherwise."""
        if not context.process.executable.container.start_event_ids:
            return False
        trigger = self.start_event_trigger(context.process_definition_key, context.key)
        if trigger is None:
            return False
        self.activate_triggered(writers, context, context.process_definition_key, context.key, trigger)
        return True

    def start_process(
        self,
        writers: Writers,
        process: DeployedProcess,
        process_instance_key: int,
        start_event_id: str,
        variables: dict[str, Any],
    ) -> None:
        """Start an instance at ``start_event_id`` (Zeebe's ``activateProcessInstanceForStartEvent``):
        the trigger is stored under the process definition, then the process is activated."""
        record = process.record
        value = ProcessInstanceRecordValue(
            bpmn_process_id=record.bpmn_process_id,
            version=record.version,
            process_definition_key=record.process_definition_key,
            process_instance_key=process_instance_key,
            element_id=record.bpmn_process_id,
            bpmn_element_type=BpmnElementType.PROCESS,
            tenant_id=record.tenant_id,
        )
        self.triggering(
            writers, value, record.process_definition_key, start_event_id, variables, process_instance_key
        )
        writers.append_command(process_instance_key, PI.ACTIVATE_ELEMENT, value)
