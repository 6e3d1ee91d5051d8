"""``pytest --strom-coverage``: which elements and flows of the deployed processes tests reached."""

from __future__ import annotations

import json

import pytest

from strom.testing import TestEngine, bpmn
from strom.testing.coverage import ProcessCoverage

pytest_plugins = ["pytester"]

SUITE = """
    from strom.testing import bpmn

    def approval():
        return (
            bpmn.process("approval")
            .start_event()
            .exclusive_gateway("amount")
            .condition("= amount > 100")
            .task("review")
            .end_event("reviewed")
            .move_to_last_gateway()
            .default_flow()
            .end_event("auto_approved")
        )

    def test_small_amounts_are_approved(engine):
        engine.deploy(approval())
        engine.instances.create("approval", {"amount": 5})

    def test_small_amounts_again(engine):
        engine.deploy(approval())
        engine.instances.create("approval", {"amount": 7})

    def test_an_undeployed_draft(engine):
        engine.deploy(bpmn.process("draft").start_event().task("never").end_event("e"))

    def test_without_the_engine():
        assert True
"""


def test_coverage_counts_what_the_tests_reached_and_writes_json(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strom-coverage")

    result.assert_outcomes(passed=4)
    report = json.loads((pytester.path / "strom-coverage.json").read_text())
    approval = report["processes"]["approval"]
    assert approval["elements"] == {
        "covered": 3,
        "total": 5,
        "not_covered": ["review", "reviewed"],
        "activations": {"start": 2, "amount": 2, "review": 0, "reviewed": 0, "auto_approved": 2},
    }
    assert (approval["flows"]["covered"], approval["flows"]["total"]) == (2, 4)
    assert approval["flows"]["taken"]["flow_amount_auto_approved"] == 2
    assert approval["percentage"] == 55.6  # 5 of 9
    assert report["processes"]["draft"]["percentage"] == 0.0
    assert report["total"] == {"elements": 8, "flows": 6, "covered": 5, "percentage": 35.7}


def test_coverage_prints_a_table_in_the_summary(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strom-coverage=out/cov.json")

    assert (pytester.path / "out" / "cov.json").exists()
    result.stdout.fnmatch_lines(
        [
            "*strom process coverage*",
            "process*elements*flows*coverage*not reached*",
            "approval*3/5*2/4*55.6%*review, reviewed",
            "draft*0/3*0/2*0.0%*start, never, e",
            "TOTAL*8*6*35.7%",
            "written to *out*cov.json and *out*cov.html",
        ]
    )


def test_without_the_option_nothing_is_written(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(SUITE)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(passed=4)
    assert not (pytester.path / "strom-coverage.json").exists()
    assert "strom process coverage" not in result.stdout.str()


def test_a_test_path_after_the_option_is_not_taken_for_the_report(pytester: pytest.Pytester) -> None:
    test_file = pytester.makepyfile(SUITE)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strom-coverage", test_file.name)

    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--strom-coverage got 'test_*.py', which is not a .json file*"])
    assert test_file.read_text().startswith("from strom.testing import bpmn")


def test_failing_tests_count_too(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        from strom.testing import bpmn
        def test_fails(engine):
            engine.deploy(bpmn.process("p").start_event().task("t").end_event("e"))
            engine.instances.create("p")
            assert False
    """)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strom-coverage")

    result.assert_outcomes(failed=1)
    report = json.loads((pytester.path / "strom-coverage.json").read_text())
    assert report["processes"]["p"]["percentage"] == 100.0


def test_the_collector_works_without_pytest(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("loop")
        .start_event()
        .task("each")
        .multi_instance("= items")
        .end_event("end")
        .event_sub_process("on_signal")
        .start_event("signalled")
        .signal("stop")
        .end_event("stopped")
        .end_sub_process()
    )
    engine.instances.create("loop", {"items": [1, 2]})
    coverage = ProcessCoverage()

    coverage.add_engine(engine)
    coverage.add_model(b"<definitions/>")  # not BPMN: ignored

    report = coverage.processes["loop"]
    assert report.elements_missed == ["on_signal", "signalled", "stopped"]
    assert report.elements["each"] == 3  # the multi-instance body and its two instances
    assert report.flows_missed == ["flow_signalled_stopped"]
