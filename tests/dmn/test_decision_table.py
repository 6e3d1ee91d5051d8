"""Decision tables, one hit policy at a time, as DMN 1.5 chapter 8 defines them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from ._dmn import run, table, value

# rules over one numeric input x: which ones match is spelled out per test
AGES = [
    (["< 18"], ['"minor"']),
    (["[18..65]"], ['"adult"']),
    ([">= 60"], ['"senior"']),
]


def age_table(policy: str, aggregation: str = "", output_values: str = "") -> str:
    values = {"category": output_values} if output_values else None
    return table(
        ["age"], ["category"], AGES, hit_policy=policy, aggregation=aggregation, output_values=values
    )


# -- UNIQUE ---------------------------------------------------------------------------------
def test_unique_returns_the_one_matching_rules_output() -> None:
    assert value(age_table("UNIQUE"), {"age": 30}) == "adult"


def test_unique_without_a_match_is_null() -> None:
    assert value(table(["x"], ["y"], [(["1"], ['"one"'])]), {"x": 2}) is None


def test_unique_with_two_matches_is_an_error() -> None:
    dmn = run(age_table("UNIQUE"), {"age": 62})
    assert dmn.value is None
    assert any("UNIQUE" in w for w in dmn.warnings)
    strict = run(age_table("UNIQUE"), {"age": 62}, mode="strict")
    assert strict.failure is not None
    assert "UNIQUE hit policy violated: rules 2, 3" in strict.failure.message
    assert strict.failure.decision_id == "d"


def test_default_hit_policy_is_unique() -> None:
    logic = age_table("UNIQUE").replace(' hitPolicy="UNIQUE"', "")
    assert run(logic, {"age": 62}, mode="strict").failure is not None


# -- ANY ------------------------------------------------------------------------------------
def test_any_accepts_overlapping_rules_with_equal_outputs() -> None:
    logic = table(["x"], ["y"], [(["> 0"], ['"pos"']), (["> 10"], ['"pos"'])], hit_policy="ANY")
    assert value(logic, {"x": 20}) == "pos"


def test_any_with_different_outputs_is_an_error() -> None:
    logic = table(["x"], ["y"], [(["> 0"], ['"pos"']), (["> 10"], ['"big"'])], hit_policy="ANY")
    assert value(logic, {"x": 20}) is None
    failure = run(logic, {"x": 20}, mode="strict").failure
    assert failure is not None and "ANY hit policy violated" in failure.message


# -- FIRST ----------------------------------------------------------------------------------
def test_first_takes_the_first_matching_rule_in_rule_order() -> None:
    result = run(age_table("FIRST"), {"age": 62})
    assert result.value == "adult"
    (audit,) = result.evaluated_decisions
    assert [rule.index for rule in audit.matched_rules] == [2]


# -- PRIORITY -------------------------------------------------------------------------------
def test_priority_takes_the_output_listed_first_in_the_output_values() -> None:
    logic = age_table("PRIORITY", output_values='"senior", "adult", "minor"')
    assert value(logic, {"age": 62}) == "senior"
    logic = age_table("PRIORITY", output_values='"adult", "senior", "minor"')
    assert value(logic, {"age": 62}) == "adult"


def test_priority_over_several_outputs_compares_them_left_to_right() -> None:
    rules = [
        (["> 0"], ['"low"', '"b"']),
        (["> 5"], ['"high"', '"b"']),
        (["> 8"], ['"high"', '"a"']),
    ]
    logic = table(
        ["x"],
        ["level", "grade"],
        rules,
        hit_policy="PRIORITY",
        output_values={"level": '"high", "low"', "grade": '"a", "b"'},
    )
    assert value(logic, {"x": 9}) == {"level": "high", "grade": "a"}
    assert value(logic, {"x": 6}) == {"level": "high", "grade": "b"}


# -- multiple hit ---------------------------------------------------------------------------
def test_collect_lists_outputs_in_rule_order() -> None:
    assert value(age_table("COLLECT"), {"age": 62}) == ["adult", "senior"]


def test_collect_without_a_match_is_an_empty_list() -> None:
    assert value(age_table("COLLECT"), {"age": None}) == []
    assert value(age_table("RULE ORDER"), {"age": None}) == []


def test_zeebe_gives_null_when_no_rule_of_a_multiple_hit_table_matches() -> None:
    # dmn-scala's answer, kept in strict mode (the engine's) so models behave as they did in Zeebe
    assert run(age_table("COLLECT"), {"age": None}, mode="strict").value is None
    counting = table(["x"], ["points"], POINTS, hit_policy="COLLECT", aggregation="COUNT")
    assert run(counting, {"x": -1}, mode="strict").value is None
    with_default = table(["x"], ["r"], [(["1"], ['"one"'])], hit_policy="COLLECT", defaults={"r": '"none"'})
    assert run(with_default, {"x": 2}).value == ["none"]
    assert run(with_default, {"x": 2}, mode="strict").value == "none"


def test_rule_order_lists_outputs_in_rule_order() -> None:
    assert value(age_table("RULE ORDER"), {"age": 62}) == ["adult", "senior"]


def test_output_order_sorts_by_output_value_priority() -> None:
    logic = age_table("OUTPUT ORDER", output_values='"senior", "adult", "minor"')
    assert value(logic, {"age": 62}) == ["senior", "adult"]


def test_multiple_outputs_give_contexts_and_lists_of_contexts() -> None:
    rules = [(["> 0"], ['"pos"', "1"]), (["> 10"], ['"big"', "2"])]
    single = table(["x"], ["kind", "rank"], rules, hit_policy="FIRST")
    assert value(single, {"x": 20}) == {"kind": "pos", "rank": 1}
    multi = table(["x"], ["kind", "rank"], rules, hit_policy="COLLECT")
    assert value(multi, {"x": 20}) == [{"kind": "pos", "rank": 1}, {"kind": "big", "rank": 2}]


# -- COLLECT with an aggregation ------------------------------------------------------------
POINTS = [(["> 0"], ["10"]), (["> 5"], ["20"]), (["> 8"], ["20"])]


@pytest.mark.parametrize(
    ("aggregation", "x", "expected"),
    [
        ("SUM", 9, 50),
        ("SUM", 6, 30),
        ("MIN", 9, 10),
        ("MAX", 9, 20),
        ("COUNT", 9, 3),
        ("COUNT", 1, 1),
    ],
)
def test_collect_aggregations(aggregation: str, x: int, expected: int) -> None:
    logic = table(["x"], ["points"], POINTS, hit_policy="COLLECT", aggregation=aggregation)
    assert value(logic, {"x": x}) == expected


@pytest.mark.parametrize(
    ("aggregation", "expected"), [("SUM", None), ("MIN", None), ("MAX", None), ("COUNT", 0)]
)
def test_collect_aggregations_without_a_match(aggregation: str, expected: int | None) -> None:
    logic = table(["x"], ["points"], POINTS, hit_policy="COLLECT", aggregation=aggregation)
    assert value(logic, {"x": -1}) == expected


def test_sum_keeps_decimal_precision() -> None:
    logic = table(["x"], ["v"], [(["-"], ["0.1"]), (["-"], ["0.2"])], hit_policy="COLLECT", aggregation="SUM")
    assert value(logic, {"x": 1}) == Decimal("0.3")


def test_min_and_max_compare_strings_too() -> None:
    rules = [(["-"], ['"pear"']), (["-"], ['"apple"'])]
    assert value(table(["x"], ["v"], rules, hit_policy="COLLECT", aggregation="MIN"), {"x": 1}) == "apple"
    assert value(table(["x"], ["v"], rules, hit_policy="COLLECT", aggregation="MAX"), {"x": 1}) == "pear"


def test_sum_of_non_numbers_is_an_error() -> None:
    logic = table(["x"], ["v"], [(["-"], ['"a"'])], hit_policy="COLLECT", aggregation="SUM")
    assert value(logic, {"x": 1}) is None
    assert run(logic, {"x": 1}, mode="strict").failure is not None


# -- entries, values, defaults --------------------------------------------------------------
def test_dash_matches_anything_including_null() -> None:
    logic = table(["x", "y"], ["r"], [(["-", "1"], ['"hit"'])])
    assert value(logic, {"x": None, "y": 1}) == "hit"


def test_input_entries_may_refer_to_other_variables_and_to_the_input() -> None:
    logic = table(["x"], ["r"], [(["> limit"], ['"over"']), (["? <= limit"], ['"under"'])])
    assert value(logic, {"x": 5, "limit": 3}) == "over"
    assert value(logic, {"x": 2, "limit": 3}) == "under"


def test_output_entries_are_expressions_over_the_variables() -> None:
    logic = table(["x"], ["r"], [(["-"], ["x * 2 + bonus"])])
    assert value(logic, {"x": 5, "bonus": 1}) == 11


def test_default_outputs_apply_when_no_rule_matches() -> None:
    logic = table(["x"], ["r"], [(["1"], ['"one"'])], defaults={"r": '"other"'})
    assert value(logic, {"x": 1}) == "one"
    assert value(logic, {"x": 2}) == "other"


def test_default_outputs_of_several_outputs_form_a_context() -> None:
    logic = table(["x"], ["a", "b"], [(["1"], ['"one"', "1"])], defaults={"a": '"none"'})
    assert value(logic, {"x": 2}) == {"a": "none", "b": None}


def test_input_values_constrain_the_input_in_dmn_mode() -> None:
    logic = table(["x"], ["r"], [(["-"], ['"ok"'])], input_values={1: '"a", "b"'})
    assert value(logic, {"x": "a"}) == "ok"
    assert value(logic, {"x": "c"}) is None
    # Zeebe never checked them: strict mode keeps the table working
    assert run(logic, {"x": "c"}, mode="strict").value == "ok"


def test_output_values_constrain_the_output_in_dmn_mode() -> None:
    logic = table(["x"], ["r"], [(["-"], ["x"])], output_values={"r": '"a", "b"'})
    assert value(logic, {"x": "a"}) == "a"
    assert value(logic, {"x": "z"}) is None


def test_output_type_converts_and_checks_the_output() -> None:
    logic = table(["x"], [("r", "number")], [(["-"], ["x"])])
    assert value(logic, {"x": [5]}) == 5  # a singleton list becomes its element
    assert value(logic, {"x": "5"}) is None
    assert run(logic, {"x": "5"}, mode="strict").value == "5"  # advisory in strict mode


def test_a_failing_input_expression_fails_in_strict_mode() -> None:
    logic = table(["x + 1"], ["r"], [(["-"], ['"ok"'])])
    result = run(logic, {"x": "a"}, mode="strict")
    assert result.failure is not None
    assert "Expected to evaluate decision 'd', but" in result.failure.message


# -- audit ----------------------------------------------------------------------------------
def test_the_audit_names_inputs_matched_rules_and_outputs() -> None:
    logic = table(["age", "member = true"], ["category"], [(["> 60", "-"], ['"senior"'])]).replace(
        '<input id="in1">', '<input id="in1" label="Age">'
    )
    result = run(logic, {"age": 70, "member": True})
    (audit,) = result.evaluated_decisions
    assert audit.type == "DECISION_TABLE"
    assert [(i.id, i.name, i.value) for i in audit.inputs] == [
        ("in1", "Age", 70),
        ("in2", "member = true", True),
    ]
    (rule,) = audit.matched_rules
    assert (rule.id, rule.index) == ("r1", 1)
    assert [(o.id, o.name, o.value) for o in rule.outputs] == [("out1", "category", "senior")]
    assert audit.output == "senior"
