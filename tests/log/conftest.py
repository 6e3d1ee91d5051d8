from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from strom.log import FileJournal

SMALL_SEGMENT = 4096
"""Small enough that a few dozen batches span several segments."""


@pytest.fixture
def journal_dir(tmp_path: Path) -> Path:
    return tmp_path / "partition-1"


@pytest.fixture
def journal(journal_dir: Path) -> Iterator[FileJournal]:
    log = FileJournal(journal_dir, segment_size=SMALL_SEGMENT, index_interval=256)
    yield log
    log.close()
