"""Item definitions and type conversion (DMN 1.5 7.3.2 and 10.3.2.9.4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from strom.dmn.item_definitions import BUILTIN_TYPES, TypeRegistry, coerce
from strom.dmn.model import ItemDefinition
from strom.feel import compile_unary_tests

from ._dmn import decision, graph, input_data, literal

NUMBER = BUILTIN_TYPES["number"]
STRING = BUILTIN_TYPES["string"]


def registry(*items: ItemDefinition) -> TypeRegistry:
    return TypeRegistry({i.name: i for i in items}, lambda text, _item: compile_unary_tests(text))


def item(name: str, type_ref: str = "", **kwargs: object) -> ItemDefinition:
    return ItemDefinition(id="", name=name, line=0, type_ref=type_ref, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("type_ref", "good", "bad"),
    [
        ("number", Decimal("1.5"), "1.5"),
        ("string", "s", 1),
        ("boolean", True, "true"),
        ("date", dt.date(2024, 1, 1), dt.datetime(2024, 1, 1)),
        ("dateTime", dt.datetime(2024, 1, 1), "2024-01-01"),
        ("time", dt.time(10), 10),
        ("dayTimeDuration", dt.timedelta(days=1), 1),
        ("context", {"a": 1}, [1]),
        ("Any", object(), None),
    ],
)
def test_builtin_types(type_ref: str, good: object, bad: object) -> None:
    target = registry().resolve(type_ref)
    assert target is not None
    assert coerce(good, target) == (True, good)
    if bad is not None:
        assert coerce(bad, target)[0] is False


def test_null_conforms_to_every_type() -> None:
    assert coerce(None, NUMBER) == (True, None)


def test_unknown_type_names_are_not_checked() -> None:
    assert registry().resolve("com.acme.Thing") is None
    assert coerce("anything", None) == (True, "anything")


def test_camunda_7_and_xsd_names_mean_number() -> None:
    for name in ("integer", "long", "double", "xsd:decimal", "feel:number"):
        assert registry().resolve(name) is NUMBER


def test_singleton_list_becomes_its_element() -> None:
    assert coerce([5], NUMBER) == (True, 5)
    assert coerce([5, 6], NUMBER)[0] is False
    assert coerce([[5]], NUMBER)[0] is False  # one conversion, not repeated


def test_element_becomes_a_singleton_list() -> None:
    numbers = registry().resolve("list<number>")
    assert numbers is not None
    assert coerce(5, numbers) == (True, [5])
    assert coerce("x", numbers)[0] is False


def test_date_becomes_date_and_time_at_utc_midnight() -> None:
    target = registry().resolve("date and time")
    assert target is not None
    assert coerce(dt.date(2024, 3, 1), target) == (True, dt.datetime(2024, 3, 1, tzinfo=dt.UTC))


def test_structured_item_definition_needs_every_component() -> None:
    person = item("tPerson", components=(item("name", "string"), item("age", "number")))
    target = registry(person).resolve("tPerson")
    assert target is not None
    assert coerce({"name": "ann", "age": 3}, target)[0] is True
    assert coerce({"name": "ann", "age": 3, "extra": 1}, target)[0] is True  # extra entries are fine
    assert coerce({"name": "ann"}, target)[0] is False
    assert coerce({"name": "ann", "age": "3"}, target)[0] is False


def test_allowed_values() -> None:
    grade = item("tGrade", "string", allowed_values='"A", "B"')
    target = registry(grade).resolve("tGrade")
    assert target is not None
    assert coerce("A", target)[0] is True
    assert coerce("C", target)[0] is False


def test_allowed_values_of_a_collection_apply_to_its_items() -> None:
    grades = item("tGrades", "number", is_collection=True, allowed_values="[0..10]")
    target = registry(grades).resolve("tGrades")
    assert target is not None
    assert coerce([1, 10], target)[0] is True
    assert coerce([1, 11], target)[0] is False


def test_type_constraint_applies_to_the_whole_value() -> None:
    pairs = item("tPair", "number", is_collection=True, type_constraint="count(?) = 2")
    target = registry(pairs).resolve("tPair")
    assert target is not None
    assert coerce([1, 2], target)[0] is True
    assert coerce([1, 2, 3], target)[0] is False


def test_item_definitions_refer_to_each_other() -> None:
    small = item("tSmall", "number", allowed_values="< 10")
    tiny = item("tTiny", "tSmall", allowed_values="> 0")
    target = registry(small, tiny).resolve("tTiny")
    assert target is not None
    assert coerce(5, target)[0] is True
    assert coerce(0, target)[0] is False  # its own constraint
    assert coerce(20, target)[0] is False  # the one it narrows


def test_recursive_item_definitions_terminate() -> None:
    node = item("tNode", components=(item("value", "number"), item("next", "tNode")))
    target = registry(node).resolve("tNode")
    assert target is not None
    assert coerce({"value": 1, "next": {"value": 2, "next": None}}, target)[0] is True


def test_feel_type_expressions() -> None:
    types = registry()
    context_type = types.resolve("context<a: number, b: list<string>>")
    assert context_type is not None
    assert context_type.conforms({"a": 1, "b": ["x"]})
    assert not context_type.conforms({"a": 1, "b": [1]})
    function_type = types.resolve("function<number>->string")
    assert function_type is not None and function_type.base == "function"


def test_input_data_is_converted_to_its_type() -> None:
    g = graph(
        '<itemDefinition name="tAge"><typeRef>number</typeRef><allowedValues><text>[0..150]</text>'
        "</allowedValues></itemDefinition>",
        input_data("i_age", "Age", "tAge"),
        decision("d", literal("Age"), inputs=["i_age"]),
    )
    assert g.evaluate("d", {"Age": [40]}, mode="dmn").value == 40
    result = g.evaluate("d", {"Age": 200}, mode="dmn")
    assert result.value is None
    assert any("input data 'Age' should be of type 'tAge'" in w for w in result.warnings)
    failure = g.evaluate("d", {"Age": 200}, mode="strict").failure
    assert failure is not None and "tAge" in failure.message


def test_decision_result_is_converted_to_its_variable_type() -> None:
    g = graph(decision("d", literal("x"), type_ref="string"))
    assert g.evaluate("d", {"x": ["s"]}, mode="dmn").value == "s"
    assert g.evaluate("d", {"x": 1}, mode="dmn").value is None


def test_instance_of_knows_the_models_item_definitions() -> None:
    g = graph(
        '<itemDefinition name="tSmall"><typeRef>number</typeRef><allowedValues><text>&lt; 10</text>'
        "</allowedValues></itemDefinition>",
        decision("d", literal("[x instance of tSmall, y instance of tSmall]")),
    )
    # instance of asks about the type, not its allowed values
    assert g.evaluate("d", {"x": 5, "y": "a"}, mode="dmn").value == [True, False]
    assert g.evaluate("d", {"x": 50, "y": None}, mode="dmn").value == [True, False]
