"""Boxed expressions: literal expressions, contexts, lists, relations, invocations, functions,
and DMN 1.5's conditionals, iterators (for / some / every) and filters.

Each evaluates in a *scope* — a mapping of the names visible there, which is exactly what
compiled FEEL reads — and yields a FEEL value. A declared ``typeRef`` is applied to the value on
the way out (see :func:`evaluate`), so a boxed expression nested anywhere is checked like a
decision's own logic.

Functions (function definitions, and through them business knowledge models) become
:class:`strom.feel.UserFunction` values, so FEEL calls them like its own lambdas. A boxed
invocation matches its bindings to the callee's parameter names here and then calls it through a
positional FEEL call (``__f(__a0, __a1)``): parameter names such as ``Pre-Bureau Risk Category``
need not survive FEEL's named-argument syntax.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from strom.feel import CompiledExpression, FeelFunction, UserFunction, compile_expression, from_python

from ._runtime import MAX_DEPTH, Run
from .decision_table import evaluate_table
from .item_definitions import coerce, describe_value
from .model import (
    Conditional,
    Context,
    DecisionTable,
    Expression,
    Filter,
    FunctionDefinition,
    Invocation,
    Iterator,
    ListExpression,
    LiteralExpression,
    Relation,
)

__all__ = ["evaluate", "make_function"]


def evaluate(expr: Expression, scope: Mapping[str, Any], run: Run) -> Any:
    """The value of a boxed expression, converted to its ``typeRef`` when it declares one."""
    value = _EVALUATORS[type(expr)](expr, scope, run)
    target = expr.type
    if target is not None and value is not None:
        if type(expr) is FunctionDefinition and target.base != "function":
            return value  # the typeRef of a function definition is its result type
        value = run.conform(
            value,
            target,
            "the value of the {}",
            _where(expr, run),
            advisory=type(expr) is DecisionTable,
            name=expr.kind.lower().replace("_", " "),
        )
    return value


def _where(expr: Expression, run: Run) -> str:
    return expr.id or run.element


def _literal(expr: Expression, scope: Mapping[str, Any], run: Run) -> Any:
    assert isinstance(expr, LiteralExpression)
    return run.feel(expr.feel, scope, _where(expr, run))


def _table(expr: Expression, scope: Mapping[str, Any], run: Run) -> Any:
    assert isinstance(expr, DecisionTable)
    return evaluate_table(expr, scope, run).value


def _context(expr: Expression, scope: Mapping[str, Any], run: Run) -> Any:
    assert isinstance(expr, Context)
    local = dict(scope)
    result: dict[str, Any] = {}
    for entry in expr.entries:
        value = evaluate(entry.value, local, run)
        if entry.name is None:
            return value
        if entry.type is not None:
            value = run.conform(
                value, entry.type, f"context entry '{entry.name}'", entry.id or _where(expr, run)
            )
        result[entry.name] = value
        local[entry.name] = value  # later entries (and functions defined here) see this one
    return result


def _list(expr: Expression, scope: Mapping[str, Any], run: Run) -> Any:
    assert isinstance(expr, ListExpression)
    return [evaluate(item, scope, run) for item in expr.items]


def _relation(expr: Expression, scope: Mapping[str, Any], run: Run) -> Any:
    assert isinstance(expr, Relation)
    rows = []
    for row in expr.rows:
        record: dict[str, Any] = {}
        for column, cell in zip(expr.columns, row, strict=False):
            value = evaluate(cell, scope, run)
            if column.type is not None:
                value = run.conform(value, column.type, f"relation column '{column.name}'", _where(expr, run))
            record[column.name] = value
        rows.append(record)
    return rows


def _invocation(expr: Expression, scope: Mapping[str, Any], run: Run) -> Any:
    assert isinstance(expr, Invocation)
    where = _where(expr, run)
    function = evaluate(expr.callee, scope, run)
    if not isinstance(function, FeelFunction):
        callee = expr.callee.text if isinstance(expr.callee, LiteralExpression) else expr.callee.kind
        run.fail(f"the invoked '{callee}' is not a function but {describe_value(function)}", where)
        return None
    names = [b.parameter for b in expr.bindings]
    params = next((p for p in function.param_names() if all(n in p for n in names)), None)
    if params is None:
        known = " or ".join(", ".join(p) or "(none)" for p in function.param_names())
        unknown = [n for n in names if not any(n in p for p in function.param_names())]
        missing = ", ".join(unknown) if unknown else ", ".join(names)
        run.fail(f"the invoked function has no parameter(s) {missing} (it takes {known})", where)
        return None
    values = {
        b.parameter: evaluate(b.value, scope, run) if b.value is not None else None for b in expr.bindings
    }
    used = len(params)
    while used and params[used - 1] not in values:  # leave unbound trailing parameters out
        used -= 1
    arguments: dict[str, Any] = {"__f": function}
    for i, param in enumerate(params[:used]):
        arguments[f"__a{i}"] = values.get(param)
    return run.feel(_call_expression(used), arguments, where)


@functools.lru_cache(maxsize=64)
def _call_expression(arity: int) -> CompiledExpression:
    """``__f(__a0, ...)``: bindings are matched to parameters by name here, then passed by
    position, so parameter names FEEL could not parse as named arguments still work."""
    return compile_expression("__f(" + ", ".join(f"__a{i}" for i in range(arity)) + ")")


def _function(expr: Expression, scope: Mapping[str, Any], run: Run) -> Any:
    assert isinstance(expr, FunctionDefinition)
    return make_function(expr, scope, run)


def make_function(
    definition: FunctionDefinition, scope: Mapping[str, Any], run: Run, name: str = "", owner: str = ""
) -> UserFunction:
    """A FEEL function value for a function definition closed over ``scope``.

    The scope is read when the function is *called*, so a context entry defining a recursive
    function sees itself, and a BKM's scope may be completed after its function exists.
    Arguments are converted to the parameter types; one that does not conform makes the call
    fail (null in dmn mode), as DMN 1.5, 10.3.2.9.4 asks.
    """
    params = definition.parameters
    where = definition.id or owner or run.element
    label = f"'{name}'" if name else "the function"

    def call(*args: Any) -> Any:
        local = dict(scope)
        for param, arg in zip(params, args, strict=False):
            ok, value = coerce(from_python(arg) if type(arg) is float else arg, param.type)
            if not ok:
                assert param.type is not None
                run.fail(
                    f"argument '{param.name}' of {label} should be of type '{param.type.describe()}' "
                    f"but is {describe_value(arg)}",
                    where,
                )
                return None
            local[param.name] = value
        run.depth += 1
        saved = run.element
        run.element = owner or saved
        try:
            if run.depth > MAX_DEPTH:
                run.fail(f"calls nested deeper than {MAX_DEPTH} levels (endless recursion?)", where)
                return None
            result = _body(definition, local, run, label, where)
            if definition.type is not None and definition.type.base != "function":
                result = run.conform(result, definition.type, f"the result of {label}", where)
            return result
        finally:
            run.depth -= 1
            run.element = saved

    return UserFunction(tuple(p.name for p in params), call, name)


def _body(definition: FunctionDefinition, local: dict[str, Any], run: Run, label: str, where: str) -> Any:
    if definition.kind_ == "PMML":
        run.fail(f"{label} is a PMML function; PMML is not supported", where)
        return None
    if definition.body is None:
        run.fail(f"{label} has no body", where)
        return None
    if definition.kind_ == "Java":
        return _call_java(definition, local, run, label, where)
    return evaluate(definition.body, local, run)


def _conditional(expr: Expression, scope: Mapping[str, Any], run: Run) -> Any:
    assert isinstance(expr, Conditional)
    condition = evaluate(expr.condition, scope, run)
    if condition is True:
        return evaluate(expr.then, scope, run)
    if condition is False or condition is None:
        return evaluate(expr.otherwise, scope, run)
    run.fail(f"the condition should be a boolean but is {describe_value(condition)}", _where(expr, run))
    return None


def _iterator(expr: Expression, scope: Mapping[str, Any], run: Run) -> Any:
    assert isinstance(expr, Iterator)
    source = evaluate(expr.source, scope, run)
    if expr.source_type is not None:
        source = run.conform(source, expr.source_type, f"the '{expr.operator}' input", _where(expr, run))
    if source is None:
        return None
    items = source if isinstance(source, (list, tuple)) else [source]
    local = dict(scope)
    results = []
    for item in items:
        local[expr.variable] = item
        results.append(evaluate(expr.body, local, run))
    if expr.operator == "for":
        return results
    # a 'satisfies' that is not a boolean (nor null) makes the whole expression null, whatever the
    # other items gave (DMN 1.5 boxed some/every; the TCK's 1153/1154 expect null)
    for r in results:
        if r is not None and type(r) is not bool:
            what = f"the '{expr.operator}' condition should be a boolean but is {describe_value(r)}"
            run.fail(what, _where(expr, run))
            return None
    if expr.operator == "some":
        return any(r is True for r in results)
    return all(r is True for r in results)


def _filter(expr: Expression, scope: Mapping[str, Any], run: Run) -> Any:
    assert isinstance(expr, Filter)
    source = evaluate(expr.source, scope, run)
    if source is None:
        return None
    items = source if isinstance(source, (list, tuple)) else [source]
    kept = []
    for item in items:
        local = dict(scope)
        if isinstance(item, Mapping):
            local.update(item)
        local["item"] = item
        matched = evaluate(expr.match, local, run)
        if matched is True:
            kept.append(item)
        elif matched is not None and matched is not False:
            # a non-boolean match makes the filter null, not an item left out (TCK 1151)
            what = f"the filter's match should be a boolean but is {describe_value(matched)}"
            run.fail(what, _where(expr, run))
            return None
    return kept


_EVALUATORS: dict[type, Callable[[Expression, Mapping[str, Any], Run], Any]] = {
    LiteralExpression: _literal,
    DecisionTable: _table,
    Context: _context,
    ListExpression: _list,
    Relation: _relation,
    Invocation: _invocation,
    FunctionDefinition: _function,
    Conditional: _conditional,
    Iterator: _iterator,
    Filter: _filter,
}


# -- Java functions ------------------------------------------------------------------------
_NUM = frozenset({"double", "float", "int", "long"})
_FLOATING = frozenset({"double", "float"})
_STR = frozenset({"java.lang.String"})

#: (class, method) -> (the parameter types it takes, implementation); nothing else is callable
_JAVA: dict[tuple[str, str], tuple[frozenset[str], Callable[..., Any]]] = {
    ("java.lang.Math", "abs"): (_NUM, abs),
    ("java.lang.Math", "max"): (_NUM, max),
    ("java.lang.Math", "min"): (_NUM, min),
    ("java.lang.Math", "sqrt"): (_FLOATING, math.sqrt),
    ("java.lang.Math", "cbrt"): (_FLOATING, lambda x: math.copysign(abs(x) ** (1 / 3), x)),
    ("java.lang.Math", "pow"): (_FLOATING, math.pow),
    ("java.lang.Math", "exp"): (_FLOATING, math.exp),
    ("java.lang.Math", "log"): (_FLOATING, math.log),
    ("java.lang.Math", "log10"): (_FLOATING, math.log10),
    ("java.lang.Math", "sin"): (_FLOATING, math.sin),
    ("java.lang.Math", "cos"): (_FLOATING, math.cos),
    ("java.lang.Math", "tan"): (_FLOATING, math.tan),
    ("java.lang.Math", "asin"): (_FLOATING, math.asin),
    ("java.lang.Math", "acos"): (_FLOATING, math.acos),
    ("java.lang.Math", "atan"): (_FLOATING, math.atan),
    ("java.lang.Math", "floor"): (_FLOATING, lambda x: float(math.floor(x))),
    ("java.lang.Math", "ceil"): (_FLOATING, lambda x: float(math.ceil(x))),
    ("java.lang.Math", "signum"): (_FLOATING, lambda x: float((x > 0) - (x < 0))),
    ("java.lang.Math", "toDegrees"): (_FLOATING, math.degrees),
    ("java.lang.Math", "toRadians"): (_FLOATING, math.radians),
    ("java.lang.String", "valueOf"): (
        frozenset({*_NUM, "char", "java.lang.Object"}),
        lambda x: _java_string(x),
    ),
    ("java.lang.String", "format"): (
        frozenset({"java.lang.String", "[Ljava.lang.Object;"}),
        lambda f, a: f % tuple(a),
    ),
    ("java.lang.Integer", "valueOf"): (frozenset({"int", *_STR}), int),
    ("java.lang.Integer", "parseInt"): (_STR, int),
    ("java.lang.Long", "valueOf"): (frozenset({"long", *_STR}), int),
    ("java.lang.Long", "parseLong"): (_STR, int),
    ("java.lang.Short", "valueOf"): (frozenset({"short", *_STR}), int),
    ("java.lang.Byte", "valueOf"): (frozenset({"byte", *_STR}), int),
    ("java.lang.Double", "valueOf"): (frozenset({"double", *_STR}), float),
    ("java.lang.Double", "parseDouble"): (_STR, float),
    ("java.lang.Float", "valueOf"): (frozenset({"float", *_STR}), float),
    ("java.lang.Float", "parseFloat"): (_STR, float),
}


def _integral(v: Any) -> int:
    if type(v) in (int, Decimal, float) and v == int(v):
        return int(v)
    return _bad(v)


_JAVA_TYPES: dict[str, Callable[[Any], Any]] = {
    "double": lambda v: float(v) if type(v) in (int, Decimal, float) else _bad(v),
    "float": lambda v: float(v) if type(v) in (int, Decimal, float) else _bad(v),
    "int": _integral,
    "long": _integral,
    "short": _integral,
    "byte": _integral,
    "char": lambda v: v if type(v) is str and len(v) == 1 else _bad(v),
    "java.lang.String": lambda v: v if type(v) is str else _bad(v),
    "java.lang.Object": lambda v: v,
    "[Ljava.lang.Object;": lambda v: list(v) if isinstance(v, (list, tuple)) else [v],
}


def _bad(value: Any) -> Any:
    raise TypeError(f"argument of the wrong type: {describe_value(value)}")


def _java_string(x: Any) -> str:
    if isinstance(x, float) and x.is_integer():
        return repr(x)
    return str(x)


def _call_java(
    definition: FunctionDefinition, local: dict[str, Any], run: Run, label: str, where: str
) -> Any:
    """``kind="Java"``: a small, fixed set of ``java.lang`` methods, mapped to Python.

    The body is a context with ``class`` and ``method signature``; nothing is loaded or reflected,
    so a model can call exactly what this table lists and nothing else.
    """
    assert definition.body is not None
    spec = evaluate(definition.body, {}, run)
    if isinstance(spec, Mapping) and isinstance(spec.get("java"), Mapping):
        spec = spec["java"]  # the mapping of an external function: {java: {class: ..., ...}}
    if not isinstance(spec, Mapping):
        run.fail(f"{label}: a Java function needs a context with 'class' and 'method signature'", where)
        return None
    class_name = spec.get("class")
    signature = spec.get("method signature")
    if not isinstance(class_name, str) or not isinstance(signature, str) or "(" not in signature:
        run.fail(f"{label}: a Java function needs a context with 'class' and 'method signature'", where)
        return None
    method, _, rest = signature.partition("(")
    param_types = [t.strip() for t in rest.rstrip(") ").split(",") if t.strip()]
    entry = _JAVA.get((class_name, method.strip()))
    converters = [_JAVA_TYPES.get(t) for t in param_types]
    if entry is None or None in converters or not set(param_types) <= entry[0]:
        run.fail(f"{label}: the Java method {class_name}.{signature} is not available", where)
        return None
    args = [local.get(p.name) for p in definition.parameters]
    if len(args) != len(param_types) or any(a is None for a in args):
        run.fail(f"{label}: {class_name}.{signature} needs {len(param_types)} non-null arguments", where)
        return None
    try:
        converted = [conv(a) for conv, a in zip(converters, args, strict=True) if conv is not None]
        result = entry[1](*converted)
    except (TypeError, ValueError, ArithmeticError) as error:
        run.fail(f"{label}: {class_name}.{signature} failed: {error}", where)
        return None
    if isinstance(result, float) and not math.isfinite(result):
        return None
    return from_python(result)  # a double becomes the decimal its shortest repr spells
