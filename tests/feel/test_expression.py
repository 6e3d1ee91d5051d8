"""The public API other packages rely on: compile, evaluate, modes, messages, free names."""

from __future__ import annotations

import threading

import pytest

import strom.feel as feel
from strom.feel import (
    FeelError,
    FeelEvaluationError,
    FeelSyntaxError,
    compile_expression,
    compile_unary_tests,
)


def test_public_surface() -> None:
    for name in [
        "compile_expression",
        "compile_unary_tests",
        "FeelError",
        "FeelSyntaxError",
        "FeelEvaluationError",
        "to_python",
        "from_python",
    ]:
        assert name in feel.__all__
    assert issubclass(FeelSyntaxError, FeelError)
    assert issubclass(FeelEvaluationError, FeelError)


def test_compile_and_evaluate() -> None:
    expr = compile_expression("amount > 1000")
    assert expr.source == "amount > 1000"
    assert expr.evaluate({"amount": 1200}) is True
    assert expr.evaluate({"amount": 999.5}) is False
    assert expr.evaluate(variables={"amount": 1000}, mode="dmn") is False


def test_syntax_error_carries_position_and_source() -> None:
    with pytest.raises(FeelSyntaxError) as info:
        compile_expression("amount >")
    err = info.value
    assert (err.line, err.column, err.source) == (1, 9, "amount >")
    assert err.message.startswith("unexpected end of input")


def test_strict_error_message_names_operand_and_column() -> None:
    with pytest.raises(FeelEvaluationError) as info:
        compile_expression("order.total * 1.2").evaluate({"order": {"total": "12"}})
    assert str(info.value) == (
        "FEEL: expected number, got string for 'order.total' at column 1 of \"order.total * 1.2\""
    )
    assert info.value.column == 1


def test_strict_error_points_at_right_operand() -> None:
    with pytest.raises(FeelEvaluationError) as info:
        compile_expression("1 + name").evaluate({"name": "x"})
    assert "expected number, got string for 'name' at column 5" in str(info.value)


def test_strict_errors_for_builtins_name_the_function() -> None:
    message = r"substring: expected number, got string for 'start position'"
    with pytest.raises(FeelEvaluationError, match=message):
        compile_expression('substring("abc", "x")').evaluate()


def test_multiline_error_position() -> None:
    src = 'if ok\nthen 1 + "a"\nelse 0'
    with pytest.raises(FeelEvaluationError) as info:
        compile_expression(src).evaluate({"ok": True})
    assert (info.value.line, info.value.column) == (2, 10)
    assert "line 2, column 10" in str(info.value)


def test_missing_variable_is_null_in_both_modes() -> None:
    expr = compile_expression("x > 1")
    assert expr.evaluate({}) is None
    value, warnings = expr.evaluate_with_warnings({})
    assert value is None
    assert warnings == ["no variable found with name 'x' at column 1"]
    assert compile_expression("x = null").evaluate() is True


def test_dmn_mode_turns_failures_into_null_with_warning() -> None:
    value, warnings = compile_expression('1 + "a"').evaluate_with_warnings({}, mode="dmn")
    assert value is None
    assert warnings == ["expected number, got string for '\"a\"' at column 5"]
    assert compile_expression('1 + "a"').evaluate(mode="dmn") is None


def test_strict_evaluate_with_warnings_still_raises() -> None:
    with pytest.raises(FeelEvaluationError):
        compile_expression('1 + "a"').evaluate_with_warnings({}, mode="strict")
    value, warnings = compile_expression("y").evaluate_with_warnings({}, mode="strict")
    assert value is None and warnings


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError):
        compile_expression("1").evaluate(mode="lenient")


def test_unknown_function() -> None:
    with pytest.raises(FeelEvaluationError, match="no function found with name 'frobnicate'"):
        compile_expression("frobnicate(1)").evaluate()
    assert compile_expression("frobnicate(1)").evaluate(mode="dmn") is None


def test_wrong_argument_count_for_builtin() -> None:
    with pytest.raises(FeelEvaluationError, match="takes 3 arguments"):
        compile_expression("abs(1, 2, 3)").evaluate()


def test_runaway_recursion_is_an_evaluation_error() -> None:
    expr = compile_expression("{f: function(n) f(n + 1), r: f(0)}.r")
    with pytest.raises(FeelEvaluationError, match="nested too deeply"):
        expr.evaluate()
    assert expr.evaluate(mode="dmn") is None


@pytest.mark.parametrize(
    ("src", "names"),
    [
        ("amount > 1000", {"amount"}),
        ("order.items[price > 10].id", {"order", "price"}),
        ('if x then "a" else "b"', {"x"}),
        ('string join(names, ", ")', {"names"}),
        ('date(due) - today() < duration("P3D")', {"due"}),
        ("for i in items return i * factor", {"items", "factor"}),
        ("some x in xs satisfies x > y", {"xs", "y"}),
        ("{a: 1, b: a + c}.b", {"c"}),
        ("(function(p) p + q)(1)", {"q"}),
        ("first name + last name", {"first name", "last name"}),
        ("1 + 2", set()),
        ("count(partial)", {"partial"}),
    ],
)
def test_free_names(src: str, names: set[str]) -> None:
    assert compile_expression(src).free_names == frozenset(names)


def test_compiled_expressions_are_cached() -> None:
    assert compile_expression("a + 1") is compile_expression("a + 1")


def test_non_string_source_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        compile_expression(1)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        compile_unary_tests(None)  # type: ignore[arg-type]


def test_thread_safe_evaluation() -> None:
    expr = compile_expression("for i in 1..50 return i * k")
    errors: list[BaseException] = []

    def work(k: int) -> None:
        try:
            for _ in range(200):
                assert expr.evaluate({"k": k})[-1] == 50 * k
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_variables_may_be_any_mapping() -> None:
    from types import MappingProxyType

    assert compile_expression("a + 1").evaluate(MappingProxyType({"a": 1})) == 2


def test_python_source_is_available_for_debugging() -> None:
    assert "def _feel" in compile_expression("a > 1").python_source()


def test_extra_types_for_instance_of() -> None:
    def positive(v: object) -> bool:
        return isinstance(v, int) and v > 0

    expr = compile_expression("x instance of tPositive", types={"tPositive": positive})
    assert expr.evaluate({"x": 3}) is True
    assert expr.evaluate({"x": -3}) is False
    assert compile_expression("[1, 2] instance of list<tPositive>", types={"tPositive": positive}).evaluate()
    with pytest.raises(FeelSyntaxError, match="unknown type 'tPositive'"):
        compile_expression("x instance of tPositive")


@pytest.mark.parametrize(
    ("src", "variables", "message"),
    [
        ("x > 1", {"x": "a"}, "can't compare 'x' (string) with '1' (number) at column 1"),
        ("x = true", {"x": 1}, "can't compare 'x' (number) with 'true' (boolean) at column 1"),
        ("a + b", {"a": "x", "b": [1]}, "operator '+' is not defined for 'a' (string) and 'b' (list)"),
        ('n between 1 and "z"', {"n": 5}, "can't compare 'n' (number) with '\"z\"' (string)"),
        ("x.y", {"x": 1}, "no property 'y' on a value of type number at column 1"),
        ("count(1, 2) / 0", {}, "division by zero for '0' at column 15"),
        ("date(d)", {"d": "nope"}, "date: invalid date 'nope' at column 1"),
    ],
)
def test_failure_messages(src: str, variables: dict[str, object], message: str) -> None:
    with pytest.raises(FeelEvaluationError) as info:
        compile_expression(src).evaluate(variables)
    assert message in str(info.value)


def test_external_functions_compile_but_fail_when_called() -> None:
    java = '{java: {class: "java.lang.Math", method signature: "abs(double)"}}'
    src = "{f: function(n) external " + java + ", r: f(1)}"
    with pytest.raises(FeelEvaluationError, match="external functions are not supported"):
        compile_expression(src).evaluate()
    assert compile_expression(src + ".r").evaluate(mode="dmn") is None
