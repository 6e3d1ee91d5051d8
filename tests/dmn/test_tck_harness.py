"""The TCK harness itself: how test files are read and results compared (strom/dmn/tck.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from strom.dmn.tck import compare, discover, run_case


def test_numbers_compare_by_value_to_eight_significant_digits() -> None:
    assert compare(Decimal("10"), 10)
    assert compare(Decimal("1.38629436"), Decimal("1.386294361119890618834464242916353"))
    assert not compare(Decimal("0.3"), Decimal("0.29"))
    assert not compare(Decimal("1"), True)


def test_temporal_values_compare_with_their_zone() -> None:
    paris = dt.datetime(2024, 1, 1, 10, tzinfo=ZoneInfo("Europe/Paris"))
    offset = dt.datetime(2024, 1, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert compare(paris, paris)
    assert not compare(paris, offset)  # same instant, different zone
    assert not compare(dt.date(2024, 1, 1), dt.datetime(2024, 1, 1))


def test_contexts_and_lists() -> None:
    assert compare({"a": [1, None]}, {"a": [1, None]})
    assert not compare({"a": 1}, {"a": 1, "b": 2})
    assert not compare([1], [1, 2])


def test_a_case_folder_reads_and_runs(tmp_path: Path) -> None:
    folder = tmp_path / "compliance-level-2" / "9999-sample"
    folder.mkdir(parents=True)
    (folder / "sample.dmn").write_text(
        '<definitions xmlns="https://www.omg.org/spec/DMN/20230324/MODEL/" id="s" name="s" namespace="n">'
        '<inputData id="i" name="x"><variable name="x" typeRef="number"/></inputData>'
        '<decision id="d" name="double"><variable name="double"/>'
        '<informationRequirement><requiredInput href="#i"/></informationRequirement>'
        "<literalExpression><text>x * 2</text></literalExpression></decision></definitions>"
    )
    (folder / "sample-test-01.xml").write_text(
        '<testCases xmlns="http://www.omg.org/spec/DMN/20160719/testcase" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">'
        "<modelName>sample.dmn</modelName>"
        '<testCase id="001"><inputNode name="x"><value xsi:type="xsd:decimal">2.5</value></inputNode>'
        '<resultNode name="double"><expected><value xsi:type="xsd:decimal">5</value></expected></resultNode>'
        "</testCase>"
        '<testCase id="002"><inputNode name="x"><value xsi:type="xsd:string">a</value></inputNode>'
        '<resultNode name="double" errorResult="true"><expected><value xsi:nil="true"/></expected>'
        "</resultNode></testCase>"
        '<testCase id="003"><inputNode name="x"><value xsi:type="xsd:decimal">1</value></inputNode>'
        '<resultNode name="double"><expected><value xsi:type="xsd:decimal">3</value></expected></resultNode>'
        "</testCase></testCases>"
    )
    cases = list(discover(tmp_path))
    assert [c.case_id for c in cases] == [
        "compliance-level-2/9999-sample/001",
        "compliance-level-2/9999-sample/002",
        "compliance-level-2/9999-sample/003",
    ]
    results = [run_case(c) for c in cases]
    assert [r.passed for r in results] == [True, True, False]
    assert results[2].reason == "double: expected 3, got 2"
