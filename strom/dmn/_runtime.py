"""The state of one evaluation and its error policy, shared by tables, boxed expressions and the DRG.

Two policies (``mode``), mirroring FEEL's:

* ``strict`` — Zeebe's behaviour: a failed FEEL operation, a hit-policy violation or a value that
  does not conform to its declared type stops the evaluation; the graph reports it as the
  result's ``failure`` (and the engine raises an incident). Missing variables are null.
* ``dmn`` — the DMN specification's: every such error makes the element's value null and is
  recorded as a warning; evaluation goes on. The DMN TCK expects this.

A failure travels as :class:`Abort`, a ``FeelEvaluationError`` so that it passes unchanged
through FEEL code that called a BKM or decision service and reaches the decision being evaluated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from strom.feel import CompiledExpression, CompiledUnaryTests, FeelEvaluationError, FeelSyntaxError

from .item_definitions import DmnType, coerce, describe_value

__all__ = ["MAX_DEPTH", "Abort", "Run"]

MAX_DEPTH = 50
"""Deepest nesting of decision, BKM and decision service calls before evaluation gives up
(each level costs a dozen Python frames; this stays well inside the interpreter's limit)."""


class Abort(FeelEvaluationError):
    """A strict-mode failure on its way out to the decision being evaluated."""

    def __init__(self, message: str, element_id: str = "") -> None:
        super().__init__(message)
        self.element_id = element_id
        #: the decision being evaluated when the failure happened (set on the way out)
        self.decision_id = ""

    def __str__(self) -> str:
        return self.message


class Run:
    """Per-evaluation state: error policy, warnings, and the audit of evaluated decisions."""

    __slots__ = (
        "audit",
        "depth",
        "element",
        "functions",
        "inputs",
        "memo",
        "mode",
        "strict",
        "variables",
        "warnings",
    )

    def __init__(self, mode: str, variables: Mapping[str, Any]) -> None:
        if mode not in ("strict", "dmn"):
            raise ValueError(f"mode must be 'strict' or 'dmn', not {mode!r}")
        self.mode = mode
        self.strict = mode == "strict"
        self.variables = variables
        self.warnings: list[str] = []
        #: evaluated decisions in evaluation order (filled by the DRG evaluator)
        self.audit: list[Any] = []
        #: (namespace, decision id) -> value, so a decision required twice is evaluated once
        self.memo: dict[tuple[str, str], Any] = {}
        #: (namespace, input data id) -> value, for input data converted to their type
        self.inputs: dict[tuple[str, str], Any] = {}
        #: (namespace, BKM or decision service id) -> the function value, built once per run
        self.functions: dict[tuple[str, str], Any] = {}
        self.depth = 0
        #: the id of the DRG element being evaluated, for messages about elements without an id
        self.element = ""

    def fail(self, message: str, element_id: str = "") -> None:
        """Strict: stop with ``message``; dmn: record it (the caller then yields null)."""
        if self.strict:
            raise Abort(message, element_id)
        self.warnings.append(f"{element_id}: {message}" if element_id else message)

    def feel(
        self,
        compiled: CompiledExpression | FeelSyntaxError | None,
        scope: Mapping[str, Any],
        element_id: str,
    ) -> Any:
        """Evaluate a compiled FEEL expression under this run's policy (None: an empty text)."""
        if compiled is None:
            return None
        if isinstance(compiled, FeelSyntaxError):
            self.fail(str(compiled), element_id)
            return None
        if self.strict:
            try:
                return compiled.evaluate(scope, "strict")
            except Abort:
                raise
            except FeelEvaluationError as error:
                raise Abort(str(error), element_id) from None
        value, warnings = compiled.evaluate_with_warnings(scope, "dmn")
        if warnings:
            self.warnings.extend(f"{element_id}: {w}" if element_id else w for w in warnings)
        return value

    def test(
        self,
        compiled: CompiledUnaryTests | FeelSyntaxError | None,
        value: Any,
        scope: Mapping[str, Any],
        element_id: str,
    ) -> bool | None:
        """Do the unary tests accept ``value``? None when they could not decide."""
        if compiled is None:
            return True
        if isinstance(compiled, FeelSyntaxError):
            self.fail(str(compiled), element_id)
            return None
        if self.strict:
            try:
                return compiled.matches(value, scope, "strict")
            except Abort:
                raise
            except FeelEvaluationError as error:
                raise Abort(str(error), element_id) from None
        result, warnings = compiled.evaluate_with_warnings(value, scope, "dmn")
        if warnings:
            self.warnings.extend(f"{element_id}: {w}" if element_id else w for w in warnings)
        return result

    def conform(
        self,
        value: Any,
        target: DmnType | None,
        what: str,
        element_id: str,
        advisory: bool = False,
        name: str = "",
    ) -> Any:
        """``value`` converted to ``target``; a mismatch fails, or is null in dmn mode.

        ``what`` names the value in the message; a ``{}`` in it is replaced by ``name`` (only when
        the message is needed: this runs for every typed value). ``advisory`` (strict mode only):
        a mismatch is a warning and the value passes unchanged — for decision table columns,
        whose types Zeebe never enforced and Camunda Modeler fills with ``string`` by default.
        """
        if target is None or value is None:
            return value
        ok, converted = coerce(value, target)
        if ok:
            return converted
        what = what.replace("{}", name)
        message = f"{what} should be of type '{target.describe()}' but is {describe_value(value)}"
        if advisory and self.strict:
            self.warnings.append(f"{element_id}: {message}" if element_id else message)
            return value
        self.fail(message, element_id)
        return None
