"""strom.dmn — DMN 1.1–1.5 decisions, evaluated with :mod:`strom.feel`.

Parse a resource once, evaluate its decisions many times::

    graph = parse_dmn(data, resource_name="discount.dmn")   # DmnValidationError if rejected
    result = graph.evaluate("discount", {"customer": "gold", "amount": 1200})
    result.output                # plain JSON-able Python: 0.15
    result.evaluated_decisions   # required decisions first; inputs and matched rules of tables
    result.failure               # None, or DecisionFailure(message, decision_id)

What is supported: decision tables with every hit policy and aggregation, input/output values,
default outputs; literal expressions, contexts, lists, relations, invocations, function
definitions (FEEL, and a fixed set of ``java.lang`` methods), DMN 1.5's conditionals, iterators
and filters; business knowledge models and decision services (also invoked as functions); item
definitions with type checks and the implicit conversions; imports between models.

Two evaluation modes (see docs/dmn.md): ``strict`` (default) behaves like Zeebe — an error fails
the evaluation; ``dmn`` follows the DMN specification — an error makes the value null and is
reported as a warning. The DMN TCK runs in ``dmn`` mode.
"""

from __future__ import annotations

from .errors import DecisionEvaluationError, DmnError, DmnValidationError, Problem
from .evaluation import (
    DecisionFailure,
    DecisionRequirementsGraph,
    DecisionResult,
    EvaluatedDecision,
    EvaluatedInput,
    EvaluatedOutput,
    MatchedRule,
)
from .model import Aggregation, HitPolicy
from .parser import parse_definitions, parse_dmn

__all__ = [
    "Aggregation",
    "DecisionEvaluationError",
    "DecisionFailure",
    "DecisionRequirementsGraph",
    "DecisionResult",
    "DmnError",
    "DmnValidationError",
    "EvaluatedDecision",
    "EvaluatedInput",
    "EvaluatedOutput",
    "HitPolicy",
    "MatchedRule",
    "Problem",
    "check_dmn",
    "parse_definitions",
    "parse_dmn",
]


def check_dmn(data: bytes, *, resource_name: str = "") -> list[Problem]:
    """Every reason the resource would be rejected at deployment (empty: it would deploy)."""
    try:
        parse_dmn(data, resource_name=resource_name)
    except DmnValidationError as error:
        return list(error.problems)
    return []
