"""Errors of the model package.

Every bad input ends in a ``ModelError``; a rejected resource carries all of its problems at once,
so a modeler can fix a file in one round instead of one deployment attempt per mistake.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


class ModelError(Exception):
    """Base class of all errors raised by ``strom.model``."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a resource is rejected, located by line and the id of the element it concerns.

    ``line`` is 0 and ``element_id`` empty when the problem has no better location (e.g. the
    resource is too large to be read at all).
    """

    resource_name: str
    line: int
    element_id: str
    message: str

    def __str__(self) -> str:
        if self.element_id:
            return f"{self.resource_name}:{self.line}: {self.element_id}: {self.message}"
        return f"{self.resource_name}:{self.line}: {self.message}"


class BpmnValidationError(ModelError):
    """A BPMN resource was rejected; ``problems`` lists every reason, ordered by line."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        ordered = tuple(sorted(problems, key=lambda p: (p.line, p.element_id)))
        if not ordered:
            raise ValueError("a validation error needs at least one problem")
        self.problems: tuple[Problem, ...] = ordered
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)

    def __reduce__(self) -> tuple[type[BpmnValidationError], tuple[tuple[Problem, ...]]]:
        return (type(self), (self.problems,))
