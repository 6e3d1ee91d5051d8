"""Boxed some / every / filter whose condition is not a boolean, and decision services invoked
with arguments of the wrong type or the wrong number of them."""

from __future__ import annotations

import pytest

from ._dmn import bkm, decision, graph, input_data, literal, run, value


def iterator(kind: str, source: str, body: str) -> str:
    satisfies = f"<satisfies>{literal(body)}</satisfies>"
    return f'<{kind} iteratorVariable="x"><in>{literal(source)}</in>{satisfies}</{kind}>'


def boxed_filter(source: str, match: str) -> str:
    return f"<filter><in>{literal(source)}</in><match>{literal(match)}</match></filter>"


# -- some / every / filter -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("logic", "expected"),
    [
        (iterator("some", "[1, 2, 3]", "x >= 3"), True),
        (iterator("some", "[]", "true"), False),
        (iterator("every", "[]", "false"), True),
        (iterator("some", "[1, null]", "x > 0"), True),  # null is not true, but not a wrong type
        (iterator("every", "[1, null]", "x > 0"), False),
        (boxed_filter("[1, 2, 3]", "item >= 2"), [2, 3]),
        (boxed_filter("[1, null, 3]", "item >= 2"), [3]),
    ],
)
def test_boolean_and_null_conditions(logic: str, expected: object) -> None:
    assert value(logic) == expected


@pytest.mark.parametrize(
    "logic",
    [
        iterator("some", "1", '"not a boolean"'),
        # a true elsewhere does not save it: the condition is wrong, not merely unmet
        iterator("some", "[1, 2]", 'if x = 2 then true else "not a boolean"'),
        iterator("every", "[1, 2]", "x"),
        iterator("every", "[1, 2]", 'if x = 1 then false else "no"'),
        boxed_filter("[1, 2, 3]", '"not a boolean"'),
        boxed_filter("[1, 2, 3]", 'if item <= 2 then true else "not a boolean"'),
        boxed_filter("[1, 2, 3]", "item"),
    ],
)
def test_a_non_boolean_condition_is_null_in_dmn_mode_and_fails_in_strict(logic: str) -> None:
    lenient = run(logic)
    assert lenient.value is None
    assert any("should be a boolean" in w for w in lenient.warnings)

    strict = run(logic, mode="strict")
    assert strict.failure is not None and "should be a boolean but is" in strict.failure.message


# -- decision services ---------------------------------------------------------------------
SERVICE = [
    input_data("i_x", "x", "number"),
    decision("d_label", literal('"n"'), name="Label", type_ref="string"),
    decision("d_out", literal("Label + string(x * 2)"), name="Out", inputs=["i_x"], requires=["d_label"]),
    '<decisionService id="svc" name="Calc"><variable name="Calc"/>'
    '<outputDecision href="#d_out"/><encapsulatedDecision href="#d_out"/>'
    '<inputDecision href="#d_label"/><inputData href="#i_x"/></decisionService>',
    '<decisionService id="none" name="Fixed"><variable name="Fixed"/>'
    '<outputDecision href="#d_label"/><encapsulatedDecision href="#d_label"/></decisionService>',
]


def call(feel: str, mode: str = "dmn") -> tuple[object, str]:
    g = graph(*SERVICE, decision("d", literal(feel), knowledge=["svc", "none"]))
    result = g.evaluate("d", mode=mode)
    message = result.failure.message if result.failure else " ".join(result.warnings)
    return result.value, message


def test_a_service_takes_input_data_then_input_decisions() -> None:
    assert call('Calc(4, "m")') == ("m8", "")
    assert call('Calc(Label: "k", x: 1)') == ("k2", "")
    assert call("Fixed()") == ("n", "")


@pytest.mark.parametrize(
    ("feel", "complaint"),
    [
        ("Calc(4)", "expected 2 arguments but got 1"),
        ("Calc()", "expected 2 arguments but got 0"),
        ('Calc(4, "m", 5)', "expected 2 arguments but got 3"),
        ('Fixed("bar")', "expected 0 arguments but got 1"),
        ('Calc(y: 1, Label: "m")', "function has no parameter 'y'"),
        ('Calc("4", "m")', "input data 'x' should be of type 'number' but is string \"4\""),
        ("Calc(4, 123)", "input decision 'Label' of 'Calc' should be of type 'string' but is number 123"),
    ],
)
def test_wrong_arguments_are_null_in_dmn_mode_and_fail_in_strict(feel: str, complaint: str) -> None:
    lenient, warnings = call(feel)
    assert lenient is None and complaint in warnings

    strict, message = call(feel, mode="strict")
    assert strict is None and complaint in message


def test_a_singleton_list_argument_is_its_element() -> None:
    assert call('Calc([4], ["m"])') == ("m8", "")


def test_a_named_call_may_leave_an_input_out_as_null() -> None:
    value_, _ = call('Calc(Label: "k")')
    assert value_ is None  # "k" + string(null * 2): null, not a failure of the call


def test_a_bkm_called_with_too_few_arguments_fails_too() -> None:
    g = graph(
        bkm("k", "Add", ["a", "b"], literal("a + b")), decision("d", literal("Add(1)"), knowledge=["k"])
    )
    result = g.evaluate("d")
    assert result.failure is not None and "expected 2 arguments but got 1" in result.failure.message
