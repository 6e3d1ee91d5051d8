"""Errors of the model package.

Every bad input ends in a ``ModelError``; a rejected resource carries all of its problems at once,
so a modeler can fix a file in one round instead of one deployment attempt per mistake.
"""

from __future__ import annotations

from collections.abc import Iterable

from strom.safe_xml import Problem


class ModelError(Exception):
    """Base class of all errors raised by ``strom.model``."""


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
