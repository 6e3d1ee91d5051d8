"""Activating an element anywhere in a process instance: for process instance modification and
for creating an instance with start instructions.

The element's flow scopes (the process, the subprocesses around it) are reused when exactly one
instance of them is active, or created when there is none: a created scope is written as
ELEMENT_ACTIVATING and ELEMENT_ACTIVATED directly (it does not start at its start event) and
opens its event subscriptions. The element itself is activated by an ACTIVATE_ELEMENT command.
With several active instances of a scope, ``ancestor_scope_key`` chooses one (Zeebe's rules). A
scope that is a multi-instance activity cannot be created this way.

``plan`` checks an activation without writing anything (so a command can be rejected before it
changed anything); ``activate`` does it.
"""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from strom.engine.processing.bpmn.behavior.event_subscription import EventSubscriptionBehavior
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.element_instance import ElementInstance, ElementInstanceState
from strom.engine.state.process import DeployedProcess
from strom.model import FlowNode
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.process_instance import ProcessInstanceRecordValue
from strom.stream.key_generator import KeyGenerator

ScopeCallback = Callable[[str, int], None]
"""Called with (element id, element instance key) for every scope used and for the element."""


class ActivationProblem(Exception):
    """Why an element cannot be activated where asked (the command is rejected with the message)."""


class ElementActivationBehavior:
    def __init__(
        self, instances: ElementInstanceState, keys: KeyGenerator, events: EventSubscriptionBehavior
    ) -> None:
        self._instances = instances
        self._keys = keys
        self._events = events

    @staticmethod
    def flow_scopes(process: DeployedProcess, element: FlowNode) -> list[FlowNode]:
        """The element's flow scopes from the process down to its direct flow scope."""
        scopes: list[FlowNode] = []
        scope_id = element.flow_scope_id
        while scope_id is not None:
            scope = process.executable.flow_node(scope_id)
            scopes.append(scope)
            scope_id = scope.flow_scope_id
        scopes.reverse()
        return scopes

    def plan(
        self, root: ProcessInstanceRecordValue, process: DeployedProcess, element: FlowNode, ancestor_key: int
    ) -> list[int]:
        """The existing scope instances the activation would use; raises ``ActivationProblem`` if
        ``element`` cannot be activated. Writes nothing."""
        flow_scope_key = root.process_instance_key
        creating = self._instances.get(flow_scope_key) is None
        reused = [] if creating else [flow_scope_key]
        for scope in self.flow_scopes(process, element)[1:]:
            if creating:
                self._check_can_create(root, scope)
                continue
            found = self._reusable(root, scope, flow_scope_key, ancestor_key)
            if found is None:
                self._check_can_create(root, scope)
                creating = True
            else:
                flow_scope_key = found
                reused.append(found)
        return reused

    def activate(
        self,
        writers: Writers,
        root: ProcessInstanceRecordValue,
        process: DeployedProcess,
        element: FlowNode,
        ancestor_key: int,
        on_scope: ScopeCallback,
    ) -> tuple[int, list[int]]:
        """Activate ``element``; returns its new key and the keys of its flow scopes (used or
        created). Raises ``ActivationProblem`` only where ``plan`` could not foresee it."""
        used: list[int] = []
        scopes = self.flow_scopes(process, element)
        process_key = root.process_instance_key
        if self._instances.get(process_key) is None:
            self._activate_scope(writers, root, process, scopes[0], process_key, -1, on_scope)
        else:
            on_scope(scopes[0].id, process_key)
        used.append(process_key)
        flow_scope_key = process_key
        for scope in scopes[1:]:
            found = self._reusable(root, scope, flow_scope_key, ancestor_key)
            if found is None:
                self._check_can_create(root, scope)
                found = self._keys.next_key()
                self._activate_scope(writers, root, process, scope, found, flow_scope_key, on_scope)
            else:
                on_scope(scope.id, found)
            used.append(found)
            flow_scope_key = found
        key = self._keys.next_key()
        writers.append_command(key, PI.ACTIVATE_ELEMENT, _record(root, element, flow_scope_key))
        on_scope(element.id, key)
        return key, used

    # -- scopes ------------------------------------------------------------------------------------

    def _activate_scope(
        self,
        writers: Writers,
        root: ProcessInstanceRecordValue,
        process: DeployedProcess,
        scope: FlowNode,
        key: int,
        flow_scope_key: int,
        on_scope: ScopeCallback,
    ) -> None:
        value = _record(root, scope, flow_scope_key)
        writers.append_event(key, PI.ELEMENT_ACTIVATING, value)
        on_scope(scope.id, key)
        writers.append_event(key, PI.ELEMENT_ACTIVATED, value)
        self._events.subscribe(writers, ElementContext(key, value, scope, process))

    @staticmethod
    def _check_can_create(root: ProcessInstanceRecordValue, scope: FlowNode) -> None:
        if scope.multi_instance is not None:
            raise ActivationProblem(
                f"Expected to modify instance of process '{root.bpmn_process_id}' but it contains one "
                "or more activate instructions that would result in the activation of multi-instance "
                f"element '{scope.id}', which is currently unsupported."
            )

    def _reusable(
        self, root: ProcessInstanceRecordValue, scope: FlowNode, flow_scope_key: int, ancestor_key: int
    ) -> int | None:
        """An instance of ``scope`` in ``flow_scope_key`` to reuse, or None to create one."""
        instances = [
            child
            for child in self._instances.children(flow_scope_key)
            if child.value.element_id == scope.id and child.is_active
        ]
        if instances and instances[0].value.bpmn_element_type is BpmnElementType.MULTI_INSTANCE_BODY:
            # the scope is a multi-instance activity: its instances are the body's children
            instances = [
                inner for body in instances for inner in self._instances.children(body.key) if inner.is_active
            ]
            if not instances:
                self._check_can_create(root, scope)
        if not instances:
            return None
        selected = ancestor_key > 0
        if len(instances) == 1:
            if selected and self._is_ancestor(ancestor_key, instances[0]):
                return None
            return instances[0].key
        if not selected:
            raise _multiple(root, scope)
        for instance in instances:
            if instance.key == ancestor_key:
                return instance.key
        if any(self._is_ancestor(ancestor_key, instance) for instance in instances):
            return None
        chosen = self._instances.get(ancestor_key)
        if chosen is not None:
            for instance in instances:
                if self._is_ancestor(instance.key, chosen):
                    return instance.key
        raise _multiple(root, scope)

    def _is_ancestor(self, ancestor_key: int, instance: ElementInstance) -> bool:
        scope_key = instance.value.flow_scope_key
        while scope_key > 0:
            if scope_key == ancestor_key:
                return True
            scope = self._instances.get(scope_key)
            if scope is None:
                return False
            scope_key = scope.value.flow_scope_key
        return False


def _multiple(root: ProcessInstanceRecordValue, scope: FlowNode) -> ActivationProblem:
    return ActivationProblem(
        f"Expected to modify instance of process '{root.bpmn_process_id}' but it contains one or more "
        f"activate instructions for an element that has a flow scope with more than one active "
        f"instance: '{scope.id}'. Can't decide in which instance of the flow scope the element should "
        "be activated. Please specify an ancestor element instance key for this activate instruction."
    )


def _record(
    root: ProcessInstanceRecordValue, element: FlowNode, flow_scope_key: int
) -> ProcessInstanceRecordValue:
    element_type = element.element_type
    if element.multi_instance is not None:
        element_type = BpmnElementType.MULTI_INSTANCE_BODY
    return msgspec.structs.replace(
        root,
        element_id=element.id,
        bpmn_element_type=element_type,
        bpmn_event_type=element.event_type,
        flow_scope_key=flow_scope_key,
    )
