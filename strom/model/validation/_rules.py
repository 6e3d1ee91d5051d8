"""The rule registry: rules register for the BPMN tags (or ``zeebe:`` extension tags) they check."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from strom.model.reader import Node
from strom.model.validation._context import ValidationContext

Rule = Callable[[ValidationContext, Node], None]
DocumentRule = Callable[[ValidationContext], None]

RULES: dict[str, list[Rule]] = defaultdict(list)
DOCUMENT_RULES: list[DocumentRule] = []


def rule(*tags: str | Iterable[str]) -> Callable[[Rule], Rule]:
    """Register a rule for every node with one of ``tags`` (strings or sets of strings)."""

    def register(function: Rule) -> Rule:
        for tag in tags:
            for name in [tag] if isinstance(tag, str) else sorted(tag):
                RULES[name].append(function)
        return function

    return register


def document_rule(function: DocumentRule) -> DocumentRule:
    """Register a rule that looks at the whole document once."""
    DOCUMENT_RULES.append(function)
    return function
