"""FEEL bugs found by the DMN work (the DMN TCK), each with the smallest expression showing it."""

from __future__ import annotations

import pytest

from strom.feel import FeelEvaluationError, compile_expression


def test_typed_function_parameters_reject_other_types() -> None:
    # TCK 0082-feel-coercion fd_002: function(arg: number) called with a string is null
    expr = compile_expression('(function(a: number) a)("foo")')
    assert expr.evaluate(mode="dmn") is None
    with pytest.raises(FeelEvaluationError, match="argument 'a' is not of type 'number'"):
        expr.evaluate()
    assert compile_expression("(function(a: number) a)(5)").evaluate() == 5
    assert compile_expression("(function(a: number) a)(null)").evaluate() is None
    assert compile_expression('(function(a: string, b) a + b)("x", "y")').evaluate() == "xy"


def test_string_of_a_context_quotes_keys_that_are_not_names() -> None:
    # TCK non-compliant/0079-feel-string-function context_003..007
    assert compile_expression('string({"{": "foo"})').evaluate() == '{"{": "foo"}'
    assert compile_expression('string({"\\"": "foo"})').evaluate() == '{"\\"": "foo"}'
    assert compile_expression('string({a: "foo", "b c": 1})').evaluate() == '{a: "foo", b c: 1}'
