"""Straight-through processing loops: cycles of elements that never wait.

A loop of undefined tasks, manual tasks, FEEL script tasks and the like would keep the engine
busy forever, so Zeebe rejects it at deployment. The check runs in linear time: strongly
connected components of the straight-through graph, then reachability from the elements that
make a loop harmful.
"""

from __future__ import annotations

from collections import deque

from strom.model import kinds
from strom.model.reader import Node
from strom.model.validation._context import ValidationContext
from strom.model.validation._rules import document_rule

_REJECTED = frozenset(
    {"manualTask", "task", "callActivity", "intermediateThrowEvent", "scriptTask", "businessRuleTask"}
)
_PASS_THROUGH = _REJECTED | {
    "exclusiveGateway",
    "inclusiveGateway",
    "parallelGateway",
    "startEvent",
    "endEvent",
    "subProcess",
}


def _is_straight_through(node: Node) -> bool:
    if node.tag not in _PASS_THROUGH or kinds.is_event_subprocess(node):
        return False
    if node.tag in ("scriptTask", "businessRuleTask"):
        return node.one_ext("taskDefinition") is None
    return True


def _none_start(container: Node) -> Node | None:
    for child in container.all("startEvent"):
        if not child.event_definitions:
            return child
    return None


class _Graph:
    def __init__(self, context: ValidationContext) -> None:
        self.context = context
        self.processes = {process.id: process for process in context.processes if process.id}

    def successors(self, node: Node) -> list[Node]:
        if node.tag == "subProcess":
            start = _none_start(node)
            return [start] if start is not None else []
        if node.tag == "callActivity":
            called = node.one_ext("calledElement")
            process_id = called.get("processId") if called is not None else None
            process = (
                self.processes.get(process_id or "")
                if process_id and not process_id.startswith("=")
                else None
            )
            start = _none_start(process) if process is not None else None
            return [start] if start is not None else []
        flows = self.context.outgoing_of(node)
        if not flows and node.parent is not None and node.parent.tag == "subProcess":
            flows = self.context.outgoing_of(node.parent)
        targets = [self.context.flow_target(flow) for flow in flows]
        return [target for target in targets if target is not None]


def _cyclic_nodes(nodes: list[Node], edges: dict[int, list[Node]]) -> set[int]:
    """Ids of nodes on a cycle (iterative Tarjan)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[Node] = []
    cyclic: set[int] = set()
    counter = 0
    for root in nodes:
        if id(root) in index:
            continue
        work = [(root, 0)]
        while work:
            node, position = work.pop()
            key = id(node)
            if position == 0:
                index[key] = low[key] = counter
                counter += 1
                stack.append(node)
                on_stack.add(key)
            successors = edges.get(key, [])
            if position < len(successors):
                work.append((node, position + 1))
                successor = successors[position]
                if id(successor) not in index:
                    work.append((successor, 0))
                elif id(successor) in on_stack:
                    low[key] = min(low[key], index[id(successor)])
                continue
            if low[key] == index[key]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(id(member))
                    component.append(member)
                    if member is node:
                        break
                if len(component) > 1 or any(s is node for s in edges.get(key, [])):
                    cyclic.update(id(member) for member in component)
            if work:
                parent = work[-1][0]
                low[id(parent)] = min(low[id(parent)], low[key])
    return cyclic


def _cycle_through(start: Node, edges: dict[int, list[Node]], cyclic: set[int]) -> list[Node]:
    previous: dict[int, Node] = {}
    queue = deque([start])
    seen = {id(start)}
    while queue:
        node = queue.popleft()
        for successor in edges.get(id(node), []):
            if successor is start:
                path = [node]
                while path[-1] is not start:
                    path.append(previous[id(path[-1])])
                return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, start]
            if id(successor) in cyclic and id(successor) not in seen:
                seen.add(id(successor))
                previous[id(successor)] = node
                queue.append(successor)
    return [start]


@document_rule
def straight_through_loops(context: ValidationContext) -> None:
    graph = _Graph(context)
    nodes = [node for node in context.elements if _is_straight_through(node)]
    edges = {id(node): [s for s in graph.successors(node) if _is_straight_through(s)] for node in nodes}
    cyclic = _cyclic_nodes(nodes, edges)
    if not cyclic:
        return
    reported: set[int] = set()
    seen: set[int] = set()
    queue = deque(node for node in nodes if node.tag in _REJECTED)
    seen.update(id(node) for node in queue)
    while queue:
        node = queue.popleft()
        if id(node) in cyclic:
            process = _process_of(node)
            if id(process) not in reported:
                reported.add(id(process))
                loop = _cycle_through(node, edges, cyclic)
                context.report(
                    process,
                    "Processes are not allowed to contain a straight-through processing loop: "
                    + " > ".join(member.id or "?" for member in loop),
                )
            continue
        for successor in edges.get(id(node), []):
            if id(successor) not in seen:
                seen.add(id(successor))
                queue.append(successor)


def _process_of(node: Node) -> Node:
    while node.parent is not None and node.tag != "process":
        node = node.parent
    return node
