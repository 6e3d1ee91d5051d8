"""The DMN TCK (github.com/dmn-tck/tck) as a conformance harness: read its test files, run them.

A TCK folder holds one or more models (``*.dmn``) and test files (``*-test-*.xml``, schema in
``testCases.xsd``). Each ``<testCase>`` sets input values and expects values of result nodes;
``errorResult="true"`` means the evaluation must fail or yield null. A test case passes when all of
its result nodes do. Models are evaluated in ``dmn`` mode (errors yield null, as the TCK expects)
with FEEL syntax errors deferred to evaluation, since some models break one decision on purpose.

Used by ``tests/dmn/test_tck.py`` and ``tools/dmn_tck.py``; nothing in the engine depends on it.
"""

from __future__ import annotations

import datetime as _dt
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from lxml import etree

from strom.feel import FeelFunction, FeelRange, compile_expression
from strom.feel import YearsMonthsDuration as YM

from .errors import DmnError
from .evaluation import DecisionRequirementsGraph, DecisionResult
from .item_definitions import DmnType
from .parser import parse_dmn

__all__ = ["CaseResult", "TckCase", "compare", "discover", "load_folder", "run_case"]

TC_NS = "http://www.omg.org/spec/DMN/20160719/testcase"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
LEVELS = ("compliance-level-2", "compliance-level-3", "non-compliant")

_PARSERS = {
    "date": compile_expression("date(x)"),
    "dateTime": compile_expression("date and time(x)"),
    "time": compile_expression("time(x)"),
    "duration": compile_expression("duration(x)"),
}

_XSD_OF = {
    "date": "date",
    "date and time": "dateTime",
    "time": "time",
    "days and time duration": "duration",
    "years and months duration": "duration",
}


@dataclass(slots=True)
class ResultNode:
    name: str
    error_result: bool
    expected: Any
    has_expected: bool


@dataclass(slots=True)
class TckCase:
    """One ``<testCase>``; ``case_id`` is ``level/folder/id`` (unique in the suite)."""

    case_id: str
    level: str
    folder: Path
    model_name: str
    invocable: str
    kind: str
    inputs: dict[str, Any]
    results: list[ResultNode] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class CaseResult:
    case_id: str
    level: str
    passed: bool
    reason: str = ""


# -- reading test files --------------------------------------------------------------------
def _safe_parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True)


def _tc(tag: str) -> str:
    return f"{{{TC_NS}}}{tag}"


def read_value(el: etree._Element) -> Any:
    """A ``valueType`` element (an inputNode, expected, component or item) as a FEEL value."""
    if el.get(f"{{{XSI_NS}}}nil") == "true":
        return None
    value = el.find(_tc("value"))
    if value is not None:
        return _scalar(value)
    components = el.findall(_tc("component"))
    if components:
        return {c.get("name", ""): read_value(c) for c in components}
    items = el.find(_tc("list"))
    if items is not None:
        if items.get(f"{{{XSI_NS}}}nil") == "true":
            return None
        return [read_value(item) for item in items.findall(_tc("item"))]
    return None


def _scalar(el: etree._Element) -> Any:
    if el.get(f"{{{XSI_NS}}}nil") == "true":
        return None
    text = el.text or ""
    xsi_type = el.get(f"{{{XSI_NS}}}type", "")
    kind = xsi_type.split(":", 1)[-1]
    if kind in ("decimal", "double", "float", "int", "integer", "long"):
        try:
            number = Decimal(text.strip())
        except InvalidOperation:
            return text
        return int(number) if number == number.to_integral_value() and "e" not in text.lower() else number
    if kind == "boolean":
        return text.strip() == "true"
    if kind in _PARSERS:
        return _PARSERS[kind].evaluate({"x": text.strip()}, mode="dmn")
    if not kind and text.strip() in ("true", "false"):
        return _Untyped(text)
    if not kind:
        return _Untyped(text)
    return text


class _Untyped(str):
    """A ``<value>`` without ``xsi:type`` (only in non-compliant cases): a string that also
    equals the number or boolean it spells."""


def discover(root: Path) -> Iterator[TckCase]:
    """Every test case under ``root`` (a TestCases folder, one level, or one case folder)."""
    for test_file in sorted(root.rglob("*-test-*.xml")):
        yield from read_test_file(test_file, root)


def read_test_file(test_file: Path, root: Path) -> Iterator[TckCase]:
    folder = test_file.parent
    rel = (
        folder.resolve().relative_to(root.resolve().parent)
        if root.resolve() != folder.resolve()
        else Path(folder.name)
    )
    parts = rel.parts
    level = next((p for p in parts if p in LEVELS), parts[0] if parts else "")
    doc = etree.parse(str(test_file), _safe_parser()).getroot()
    model_name = (doc.findtext(_tc("modelName")) or "").strip()
    several = len(list(folder.glob("*-test-*.xml"))) > 1
    prefix = f"{level}/{folder.name}" + (f"/{test_file.stem}" if several else "")
    for index, case in enumerate(doc.findall(_tc("testCase")), start=1):
        case_id = case.get("id") or str(index)
        inputs = {node.get("name", ""): read_value(node) for node in case.findall(_tc("inputNode"))}
        tck = TckCase(
            case_id=f"{prefix}/{case_id}",
            level=level,
            folder=folder,
            model_name=model_name,
            invocable=case.get("invocableName", ""),
            kind=case.get("type", "decision"),
            inputs=inputs,
        )
        for node in case.findall(_tc("resultNode")):
            expected_el = node.find(_tc("expected"))
            tck.results.append(
                ResultNode(
                    name=node.get("name", ""),
                    error_result=node.get("errorResult", "false") == "true",
                    expected=read_value(expected_el) if expected_el is not None else None,
                    has_expected=expected_el is not None,
                )
            )
        yield tck


# -- models --------------------------------------------------------------------------------
_MODELS: dict[Path, tuple[dict[str, DecisionRequirementsGraph], dict[str, str]]] = {}


def load_folder(folder: Path) -> tuple[dict[str, DecisionRequirementsGraph], dict[str, str]]:
    """Parse every model of a case folder, imports first: (graphs by file name, errors by file name).

    Cached, so a folder's models are parsed once however many cases use them.
    """
    cached = _MODELS.get(folder)
    if cached is not None:
        return cached
    pending = {path.name: path.read_bytes() for path in sorted(folder.glob("*.dmn"))}
    graphs: dict[str, DecisionRequirementsGraph] = {}
    errors: dict[str, str] = {}
    progress = True
    while pending and progress:  # a model parses once the models it imports have
        progress = False
        for name, data in list(pending.items()):
            try:
                graph = parse_dmn(data, resource_name=name, imports=list(graphs.values()), lenient=True)
            except DmnError as error:
                errors[name] = str(error)
                continue
            graphs[name] = graph
            errors.pop(name, None)
            del pending[name]
            progress = True
    _MODELS[folder] = (graphs, errors)
    return graphs, errors


# -- running -------------------------------------------------------------------------------
def run_case(case: TckCase) -> CaseResult:
    """Run one test case; never raises (a crash is a failure with its traceback)."""
    try:
        return _run_case(case)
    except Exception as error:  # a bug in the engine must show as a failing case, not stop the run
        tb = traceback.format_exception(type(error), error, error.__traceback__, limit=-3)
        return CaseResult(case.case_id, case.level, False, "crashed: " + "".join(tb).strip())


def _run_case(case: TckCase) -> CaseResult:
    graphs, errors = load_folder(case.folder)
    graph = graphs.get(case.model_name)
    if graph is None:
        reason = errors.get(case.model_name, f"model '{case.model_name}' not found")
        return CaseResult(case.case_id, case.level, False, f"model rejected: {reason}")
    reasons: list[str] = []
    inputs = _typed_inputs(graph, case.inputs)
    service_result: DecisionResult | None = None
    outputs: list[str] = []
    if case.kind == "decisionService":
        service = next((s for s in graph.decision_services if s.name == case.invocable), None)
        if service is None:
            service = graph.definitions.decision_services.get(case.invocable)
        if service is None:
            return CaseResult(case.case_id, case.level, False, f"no decision service '{case.invocable}'")
        service_result = graph.evaluate_decision_service(service.id, inputs, mode="dmn")
        outputs = [r.id for r in service.output_decisions]
    elif case.kind == "bkm":
        try:
            service_result = graph.evaluate_knowledge(case.invocable, inputs, mode="dmn")
        except KeyError:
            return CaseResult(
                case.case_id, case.level, False, f"no business knowledge model '{case.invocable}'"
            )
        outputs = [case.invocable]
    for node in case.results:
        if service_result is not None:
            value = service_result.value
            if len(outputs) != 1 and isinstance(value, dict):
                value = value.get(node.name)
            result = service_result
        else:
            decision = graph.decision_by_name(node.name) or graph.decision(node.name)
            if decision is None:
                reasons.append(f"{node.name}: no such decision")
                continue
            result = graph.evaluate(decision.id, inputs, mode="dmn")
            value = result.value
        if node.error_result:
            if value is not None and result.failure is None:
                reasons.append(f"{node.name}: expected an error (null), got {_show(value)}")
            continue
        if result.failure is not None:
            reasons.append(f"{node.name}: failed: {result.failure.message}")
            continue
        if not compare(node.expected, value):
            warn = f" (warnings: {'; '.join(result.warnings[:3])})" if result.warnings else ""
            reasons.append(f"{node.name}: expected {_show(node.expected)}, got {_show(value)}{warn}")
    return CaseResult(case.case_id, case.level, not reasons, " | ".join(reasons))


def _typed_inputs(graph: DecisionRequirementsGraph, inputs: dict[str, Any]) -> dict[str, Any]:
    """Untyped ``<value>``s (non-compliant cases only) read as the input data's declared type."""
    types = {data.name: data.type for data in graph.definitions.input_data.values()}
    return {name: _as_type(value, types.get(name)) for name, value in inputs.items()}


def _as_type(value: Any, target: DmnType | None) -> Any:
    if isinstance(value, _Untyped):
        base = target.base if target is not None else ""
        if base == "number":
            try:
                return Decimal(value.strip())
            except InvalidOperation:
                return str(value)
        if base == "boolean":
            return value.strip() == "true"
        parser = _PARSERS.get(_XSD_OF.get(base, ""))
        if parser is not None:
            return parser.evaluate({"x": value.strip()}, mode="dmn")
        return str(value)
    if isinstance(value, dict):
        fields = dict(target.fields or ()) if target is not None else {}
        return {k: _as_type(v, fields.get(k)) for k, v in value.items()}
    if isinstance(value, list):
        element = target.element if target is not None and target.is_list else None
        return [_as_type(v, element) for v in value]
    return value


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 300 else text[:297] + "..."


# -- comparing -----------------------------------------------------------------------------
_NUMBERS = (int, Decimal, float)


def compare(expected: Any, actual: Any) -> bool:
    """Does the engine's value equal the TCK's expectation?

    Numbers compare by value (a result agreeing in its first 30 significant digits passes, since
    the TCK writes decimals to 34 or fewer); temporal values by type and value including the
    offset or zone; contexts by their keys and entries; lists element-wise.
    """
    if expected is None or actual is None:
        if isinstance(expected, _Untyped) and not expected.strip():
            return True  # an empty untyped <value/> stands for null
        return expected is None and actual is None
    if isinstance(expected, _Untyped):
        return _compare_untyped(str(expected), actual)
    te, ta = type(expected), type(actual)
    if te in _NUMBERS:
        if ta not in _NUMBERS or ta is bool:
            return False
        return _numbers_equal(Decimal(str(expected)) if te is float else Decimal(expected), actual)
    if te is bool or ta is bool:
        return te is ta and expected == actual
    if te is str:
        return ta is str and expected == actual
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(expected) != set(actual):
            return False
        return all(compare(expected[k], actual[k]) for k in expected)
    if isinstance(expected, list):
        if not isinstance(actual, (list, tuple)) or len(expected) != len(actual):
            return False
        return all(compare(e, a) for e, a in zip(expected, actual, strict=True))
    if te in (_dt.datetime, _dt.time):
        if ta is not te:
            return False
        return bool(expected == actual) and _zone(expected) == _zone(actual)
    if te in (_dt.date, _dt.timedelta, YM):
        return ta is te and bool(expected == actual)
    if isinstance(expected, (FeelRange, FeelFunction)):
        return bool(expected == actual)
    return bool(expected == actual)


def _zone(value: Any) -> Any:
    tz = value.tzinfo
    if tz is None:
        return None
    key = getattr(tz, "key", None)
    if key is not None:
        return key
    if isinstance(value, _dt.time):
        return value.utcoffset()
    return value.utcoffset()


def _numbers_equal(expected: Decimal, actual: Any) -> bool:
    """Equal, or equal to 8 significant digits: the TCK's expectations are often computed in
    double precision or rounded (``1.38629436`` for ln 4), our results carry 34 digits."""
    a = Decimal(str(actual)) if type(actual) is float else Decimal(actual)
    if not a.is_finite():
        return False
    if a == expected:
        return True
    return abs(a - expected) <= abs(expected) * Decimal("1e-8")


def _compare_untyped(text: str, actual: Any) -> bool:
    if isinstance(actual, bool):
        return text.strip() == ("true" if actual else "false")
    if type(actual) in _NUMBERS:
        try:
            return _numbers_equal(Decimal(text.strip()), actual)
        except InvalidOperation:
            return False
    return isinstance(actual, str) and actual == text
