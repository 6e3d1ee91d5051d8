"""REST filter values -> SQL conditions: plain equality or Camunda's advanced filter operators.

A field has a kind that says how wire values convert to stored ones: keys travel as strings and are
stored as integers, dates travel as ISO text and are stored as epoch milliseconds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from strom.search._dates import parse_iso
from strom.search.errors import SearchError

Kind = Literal["key", "int", "str", "bool", "date"]

LIKE_ESCAPE = "\\"
_ORDERED = frozenset({"key", "int", "date", "str"})


@dataclass(frozen=True)
class Field:
    """A searchable (and sortable) item field: an SQL expression, or a constant for fields Strom
    does not track (``suspendedDate`` is always null) so filters on them still answer correctly."""

    expr: ColumnElement[Any] | None
    kind: Kind
    constant: Any = None

    @property
    def is_constant(self) -> bool:
        return self.expr is None


def invalid(detail: str) -> SearchError:
    return SearchError("INVALID_ARGUMENT", detail)


def convert(name: str, kind: Kind, value: Any) -> Any:
    """A wire value of field ``name`` as stored; raises INVALID_ARGUMENT naming the field."""
    if kind == "key" or kind == "int":
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
            return int(value)
        expected = "a key (a string of digits)" if kind == "key" else "an integer"
    elif kind == "str":
        if isinstance(value, str):
            return value
        expected = "a string"
    elif kind == "bool":
        if isinstance(value, bool):
            return value
        if value in ("true", "false"):
            return value == "true"
        expected = "a boolean"
    else:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                return parse_iso(value)
            except ValueError:
                pass
        expected = "an ISO-8601 date-time"
    raise invalid(f"filter field '{name}': expected {expected}, got {value!r}")


def like_pattern(text: str) -> str:
    """Camunda's like (``*`` any characters, ``?`` one, ``\\`` escapes them) as an SQL LIKE pattern."""
    out: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            out.append(LIKE_ESCAPE + char if char in "%_\\" else char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            out.append("%")
        elif char == "?":
            out.append("_")
        elif char in "%_":
            out.append(LIKE_ESCAPE + char)
        else:
            out.append(char)
    if escaped:
        out.append(LIKE_ESCAPE + LIKE_ESCAPE)
    return "".join(out)


def _like_regex(text: str) -> re.Pattern[str]:
    parts: list[str] = []
    escaped = False
    for char in text:
        if escaped:
            parts.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "*":
            parts.append(".*")
        elif char == "?":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    return re.compile("".join(parts), re.DOTALL)


def _operand_list(name: str, operator: str, kind: Kind, operand: Any) -> list[Any]:
    if not isinstance(operand, list):
        raise invalid(f"filter field '{name}': {operator} expects a list, got {operand!r}")
    return [convert(name, kind, item) for item in operand]


def _check_ordered(name: str, operator: str, kind: Kind) -> None:
    if kind not in _ORDERED:
        raise invalid(f"filter field '{name}': {operator} does not apply to a {kind} field")


def condition(name: str, field: Field, value: Any) -> ColumnElement[bool]:
    """The condition of one filter entry: ``value`` is a plain value or an operator object."""
    if field.expr is None:
        return sa.true() if _matches_constant(name, field, value) else sa.false()
    expr = field.expr
    kind = field.kind
    if not isinstance(value, dict):
        return expr == convert(name, kind, value)
    if not value:
        raise invalid(f"filter field '{name}': an advanced filter needs at least one operator")
    clauses: list[ColumnElement[bool]] = []
    for operator, operand in value.items():
        if operator == "$eq":
            clauses.append(expr == convert(name, kind, operand))
        elif operator == "$neq":
            clauses.append(sa.or_(expr != convert(name, kind, operand), expr.is_(None)))
        elif operator == "$exists":
            exists = convert(name, "bool", operand)
            clauses.append(expr.is_not(None) if exists else expr.is_(None))
        elif operator == "$in":
            clauses.append(expr.in_(_operand_list(name, operator, kind, operand)))
        elif operator == "$notIn":
            values = _operand_list(name, operator, kind, operand)
            clauses.append(sa.or_(expr.not_in(values), expr.is_(None)))
        elif operator == "$like":
            if kind != "str":
                raise invalid(f"filter field '{name}': $like applies to string fields only")
            pattern = like_pattern(convert(name, "str", operand))
            clauses.append(expr.like(pattern, escape=LIKE_ESCAPE))
        elif operator in ("$gt", "$gte", "$lt", "$lte"):
            _check_ordered(name, operator, kind)
            bound = convert(name, kind, operand)
            compare: dict[str, Callable[[Any], ColumnElement[bool]]] = {
                "$gt": expr.__gt__,
                "$gte": expr.__ge__,
                "$lt": expr.__lt__,
                "$lte": expr.__le__,
            }
            clauses.append(compare[operator](bound))
        else:
            raise invalid(
                f"filter field '{name}': unknown operator '{operator}' (known: $eq, $neq, $exists, "
                "$in, $notIn, $like, $gt, $gte, $lt, $lte)"
            )
    return sa.and_(*clauses)


def _matches_constant(name: str, field: Field, value: Any) -> bool:
    constant = field.constant
    kind = field.kind
    if not isinstance(value, dict):
        return bool(constant == convert(name, kind, value))
    result = True
    for operator, operand in value.items():
        if operator == "$eq":
            result &= constant is not None and constant == convert(name, kind, operand)
        elif operator == "$neq":
            result &= constant != convert(name, kind, operand)
        elif operator == "$exists":
            result &= (constant is not None) == convert(name, "bool", operand)
        elif operator == "$in":
            result &= constant in _operand_list(name, operator, kind, operand)
        elif operator == "$notIn":
            result &= constant not in _operand_list(name, operator, kind, operand)
        elif operator == "$like":
            pattern = _like_regex(convert(name, "str", operand))
            result &= isinstance(constant, str) and pattern.fullmatch(constant) is not None
        elif operator in ("$gt", "$gte", "$lt", "$lte"):
            _check_ordered(name, operator, kind)
            bound = convert(name, kind, operand)
            if constant is None:
                result = False
            else:
                result &= {
                    "$gt": constant > bound,
                    "$gte": constant >= bound,
                    "$lt": constant < bound,
                    "$lte": constant <= bound,
                }[operator]
        else:
            raise invalid(f"filter field '{name}': unknown operator '{operator}'")
    return result
