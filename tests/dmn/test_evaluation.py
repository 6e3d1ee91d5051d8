"""Evaluating a DRG: requirements, knowledge, decision services, imports, and what is reported."""

from __future__ import annotations

import json
import threading

import pytest

from strom.dmn import parse_dmn
from strom.protocol.values.decision import EvaluatedDecisionValue

from ._dmn import bkm, decision, definitions, graph, input_data, literal, table

PRICING = [
    input_data("i_amount", "Amount", "number"),
    input_data("i_member", "Member", "boolean"),
    decision(
        "discount",
        table(
            ["Member", "Amount"],
            ["rate"],
            [(["true", "> 100"], ["0.1"]), (["-", "-"], ["0"])],
            hit_policy="FIRST",
        ),
        name="Discount",
        inputs=["i_amount", "i_member"],
    ),
    decision(
        "price", literal("Amount * (1 - Discount)"), name="Price", requires=["discount"], inputs=["i_amount"]
    ),
]


def test_required_decisions_are_evaluated_first_and_reported_in_order() -> None:
    result = graph(*PRICING).evaluate("price", {"Amount": 200, "Member": True})
    assert result.ok
    assert result.output == 180
    assert [(d.id, d.type) for d in result.evaluated_decisions] == [
        ("discount", "DECISION_TABLE"),
        ("price", "LITERAL_EXPRESSION"),
    ]
    assert result.evaluated_decisions[0].output == 0.1


def test_a_decision_required_twice_is_evaluated_once() -> None:
    g = graph(
        decision("base", literal("x + 1")),
        decision("left", literal("base * 2"), requires=["base"]),
        decision("right", literal("base * 3"), requires=["base"]),
        decision("top", literal("left + right"), requires=["left", "right"]),
    )
    result = g.evaluate("top", {"x": 1})
    assert result.output == 10
    assert [d.id for d in result.evaluated_decisions] == ["base", "left", "right", "top"]


def test_decisions_see_the_variables_they_were_called_with() -> None:
    # as in Zeebe, where decision table inputs read process variables without input data
    g = graph(
        decision("d", table(["order.total"], ["r"], [(["> 100"], ['"big"']), (["<= 100"], ['"small"'])]))
    )
    assert g.evaluate("d", {"order": {"total": 150}}).output == "big"


def test_missing_input_data_is_null() -> None:
    g = graph(input_data("i", "X", "number"), decision("d", literal("X = null"), inputs=["i"]))
    assert g.evaluate("d", {}).output is True


def test_result_is_json_able_and_record_ready() -> None:
    g = graph(decision("d", literal('{when: date("2024-01-31"), n: 1.5, list: [1, 2]}')))
    result = g.evaluate("d")
    assert result.output == {"when": "2024-01-31", "n": 1.5, "list": [1, 2]}
    assert json.loads(result.output_json) == result.output
    record = result.evaluated_decisions[0].to_record_value(decision_key=7, decision_version=2)
    assert isinstance(record, EvaluatedDecisionValue)
    assert (record.decision_id, record.decision_key, record.decision_version) == ("d", 7, 2)
    assert json.loads(record.decision_output) == result.output


def test_table_audit_in_the_record_value() -> None:
    result = graph(*PRICING).evaluate("price", {"Amount": 200, "Member": True})
    record = result.evaluated_decisions[0].to_record_value()
    assert [(i.input_id, i.input_name, i.input_value) for i in record.evaluated_inputs] == [
        ("in1", "Member", "true"),
        ("in2", "Amount", "200"),
    ]
    (rule,) = record.matched_rules
    assert (rule.rule_id, rule.rule_index) == ("r1", 1)
    assert [(o.output_id, o.output_name, o.output_value) for o in rule.evaluated_outputs] == [
        ("out1", "rate", "0.1")
    ]


def test_strict_failure_names_the_decision_that_failed() -> None:
    g = graph(
        decision("inner", literal('x + "a"')),
        decision("outer", literal("inner"), requires=["inner"]),
    )
    result = g.evaluate("outer", {"x": 1})
    assert result.value is None
    assert result.failure is not None
    assert result.failure.decision_id == "inner"
    assert result.failure.message.startswith("Expected to evaluate decision 'outer', but ")
    assert [d.id for d in result.evaluated_decisions] == ["inner"]


def test_dmn_mode_makes_errors_null_and_goes_on() -> None:
    g = graph(
        decision("inner", literal('x + "a"')),
        decision("outer", literal('if inner = null then "fallback" else inner'), requires=["inner"]),
    )
    result = g.evaluate("outer", {"x": 1}, mode="dmn")
    assert result.ok
    assert result.output == "fallback"
    assert result.warnings


def test_unknown_decision_and_mode() -> None:
    g = graph(decision("d", literal("1")))
    with pytest.raises(KeyError):
        g.evaluate("nope")
    with pytest.raises(ValueError):
        g.evaluate("d", mode="lenient")


def test_required_decision_under_its_variable_name_or_id() -> None:
    # Camunda models name the variable differently, or leave it out; Zeebe then uses the id
    g = graph(
        '<decision id="season" name="Season"><variable name="theSeason"/>'
        + literal('"winter"')
        + "</decision>",
        '<decision id="month" name="Month">' + literal("1") + "</decision>",
        decision("d", literal("[theSeason, Season, month, Month]"), requires=["season", "month"]),
    )
    assert g.evaluate("d").output == ["winter", "winter", 1, 1]


# -- business knowledge models -------------------------------------------------------------
def test_bkm_is_a_function_of_its_parameters() -> None:
    g = graph(
        bkm("k", "Fee", [("amount", "number")], literal("amount * 0.02")),
        decision("d", literal("Fee(500) + Fee(amount: 100)"), knowledge=["k"]),
    )
    assert g.evaluate("d").output == 12


def test_bkm_sees_only_its_parameters_and_knowledge() -> None:
    g = graph(
        bkm("rate", "Rate", [], literal("0.5")),
        bkm("k", "Apply", ["x"], literal("x * Rate()"), knowledge=["rate"]),
        decision("d", literal("Apply(10)"), knowledge=["k"]),
    )
    assert g.evaluate("d", {"Rate": "not this"}).output == 5


def test_bkm_with_a_decision_table() -> None:
    logic = table(["age"], ["r"], [(["< 18"], ['"minor"']), ([">= 18"], ['"adult"'])])
    g = graph(bkm("k", "Category", ["age"], logic), decision("d", literal("Category(20)"), knowledge=["k"]))
    assert g.evaluate("d").output == "adult"


def test_bkm_arguments_are_converted_to_parameter_types() -> None:
    g = graph(
        bkm("k", "Twice", [("n", "number")], literal("n * 2")),
        decision("d", literal("Twice(x)"), knowledge=["k"]),
    )
    assert g.evaluate("d", {"x": [4]}, mode="dmn").output == 8
    assert g.evaluate("d", {"x": "4"}, mode="dmn").output is None
    failure = g.evaluate("d", {"x": "4"}).failure
    assert failure is not None and "argument 'n' of 'Twice' should be of type 'number'" in failure.message


def test_recursive_bkm() -> None:
    g = graph(
        bkm("k", "fib", ["n"], literal("if n < 2 then n else fib(n - 1) + fib(n - 2)"), knowledge=["k"]),
        decision("d", literal("fib(15)"), knowledge=["k"]),
    )
    assert g.evaluate("d").output == 610


def test_endless_recursion_is_stopped() -> None:
    g = graph(
        bkm("k", "loop", ["n"], literal("loop(n + 1)")), decision("d", literal("loop(0)"), knowledge=["k"])
    )
    failure = g.evaluate("d").failure
    assert failure is not None and "deeper than" in failure.message
    assert g.evaluate("d", mode="dmn").output is None


# -- decision services ---------------------------------------------------------------------
SERVICE = [
    input_data("i_x", "x", "number"),
    decision("double", literal("x * 2"), name="Double", inputs=["i_x"]),
    decision("plus", literal("Double + 1"), name="Plus", requires=["double"]),
    '<decisionService id="svc" name="Calc"><variable name="Calc"/>'
    '<outputDecision href="#plus"/><encapsulatedDecision href="#double"/><inputData href="#i_x"/>'
    "</decisionService>",
]


def test_decision_service_invoked_directly() -> None:
    result = graph(*SERVICE).evaluate_decision_service("svc", {"x": 5})
    assert result.output == 11
    assert [d.id for d in result.evaluated_decisions] == ["double", "plus"]


def test_decision_service_invoked_as_a_function() -> None:
    g = graph(*SERVICE, decision("d", literal("Calc(5) + Calc(x: 1)"), knowledge=["svc"]))
    assert g.evaluate("d").output == 14


def test_decision_service_with_input_decisions_and_several_outputs() -> None:
    g = graph(
        *SERVICE[:3],
        '<decisionService id="svc2" name="Both">'
        '<outputDecision href="#double"/><outputDecision href="#plus"/><inputData href="#i_x"/>'
        "</decisionService>",
        '<decisionService id="svc3" name="From double"><outputDecision href="#plus"/>'
        '<inputDecision href="#double"/></decisionService>',
    )
    assert g.evaluate_decision_service("svc2", {"x": 1}).output == {"Double": 2, "Plus": 3}
    assert g.evaluate_decision_service("svc3", {"Double": 10, "x": 999}).output == 11


# -- imports -------------------------------------------------------------------------------
def test_imported_models_are_seen_under_their_import_name() -> None:
    library = parse_dmn(
        definitions(
            bkm("greet", "Greet", ["who"], literal('"Hello " + who')),
        ).replace(b'namespace="http://example.com/dmn"', b'namespace="http://example.com/lib"'),
        resource_name="lib.dmn",
    )
    main = parse_dmn(
        definitions(
            '<import name="lib" namespace="http://example.com/lib" '
            'importType="https://www.omg.org/spec/DMN/20230324/MODEL/"/>',
            '<decision id="d" name="d"><knowledgeRequirement>'
            '<requiredKnowledge href="http://example.com/lib#greet"/></knowledgeRequirement>'
            + literal('lib.Greet("you")')
            + "</decision>",
        ),
        resource_name="main.dmn",
        imports=[library],
    )
    assert main.evaluate("d").output == "Hello you"


def test_a_graph_is_shared_between_threads() -> None:
    g = graph(*PRICING)
    outputs: list[object] = []

    def work() -> None:
        for amount in range(100):
            outputs.append(g.evaluate("price", {"Amount": 200 + amount, "Member": True}).output)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outputs) == 400 and all(o is not None for o in outputs)


def test_repr() -> None:
    assert repr(graph(decision("d", literal("1")))) == "<DecisionRequirementsGraph 'defs' (1 decisions)>"


def test_unwrap_raises_the_failure() -> None:
    from strom.dmn import DecisionEvaluationError

    g = graph(decision("d", literal('1 + "a"')))
    assert g.evaluate("d", mode="dmn").unwrap() is None
    with pytest.raises(DecisionEvaluationError) as info:
        g.evaluate("d").unwrap()
    assert info.value.element_id == "d"


def test_unexpected_errors_become_failures(monkeypatch: pytest.MonkeyPatch) -> None:
    import strom.dmn.evaluation as evaluation

    def broken(*_args: object) -> None:
        raise RuntimeError("bug")

    monkeypatch.setattr(evaluation, "evaluate_table", broken)
    g = graph(decision("d", table(["x"], ["r"], [(["-"], ["1"])])))
    failure = g.evaluate("d", {"x": 1}).failure
    assert failure is not None
    assert (
        failure.message
        == "Expected to evaluate decision 'd', but the evaluation failed unexpectedly: RuntimeError: bug"
    )


def test_variables_may_be_a_lazy_mapping_read_only_as_needed() -> None:
    from collections.abc import Iterator, Mapping

    class Lazy(Mapping[str, object]):
        def __init__(self) -> None:
            self.read: list[str] = []

        def __getitem__(self, key: str) -> object:
            self.read.append(key)
            return {"total": 150, "items": 3}[key] if key in ("total", "items") else {"total": 150}

        def __contains__(self, key: object) -> bool:
            return key in ("order", "total", "items")

        def __iter__(self) -> Iterator[str]:
            raise AssertionError("the engine must not walk every variable")

        def __len__(self) -> int:
            raise AssertionError("the engine must not walk every variable")

    variables = Lazy()
    g = graph(decision("d", table(["order.total"], ["r"], [(["> 100"], ['"big"'])])))
    assert g.evaluate("d", variables).output == "big"
    assert variables.read == ["order"]


@pytest.mark.parametrize(
    ("logic", "kind"),
    [
        (literal("1"), "LITERAL_EXPRESSION"),
        ("<list>" + literal("1") + "</list>", "LIST"),
        (
            '<context><contextEntry><variable name="a"/>' + literal("1") + "</contextEntry></context>",
            "CONTEXT",
        ),
        ('<relation><column name="a"/><row>' + literal("1") + "</row></relation>", "RELATION"),
        (
            "<conditional><if>"
            + literal("true")
            + "</if><then>"
            + literal("1")
            + "</then><else>"
            + literal("2")
            + "</else></conditional>",
            "UNKNOWN",
        ),
    ],
)
def test_decision_types_are_zeebes(logic: str, kind: str) -> None:
    (audit,) = graph(decision("d", logic)).evaluate("d").evaluated_decisions
    assert audit.type == kind
