"""Expressions: Zeebe's attribute values that are either a static value or FEEL.

Zeebe treats a value starting with ``=`` (and more than that one character) as a FEEL
expression and everything else as a static value. A static value is typed where the attribute
needs a type (job retries are a number, candidate groups a list), so the engine never parses text
at run time; FEEL keeps its source and compiles through ``strom.feel`` on first use.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from strom.model import _feel

_EXPRESSION_MARKER = "="


@dataclass(frozen=True, slots=True)
class Expression:
    """A static value or a FEEL expression.

    ``source`` is the static text, or the FEEL source without the leading ``=``; ``value`` is
    the typed static value (None for FEEL).
    """

    source: str
    is_static: bool
    value: Any = None
    _compiled: Any = field(default=None, compare=False, repr=False)

    @property
    def text(self) -> str:
        """The value as written in the BPMN attribute."""
        return self.source if self.is_static else _EXPRESSION_MARKER + self.source

    @property
    def compiled(self) -> _feel.CompiledFeel:
        """The compiled FEEL expression; raises ``ValueError`` for a static value."""
        if self.is_static:
            raise ValueError(f"static value {self.source!r} has no FEEL form")
        if self._compiled is None:
            object.__setattr__(self, "_compiled", _feel.compile_feel(self.source))
        compiled: _feel.CompiledFeel = self._compiled
        return compiled

    @property
    def free_names(self) -> frozenset[str]:
        """Variable names the expression reads (empty for a static value)."""
        if self.is_static:
            return frozenset()
        return frozenset(self.compiled.free_names)

    def evaluate(self, variables: Mapping[str, Any]) -> Any:
        """The static value, or the FEEL result for ``variables``."""
        if self.is_static:
            return self.value
        return self.compiled.evaluate(variables)


def is_expression(text: str) -> bool:
    """Zeebe's rule: ``=`` followed by at least one character is FEEL."""
    return len(text) > 1 and text.startswith(_EXPRESSION_MARKER)


def parse_expression(text: str) -> Expression:
    """An ``Expression`` for an attribute value; static text stays a string."""
    if is_expression(text):
        return Expression(text[1:], False)
    return Expression(text, True, text)


def static(value: Any, source: str | None = None) -> Expression:
    """A static expression whose typed value is ``value``."""
    return Expression(str(value) if source is None else source, True, value)


def feel_syntax_error(expression: Expression) -> str | None:
    """FEEL syntax problem of ``expression``, if syntax checking at deployment is on."""
    if expression.is_static:
        return None
    return _feel.syntax_error_of(expression.source)


_INTEGER = re.compile(r"[+-]?[0-9]+")


def parse_int(text: str) -> int | None:
    """A Java-style integer literal (no surrounding blanks, no underscores), else None."""
    return int(text) if _INTEGER.fullmatch(text) else None


def parse_csv(text: str) -> list[str] | None:
    """Zeebe's static list form ``a, b,c``: trimmed items, None if an item is blank."""
    if text == "":
        return []
    items = [item.strip() for item in text.split(",")]
    if any(not item for item in items):
        return None
    return items


_PATH = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*(\.[a-zA-Z_][a-zA-Z0-9_]*)*")
PATH_RESERVED_WORDS = (
    "null",
    "true",
    "false",
    "function",
    "if",
    "then",
    "else",
    "for",
    "between",
    "instance",
    "of",
)


def path_problems(path: str | None) -> list[str]:
    """Why ``path`` cannot be a variable mapping target (Zeebe's path rules)."""
    if not path:
        return ["Expected path expression but not found."]
    problems = []
    if not _PATH.fullmatch(path):
        problems.append(f"Expected path expression '{path}' but doesn't match the pattern '{_PATH.pattern}'.")
    if path in PATH_RESERVED_WORDS:
        problems.append(
            f"Expected path expression '{path}' but is one of the reserved words "
            f"({', '.join(PATH_RESERVED_WORDS)})."
        )
    return problems
