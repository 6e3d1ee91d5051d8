"""Every corpus file keeps the outcome recorded in ``corpus_expectations.tsv``."""

from __future__ import annotations

import pytest

from ._corpus import ACCEPTED, CORPUS, corpus_files, outcome, read_table

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"the shared BPMN corpus is not available at {CORPUS}"
)


def test_the_table_covers_exactly_the_corpus() -> None:
    names = {path.relative_to(CORPUS).as_posix() for path in corpus_files()}
    assert names == set(read_table())


@pytest.mark.timeout(60)
def test_every_file_keeps_its_recorded_outcome() -> None:
    table = read_table()
    changed = {}
    for path in corpus_files():
        name = path.relative_to(CORPUS).as_posix()
        actual = outcome(path)
        if actual != table.get(name):
            changed[name] = (table.get(name), actual)
    assert not changed, "\n".join(
        f"{name}:\n  recorded {old}\n  now      {new}" for name, (old, new) in changed.items()
    )


def test_most_of_the_corpus_deploys() -> None:
    table = read_table()
    accepted = sum(1 for rows in table.values() if rows == [ACCEPTED])
    assert accepted >= 0.9 * len(table)
