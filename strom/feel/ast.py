"""FEEL syntax tree. Every node keeps its source span so errors can point at it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Between",
    "Binary",
    "Call",
    "ContextLit",
    "Dash",
    "Filter",
    "For",
    "FunctionDef",
    "If",
    "In",
    "InstanceOf",
    "ListLit",
    "Literal",
    "Name",
    "Negation",
    "Node",
    "NotTests",
    "Path",
    "Quantified",
    "RangeLit",
    "TypeRef",
    "UnaryCmp",
    "UnaryTests",
]


@dataclass(slots=True, eq=False)
class Node:
    start: int
    end: int


@dataclass(slots=True, eq=False)
class Literal(Node):
    """Number, string, boolean, null or temporal literal; value already a FEEL value."""

    value: Any
    kind: str = "value"


@dataclass(slots=True, eq=False)
class Name(Node):
    name: str


@dataclass(slots=True, eq=False)
class Path(Node):
    target: Node
    name: str


@dataclass(slots=True, eq=False)
class Filter(Node):
    target: Node
    condition: Node


@dataclass(slots=True, eq=False)
class Call(Node):
    callee: Node
    args: list[Node]
    named: list[tuple[str, Node]] | None = None


@dataclass(slots=True, eq=False)
class Negation(Node):
    operand: Node


@dataclass(slots=True, eq=False)
class Binary(Node):
    op: str  # + - * / ** = != < <= > >= and or
    left: Node
    right: Node


@dataclass(slots=True, eq=False)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(slots=True, eq=False)
class In(Node):
    value: Node
    tests: list[Node]


@dataclass(slots=True, eq=False)
class TypeRef(Node):
    name: str
    params: list[TypeRef] = field(default_factory=list)
    fields: list[tuple[str, TypeRef]] = field(default_factory=list)
    result: TypeRef | None = None


@dataclass(slots=True, eq=False)
class InstanceOf(Node):
    value: Node
    type: TypeRef


@dataclass(slots=True, eq=False)
class If(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(slots=True, eq=False)
class Iteration:
    name: str
    source: Node
    upper: Node | None  # `for i in 1..3`: source is the lower bound


@dataclass(slots=True, eq=False)
class For(Node):
    iterations: list[Iteration]
    body: Node


@dataclass(slots=True, eq=False)
class Quantified(Node):
    every: bool
    iterations: list[Iteration]
    condition: Node


@dataclass(slots=True, eq=False)
class ListLit(Node):
    items: list[Node]


@dataclass(slots=True, eq=False)
class ContextLit(Node):
    entries: list[tuple[str, Node]]


@dataclass(slots=True, eq=False)
class RangeLit(Node):
    start_included: bool
    low: Node | None
    high: Node | None
    end_included: bool


@dataclass(slots=True, eq=False)
class FunctionDef(Node):
    params: list[tuple[str, TypeRef | None]]
    body: Node
    external: bool = False


@dataclass(slots=True, eq=False)
class UnaryCmp(Node):
    """``< e`` and friends: a test against the input, or a range value in expressions."""

    op: str
    operand: Node


@dataclass(slots=True, eq=False)
class Dash(Node):
    """``-`` in unary tests: matches anything."""


@dataclass(slots=True, eq=False)
class NotTests(Node):
    tests: list[Node]


@dataclass(slots=True, eq=False)
class UnaryTests(Node):
    tests: list[Node]
