"""Mapping between Python values and FEEL values, and FEEL type names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from strom.feel import FeelRange, compile_expression, from_python, to_python, type_name
from strom.feel.temporal import YearsMonthsDuration


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, 1),
        (1.5, Decimal("1.5")),
        (0.1, Decimal("0.1")),
        (2.0, 2),
        (Decimal("1.50"), Decimal("1.50")),
        (True, True),
        ("x", "x"),
        (None, None),
        ((1, 2), [1, 2]),
        ({"a": (1.5,)}, {"a": [Decimal("1.5")]}),
        ({1: "x"}, {"1": "x"}),
        (dt.date(2020, 1, 1), dt.date(2020, 1, 1)),
        (float("nan"), None),
        (10**40, Decimal("1.000000000000000000000000000000000E+40")),
    ],
)
def test_from_python(value: object, expected: object) -> None:
    assert from_python(value) == expected


def test_from_python_rejects_unknown_objects() -> None:
    with pytest.raises(TypeError):
        from_python(object())


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("2.0"), 2),
        (Decimal("2.5"), 2.5),
        (Decimal("1E+2"), 100),
        (3, 3),
        ([Decimal("1.0"), {"a": Decimal("0.25")}], [1, {"a": 0.25}]),
        (None, None),
    ],
)
def test_to_python(value: object, expected: object) -> None:
    out = to_python(value)
    assert out == expected
    assert type(out) is type(expected)


def test_to_python_exact_keeps_decimals_a_float_cannot_hold() -> None:
    third = compile_expression("1/3").evaluate()
    assert isinstance(to_python(third), float)
    assert to_python(third, exact=True) == third
    assert to_python(Decimal("0.5"), exact=True) == 0.5


def test_to_python_json_mode() -> None:
    value = compile_expression(
        '{d: date("2020-01-02"), t: time("10:00:00"), dt: date and time("2020-01-02T10:00:00Z"), '
        'p: duration("P1D"), y: duration("P1Y"), r: [1..2], f: function(x) x}'
    ).evaluate()
    assert to_python(value, json=True) == {
        "d": "2020-01-02",
        "t": "10:00:00",
        "dt": "2020-01-02T10:00:00Z",
        "p": "P1D",
        "y": "P1Y",
        "r": "[1..2]",
        "f": None,
    }
    assert to_python(value)["d"] == dt.date(2020, 1, 2)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (1, "number"),
        (Decimal(1), "number"),
        (1.5, "number"),
        (True, "boolean"),
        ("s", "string"),
        (dt.date(2020, 1, 1), "date"),
        (dt.datetime(2020, 1, 1), "date and time"),
        (dt.time(1), "time"),
        (dt.timedelta(1), "days and time duration"),
        (YearsMonthsDuration(1), "years and months duration"),
        ([], "list"),
        ({}, "context"),
        (FeelRange(True, 1, 2, True), "range"),
    ],
)
def test_type_names(value: object, name: str) -> None:
    assert type_name(value) == name


def test_raw_python_inputs_are_accepted_without_conversion() -> None:
    expr = compile_expression("a + b")
    assert expr.evaluate({"a": 0.1, "b": 0.2}) == Decimal("0.3")
    assert compile_expression("x = 1.5").evaluate({"x": 1.5}) is True
    assert compile_expression("count(xs)").evaluate({"xs": (1, 2)}) == 2
    assert compile_expression("xs[1]").evaluate({"xs": (1, 2)}) == 1
    assert compile_expression("flag = true").evaluate({"flag": True}) is True
    assert compile_expression("1 = true").evaluate_with_warnings({}, mode="dmn")[0] is None


def test_feel_function_values_round_trip() -> None:
    f = compile_expression("function(a) a * 2").evaluate()
    assert compile_expression("f(21)").evaluate({"f": f}) == 42
    assert to_python(f) is f


def test_python_callables_as_feel_functions() -> None:
    from strom.feel import UserFunction

    bkm = UserFunction(("a", "b"), lambda a, b: a * b, name="multiply")
    assert compile_expression("bkm(2, 3)").evaluate({"bkm": bkm}) == 6
    assert compile_expression("bkm(b: 4, a: 5)").evaluate({"bkm": bkm}) == 20
    assert compile_expression("sort([3, 1, 2], less)").evaluate(
        {"less": UserFunction(("x", "y"), lambda x, y: x < y)}
    ) == [1, 2, 3]
    assert compile_expression("f instance of function").evaluate({"f": bkm}) is True
