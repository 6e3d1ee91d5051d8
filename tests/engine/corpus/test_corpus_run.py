"""The corpus run: every process of ../shared/corpus that uses only driven constructs is run with
workers that complete each job and user task with no variables; the outcomes must match the
checked-in table ``corpus_run.tsv`` (regenerate it with ``_corpus_run.py`` and review the diff)."""

from __future__ import annotations

import pytest
from _corpus_run import COMPLETED, CORPUS, read_table, run_corpus, summary

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the shared corpus is not there ({CORPUS}); nothing to run"
)


def test_every_corpus_process_ends_as_the_table_says() -> None:
    expected = read_table()

    outcomes = run_corpus()

    changed = {
        key: (expected.get(key, "<not in the table>"), outcome)
        for key, outcome in outcomes.items()
        if expected.get(key) != outcome
    }
    missing = sorted(set(expected) - set(outcomes))
    assert not changed and not missing, (
        f"{summary(outcomes)}; differences (expected, now): {changed}; no longer run: {missing}. "
        "If the change is deliberate, regenerate with tests/engine/corpus/_corpus_run.py"
    )


def test_most_processes_that_are_run_complete() -> None:
    outcomes = read_table()

    run = [outcome for outcome in outcomes.values() if not outcome.startswith("not run")]

    assert sum(outcome == COMPLETED for outcome in run) >= 0.75 * len(run)
