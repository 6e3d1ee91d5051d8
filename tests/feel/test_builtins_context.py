"""Context builtins, DMN 1.5 10.3.4.8, with Camunda's key-path variants."""

from __future__ import annotations

import pytest

from .support import FAIL, check

CASES = [
    ('get value({key1: "value1"}, "key1")', "value1"),
    ('get value({key1: "value1"}, "unexistent-key")', None),
    ('get value({a: {b: 1}}, ["a", "b"])', 1),
    ('get value({a: {b: 1}}, ["a", "c"])', None),
    ('get value(m: {a: 1}, key: "a")', 1),
    ('get value(null, "a")', None),
    ('get value("x", "a")', None),
    ('get entries({key1: "value1"})', [{"key": "key1", "value": "value1"}]),
    ("get entries({a: 1, b: 2})", [{"key": "a", "value": 1}, {"key": "b", "value": 2}]),
    ("get entries({})", []),
    ("get entries(1)", FAIL),
    ('context put({x: 1}, "y", 2)', {"x": 1, "y": 2}),
    ('context put({x: 1}, "x", 2)', {"x": 2}),
    ('context put({x: 1, y: {a: 0}}, ["y", "a"], 2)', {"x": 1, "y": {"a": 2}}),
    ('context put({x: 1}, ["y", "a"], 2)', {"x": 1, "y": {"a": 2}}),
    ('context put({x: 1, y: {a: 0}}, ["y", "a", "b"], 2)', FAIL),
    ('context put(context: {}, key: "a", value: 1)', {"a": 1}),
    ('context put(context: {}, keys: ["a"], value: 1)', {"a": 1}),
    ('context put(context: {}, key: ["a"], value: 1)', {"a": 1}),  # a singleton list is its element
    ('context put(context: {}, key: ["a", "b"], value: 1)', FAIL),
    ("context put({}, [], 1)", FAIL),
    ('context put({x: 1}, "y", null)', {"x": 1, "y": None}),
    ('context put(null, "y", 1)', None),
    ("context merge([{x: 1}, {y: 2}])", {"x": 1, "y": 2}),
    ("context merge([{x: 1, y: 0}, {y: 2}])", {"x": 1, "y": 2}),
    ("context merge([])", {}),
    ("context merge([1])", FAIL),
    ('context([{key: "a", value: 1}, {key: "b", value: 2}])', {"a": 1, "b": 2}),
    ("context([])", {}),
    ('context([{key: "a", value: 1}, {key: "a", value: 2}])', FAIL),
    ('context([{key: "a"}])', FAIL),
    ("context(get entries({a: 1, b: [2]}))", {"a": 1, "b": [2]}),
    ('{a: 1, b: 2}[get value(item, "a") = 1]', [{"a": 1, "b": 2}]),
]


@pytest.mark.parametrize(("expr", "expected"), CASES)
def test_context_builtins(expr: str, expected: object) -> None:
    check(expr, expected)


def test_context_put_does_not_mutate_its_argument() -> None:
    original = {"a": {"b": 1}}
    check('context put(c, ["a", "b"], 2)', {"a": {"b": 2}}, {"c": original})
    assert original == {"a": {"b": 1}}


def test_put_and_put_all_aliases() -> None:
    check('put({a: 1}, "b", 2)', {"a": 1, "b": 2})
    check("put all([{a: 1}, {b: 2}])", {"a": 1, "b": 2})
    check("put all({a: 1}, {a: 3})", {"a": 3})
