"""What every rule needs: the document, indexes over its executable processes, and ``report``."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from strom.model import kinds
from strom.model.errors import Problem
from strom.model.reader import Document, Node


@dataclass(slots=True)
class ValidationContext:
    document: Document
    resource_name: str
    processes: list[Node]
    """The executable processes; non-executable pools are neither validated nor deployed."""
    problems: list[Problem] = field(default_factory=list)
    outgoing: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list))
    incoming: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list))
    boundary_events: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list))
    associations: dict[str, list[Node]] = field(default_factory=lambda: defaultdict(list))
    """Association targets by the id of the element the association starts at."""
    elements: list[Node] = field(default_factory=list)
    """Every BPMN node inside the executable processes, in document order."""
    referrers: dict[tuple[str, str], list[Node]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, document: Document, resource_name: str) -> ValidationContext:
        processes = [n for n in document.root.children if kinds.is_executable_process(n)]
        context = cls(document, resource_name, processes)
        for process in processes:
            for node in process.walk():
                context.elements.append(node)
                context._index(node)
        return context

    def _index(self, node: Node) -> None:
        resolve = self.document.resolve
        if node.tag == "sequenceFlow":
            source, target = resolve(node.get("sourceRef")), resolve(node.get("targetRef"))
            if source is not None and source.id:
                self.outgoing[source.id].append(node)
            if target is not None and target.id:
                self.incoming[target.id].append(node)
        elif node.tag == "boundaryEvent":
            activity = resolve(node.get("attachedToRef"))
            if activity is not None and activity.id:
                self.boundary_events[activity.id].append(node)
        elif node.tag == "association":
            source, target = resolve(node.get("sourceRef")), resolve(node.get("targetRef"))
            if source is not None and source.id and target is not None:
                self.associations[source.id].append(target)
        for attribute in _REFERENCE_ATTRIBUTES:
            referenced = resolve(node.attrs.get(attribute))
            if referenced is not None and referenced.id:
                self.referrers[(attribute, referenced.id)].append(node)

    def report(self, node: Node, message: str) -> None:
        """Record a problem at ``node``'s line, named by the nearest element with an id."""
        owner = node.owner
        self.problems.append(Problem(self.resource_name, node.line, owner.id or "", message))

    def report_at(self, line: int, element_id: str, message: str) -> None:
        self.problems.append(Problem(self.resource_name, line, element_id, message))

    def resolve(self, reference: str | None, *tags: str) -> Node | None:
        """The element ``reference`` points at, if it has one of ``tags`` (any tag if none given)."""
        node = self.document.resolve(reference)
        if node is None or (tags and node.tag not in tags):
            return None
        return node

    def scope_of(self, node: Node) -> Node | None:
        """The process or subprocess that contains ``node``."""
        parent = node.parent
        while parent is not None and parent.tag not in kinds.CONTAINERS:
            parent = parent.parent
        return parent

    def is_in_executable_process(self, node: Node) -> bool:
        while node.parent is not None:
            node = node.parent
            if node.tag == "process":
                return kinds.is_executable_process(node)
        return False

    def outgoing_of(self, node: Node) -> list[Node]:
        return self.outgoing.get(node.id or "", []) if node.id else []

    def incoming_of(self, node: Node) -> list[Node]:
        return self.incoming.get(node.id or "", []) if node.id else []

    def boundary_events_of(self, node: Node) -> list[Node]:
        return self.boundary_events.get(node.id or "", []) if node.id else []

    def flow_target(self, flow: Node) -> Node | None:
        return self.resolve(flow.get("targetRef"))

    def flow_source(self, flow: Node) -> Node | None:
        return self.resolve(flow.get("sourceRef"))

    def references_to(self, attribute: str, target: Node) -> list[Node]:
        """Nodes in executable processes whose ``attribute`` refers to ``target``."""
        return self.referrers.get((attribute, target.id or ""), [])


_REFERENCE_ATTRIBUTES = ("messageRef", "signalRef", "errorRef", "escalationRef")
