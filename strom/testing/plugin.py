"""The pytest plugin: an ``engine`` fixture, the compact record log on failure, replay checks.

Registered through the ``pytest11`` entry point, so installing Strom makes the fixture available.
After each test that used ``engine``, the log is replayed into a fresh state and compared with the
live state (``TestEngine.check_replay``); a difference fails the test.

``pytest --strom-coverage[=PATH]`` collects process coverage over every test that used ``engine``
(``strom.testing.coverage``): a JSON report at PATH (default ``strom-coverage.json``), an HTML page
beside it (same name, ``.html``) with each process's diagram, and a table in the terminal summary.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strom.testing._engine import TestEngine
from strom.testing.coverage import DEFAULT_PATH, ProcessCoverage
from strom.testing.coverage_html import html_path

_COVERAGE = pytest.StashKey[ProcessCoverage]()


@pytest.fixture
def engine(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[TestEngine]:
    """A real partition in ``tmp_path``, driven synchronously, with a controlled clock;
    ``@pytest.mark.partitions(3)`` on the test gives it three partitions."""
    marker = request.node.get_closest_marker("partitions")
    test_engine = TestEngine(tmp_path / "strom", partitions=marker.args[0] if marker else 1)
    request.node._strom_engine = test_engine
    try:
        yield test_engine
        if not getattr(request.node, "_strom_failed", False) and not request.node.get_closest_marker(
            "no_replay_check"
        ):
            test_engine.check_replay()
    finally:
        coverage = request.config.stash.get(_COVERAGE, None)
        if coverage is not None:
            try:
                coverage.add_engine(test_engine)
            except Exception as error:  # coverage is a report; it must not fail the test
                warnings.warn(f"strom coverage could not read the engine: {error!r}", stacklevel=1)
        test_engine.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    engine = getattr(item, "_strom_engine", None)
    if engine is not None and report.failed:
        item._strom_failed = True  # type: ignore[attr-defined]
        try:
            report.sections.append(("strom compact record log", engine.compact_log()))
        except Exception as error:  # the log is a debugging aid; never hide the real failure
            report.sections.append(("strom compact record log", f"(could not render: {error!r})"))


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("strom", "Strom process tests")
    group.addoption(
        "--strom-coverage",
        action="store",
        nargs="?",
        const=DEFAULT_PATH,
        default=None,
        metavar="PATH",
        dest="strom_coverage",
        help="report which elements and sequence flows of the deployed processes the tests reached "
        f"(JSON at PATH, default {DEFAULT_PATH}, an HTML page with the diagrams beside it, and a "
        "table in the summary); write it as "
        "--strom-coverage=PATH",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "partitions(n): run the engine fixture with n partitions")
    config.addinivalue_line("markers", "no_replay_check: skip the replay-equivalence check after the test")
    path = config.getoption("strom_coverage", None)
    if path:
        if not str(path).endswith(".json"):
            # ``--strom-coverage tests/`` would take the test path as the report path.
            raise pytest.UsageError(
                f"--strom-coverage got {path!r}, which is not a .json file; write the report path "
                "with '=' (--strom-coverage=report.json) or put test paths before the option"
            )
        config.stash[_COVERAGE] = ProcessCoverage()


def _coverage_path(config: pytest.Config) -> Path:
    return config.invocation_params.dir / str(config.getoption("strom_coverage"))


def pytest_sessionfinish(session: pytest.Session) -> None:
    coverage = session.config.stash.get(_COVERAGE, None)
    if coverage is not None:
        path = _coverage_path(session.config)
        coverage.write_json(path)
        coverage.write_html(html_path(path))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    coverage = config.stash.get(_COVERAGE, None)
    if coverage is None:
        return
    terminalreporter.write_sep("-", "strom process coverage")
    if coverage.processes:
        terminalreporter.write_line(coverage.format_table())
    else:
        terminalreporter.write_line("no process was deployed by a test using the engine fixture")
    path = _coverage_path(config)
    terminalreporter.write_line(f"written to {path} and {html_path(path)}")
