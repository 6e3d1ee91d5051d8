"""DRG elements without an ``id``: rejected with a clear message for deployment (Zeebe keys
decisions by id), read in lenient parsing (DMN makes ids optional) and evaluated by name."""

from __future__ import annotations

import pytest

from strom.dmn import DmnValidationError, parse_dmn

from ._dmn import definitions, literal, text

NAMELESS = definitions(
    '<inputData id="age" name="Age"><variable name="Age" typeRef="number"/></inputData>',
    '<decision name="Adult"><variable name="Adult" typeRef="boolean"/>'
    '<informationRequirement><requiredInput href="#age"/></informationRequirement>'
    f"{literal('Age >= 18')}</decision>",
    '<decision name="Loan officer"><variable name="Loan officer"/>' + literal('"Ann"') + "</decision>",
)


def test_deployment_rejects_a_decision_without_an_id_and_says_what_to_add() -> None:
    with pytest.raises(DmnValidationError) as rejected:
        parse_dmn(NAMELESS, resource_name="loans.dmn")

    message = str(rejected.value)
    assert (
        "loans.dmn:4: Adult: The decision 'Adult' must have an 'id': Zeebe identifies it by id "
        '(the decisionId of its records) and references (href="#...") need one; add id="Adult"'
    ) in message
    assert "The decision 'Loan officer' must have an 'id'" in message and 'add id="Loan_officer"' in message


def test_lenient_parsing_evaluates_decisions_without_ids_by_name() -> None:
    graph = parse_dmn(NAMELESS, resource_name="loans.dmn", lenient=True)

    assert sorted(d.name for d in graph.decisions) == ["Adult", "Loan officer"]
    assert graph.evaluate("Adult", {"Age": 20}).output is True
    assert graph.evaluate("Adult", {"Age": 12}, mode="dmn").output is False
    assert graph.evaluate("Loan officer").output == "Ann"
    [audit] = graph.evaluate("Loan officer").evaluated_decisions
    assert (audit.id, audit.name) == ("", "Loan officer")


def test_an_href_cannot_reach_an_element_without_an_id() -> None:
    model = definitions(
        '<inputData name="Age"><variable name="Age" typeRef="number"/></inputData>',
        '<decision id="adult" name="Adult"><variable name="Adult"/>'
        '<informationRequirement><requiredInput href="#Age"/></informationRequirement>'
        f"{literal('Age >= 18')}</decision>",
    )

    with pytest.raises(DmnValidationError) as rejected:
        parse_dmn(model, resource_name="x.dmn", lenient=True)

    assert (
        "Requires the input data '#Age', which is not defined "
        "(the inputData named 'Age' on line 3 has no 'id', and a reference needs one)"
    ) in str(rejected.value)


def test_an_element_with_neither_id_nor_name_is_rejected_even_when_lenient() -> None:
    model = definitions(
        f"<decision><variable name='x'/><literalExpression>{text('1')}</literalExpression></decision>"
    )

    with pytest.raises(DmnValidationError, match="The decision has neither an 'id' nor a 'name'"):
        parse_dmn(model, resource_name="x.dmn", lenient=True)


def test_a_name_shared_by_two_decisions_is_not_a_way_to_evaluate_either() -> None:
    model = definitions(
        f'<decision id="a" name="Same"><variable name="Same"/>{literal("1")}</decision>',
        f'<decision id="b" name="Same"><variable name="Same"/>{literal("2")}</decision>',
    )
    graph = parse_dmn(model, resource_name="x.dmn", lenient=True)

    assert graph.evaluate("a").output == 1
    with pytest.raises(KeyError, match="no decision with id 'Same'"):
        graph.evaluate("Same")
