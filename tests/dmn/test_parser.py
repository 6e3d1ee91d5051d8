"""Reading DMN 1.1–1.5 and rejecting bad models with every problem, each naming element and line."""

from __future__ import annotations

import pytest

from strom.dmn import DmnValidationError, HitPolicy, Problem, check_dmn, parse_definitions, parse_dmn

from ._dmn import DMN13, bkm, decision, definitions, input_data, literal, table

VERSIONS = [
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "https://www.omg.org/spec/DMN/20211108/MODEL/",
    "https://www.omg.org/spec/DMN/20230324/MODEL/",
]


def problems(*content: str) -> list[Problem]:
    return check_dmn(definitions(*content), resource_name="bad.dmn")


def messages(*content: str) -> list[str]:
    return [f"{p.element_id}: {p.message}" for p in problems(*content)]


@pytest.mark.parametrize("ns", VERSIONS)
def test_every_dmn_version_reads_the_same(ns: str) -> None:
    data = definitions(
        input_data("i", "Amount", "number"),
        decision("d", table(["Amount"], ["r"], [(["> 10"], ['"big"'])]), inputs=["i"]),
        ns=ns,
    )
    graph = parse_dmn(data, resource_name="v.dmn")
    assert graph.evaluate("d", {"Amount": 20}).output == "big"


def test_dmn_1_1_qname_type_refs() -> None:
    data = definitions(
        '<itemDefinition name="tAmount"><typeRef>feel:number</typeRef></itemDefinition>',
        decision("d", literal("x"), type_ref="tns:tAmount"),
        ns=VERSIONS[0],
        extra=' xmlns:feel="http://www.omg.org/spec/FEEL/20140401" xmlns:tns="http://example.com/dmn"',
    )
    graph = parse_dmn(data, resource_name="v.dmn")
    assert graph.evaluate("d", {"x": 5}, mode="dmn").value == 5
    assert graph.evaluate("d", {"x": "5"}, mode="dmn").value is None


def test_graph_identity_for_deployment() -> None:
    graph = parse_dmn(
        definitions(decision("d1", literal("1"), name="First"), decision("d2", literal("2"))),
        resource_name="x.dmn",
    )
    assert (graph.id, graph.name, graph.namespace, graph.resource_name) == (
        "defs",
        "Test",
        "http://example.com/dmn",
        "x.dmn",
    )
    assert [(d.id, d.name) for d in graph.decisions] == [("d1", "First"), ("d2", "d2")]


def test_zeebe_version_tag() -> None:
    versioned = decision("d", literal("1")).replace(
        "<literalExpression>",
        '<extensionElements><zeebe:versionTag value="v1.2"/></extensionElements><literalExpression>',
    )
    data = definitions(versioned, extra=' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"')
    assert parse_definitions(data).decisions["d"].version_tag == "v1.2"


def test_a_good_model_has_no_problems() -> None:
    assert problems(decision("d", literal("1"))) == []


def test_problems_name_the_resource_line_and_element() -> None:
    (problem,) = problems(decision("d", literal("1 +")))
    assert problem.resource_name == "bad.dmn"
    assert problem.line == 3
    assert problem.element_id == "d"
    assert problem.message.startswith("Invalid FEEL in expression '1 +'")
    assert str(problem).startswith("bad.dmn:3: d: Invalid FEEL")


def test_every_problem_is_reported_at_once() -> None:
    found = messages(
        decision("a", literal("(")),
        decision("b", literal("1"), requires=["nowhere"]),
        '<decision name="no id"><literalExpression><text>1</text></literalExpression></decision>',
    )
    assert len(found) == 3
    assert any("Requires the decision '#nowhere', which is not defined" in m for m in found)
    assert any("must have an 'id'" in m for m in found)


def test_duplicate_ids() -> None:
    assert any(
        "already used" in m for m in messages(decision("d", literal("1")), decision("d", literal("2")))
    )


def test_ids_must_be_xml_ids() -> None:
    found = messages(decision("1st decision", literal("1")))
    assert found == [
        "1st decision: The id '1st decision' is not a valid XML id (letters, digits, '_', '-', '.')"
    ]
    assert messages(decision("_a-b.c_ä", literal("1"))) == []


def test_unresolved_references() -> None:
    found = messages(decision("d", literal("1"), inputs=["i"], knowledge=["k"]))
    assert "d: Requires the input data '#i', which is not defined" in found
    assert "d: Requires the knowledge '#k', which is not defined" in found


def test_decision_cycles() -> None:
    found = messages(decision("a", literal("b"), requires=["b"]), decision("b", literal("a"), requires=["a"]))
    assert any("Decisions require each other in a cycle: a -> b -> a" in m for m in found)


def test_decision_table_shape() -> None:
    bad = table(["x", "y"], ["r"], [(["1"], ['"a"', '"b"'])])
    found = messages(decision("d", bad))
    assert "r1: Rule 1 has 1 input entries but the table has 2 inputs" in found
    assert "r1: Rule 1 has 2 output entries but the table has 1 outputs" in found


def test_unknown_hit_policy_and_aggregation_misuse() -> None:
    found = messages(decision("d", table(["x"], ["r"], [], hit_policy="SOMETIMES")))
    assert found == ["table: Unknown hit policy 'SOMETIMES'"]
    found = messages(decision("d", table(["x"], ["r"], [], hit_policy="FIRST", aggregation="SUM")))
    assert found == ["table: An aggregation needs the COLLECT hit policy, not FIRST"]
    found = messages(decision("d", table(["x"], ["a", "b"], [], hit_policy="COLLECT", aggregation="SUM")))
    assert found == ["table: The SUM aggregation needs a table with a single output"]


def test_several_outputs_need_names() -> None:
    found = messages(decision("d", table(["x"], ["a", ""], [])))
    assert found == ["out2: Each output of a decision table with several outputs needs a 'name'"]


def test_invalid_feel_in_input_entries_is_located() -> None:
    (problem,) = problems(
        decision(
            "d",
            table(
                ["x"],
                ["r"],
                [
                    (
                        [
                            "[1..",
                        ],
                        ['"a"'],
                    )
                ],
            ),
        )
    )
    assert "Invalid FEEL in input entry '[1..'" in problem.message


def test_other_expression_languages_are_refused() -> None:
    logic = '<literalExpression expressionLanguage="javascript"><text>1</text></literalExpression>'
    assert messages(decision("d", logic)) == [
        "d: Expression language 'javascript' is not supported (only FEEL)"
    ]


def test_imports_need_the_imported_model() -> None:
    found = messages(
        '<import name="lib" namespace="http://other" importType="https://www.omg.org/spec/DMN/20230324/MODEL/"/>'
    )
    assert found == ["lib: Imports the DMN model with namespace 'http://other', which was not provided"]


def test_lenient_parsing_defers_feel_errors_to_evaluation() -> None:
    data = definitions(decision("bad", literal("1 +")), decision("good", literal("2")))
    with pytest.raises(DmnValidationError):
        parse_dmn(data, resource_name="x.dmn")
    graph = parse_dmn(data, resource_name="x.dmn", lenient=True)
    assert graph.evaluate("good").output == 2
    failure = graph.evaluate("bad").failure
    assert failure is not None and "FEEL syntax error" in failure.message


def test_names_with_operator_characters() -> None:
    graph = parse_dmn(
        definitions(
            input_data("i", "Pre-bureau risk"),
            decision("d", literal("Pre-bureau risk * 2"), inputs=["i"]),
        ),
        resource_name="x.dmn",
    )
    assert graph.evaluate("d", {"Pre-bureau risk": 21}).output == 42


def test_names_are_scoped_so_a_parameter_does_not_swallow_a_path() -> None:
    # inside the BKM, "Person.Age" is one parameter name; in the decision it is a path
    graph = parse_dmn(
        definitions(
            input_data("i", "Person"),
            bkm("k", "Describe", ["Person.Age"], literal("Person.Age + 1")),
            decision(
                "d",
                "<invocation><literalExpression><text>Describe</text></literalExpression>"
                '<binding><parameter name="Person.Age"/><literalExpression><text>Person.Age</text>'
                "</literalExpression></binding></invocation>",
                inputs=["i"],
                knowledge=["k"],
            ),
        ),
        resource_name="x.dmn",
    )
    assert graph.evaluate("d", {"Person": {"Age": 41}}).output == 42


def test_hit_policy_enum_values() -> None:
    assert HitPolicy("RULE ORDER") is HitPolicy.RULE_ORDER
    assert not HitPolicy.COLLECT.single_hit


def test_decision_without_logic_parses_and_fails_when_evaluated() -> None:
    graph = parse_dmn(definitions('<decision id="d" name="d"/>'), resource_name="x.dmn")
    failure = graph.evaluate("d").failure
    assert failure is not None and "has no decision logic" in failure.message


def test_camunda_style_model_reads() -> None:
    data = definitions(
        '<decision id="dish" name="Dish">'
        + table(["season"], [("dish", "string")], [(['"Winter"'], ['"Roastbeef"'])])
        + "</decision>",
        ns=DMN13,
    )
    assert (
        parse_dmn(data, resource_name="dish.dmn").evaluate("dish", {"season": "Winter"}).output == "Roastbeef"
    )
