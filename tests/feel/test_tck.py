"""FEEL-only DMN TCK cases (``*-feel-*`` folders): literal-expression decisions and their tests.

Only decisions whose logic is a literal expression are run here, with the test's input values
as variables (other literal decisions of the same model are evaluated first). Cases that need
the DMN layer (item-definition types, coercion to a decision's typeRef, BKMs, boxed contexts)
are listed in DMN_LEVEL and are for the DMN package's runner; FEEL_GAPS lists what this FEEL
deliberately does not do. Skipped when the shared TCK folder is absent.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from strom.feel import FeelError, compile_expression, from_python
from strom.feel._runtime import QUIET, eq
from strom.feel.temporal import parse_date, parse_datetime, parse_duration, parse_time

TCK = Path(__file__).resolve().parents[2] / ".." / "shared" / "dmn-tck" / "TestCases"
XSI = "{http://www.w3.org/2001/XMLSchema-instance}"

DMN_LEVEL = {
    "0070-feel-instance-of": {
        "number_013",
        "string_013",
        "list_013",
        "list_014",
        "list_014_a",
        "list_015",
        "list_017",
        "list_018",
        "list_019",
        "context_013",
        "context_014",
        "context_015",
        "context_016",
    },
    "0082-feel-coercion": "*",
    "0092-feel-lambda": "*",
    "1146-feel-context-put-function": {"014", "nested010"},
}
FEEL_GAPS: dict[str, set[str]] = {}


def _folders() -> list[Path]:
    if not TCK.is_dir():
        return []
    return sorted(
        p
        for level in ("compliance-level-2", "compliance-level-3")
        for p in (TCK / level).glob("*-feel-*")
        if p.is_dir()
    )


def _scalar(v: Any) -> Any:
    if v.get(XSI + "nil") == "true":
        return None
    typ = (v.get(XSI + "type") or "").split(":")[-1]
    text = (v.text or "").strip()
    if typ in ("decimal", "double", "int", "integer", "long", "float"):
        return from_python(Decimal(text))
    if typ == "boolean":
        return text == "true"
    parsers = {
        "date": parse_date,
        "dateTime": parse_datetime,
        "time": parse_time,
        "duration": parse_duration,
        "dayTimeDuration": parse_duration,
        "yearMonthDuration": parse_duration,
    }
    if typ in parsers:
        return parsers[typ](text)
    return v.text or ""


def _value(node: Any) -> Any:
    if node is None:
        return None
    v = node.find("{*}value")
    if v is not None:
        return _scalar(v)
    lst = node.find("{*}list")
    if lst is not None:
        return [_value(i) for i in lst.findall("{*}item")]
    comps = node.findall("{*}component")
    if comps:
        return {c.get("name"): _value(c) for c in comps}
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(b, bool) or isinstance(a, bool):
        return a is b
    if isinstance(a, (int, Decimal)) and isinstance(b, (int, Decimal)):
        return abs(Decimal(a) - Decimal(b)) <= Decimal("1e-8") * max(Decimal(1), abs(Decimal(b)))
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if a is None or b is None:
        return a is b
    if isinstance(b, (dt.date, dt.time)) and type(a) is not type(b):
        return False
    return eq(a, b, QUIET, 0) is True


def _run_folder(folder: Path) -> tuple[int, list[str]]:
    from lxml import etree

    passed, failures = 0, []
    skip = (
        DMN_LEVEL.get(folder.name, set()) | FEEL_GAPS.get(folder.name, set())
        if DMN_LEVEL.get(folder.name) != "*"
        else "*"
    )
    if skip == "*":
        return 0, []
    for model in folder.glob("*.dmn"):
        decisions = {}
        for dec in etree.parse(str(model)).getroot().iter("{*}decision"):
            text = dec.find("{*}literalExpression/{*}text")
            if text is not None:
                decisions[dec.get("name")] = text.text or ""
        for test_file in folder.glob("*test*.xml"):
            for case in etree.parse(str(test_file)).getroot().iter("{*}testCase"):
                if case.get("id") in skip:
                    continue
                inputs = {i.get("name"): _value(i) for i in case.findall("{*}inputNode")}
                names = list(inputs) + list(decisions)
                for result in case.findall("{*}resultNode"):
                    name = result.get("name")
                    if name not in decisions:
                        continue
                    env = dict(inputs)
                    for other, src in decisions.items():
                        if other != name and other not in env:
                            try:
                                env[other] = compile_expression(src, names=names).evaluate(inputs, mode="dmn")
                            except FeelError:
                                env[other] = None
                    expect_error = result.get("errorResult") == "true"
                    try:
                        got = compile_expression(decisions[name], names=names).evaluate(env, mode="dmn")
                    except FeelError:
                        ok = expect_error
                    else:
                        ok = got is None if expect_error else _same(got, _value(result.find("{*}expected")))
                    if ok:
                        passed += 1
                    else:
                        failures.append(f"{case.get('id')}: {decisions[name].strip()[:80]!r}")
    return passed, failures


FOLDERS = _folders()


@pytest.mark.skipif(not FOLDERS, reason=f"DMN TCK not found at {TCK} (shared folder absent)")
@pytest.mark.parametrize("folder", FOLDERS, ids=[f.name for f in FOLDERS])
def test_tck_feel_folder(folder: Path) -> None:
    passed, failures = _run_folder(folder)
    assert not failures, f"{len(failures)} failing, {passed} passing:\n" + "\n".join(failures)
