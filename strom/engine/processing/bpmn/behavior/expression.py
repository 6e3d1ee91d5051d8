"""Evaluating the model's expressions against a scope's variables.

Only the variables an expression names are read (its free names), so a condition over one
variable does not decode the whole process payload. FEEL failures come back as a ``Failure``
carrying the FEEL message, to become an incident.
"""

from __future__ import annotations

import re
from typing import Any

from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.state.variable import VariableState
from strom.feel import FeelError, to_python
from strom.model import Expression
from strom.protocol.values.enums import ErrorType

_WARNING_TYPES = (
    ("no variable found", "NO_VARIABLE_FOUND"),
    ("no context entry found", "NO_CONTEXT_ENTRY_FOUND"),
    ("no function found", "NO_FUNCTION_FOUND"),
    ("no function '", "FUNCTION_INVOCATION_FAILURE"),
    ("can't compare", "NOT_COMPARABLE"),
    ("not comparable", "NOT_COMPARABLE"),
)
_AT_COLUMN = re.compile(r" at column \d+$")
_BUILTIN_FAILURE = re.compile(r"^[a-z][a-z ]*: ")


def zeebe_warning(warning: str) -> str:
    """A FEEL warning as feel-scala words it in Zeebe's incidents: ``[TYPE] Message`` without the
    column (``no variable found with name 'x' at column 4`` → ``[NO_VARIABLE_FOUND] No variable found
    with name 'x'``)."""
    text = _AT_COLUMN.sub("", warning)
    kind = next((name for prefix, name in _WARNING_TYPES if text.startswith(prefix)), None)
    if kind is None:
        kind = "FUNCTION_INVOCATION_FAILURE" if _BUILTIN_FAILURE.match(text) else "UNKNOWN"
    return f"[{kind}] {text[:1].upper()}{text[1:]}"


class ExpressionBehavior:
    def __init__(self, variables: VariableState) -> None:
        self._variables = variables

    def evaluate(
        self, expression: Expression, scope_key: int, error_type: ErrorType = ErrorType.EXTRACT_VALUE_ERROR
    ) -> Any:
        """The expression's value as a plain Python value, or a ``Failure``."""
        if expression.is_static:
            return expression.value
        try:
            compiled = expression.compiled
            names = compiled.free_names
            variables = self._variables.visible_values(scope_key, names) if names else {}
            return to_python(compiled.evaluate(variables))
        except FeelError as error:
            return Failure(
                f"Expected to evaluate expression '{expression.source}', but {error}", error_type, scope_key
            )

    def _wrong_type(
        self, expression: Expression, scope_key: int, expected: str, value: Any, error_type: ErrorType
    ) -> Failure:
        """Zeebe's message: what was expected, what came, and FEEL's warnings (missing variables)."""
        message = (
            f"Expected result of the expression '{expression.source}' to be '{expected}', "
            f"but was '{_feel_type(value)}'."
        )
        warnings = self.warnings_of(expression, scope_key)
        if warnings:
            message += " The evaluation reported the following warnings:\n" + "\n".join(warnings)
        return Failure(message, error_type, scope_key)

    def warnings_of(self, expression: Expression, scope_key: int) -> list[str]:
        """FEEL's warnings for the expression in this scope (a missing variable, …), in Zeebe's form
        (``[NO_VARIABLE_FOUND] No variable found with name 'x'``), as Zeebe adds them to incidents."""
        if expression.is_static:
            return []
        compiled: Any = expression.compiled
        variables = self._variables.visible_values(scope_key, compiled.free_names)
        try:
            _, warnings = compiled.evaluate_with_warnings(variables, mode="dmn")
        except FeelError:
            return []
        return [zeebe_warning(warning) for warning in warnings]

    def evaluate_string(
        self,
        expression: Expression,
        scope_key: int,
        what: str,
        error_type: ErrorType = ErrorType.EXTRACT_VALUE_ERROR,
    ) -> str | Failure:
        value = self.evaluate(expression, scope_key, error_type)
        if isinstance(value, Failure):
            return value
        if isinstance(value, str):
            return value
        if isinstance(value, bool) or value is None:
            return self._wrong_type(expression, scope_key, "STRING", value, error_type)
        return self._wrong_type(expression, scope_key, "STRING", value, error_type)

    def evaluate_int(
        self,
        expression: Expression,
        scope_key: int,
        what: str,
        error_type: ErrorType = ErrorType.EXTRACT_VALUE_ERROR,
    ) -> int | Failure:
        value = self.evaluate(expression, scope_key, error_type)
        if isinstance(value, Failure):
            return value
        if isinstance(value, bool):
            return self._wrong_type(expression, scope_key, "NUMBER", value, error_type)
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and expression.is_static:
            try:
                return int(value)
            except ValueError:
                pass
        return self._wrong_type(expression, scope_key, "NUMBER", value, error_type)

    def evaluate_bool(
        self,
        expression: Expression,
        scope_key: int,
        what: str,
        error_type: ErrorType = ErrorType.EXTRACT_VALUE_ERROR,
    ) -> bool | Failure:
        value = self.evaluate(expression, scope_key, error_type)
        if isinstance(value, (Failure, bool)):
            return value
        return self._wrong_type(expression, scope_key, "BOOLEAN", value, error_type)


def _feel_type(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, (int, float)):
        return "NUMBER"
    if isinstance(value, str):
        return "STRING"
    if isinstance(value, list):
        return "ARRAY"
    if isinstance(value, dict):
        return "OBJECT"
    return type(value).__name__.upper()
