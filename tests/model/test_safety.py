"""Hostile and broken input ends in ``BpmnValidationError``, quickly, never another exception."""

from __future__ import annotations

import contextlib
import copy
import os
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from strom.model import DEFAULT_MAX_SIZE, BpmnValidationError, ModelError, check_bpmn, parse_bpmn

from ._bpmn import around, chain, definitions, document, end, process, service, start
from ._rich import RICH

VALID = around(service())


def rejection(data: bytes, **options: int) -> BpmnValidationError:
    with pytest.raises(BpmnValidationError) as caught:
        parse_bpmn(data, resource_name="evil.bpmn", **options)
    return caught.value


def test_the_error_is_a_model_error_and_names_the_resource() -> None:
    error = rejection(b"<not-bpmn/>")
    assert isinstance(error, ModelError)
    assert str(error).startswith("evil.bpmn:1: ")


@pytest.mark.timeout(10)
def test_billion_laughs_is_refused_without_expanding() -> None:
    lols = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol0 "lol">{lols}]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&lol9;'
        "</bpmn:definitions>"
    ).encode()
    error = rejection(bomb)
    assert "DOCTYPE" in error.problems[0].message


@pytest.mark.timeout(10)
def test_external_entities_are_never_read() -> None:
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;'
        b"</bpmn:definitions>"
    )
    error = rejection(xxe)
    assert "root:" not in str(error)
    assert "DOCTYPE" in str(error)


@pytest.mark.timeout(10)
def test_doctype_in_utf16_is_refused_after_parsing() -> None:
    data = (
        '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d [<!ENTITY x "y">]>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"/>'
    ).encode("utf-16")
    assert "DOCTYPE" in str(rejection(data))


@pytest.mark.timeout(10)
def test_a_50_mb_resource_is_refused_by_size_before_parsing() -> None:
    huge = VALID + b" " * (50 * 1024 * 1024)
    error = rejection(huge)
    assert f"larger than the limit of {DEFAULT_MAX_SIZE} bytes" in error.problems[0].message


def test_the_size_limit_is_configurable() -> None:
    assert "larger than the limit of 100 bytes" in str(rejection(VALID, max_size=100))
    assert parse_bpmn(VALID, max_size=len(VALID)).processes


@pytest.mark.timeout(10)
def test_deeply_nested_xml_is_refused() -> None:
    depth = 100_000
    data = (
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        + b"<a>" * depth
        + b"</a>" * depth
        + b"</bpmn:definitions>"
    )
    assert "Not well-formed XML" in str(rejection(data))


@pytest.mark.timeout(10)
def test_nesting_within_the_parser_limit_reads_fine() -> None:
    depth = 200
    inner = "<bpmn:documentation>x</bpmn:documentation>"
    data = (
        b'<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">'
        + b"<bpmn:extensionElements>" * depth
        + inner.encode()
        + b"</bpmn:extensionElements>" * depth
        + b"</bpmn:definitions>"
    )
    assert "Must contain at least one executable process" in str(rejection(data))


@pytest.mark.timeout(30)
def test_every_truncation_of_a_valid_file_is_a_model_error() -> None:
    for cut in range(0, len(VALID) - 1, 7):
        assert check_bpmn(VALID[:cut], resource_name="cut.bpmn"), cut


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"\xff\xfe\x00garbage", "XML"),
        (b"<?xml version='1.0'?>", "XML"),
        (b"<definitions/>", "Expected a BPMN 2.0 'definitions' root element"),
        (b'<x:definitions xmlns:x="urn:other"/>', "in namespace 'urn:other'"),
        (b"<a><b></a>", "Not well-formed XML"),
        (b"<a>&undefined;</a>", "Not well-formed XML"),
        ("<a>\u00e9</a>".encode("latin-1"), "XML"),
    ],
)
def test_broken_documents(data: bytes, fragment: str) -> None:
    assert fragment in str(rejection(data))


def test_non_bytes_input_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        parse_bpmn("<xml/>")  # type: ignore[arg-type]


@pytest.mark.timeout(60)
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_random_bytes_end_in_a_model_error(data: bytes) -> None:
    with contextlib.suppress(ModelError):
        parse_bpmn(data)


_TAGS = st.sampled_from(
    [
        "bpmn:process",
        "bpmn:startEvent",
        "bpmn:endEvent",
        "bpmn:serviceTask",
        "bpmn:sequenceFlow",
        "bpmn:exclusiveGateway",
        "bpmn:boundaryEvent",
        "bpmn:subProcess",
        "bpmn:timerEventDefinition",
        "bpmn:timeDuration",
        "bpmn:timeCycle",
        "bpmn:messageEventDefinition",
        "bpmn:multiInstanceLoopCharacteristics",
        "bpmn:extensionElements",
        "zeebe:taskDefinition",
        "zeebe:ioMapping",
        "zeebe:input",
        "zeebe:output",
        "zeebe:loopCharacteristics",
        "zeebe:calledElement",
        "zeebe:executionListeners",
        "zeebe:executionListener",
        "bpmn:message",
        "bpmn:conditionExpression",
    ]
)
_ATTRS = st.sampled_from(
    [
        "id",
        "isExecutable",
        "sourceRef",
        "targetRef",
        "attachedToRef",
        "type",
        "retries",
        "source",
        "target",
        "inputCollection",
        "processId",
        "messageRef",
        "default",
        "cancelActivity",
        "eventType",
    ]
)
_VALUES = st.sampled_from(["a", "b", "p", "true", "false", "=x", "=", "", "PT5M", "R/P1D", "=(", "3"])
_TEXTS = st.sampled_from(
    ["", "PT1S", "=x > 1", "R5/PT10S", "0 0 * * * *", "garbage", "=)", "2020-01-01T00:00:00Z"]
)


@st.composite
def bpmn_trees(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(_TAGS)
    attributes = draw(st.dictionaries(_ATTRS, _VALUES, max_size=4))
    rendered = "".join(f' {key}="{value}"' for key, value in attributes.items())
    children = "" if depth > 2 else "".join(draw(st.lists(bpmn_trees(depth + 1), max_size=3)))
    return f"<{tag}{rendered}>{draw(_TEXTS)}{children}</{tag}>"


@pytest.mark.timeout(60)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bpmn_trees(), max_size=3))
def test_generated_bpmn_ends_in_a_model_or_a_validation_error(elements: list[str]) -> None:
    data = (
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0">' + "".join(elements) + "</bpmn:definitions>"
    ).encode()
    try:
        parse_bpmn(data)
    except BpmnValidationError as error:
        assert error.problems
        assert all(problem.message for problem in error.problems)


@pytest.mark.timeout(60)
def test_a_large_process_is_handled_in_linear_time() -> None:
    """About 8 MB of chained tasks (within the limit) parses in well under the timeout."""
    count = 20_000
    tasks = [
        service(f"t{i}", body="<bpmn:documentation>" + "x" * 200 + "</bpmn:documentation>")
        for i in range(count)
    ]
    ids = [f"t{i}" for i in range(count)]
    data = around(*tasks, ids=tuple(ids))
    assert len(data) < DEFAULT_MAX_SIZE
    process = parse_bpmn(data).processes[0]
    assert len(process.elements) == 2 * count + 4


@pytest.mark.timeout(60)
def test_many_messages_and_references_stay_linear() -> None:
    count = 3000
    messages = [f'<bpmn:message id="m{i}" name="n{i}" />' for i in range(count)]
    throws = [
        f'<bpmn:intermediateThrowEvent id="e{i}"><bpmn:signalEventDefinition signalRef="s" />'
        "</bpmn:intermediateThrowEvent>"
        for i in range(count)
    ]
    ids = [f"e{i}" for i in range(count)]
    data = definitions(
        '<bpmn:signal id="s" name="sig" />',
        *messages,
        process(start(), *throws, end(), *chain("start", *ids, "end")),
    )
    assert parse_bpmn(data).processes[0].flow_node("e0").signal is not None


_RICH_TREE = etree.fromstring(RICH)
_RICH_SIZE = sum(1 for _ in _RICH_TREE.iter())
_IDS = [element.get("id") for element in _RICH_TREE.iter() if element.get("id")]
_MUTATION_VALUES = st.one_of(_VALUES, st.sampled_from(_IDS), st.text(max_size=8))


@st.composite
def mutations(draw: st.DrawFn) -> tuple[int, str, str, str]:
    index = draw(st.integers(0, _RICH_SIZE - 1))
    operation = draw(st.sampled_from(["drop", "unset", "set", "copy", "text"]))
    attribute = draw(st.sampled_from([*_ATTRS.elements, "errorRef", "signalRef", "escalationRef", "name"]))
    return index, operation, attribute, draw(_MUTATION_VALUES)


def _mutate(changes: list[tuple[int, str, str, str]]) -> bytes:
    root = copy.deepcopy(_RICH_TREE)
    for index, operation, attribute, value in changes:
        elements = list(root.iter())
        element = elements[index % len(elements)]
        parent = element.getparent()
        if operation == "drop" and parent is not None:
            parent.remove(element)
        elif operation == "unset" and element.attrib:
            del element.attrib[sorted(element.attrib)[len(value) % len(element.attrib)]]
        elif operation == "set":
            element.set(attribute, "".join(c for c in value if c.isprintable()))
        elif operation == "copy" and parent is not None:
            parent.append(copy.deepcopy(element))
        elif operation == "text" and not len(element):
            element.text = "".join(c for c in value if c.isprintable())
    return etree.tostring(root)


@pytest.mark.timeout(60)
@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutations(), min_size=1, max_size=4))
def test_mutated_valid_documents_compile_or_are_rejected(changes: list[tuple[int, str, str, str]]) -> None:
    """Near-valid input is where a compiler relying on validation would crash: it must not."""
    try:
        definitions = parse_bpmn(_mutate(changes))
    except BpmnValidationError as error:
        assert all(problem.message for problem in error.problems)
    else:
        assert definitions.processes


@pytest.mark.timeout(60)
def test_compensation_handlers_and_associations_stay_linear() -> None:
    """15,000 compensation boundary events with their associations: a quadratic pairing of
    boundary events and associations would not finish within the timeout."""
    count = 15_000
    body = []
    for i in range(count):
        body.append(service(f"t{i}"))
        body.append(
            f'<bpmn:boundaryEvent id="b{i}" attachedToRef="t{i}"><bpmn:compensateEventDefinition />'
            "</bpmn:boundaryEvent>"
        )
        body.append(f'<bpmn:association id="a{i}" sourceRef="b{i}" targetRef="h{i}" />')
        body.append(service(f"h{i}", attrs=' isForCompensation="true"'))
    data = document(start(), *body, end(), *chain("start", *(f"t{i}" for i in range(count)), "end"))
    assert len(data) < DEFAULT_MAX_SIZE
    process = parse_bpmn(data).processes[0]
    compensation = process.flow_node("b7").compensation
    assert compensation is not None and compensation.handler_id == "h7"


def _hidden_doctype(system_id: str) -> bytes:
    """A DOCTYPE after a comment holding ``<x``, naming an external DTD by its system id."""
    return (
        f'<?xml version="1.0"?><!-- <x --><!DOCTYPE d SYSTEM "{system_id}">'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d">'
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/></bpmn:process>'
        "</bpmn:definitions>"
    ).encode()


def test_a_doctype_after_a_comment_is_refused_and_opens_nothing(tmp_path: Path) -> None:
    fifo = tmp_path / "dtd.fifo"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes: the parse would hang
    outcome: list[str] = []
    parse = threading.Thread(target=lambda: outcome.append(str(rejection(_hidden_doctype(f"file://{fifo}")))))
    parse.start()
    parse.join(10)
    if parse.is_alive():  # the parser opened the pipe; let it go before failing
        with open(fifo, "wb"):
            pass
        parse.join(10)
        pytest.fail("the parser opened the external DTD named by the DOCTYPE")

    assert outcome == [
        "evil.bpmn:1: DOCTYPE declarations (and the entities they define) are not allowed in BPMN resources"
    ]


def test_the_refusal_does_not_tell_whether_a_named_file_exists(tmp_path: Path) -> None:
    existing = tmp_path / "exists.dtd"
    existing.write_text("a secret that is no DTD")

    assert str(rejection(_hidden_doctype(f"file://{existing}"))) == str(
        rejection(_hidden_doctype(f"file://{tmp_path}/missing.dtd"))
    )
