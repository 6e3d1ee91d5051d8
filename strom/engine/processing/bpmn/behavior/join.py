"""When a joining gateway may activate.

A gateway with several incoming flows joins tokens. Tokens wait on their sequence flow, kept by
(scope, target, flow) in state until the target is activated. A parallel join activates once
every incoming flow has a token. An inclusive join activates once every incoming flow has a token,
or once some have and no token of the scope can still reach it (Zeebe's rule: look for a path from
every token in flight and every active element of the scope to the gateway, not through an
incoming flow of the gateway that already has its token).
"""

from __future__ import annotations

from strom.engine.state.element_instance import ElementInstanceState
from strom.model import ExecutableProcess, FlowNode
from strom.protocol.bpmn import BpmnElementType

_JOIN_TYPES = frozenset({BpmnElementType.PARALLEL_GATEWAY, BpmnElementType.INCLUSIVE_GATEWAY})


def is_join(element: FlowNode) -> bool:
    """A parallel or inclusive gateway with more than one incoming flow."""
    return element.element_type in _JOIN_TYPES and len(element.incoming) > 1


class JoinBehavior:
    def __init__(self, instances: ElementInstanceState) -> None:
        self._instances = instances
        # derived from the (immutable) model only: which inclusive joins each container holds
        self._inclusive_joins: dict[tuple[int, str], tuple[FlowNode, ...]] = {}

    def ready(self, scope_key: int, gateway: FlowNode, process: ExecutableProcess) -> bool:
        """Whether ``gateway`` (a join) may activate now with the tokens waiting at it."""
        counts = self._instances.taken_flows(scope_key, gateway.id)
        waiting = {flow.id for flow in gateway.incoming if counts.get(flow.id, 0) > 0}
        if len(waiting) == len(gateway.incoming):
            return True
        if gateway.element_type is not BpmnElementType.INCLUSIVE_GATEWAY or not waiting:
            return False
        return not self.has_active_path(scope_key, gateway, process, waiting)

    def has_active_path(
        self, scope_key: int, gateway: FlowNode, process: ExecutableProcess, taken: set[str]
    ) -> bool:
        """Whether a token in flight or an active element of the scope can still reach ``gateway``."""
        sources: list[str] = []
        for target_id, _, count in self._instances.tokens_in_scope(scope_key):
            if count > 0 and target_id != gateway.id:
                sources.append(target_id)
        for child in self._instances.children(scope_key):
            if child.value.element_id != gateway.id:
                sources.append(child.value.element_id)
        elements = process.elements
        visited: set[str] = set()
        while sources:
            element_id = sources.pop()
            if element_id == gateway.id:
                return True
            if element_id in visited:
                continue
            visited.add(element_id)
            node = elements.get(element_id)
            if not isinstance(node, FlowNode):
                continue
            sources.extend(flow.target_id for flow in node.outgoing if flow.id not in taken)
            sources.extend(node.boundary_event_ids)
        return False

    def inclusive_joins_in(
        self, process_key: int, process: ExecutableProcess, scope_id: str
    ) -> tuple[FlowNode, ...]:
        """The inclusive joins that are direct children of the container ``scope_id`` (cached)."""
        cache_key = (process_key, scope_id)
        joins = self._inclusive_joins.get(cache_key)
        if joins is None:
            joins = tuple(
                element
                for element in process.children_of(scope_id)
                if isinstance(element, FlowNode)
                and element.element_type is BpmnElementType.INCLUSIVE_GATEWAY
                and len(element.incoming) > 1
            )
            self._inclusive_joins[cache_key] = joins
        return joins

    def activation_problem(self, scope_key: int, gateway: FlowNode) -> str | None:
        """Why a new instance of the join ``gateway`` may not activate now (Zeebe's guard), if so."""
        counts = self._instances.taken_flows(scope_key, gateway.id)
        if gateway.element_type is BpmnElementType.PARALLEL_GATEWAY:
            if all(counts.get(flow.id, 0) > 0 for flow in gateway.incoming):
                return None
            return (
                f"Expected to be able to activate parallel gateway '{gateway.id}', "
                "but not all sequence flows have been taken."
            )
        if any(counts.get(flow.id, 0) > 0 for flow in gateway.incoming):
            return None
        return (
            f"Expected to be able to activate inclusive gateway '{gateway.id}', "
            "but the inclusive gateway way already activated."
        )
