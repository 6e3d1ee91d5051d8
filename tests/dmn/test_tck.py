"""The DMN TCK as a conformance suite: one pytest case per TCK test case.

``tck_expected_pass.txt`` lists the cases that pass today: a listed case that fails is a
regression and fails the run; an unlisted failing case shows as xfail with its reason (never
skipped silently); an unlisted passing case passes (add it to the list with
``.venv/bin/python tools/dmn_tck.py --write-expected tests/dmn/tck_expected_pass.txt``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from strom.dmn.tck import TckCase, discover, run_case

TCK = Path(__file__).resolve().parents[2].parent / "shared" / "dmn-tck" / "TestCases"
EXPECTED_FILE = Path(__file__).with_name("tck_expected_pass.txt")


def _expected() -> set[str]:
    lines = EXPECTED_FILE.read_text().splitlines()
    return {line.strip() for line in lines if line.strip() and not line.startswith("#")}


EXPECTED = _expected()
CASES: list[TckCase] = list(discover(TCK)) if TCK.is_dir() else []


@pytest.mark.skipif(not TCK.is_dir(), reason=f"DMN TCK not found at {TCK} (clone it next to the repository)")
def test_the_expectations_name_existing_cases() -> None:
    known = {case.case_id for case in CASES}
    stale = sorted(EXPECTED - known)
    assert not stale, f"tck_expected_pass.txt lists cases the TCK does not have: {stale[:10]}"


@pytest.mark.skipif(not TCK.is_dir(), reason=f"DMN TCK not found at {TCK} (clone it next to the repository)")
@pytest.mark.parametrize("case", CASES, ids=[case.case_id for case in CASES])
def test_tck_case(case: TckCase) -> None:
    result = run_case(case)
    if case.case_id in EXPECTED:
        assert result.passed, f"regression: {result.reason}"
    elif not result.passed:
        pytest.xfail(result.reason)
