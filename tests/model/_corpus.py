"""The third-party corpus and the checked-in table of what the model makes of each file.

Regenerate the table after a deliberate change (then review every changed line against the
files themselves: each rejection must be for a reason truly in the file)::

    .venv/bin/python tests/model/_corpus.py
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
TABLE = Path(__file__).resolve().parent / "corpus_expectations.tsv"
ACCEPTED = "accepted"
_HEADER = "# file\texpectation ('accepted', or one problem 'LINE: element-id: message' per row)\n"


def corpus_files() -> list[Path]:
    return sorted(CORPUS.rglob("*.bpmn"))


def outcome(path: Path) -> list[str]:
    """``['accepted']`` or the problems of ``path`` without the file name."""
    from strom.model import check_bpmn

    problems = check_bpmn(path.read_bytes(), resource_name=path.name)
    if not problems:
        return [ACCEPTED]
    return [
        _escape(f"{p.line}: {p.element_id}: {p.message}" if p.element_id else f"{p.line}: {p.message}")
        for p in problems
    ]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def read_table() -> dict[str, list[str]]:
    table: dict[str, list[str]] = defaultdict(list)
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, expectation = line.partition("\t")
            table[name].append(expectation)
    return dict(table)


def write_table() -> None:
    rows = [_HEADER]
    for path in corpus_files():
        name = path.relative_to(CORPUS).as_posix()
        rows.extend(f"{name}\t{expectation}\n" for expectation in outcome(path))
    TABLE.write_text("".join(rows), encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    write_table()
    table = read_table()
    rejected = sum(1 for rows in table.values() if rows != [ACCEPTED])
    print(f"{len(table)} files: {len(table) - rejected} accepted, {rejected} rejected -> {TABLE}")
