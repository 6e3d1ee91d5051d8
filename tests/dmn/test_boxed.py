"""Boxed expressions (DMN 1.5 chapter 10.2 and 10.4): what each one evaluates to."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ._dmn import bkm, decision, graph, literal, run, value


def ctx(*entries: tuple[str | None, str]) -> str:
    body = ""
    for name, expr in entries:
        variable = f'<variable name="{name}"/>' if name is not None else ""
        body += f"<contextEntry>{variable}{expr}</contextEntry>"
    return f"<context>{body}</context>"


def test_literal_expression() -> None:
    assert value(literal("a + b"), {"a": 1, "b": 2}) == 3


def test_empty_literal_expression_is_null() -> None:
    assert value("<literalExpression/>") is None


def test_context_entries_see_the_entries_before_them() -> None:
    logic = ctx(("a", literal("1")), ("b", literal("a + 1")), ("c", literal("b * 10")))
    assert value(logic) == {"a": 1, "b": 2, "c": 20}


def test_a_final_entry_without_a_variable_is_the_contexts_value() -> None:
    logic = ctx(("a", literal("2")), (None, literal("a * a")))
    assert value(logic) == 4


def test_typed_context_entries_are_converted_and_checked() -> None:
    logic = (
        '<context><contextEntry><variable name="n" typeRef="number"/>'
        + literal('"x"')
        + '</contextEntry><contextEntry><variable name="l" typeRef="string"/>'
        + literal('["s"]')
        + "</contextEntry></context>"
    )
    assert value(logic) == {"n": None, "l": "s"}


def test_nested_contexts() -> None:
    logic = ctx(("outer", ctx(("inner", literal("1")))), ("copy", literal("outer.inner + 1")))
    assert value(logic) == {"outer": {"inner": 1}, "copy": 2}


def test_list() -> None:
    logic = "<list>" + literal("1") + literal('"a"') + literal("x") + "</list>"
    assert value(logic, {"x": None}) == [1, "a", None]


def test_relation_is_a_list_of_contexts_by_column() -> None:
    logic = (
        '<relation><column name="name"/><column name="age" typeRef="number"/>'
        + "<row>"
        + literal('"ann"')
        + literal("30")
        + "</row>"
        + "<row>"
        + literal('"bob"')
        + literal('"old"')
        + "</row>"
        + "</relation>"
    )
    assert value(logic) == [{"name": "ann", "age": 30}, {"name": "bob", "age": None}]


def test_function_definition_is_a_closure_over_its_scope() -> None:
    function = (
        '<functionDefinition><formalParameter name="x"/>' + literal("x * factor") + "</functionDefinition>"
    )
    logic = ctx(("factor", literal("3")), ("triple", function), (None, literal("triple(5)")))
    assert value(logic) == 15


def test_function_parameters_are_converted_to_their_types() -> None:
    function = (
        '<functionDefinition><formalParameter name="x" typeRef="number"/>'
        + literal("x + 1")
        + "</functionDefinition>"
    )
    assert value(ctx(("f", function), (None, literal("f([1])")))) == 2
    assert value(ctx(("f", function), (None, literal('f("a")')))) is None


def test_a_context_function_can_call_itself() -> None:
    function = (
        '<functionDefinition><formalParameter name="n"/>'
        + literal("if n <= 1 then 1 else n * fact(n - 1)")
        + "</functionDefinition>"
    )
    assert value(ctx(("fact", function), (None, literal("fact(5)")))) == 120


def invocation(callee: str, *bindings: tuple[str, str | None]) -> str:
    body = literal(callee)
    for name, expr in bindings:
        body += f'<binding><parameter name="{name}"/>{expr or ""}</binding>'
    return f"<invocation>{body}</invocation>"


PAY = bkm("pay", "Pay", ["rate", "hours"], literal("rate * hours"))


def test_invocation_binds_arguments_by_parameter_name() -> None:
    logic = invocation("Pay", ("hours", literal("10")), ("rate", literal("2.5")))
    g = graph(decision("d", logic, knowledge=["pay"]), PAY)
    assert g.evaluate("d", {}, mode="dmn").value == 25
    assert g.evaluate("d", {}, mode="dmn").evaluated_decisions[0].type == "INVOCATION"


def test_invocation_with_a_missing_binding_passes_null() -> None:
    logic = invocation("Pay", ("rate", literal("2")), ("hours", None))
    g = graph(decision("d", logic, knowledge=["pay"]), PAY)
    assert g.evaluate("d", {}, mode="dmn").value is None


def test_invocation_of_an_unknown_parameter_is_an_error() -> None:
    logic = invocation("Pay", ("wage", literal("2")))
    g = graph(decision("d", logic, knowledge=["pay"]), PAY)
    assert g.evaluate("d", {}, mode="dmn").value is None
    failure = g.evaluate("d", {}, mode="strict").failure
    assert failure is not None and "no parameter(s) wage" in failure.message


def test_invocation_of_a_builtin_function() -> None:
    logic = invocation("substring", ("string", literal('"hello"')), ("start position", literal("2")))
    assert value(logic) == "ello"


def test_invocation_of_something_that_is_not_a_function() -> None:
    assert value(invocation("x", ("a", literal("1"))), {"x": 5}) is None


def cond(if_: str, then: str, else_: str) -> str:
    return f"<conditional><if>{if_}</if><then>{then}</then><else>{else_}</else></conditional>"


def test_conditional() -> None:
    logic = cond(literal("x > 0"), literal('"pos"'), literal('"not pos"'))
    assert value(logic, {"x": 1}) == "pos"
    assert value(logic, {"x": -1}) == "not pos"
    assert value(logic, {"x": None}) == "not pos"  # null is not true


def test_conditional_on_a_non_boolean_is_an_error() -> None:
    assert value(cond(literal('"abc"'), literal("1"), literal("2"))) is None


def iterator(kind: str, variable: str, source: str, body: str) -> str:
    tag = "return" if kind == "for" else "satisfies"
    return f'<{kind} iteratorVariable="{variable}"><in>{source}</in><{tag}>{body}</{tag}></{kind}>'


def test_for_maps_the_items() -> None:
    assert value(iterator("for", "i", literal("[1, 2, 3]"), literal("i * i"))) == [1, 4, 9]
    assert value(iterator("for", "i", literal("[]"), literal("i"))) == []


def test_some_and_every() -> None:
    assert value(iterator("some", "i", literal("[1, 5]"), literal("i > 4"))) is True
    assert value(iterator("some", "i", literal("[1, 2]"), literal("i > 4"))) is False
    assert value(iterator("every", "i", literal("[5, 6]"), literal("i > 4"))) is True
    assert value(iterator("every", "i", literal("[5, 1]"), literal("i > 4"))) is False


def test_filter_keeps_the_items_that_match() -> None:
    logic = f"<filter><in>{literal('[1, 2, 3, 4]')}</in><match>{literal('item > 2')}</match></filter>"
    assert value(logic) == [3, 4]
    people = '[{name: "a", age: 20}, {name: "b", age: 12}]'
    logic = f"<filter><in>{literal(people)}</in><match>{literal('age >= 18')}</match></filter>"
    assert value(logic) == [{"name": "a", "age": 20}]


def test_expression_type_refs_convert_the_value() -> None:
    assert value(literal("[42]", type_ref="number")) == 42
    assert value(literal('"x"', type_ref="number")) is None
    assert value(literal('date("2024-01-02")', type_ref="date and time")) == dt.datetime(
        2024, 1, 2, tzinfo=dt.UTC
    )


def java(class_name: str, signature: str, params: str) -> str:
    formal = "".join(f'<formalParameter name="{p}"/>' for p in params.split())
    body = ctx(("class", literal(f'"{class_name}"')), ("method signature", literal(f'"{signature}"')))
    return f'<functionDefinition kind="Java">{formal}{body}</functionDefinition>'


def test_java_functions_from_a_fixed_list() -> None:
    logic = ctx(("max", java("java.lang.Math", "max(double, double)", "a b")), (None, literal("max(3, 7.5)")))
    assert value(logic) == Decimal("7.5")
    logic = ctx(("f", java("java.lang.System", "exit(int)", "a")), (None, literal("f(1)")))
    assert value(logic) is None


def test_external_java_function_literal() -> None:
    text = 'function(a) external {java: {class: "java.lang.Math", method signature: "sqrt(double)"}}'
    assert value(ctx(("sqrt", literal(text)), (None, literal("sqrt(16)")))) == 4


def test_pmml_functions_are_not_supported() -> None:
    logic = ctx(
        ("f", '<functionDefinition kind="PMML">' + literal("{}") + "</functionDefinition>"),
        (None, literal("f()")),
    )
    assert value(logic) is None
    failure = run(logic, mode="strict").failure
    assert failure is not None and "PMML" in failure.message
