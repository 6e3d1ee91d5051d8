"""Types of DMN values: FEEL's built-in types, item definitions, and the conversions between them.

A ``typeRef`` (``number``, ``tPerson``, ``myimport.tPerson``, ``list<string>``) resolves once, at
parse time, to a :class:`DmnType`. At evaluation a value meets its declared type through
:func:`coerce` (DMN 1.5, 10.3.2.9.4): null conforms to every type; a value that conforms is kept
as it is (a context may carry extra entries); otherwise the implicit conversions are tried — a
singleton list to its element, an element to a singleton list, a date to a date and time at UTC
midnight — and if none applies the value does not conform, which DMN turns into null plus an error.

Type names nobody defines (Camunda 7's ``integer``/``long``/``double`` aside, which mean number)
resolve to None, i.e. "don't check": Zeebe never rejected a model for an unknown ``typeRef`` and
neither do we.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from strom.feel import (
    CompiledUnaryTests,
    ExtDate,
    ExtDateTime,
    ExtTime,
    FeelFunction,
    FeelRange,
    YearsMonthsDuration,
)
from strom.feel import type_name as feel_type_name
from strom.feel.temporal import make_datetime

from .model import ItemDefinition

__all__ = [
    "ANY",
    "BUILTIN_TYPES",
    "DmnType",
    "TypeRegistry",
    "coerce",
    "describe_value",
    "parse_type_expression",
]

_NUMBER_TYPES = (int, Decimal, float)


def _is_number(v: Any) -> bool:
    return type(v) in _NUMBER_TYPES


_PREDICATES: dict[str, Callable[[Any], bool]] = {
    "number": _is_number,
    "string": lambda v: type(v) is str,
    "boolean": lambda v: type(v) is bool,
    # Ext*: years outside 1..9999 or nanoseconds (strom.feel.temporal)
    "date": lambda v: type(v) is _dt.date or type(v) is ExtDate,
    "time": lambda v: type(v) is _dt.time or type(v) is ExtTime,
    "date and time": lambda v: type(v) is _dt.datetime or type(v) is ExtDateTime,
    "days and time duration": lambda v: type(v) is _dt.timedelta,
    "years and months duration": lambda v: type(v) is YearsMonthsDuration,
    "context": lambda v: isinstance(v, Mapping),
    "list": lambda v: isinstance(v, (list, tuple)),
    "function": lambda v: isinstance(v, FeelFunction),
    "range": lambda v: type(v) is FeelRange,
    "Any": lambda v: True,
    "Null": lambda v: v is None,
}

_ALIASES = {
    "dateTime": "date and time",
    "dayTimeDuration": "days and time duration",
    "yearMonthDuration": "years and months duration",
    # XML Schema names, used by DMN 1.1 models (typeRef="xsd:decimal")
    "decimal": "number",
    "double": "number",
    "float": "number",
    "int": "number",
    "integer": "number",  # also Camunda 7's decision table types
    "long": "number",
    "duration": "days and time duration",
    "anyType": "Any",
    "any": "Any",
}


@dataclass(frozen=True, eq=False, slots=True)
class DmnType:
    """A resolved type. ``base`` is a FEEL type name; the other fields refine it.

    * ``element``: the item type of ``list`` (and the point type of ``range``);
    * ``fields``: the components of a structured ``context`` (item definition components);
    * ``result``: the output type of a ``function`` (parameter types are not checked: FEEL
      function values carry none);
    * ``allowed``: ``allowedValues`` (the value itself) and ``constraint`` ``typeConstraint``.
    """

    name: str
    base: str
    element: DmnType | None = None
    fields: tuple[tuple[str, DmnType], ...] | None = None
    result: DmnType | None = None
    allowed: CompiledUnaryTests | None = None
    allowed_text: str = ""
    constraint: CompiledUnaryTests | None = None
    constraint_text: str = ""
    #: the type this one narrows (an item definition over another one): its checks apply too
    refines: DmnType | None = None

    @property
    def is_list(self) -> bool:
        return self.base == "list"

    def conforms(self, value: Any, constraints: bool = True) -> bool:
        """Does ``value`` conform to this type without conversion? Null always does.

        ``constraints=False`` leaves out ``allowedValues`` and ``typeConstraint``: FEEL's
        ``instance of`` asks about the type only (the DMN TCK: ``256 instance of t255`` is true).
        """
        if value is None:
            return True
        if self.refines is not None and not self.refines.conforms(value, constraints):
            return False
        if not _PREDICATES[self.base](value):
            return False
        if self.element is not None and self.base == "list":
            element = self.element
            if not all(element.conforms(item, constraints) for item in value):
                return False
        if self.fields is not None:
            for key, field_type in self.fields:
                if key not in value or not field_type.conforms(value[key], constraints):
                    return False
        if not constraints:
            return True
        if self.allowed is not None and not _satisfies(self.allowed, value):
            return False
        return not (self.constraint is not None and not _satisfies(self.constraint, value))

    def describe(self) -> str:
        return self.name


def _satisfies(tests: CompiledUnaryTests, value: Any) -> bool:
    return tests.evaluate_with_warnings(value, None, "dmn")[0] is True


BUILTIN_TYPES: dict[str, DmnType] = {name: DmnType(name, name) for name in _PREDICATES}
ANY = BUILTIN_TYPES["Any"]
for _alias, _target in _ALIASES.items():
    BUILTIN_TYPES[_alias] = BUILTIN_TYPES[_target]
_ANY_BUILTIN = BUILTIN_TYPES["Any"]


def coerce(value: Any, target: DmnType | None) -> tuple[bool, Any]:
    """(conforms, value after the implicit conversions); see the module docstring."""
    if target is None or value is None or target is _ANY_BUILTIN:
        return True, value
    if target.conforms(value):
        return True, value
    if (
        isinstance(value, (list, tuple))
        and len(value) == 1
        and not target.is_list
        and target.conforms(value[0])
    ):
        return True, value[0]
    if target.is_list and target.element is not None and not isinstance(value, (list, tuple)):
        ok, item = coerce(value, target.element)
        if ok and target.conforms([item]):
            return True, [item]
    if type(value) in (_dt.date, ExtDate) and target.base == "date and time":
        converted = make_datetime(value.year, value.month, value.day, tzinfo=_dt.UTC)
        if target.conforms(converted):
            return True, converted
    return False, value


def describe_value(value: Any) -> str:
    """A value in a type-mismatch message: its FEEL type and a short rendering."""
    text = repr(value) if not isinstance(value, str) else f'"{value}"'
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{feel_type_name(value)} {text}"


# -- FEEL type expressions in typeRef ------------------------------------------------------
def parse_type_expression(text: str, lookup: Callable[[str], DmnType | None]) -> DmnType | None:
    """Resolve ``list<number>``, ``context<a: string>``, ``function<number>->string``, names.

    ``lookup`` resolves a plain name (built-in or item definition); None when unknown.
    """
    parser = _TypeParser(text, lookup)
    try:
        result = parser.type()
        parser.skip()
        if parser.pos != len(text):
            return None
        return result
    except _NoType:
        return None


class _NoType(Exception):
    pass


class _TypeParser:
    def __init__(self, text: str, lookup: Callable[[str], DmnType | None]) -> None:
        self.text = text
        self.pos = 0
        self.lookup = lookup

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def eat(self, token: str) -> bool:
        self.skip()
        if self.text.startswith(token, self.pos):
            self.pos += len(token)
            return True
        return False

    def name(self) -> str:
        self.skip()
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in "<>,:()-":
            self.pos += 1
        name = " ".join(self.text[start : self.pos].split())
        if not name:
            raise _NoType
        return name

    def type(self) -> DmnType:
        name = self.name()
        if name in ("list", "range") and self.eat("<"):
            inner = self.type()
            if not self.eat(">"):
                raise _NoType
            return DmnType(f"{name}<{inner.name}>", name, element=inner)
        if name == "context" and self.eat("<"):
            fields: list[tuple[str, DmnType]] = []
            while True:
                key = self.name()
                if not self.eat(":"):
                    raise _NoType
                fields.append((key, self.type()))
                if self.eat(">"):
                    break
                if not self.eat(","):
                    raise _NoType
            shown = ", ".join(f"{k}: {t.name}" for k, t in fields)
            return DmnType(f"context<{shown}>", "context", fields=tuple(fields))
        if name == "function" and self.eat("<"):
            params: list[DmnType] = []
            if not self.eat(">"):
                while True:
                    params.append(self.type())
                    if self.eat(">"):
                        break
                    if not self.eat(","):
                        raise _NoType
            if not self.eat("->"):
                raise _NoType
            result = self.type()
            shown = ", ".join(p.name for p in params)
            return DmnType(f"function<{shown}>->{result.name}", "function", result=result)
        found = self.lookup(name)
        if found is None:
            raise _NoType
        return found


# -- item definitions ----------------------------------------------------------------------
class TypeRegistry:
    """Resolves the ``typeRef``s of one model: built-ins, its item definitions, imported ones.

    ``compile_tests`` compiles ``allowedValues``/``typeConstraint`` texts (the parser passes
    its own, which records syntax errors as problems). Types are built on first use and cached;
    a definition that refers to itself resolves to Any at the point of recursion.
    """

    def __init__(
        self,
        item_definitions: Mapping[str, ItemDefinition],
        compile_tests: Callable[[str, ItemDefinition], CompiledUnaryTests | None],
        imported: Mapping[str, TypeRegistry] | None = None,
    ) -> None:
        self._defs = item_definitions
        self._compile_tests = compile_tests
        self._imported = dict(imported or {})
        self._built: dict[str, DmnType] = {}
        self._building: set[str] = set()

    def resolve(self, type_ref: str) -> DmnType | None:
        """The type ``type_ref`` names, or None when nobody defines it (then nothing is checked)."""
        ref = type_ref.strip()
        if not ref:
            return None
        found = self._simple(ref)
        if found is not None or "<" not in ref:
            return found
        return parse_type_expression(ref, self._simple)

    def _simple(self, ref: str) -> DmnType | None:
        if ref in self._defs:
            return self._item(self._defs[ref])
        builtin = BUILTIN_TYPES.get(ref)
        if builtin is not None:
            return builtin
        for import_name, registry in self._imported.items():
            if ref.startswith(import_name + "."):
                found = registry.resolve(ref[len(import_name) + 1 :])
                if found is not None:
                    return found
        if ":" in ref:  # DMN 1.1 QName: feel:number, xsd:string, tns:tPerson
            return self._simple(ref.split(":", 1)[1])
        return None

    def _item(self, item: ItemDefinition) -> DmnType:
        key = item.name
        if key in self._built:
            return self._built[key]
        if key in self._building:
            return DmnType(key, "Any")
        self._building.add(key)
        try:
            built = self.build(item)
        finally:
            self._building.discard(key)
        self._built[key] = built
        return built

    def build(self, item: ItemDefinition) -> DmnType:
        """The type of an item definition or component (components are not registered by name)."""
        name = item.name
        if item.function_item is not None:
            output = self.resolve(item.function_item[1])
            single = DmnType(name, "function", result=output)
        elif item.components:
            fields = tuple((c.name, self.build(c)) for c in item.components)
            single = DmnType(name, "context", fields=fields)
        else:
            base = self.resolve(item.type_ref) if item.type_ref else None
            single = base if base is not None else DmnType(name, "Any")
        if item.allowed_values:
            tests = self._compile_tests(item.allowed_values, item)
            if tests is not None:
                single = DmnType(
                    name,
                    single.base,
                    element=single.element,
                    fields=single.fields,
                    result=single.result,
                    allowed=tests,
                    allowed_text=item.allowed_values,
                    refines=single,
                )
        whole = DmnType(name, "list", element=single) if item.is_collection else single
        if item.type_constraint:
            tests = self._compile_tests(item.type_constraint, item)
            if tests is not None:
                whole = DmnType(
                    name,
                    whole.base,
                    element=whole.element,
                    fields=whole.fields,
                    result=whole.result,
                    constraint=tests,
                    constraint_text=item.type_constraint,
                    refines=whole,
                )
        if whole.name != name:
            whole = DmnType(
                name,
                whole.base,
                element=whole.element,
                fields=whole.fields,
                result=whole.result,
                refines=whole if (whole.allowed or whole.constraint or whole.refines) else None,
            )
        return whole
