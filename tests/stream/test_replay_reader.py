"""Replay reads the file journal a batch at a time (JournalReader.read_batches): the same records
at the same positions as record by record, from any start, across segments, and it stops when the
reader is moved elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from strom.log import FileJournal

_SEGMENT = 4096


def _journal(directory: Path) -> tuple[FileJournal, list[bytes]]:
    journal = FileJournal(directory, segment_size=_SEGMENT)
    written: list[bytes] = []
    for batch in range(60):
        entries = [f"record {batch}.{index} ".encode() * (8 + 4 * index) for index in range(batch % 5 + 1)]
        journal.append(entries)
        written.extend(entries)
    journal.flush()
    return journal, written


def test_the_journal_under_test_spans_several_segments(tmp_path: Path) -> None:
    journal, _ = _journal(tmp_path)

    assert len(journal.segment_paths) > 3


@pytest.mark.parametrize("start", [1, 2, 3, 57, 100, 179, 180])
def test_batches_hold_every_record_from_the_start_at_its_position(tmp_path: Path, start: int) -> None:
    journal, written = _journal(tmp_path)
    reader = journal.reader(start)

    batches = list(reader.read_batches())

    flattened = [(first + index, data) for first, records in batches for index, data in enumerate(records)]
    assert flattened == list(enumerate(written, start=1))[start - 1 :]
    assert list(journal.reader(start).read_available()) == flattened
    assert reader.next_position == len(written) + 1
    assert list(reader.read_batches()) == []  # nothing new


def test_reading_on_after_new_appends_continues_after_the_last_batch(tmp_path: Path) -> None:
    journal, written = _journal(tmp_path)
    reader = journal.reader(1)
    for _ in reader.read_batches():
        break  # the first batch was handed out: it counts as read
    first_batch_end = reader.next_position

    journal.append([b"late"])
    journal.flush()
    rest = [data for _, records in reader.read_batches() for data in records]

    assert rest == [*written[first_batch_end - 1 :], b"late"]


def test_a_seek_ends_the_batches_in_progress(tmp_path: Path) -> None:
    journal, _ = _journal(tmp_path)
    reader = journal.reader(1)
    batches = reader.read_batches()
    next(batches)

    reader.seek(10)

    assert list(batches) == []
    assert next(iter(reader.read_batches()))[0] == 10
