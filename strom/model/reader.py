"""Reader: the lxml tree of a BPMN resource as a light tree of ``Node``s.

Validation and compilation work on this tree instead of lxml directly, so namespace handling,
line numbers, trimmed text content and QName references are dealt with once, here. Only the
BPMN semantic namespace and Zeebe's extension namespace are kept; diagram interchange (DI) and
other vendors' extensions are skipped (their ids still count for uniqueness, as in XML Schema).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lxml import etree

from strom.model._xml import BPMN_NS

ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
_ID_NAMESPACES = frozenset(
    {
        BPMN_NS,
        "http://www.omg.org/spec/BPMN/20100524/DI",
        "http://www.omg.org/spec/DD/20100524/DI",
        "http://www.omg.org/spec/DD/20100524/DC",
    }
)
_BPMN_PREFIX = f"{{{BPMN_NS}}}"
_ZEEBE_PREFIX = f"{{{ZEEBE_NS}}}"
_ZEEBE_ATTRIBUTE = "zeebe:"


@dataclass(slots=True, eq=False)
class Node:
    """A BPMN or Zeebe element: local tag name, attributes, trimmed text, children.

    Attributes without namespace are keyed by their local name; Zeebe-namespaced attributes of
    BPMN elements are keyed ``zeebe:<name>``, while on Zeebe elements both spellings map to the
    local name (Zeebe reads them either way). ``extensions`` holds the Zeebe elements found in a
    BPMN element's ``extensionElements``.
    """

    tag: str
    is_zeebe: bool
    line: int
    attrs: dict[str, str]
    text: str
    parent: Node | None
    children: list[Node] = field(default_factory=list)
    extensions: list[Node] = field(default_factory=list)

    @property
    def id(self) -> str | None:
        return self.attrs.get("id")

    @property
    def name(self) -> str | None:
        return self.attrs.get("name")

    def get(self, attribute: str) -> str | None:
        return self.attrs.get(attribute)

    def first(self, tag: str) -> Node | None:
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def all(self, tag: str) -> list[Node]:
        return [child for child in self.children if child.tag == tag]

    def ext(self, tag: str) -> list[Node]:
        """Zeebe extension elements with this local name."""
        return [node for node in self.extensions if node.tag == tag]

    def one_ext(self, tag: str) -> Node | None:
        for node in self.extensions:
            if node.tag == tag:
                return node
        return None

    @property
    def owner(self) -> Node:
        """The nearest element (this one or an ancestor) that has an id, to name in problems."""
        node: Node | None = self
        while node is not None:
            if node.id and not node.is_zeebe:
                return node
            node = node.parent
        return self

    @property
    def event_definitions(self) -> list[Node]:
        return [child for child in self.children if child.tag.endswith("EventDefinition")]

    def walk(self) -> Iterator[Node]:
        """This node and all BPMN descendants, depth first in document order."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.children))


@dataclass(slots=True)
class Document:
    """A read BPMN resource: the ``definitions`` node and an index of ids."""

    root: Node
    by_id: dict[str, Node]
    duplicate_ids: list[tuple[str, int, int]]
    """(id, line of the repeated use, line of the first use) for every id used more than once."""

    def resolve(self, reference: str | None) -> Node | None:
        """The element a reference attribute points at; QName prefixes (``tns:x``) are allowed."""
        if not reference:
            return None
        node = self.by_id.get(reference)
        if node is None and ":" in reference:
            node = self.by_id.get(reference.rsplit(":", 1)[1])
        return node


def read(root: etree._Element) -> Document:
    """Build the node tree of a parsed ``definitions`` element."""
    by_id: dict[str, Node] = {}
    id_lines: dict[str, int] = {}
    duplicates: list[tuple[str, int, int]] = []
    definitions = _bpmn_node(root, None, "definitions")

    def note_id(value: str | None, line: int) -> None:
        if not value:
            return
        first = id_lines.get(value)
        if first is None:
            id_lines[value] = line
        else:
            duplicates.append((value, line, first))

    def visit(element: etree._Element, node: Node) -> None:
        if node.id is not None:
            note_id(node.id, node.line)
            by_id.setdefault(node.id, node)
        for child in element:
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag.startswith(_BPMN_PREFIX):
                local = tag[len(_BPMN_PREFIX) :]
                if local == "extensionElements":
                    node.extensions.extend(_zeebe_children(child, node))
                    continue
                child_node = _bpmn_node(child, node, local)
                node.children.append(child_node)
                visit(child, child_node)
            elif _counts_for_ids(tag):
                _note_foreign_ids(child, note_id)

    visit(root, definitions)
    return Document(definitions, by_id, duplicates)


def _counts_for_ids(tag: str) -> bool:
    return tag.startswith("{") and tag[1 : tag.find("}")] in _ID_NAMESPACES


def _note_foreign_ids(element: etree._Element, note: Callable[[str | None, int], None]) -> None:
    for descendant in element.iter():
        if isinstance(descendant.tag, str):
            value = descendant.get("id")
            if value:
                note(value, descendant.sourceline or 0)


def _bpmn_node(element: etree._Element, parent: Node | None, local: str) -> Node:
    attrs: dict[str, str] = {}
    for key, value in element.attrib.items():
        if key[0] != "{":
            attrs[key] = value
        elif key.startswith(_ZEEBE_PREFIX):
            attrs[_ZEEBE_ATTRIBUTE + key[len(_ZEEBE_PREFIX) :]] = value
    return Node(local, False, element.sourceline or 0, attrs, _text(element), parent)


def _zeebe_children(container: etree._Element, parent: Node) -> list[Node]:
    nodes = []
    for child in container:
        tag = child.tag
        if isinstance(tag, str) and tag.startswith(_ZEEBE_PREFIX):
            nodes.append(_zeebe_node(child, parent, tag[len(_ZEEBE_PREFIX) :]))
    return nodes


def _zeebe_node(element: etree._Element, parent: Node, local: str) -> Node:
    attrs: dict[str, str] = {}
    for key, value in element.attrib.items():
        if key[0] != "{":
            attrs.setdefault(key, value)
        elif key.startswith(_ZEEBE_PREFIX):
            attrs[key[len(_ZEEBE_PREFIX) :]] = value
    node = Node(local, True, element.sourceline or 0, attrs, _text(element), parent)
    node.children = _zeebe_children(element, node)
    return node


def _text(element: etree._Element) -> str:
    """Trimmed direct text of an element (Zeebe trims text content too)."""
    if len(element) == 0:
        return (element.text or "").strip()
    parts = [element.text or ""]
    parts.extend(child.tail or "" for child in element)
    return "".join(parts).strip()
