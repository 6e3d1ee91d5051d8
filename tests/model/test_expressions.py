"""Expressions: Zeebe's static-or-FEEL values, typed when static, FEEL checked at deployment."""

from __future__ import annotations

import pytest

from strom.feel import FeelSyntaxError
from strom.model import Expression
from strom.model.expressions import parse_csv, parse_expression, parse_int, path_problems

from ._bpmn import accepted, around, ext, rejected_with, service


def test_a_leading_equals_sign_makes_feel() -> None:
    expression = parse_expression("= order.total > 100")
    assert not expression.is_static
    assert expression.source == " order.total > 100"
    assert expression.text == "= order.total > 100"


@pytest.mark.parametrize("text", ["plain", "", "=", " =x", "a=b"])
def test_everything_else_is_static(text: str) -> None:
    expression = parse_expression(text)
    assert expression.is_static
    assert expression.value == text
    assert expression.evaluate({}) == text


def test_feel_compiles_lazily_and_evaluates() -> None:
    expression = parse_expression("=a + b")
    assert expression.free_names == frozenset({"a", "b"})
    assert expression.evaluate({"a": 1, "b": 2}) == 3
    assert expression.compiled is expression.compiled


def test_static_values_have_no_feel_form() -> None:
    with pytest.raises(ValueError):
        _ = Expression("x", True, "x").compiled


def test_expressions_are_immutable_values() -> None:
    expression = parse_expression("=x")
    with pytest.raises(AttributeError):
        expression.source = "y"  # type: ignore[misc]
    assert expression == parse_expression("=x")


@pytest.mark.parametrize(
    ("text", "value"), [("3", 3), ("+7", 7), ("-1", -1), ("3.0", None), (" 3", None), ("x", None)]
)
def test_integers_as_java_reads_them(text: str, value: int | None) -> None:
    assert parse_int(text) == value


@pytest.mark.parametrize(
    ("text", "value"), [("a,b", ["a", "b"]), (" a , b ", ["a", "b"]), ("", []), ("a,,b", None), ("a, ", None)]
)
def test_comma_separated_lists(text: str, value: list[str] | None) -> None:
    assert parse_csv(text) == value


@pytest.mark.parametrize("path", ["a", "a.b", "_x.y_1"])
def test_valid_paths(path: str) -> None:
    assert path_problems(path) == []


@pytest.mark.parametrize(
    ("path", "fragment"), [("", "not found"), ("a.", "pattern"), ("1a", "pattern"), ("null", "reserved")]
)
def test_invalid_paths(path: str, fragment: str) -> None:
    assert any(fragment in problem for problem in path_problems(path))


def test_feel_syntax_errors_are_found_at_deployment() -> None:
    task = service(body="")
    task = task.replace('type="work"', 'type="=&quot;a&quot; +"')
    rejected_with(around(task), "task", "Invalid FEEL expression '\"a\" +'")


def test_feel_syntax_errors_in_conditions_and_mappings() -> None:
    mapping = ext('<zeebe:ioMapping><zeebe:output source="=(x" target="y" /></zeebe:ioMapping>')
    data = around(f'<bpmn:manualTask id="task">{mapping}</bpmn:manualTask>')
    rejected_with(data, "task", "Invalid FEEL expression '(x'")


def test_the_deployment_check_is_one_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    from strom.model import _feel

    task = service().replace('type="work"', 'type="=(x"')
    monkeypatch.setattr(_feel, "SYNTAX_CHECK_AT_DEPLOYMENT", False)
    job = accepted(around(task)).processes[0].flow_node("task").job
    assert job is not None and job.type.source == "(x"
    with pytest.raises(FeelSyntaxError):
        _ = job.type.compiled


def test_a_failing_feel_compiler_rejects_instead_of_crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    from strom.model import _feel

    def explode(source: str) -> None:
        raise RecursionError("too deep")

    monkeypatch.setattr(_feel, "_api", lambda: (explode, FeelSyntaxError))
    _feel.compile_feel.cache_clear()
    try:
        task = service().replace('type="work"', 'type="=never.seen.before"')
        rejected_with(around(task), "task", "cannot be compiled (RecursionError: too deep)")
    finally:
        _feel.compile_feel.cache_clear()
