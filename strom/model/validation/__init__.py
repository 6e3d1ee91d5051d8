"""Deployment validation, as Zeebe does it: every problem of a resource, found in one pass.

Rules live in modules by concern (definitions, processes, flows, events, tasks, extensions,
values, loops) and register for the element tags they check; ``validate`` walks the executable
processes once and runs the rules of each element, including those of its Zeebe extension
elements (registered as ``zeebe:<tag>``).
"""

from __future__ import annotations

from strom.model.errors import Problem
from strom.model.reader import Document, Node
from strom.model.validation import (  # noqa: F401  (importing registers the rules)
    definitions,
    events,
    extensions,
    flows,
    loops,
    processes,
    tasks,
    values,
)
from strom.model.validation._context import ValidationContext
from strom.model.validation._rules import DOCUMENT_RULES, RULES

__all__ = ["ValidationContext", "validate"]


def validate(document: Document, resource_name: str) -> list[Problem]:
    """All problems of ``document``; an empty list means it can be compiled."""
    context = ValidationContext.of(document, resource_name)
    for document_rule in DOCUMENT_RULES:
        document_rule(context)
    for node in context.elements:
        for rule in RULES.get(node.tag, ()):
            rule(context, node)
        _extensions(context, node.extensions)
    for root_element in context.document.root.children:
        if root_element.tag != "process":
            _extensions(context, root_element.extensions)
    return context.problems


def _extensions(context: ValidationContext, nodes: list[Node]) -> None:
    for node in nodes:
        for rule in RULES.get("zeebe:" + node.tag, ()):
            rule(context, node)
        _extensions(context, node.children)
