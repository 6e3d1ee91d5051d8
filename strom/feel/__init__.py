"""strom.feel — FEEL (DMN 1.5 chapter 10 plus Camunda's extensions), compiled to Python.

Compile once, evaluate many times::

    expr = compile_expression("amount > 1000")     # FeelSyntaxError at once if malformed
    expr.evaluate({"amount": 1200})                 # -> True
    expr.free_names                                 # -> frozenset({"amount"})
    tests = compile_unary_tests("< 10, [20..30]")
    tests.matches(25)                               # -> True

Error modes (a deliberate choice; see docs/feel.md):

* ``mode="strict"`` (default, for process expressions): a *failed operation* — a type mismatch
  (``"a" * 2``), a bad builtin argument, calling a missing function, a failed ``assert`` —
  raises :class:`FeelEvaluationError` naming what failed and where. A *missing variable or
  context entry* is null, as in Zeebe since 8.2 (feel-scala 1.16+), so ``x = null``,
  ``is defined(x)`` and ``get or else(x, 1)`` work; whether a null result is acceptable is for the
  engine to decide (a condition that is not boolean becomes an incident there).
* ``mode="dmn"``: every failure yields null plus a warning, as DMN and feel-scala do; use
  ``evaluate_with_warnings`` to get the warnings. This is also exactly Zeebe's null-friendly
  behaviour for expressions whose result the engine accepts as null.

Values: see :mod:`strom.feel.values` and :func:`to_python` / :func:`from_python`. A Python
callable taking FEEL values becomes a FEEL function (a BKM, a decision service) with
``UserFunction(("a", "b"), func)``; pass it as a variable and FEEL can call it, also by name.
"""

from __future__ import annotations

from .errors import FeelError, FeelEvaluationError, FeelSyntaxError
from .expression import CompiledExpression, compile_expression
from .temporal import ExtDate, ExtDateTime, ExtTime, YearsMonthsDuration
from .unary import CompiledUnaryTests, compile_unary_tests
from .values import FeelFunction, FeelRange, UserFunction, from_python, to_python, type_name

__all__ = [
    "CompiledExpression",
    "CompiledUnaryTests",
    "ExtDate",
    "ExtDateTime",
    "ExtTime",
    "FeelError",
    "FeelEvaluationError",
    "FeelFunction",
    "FeelRange",
    "FeelSyntaxError",
    "UserFunction",
    "YearsMonthsDuration",
    "compile_expression",
    "compile_unary_tests",
    "from_python",
    "to_python",
    "type_name",
]
