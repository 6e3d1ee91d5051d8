"""Hostile and malformed input: rejected with a clear problem, never read further."""

from __future__ import annotations

from pathlib import Path

import pytest

from strom.dmn import DmnValidationError, parse_dmn

from ._dmn import decision, definitions, literal


def rejected(data: bytes, **kwargs: int) -> str:
    with pytest.raises(DmnValidationError) as info:
        parse_dmn(data, resource_name="r.dmn", **kwargs)
    return str(info.value)


def test_not_bytes_is_a_type_error() -> None:
    with pytest.raises(TypeError):
        parse_dmn("<definitions/>", resource_name="r.dmn")  # type: ignore[arg-type]


def test_empty_and_not_xml() -> None:
    assert "empty" in rejected(b"  ")
    assert "Not well-formed XML" in rejected(b"<definitions")


def test_size_limit() -> None:
    assert "larger than the limit of 100 bytes" in rejected(definitions(), max_size=100)


def test_doctype_and_entities_are_refused() -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>\n'
        b'<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="d" namespace="n">'
        b'<decision id="x" name="x"><literalExpression><text>"&b;"</text></literalExpression>'
        b"</decision></definitions>"
    )
    assert "r.dmn:2: DOCTYPE declarations" in rejected(bomb)


def test_external_entities_are_not_resolved() -> None:
    data = definitions(decision("x", literal('"&xxe;"')))
    assert "Not well-formed XML" in rejected(data.replace(b"&amp;xxe;", b"&xxe;"))


def test_wrong_root_or_namespace() -> None:
    bpmn = b'<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"/>'
    message = rejected(bpmn)
    assert "Expected a DMN 'definitions' root element" in message
    assert "http://www.omg.org/spec/BPMN/20100524/MODEL" in message


def test_deep_nesting_is_refused_by_the_parser() -> None:
    deep = b"<a>" * 300 + b"</a>" * 300
    data = definitions().replace(b"</definitions>", deep + b"</definitions>")
    assert "r.dmn" in rejected(data)


def test_a_doctype_after_a_comment_is_refused_without_reading_the_named_file(tmp_path: Path) -> None:
    existing = tmp_path / "exists.dtd"
    existing.write_text("a secret that is no DTD")

    def hidden(system_id: str) -> bytes:
        return (
            f'<?xml version="1.0"?><!-- <x --><!DOCTYPE d SYSTEM "{system_id}">'
            '<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="d" namespace="n"/>'
        ).encode()

    found, missing = rejected(hidden(f"file://{existing}")), rejected(hidden(f"file://{tmp_path}/none.dtd"))

    assert found == missing
    assert "r.dmn:1: DOCTYPE declarations" in found
