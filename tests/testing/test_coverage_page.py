"""``pytest --strom-coverage`` writes an HTML page beside the JSON: each deployed process's diagram
with the elements and flows the tests reached highlighted, and the coverage percentages; it works
offline from file:// (one self-contained file)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from _services import unavailable

pytest_plugins = ["pytester"]

CHROMIUM = os.environ.get("STROM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]

SUITE = """
    from strom.testing import bpmn

    def approval():
        return (
            bpmn.process("approval")
            .start_event()
            .exclusive_gateway("amount")
            .condition("= amount > 100")
            .service_task("review", job_type="review")
            .end_event("reviewed")
            .move_to_last_gateway()
            .default_flow()
            .end_event("auto_approved")
        )

    def test_small_amounts_are_approved(engine):
        engine.deploy(approval())
        engine.instances.create("approval", {"amount": 5})

    def test_a_draft_that_never_runs(engine):
        engine.deploy(bpmn.process("draft").start_event().task("never").end_event("e"))
"""


class _Page(HTMLParser):
    """What a reader of the page sees: the sections (process id, percentage), the summary rows,
    and every external reference (there must be none)."""

    def __init__(self) -> None:
        super().__init__()
        self.sections: dict[str, str] = {}
        self.references: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section" and attributes.get("data-process-id"):
            self.sections[str(attributes["data-process-id"])] = str(attributes.get("data-percentage"))
        for name in ("src", "href"):
            value = attributes.get(name)
            if value and not value.startswith("#"):
                self.references.append(value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _run_suite(pytester: pytest.Pytester) -> Path:
    pytester.makepyfile(SUITE)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--strom-coverage=report/cov.json")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["written to *report*cov.json and *report*cov.html"])
    return pytester.path / "report" / "cov.html"


def test_the_page_names_each_process_with_its_percentage(pytester: pytest.Pytester) -> None:
    page_path = _run_suite(pytester)

    page = _Page()
    page.feed(page_path.read_text())

    assert page.sections == {"approval": "55.6", "draft": "0.0"}  # approval: 5 of 9 elements and flows
    text = re.sub(r"\s+", " ", "".join(page.text))
    assert "approval 55.6%" in text
    assert "draft 0.0%" in text
    assert "not reached: review, reviewed" in text
    assert "35.7% of 8 elements and 6 sequence flows" in text  # 5 of 14
    assert page.references == []  # nothing to fetch: works offline from file://


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright", "pip install playwright (the [test] extra has it)")
    if not Path(CHROMIUM).exists():
        unavailable("Chromium", f"{CHROMIUM} is missing: apt-get install chromium, or source .ci/chromium.sh")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_the_diagrams_render_from_file_with_the_reached_elements_highlighted(
    pytester: pytest.Pytester, browser: Any
) -> None:
    page_path = _run_suite(pytester)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    tab.on("request", lambda request: requests.append(request.url))

    tab.goto(page_path.as_uri())
    tab.wait_for_selector('.diagram[data-process-id="approval"][data-rendered]', timeout=15_000)
    tab.wait_for_selector('.diagram[data-process-id="draft"][data-rendered]', timeout=15_000)

    diagrams = tab.eval_on_selector_all(
        ".diagram", "all => all.map(d => [d.dataset.processId, d.dataset.rendered])"
    )
    assert diagrams == [["approval", "true"], ["draft", "true"]]

    def marked(process_id: str, marker: str) -> list[str]:
        return sorted(
            tab.eval_on_selector_all(
                f'.diagram[data-process-id="{process_id}"] .djs-element.{marker}',
                "all => all.map(e => e.dataset.elementId)",
            )
        )

    assert marked("approval", "strom-covered") == ["amount", "auto_approved", "start"]
    assert marked("approval", "strom-missed") == ["review", "reviewed"]
    assert marked("approval", "strom-taken") == ["flow_amount_auto_approved", "flow_start_amount"]
    assert marked("approval", "strom-missed-flow") == ["flow_amount_review", "flow_review_reviewed"]
    assert marked("draft", "strom-covered") == []
    badge = tab.locator('.diagram[data-process-id="approval"] .strom-token').first
    assert badge.get_attribute("title") == "activated 1 time"
    assert errors == []
    assert all(url.startswith(("file:", "data:")) for url in requests), requests
    tab.screenshot(path=str(pytester.path / "coverage-page.png"), full_page=True)
    context.close()


def test_without_the_built_viewer_the_page_keeps_its_tables_and_says_how_to_build(
    engine: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from strom.testing import bpmn, coverage_html
    from strom.testing.coverage import ProcessCoverage

    engine.deploy(bpmn.process("p").start_event().end_event("e"))
    engine.instances.create("p")
    coverage = ProcessCoverage()
    coverage.add_engine(engine)
    monkeypatch.setattr(coverage_html, "_VIEWER", tmp_path / "not-built")

    coverage.write_html(tmp_path / "cov.html")

    page = _Page()
    page.feed((tmp_path / "cov.html").read_text())
    assert page.sections == {"p": "100.0"}
    assert "StromCoverageViewer=" not in "".join(page.text)
    assert "npm run build" in "".join(page.text)  # what the diagram's place will say
