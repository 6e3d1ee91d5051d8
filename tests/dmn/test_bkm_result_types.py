"""A BKM's variable of a function type converts what its logic returns (DMN 1.5 10.3.2.9.4:
singleton lists, dates to date-times), and a BKM can be invoked on its own, as the TCK does."""

from __future__ import annotations

import datetime as dt

import pytest

from ._dmn import decision, graph, literal

TYPES = (
    '<itemDefinition name="returnsNumber"><functionItem outputTypeRef="number"/></itemDefinition>'
    '<itemDefinition name="returnsNumbers"><functionItem outputTypeRef="numbers"/></itemDefinition>'
    '<itemDefinition name="returnsDateTime"><functionItem outputTypeRef="date and time"/></itemDefinition>'
    '<itemDefinition name="numbers" isCollection="true"><typeRef>number</typeRef></itemDefinition>'
)


def typed_bkm(bkm_id: str, name: str, type_ref: str, params: str, body: str) -> str:
    return (
        f'<businessKnowledgeModel id="{bkm_id}" name="{name}"><variable name="{name}" typeRef="{type_ref}"/>'
        f'<encapsulatedLogic kind="FEEL">{params}{literal(body)}</encapsulatedLogic></businessKnowledgeModel>'
    )


MODEL = [
    TYPES,
    typed_bkm("one", "Unwrap", "returnsNumber", "", "[7]"),
    typed_bkm("many", "Wrap", "returnsNumbers", '<formalParameter name="n" typeRef="number"/>', "n * 2"),
    typed_bkm("when", "Midnight", "returnsDateTime", "", "date(2000, 1, 2)"),
    typed_bkm("bad", "Wrong", "returnsNumber", "", '"seven"'),
    decision("d", literal("Unwrap() + Wrap(1)[1]"), knowledge=["one", "many"]),
]


def test_the_function_type_converts_the_result_where_the_bkm_is_called() -> None:
    assert graph(*MODEL).evaluate("d").output == 9


def test_a_bkm_invoked_on_its_own_by_name_or_id() -> None:
    g = graph(*MODEL)

    assert g.evaluate_knowledge("Unwrap").value == 7
    assert g.evaluate_knowledge("many", {"n": 4}).value == [8]
    assert g.evaluate_knowledge("Midnight").value == dt.datetime(2000, 1, 2, tzinfo=dt.UTC)


def test_a_result_that_does_not_conform_fails_or_is_null() -> None:
    g = graph(*MODEL)

    failure = g.evaluate_knowledge("Wrong").failure
    assert failure is not None
    assert "the result of business knowledge model 'Wrong' should be of type 'number'" in failure.message
    lenient = g.evaluate_knowledge("Wrong", mode="dmn")
    assert lenient.value is None and lenient.warnings


def test_unknown_parameters_and_bkms() -> None:
    g = graph(*MODEL)

    failure = g.evaluate_knowledge("Wrap", {"x": 1}).failure
    assert failure is not None and "'Wrap' has no parameter 'x'" in failure.message
    with pytest.raises(KeyError, match="no business knowledge model 'Nope'"):
        g.evaluate_knowledge("Nope")
