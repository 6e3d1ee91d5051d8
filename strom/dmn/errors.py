"""Errors of the DMN package.

Two families, matching the two moments a decision can go wrong in Zeebe: a resource that cannot
be deployed (``DmnValidationError``, every problem at once, each located by line and element id)
and a decision that cannot be evaluated (``DecisionEvaluationError``, which the evaluator turns
into ``DecisionResult.failure`` instead of raising, so the engine can raise an incident).
"""

from __future__ import annotations

from collections.abc import Iterable

from strom.safe_xml import Problem

__all__ = ["DecisionEvaluationError", "DmnError", "DmnValidationError", "Problem"]


class DmnError(Exception):
    """Base of every error ``strom.dmn`` raises on purpose."""


class DmnValidationError(DmnError):
    """A DMN resource was rejected; ``problems`` lists every reason, ordered by line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        ordered = tuple(sorted(problems, key=lambda p: (p.line, p.element_id, p.message)))
        if not ordered:
            raise ValueError("a validation error needs at least one problem")
        self.problems: tuple[Problem, ...] = ordered
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

    def __reduce__(self) -> tuple[type[DmnValidationError], tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))


class DecisionEvaluationError(DmnError):
    """Evaluating a decision failed; ``element_id`` names the decision (or BKM, service) at fault."""

    def __init__(self, message: str, element_id: str = "") -> None:
        self.message = message
        self.element_id = element_id
        super().__init__(message)
