"""FileJournal recovery: a torn tail is truncated and logged, anything else wrong is an error."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from strom.log import FileJournal, LogCorruptionError
from strom.log._batch import HEADER_SIZE, frame_size
from strom.log._segment import SEGMENT_HEADER_SIZE

from ._payload import batch, payload
from .conftest import SMALL_SEGMENT

BATCHES = [3, 1, 4, 2, 5]  # records per batch: positions 1-3, 4, 5-8, 9-10, 11-15


def write_batches(directory: Path, sizes: list[int] = BATCHES, segment_size: int = 1 << 20) -> list[int]:
    """Append batches, close, and return each batch's byte offset in the (single) segment file."""
    offsets = []
    offset = SEGMENT_HEADER_SIZE
    with FileJournal(directory, segment_size=segment_size) as journal:
        for size in sizes:
            entries = batch(journal.next_position, size)
            journal.append(entries)
            offsets.append(offset)
            offset += frame_size(entries)
    return offsets


def only_segment(directory: Path) -> Path:
    [path] = sorted(directory.glob("segment-*.log"))
    return path


def flip_byte(path: Path, offset: int) -> None:
    with path.open("r+b") as f:
        f.seek(offset)
        value = f.read(1)[0]
        f.seek(offset)
        f.write(bytes([value ^ 0x40]))


def reopen_and_read(directory: Path) -> tuple[FileJournal, list[tuple[int, bytes]]]:
    journal = FileJournal(directory, segment_size=1 << 20)
    with journal.reader() as reader:
        return journal, list(reader)


def expected(first: int, last: int) -> list[tuple[int, bytes]]:
    return [(p, payload(p)) for p in range(first, last + 1)]


# ---------------------------------------------------------------- torn tails are truncated


@pytest.mark.parametrize(
    "garbage",
    [b"\x00" * 100, os.urandom(1000), b"\xb5\x7a\x0c\x01" + b"\xff" * 40],
    ids=["zeros", "random", "bad-frame-with-magic"],
)
def test_garbage_after_the_last_batch_is_truncated(
    journal_dir: Path, garbage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    write_batches(journal_dir)
    segment = only_segment(journal_dir)
    size = segment.stat().st_size
    with segment.open("ab") as f:
        f.write(garbage)

    with caplog.at_level(logging.WARNING, logger="strom.log"):
        journal, records = reopen_and_read(journal_dir)

    assert records == expected(1, 15)
    assert segment.stat().st_size == size
    assert f"truncating torn tail of segment {segment}" in caplog.text
    assert f"at byte offset {size} (position 16)" in caplog.text
    assert journal.append([b"next"]) == 16
    journal.close()


@pytest.mark.parametrize("cut", [1, HEADER_SIZE - 1, HEADER_SIZE + 3, -1])
def test_a_batch_cut_off_mid_write_is_truncated(journal_dir: Path, cut: int) -> None:
    offsets = write_batches(journal_dir)
    segment = only_segment(journal_dir)
    end = offsets[-1] + cut if cut > 0 else segment.stat().st_size + cut
    os.truncate(segment, end)

    journal, records = reopen_and_read(journal_dir)

    assert records == expected(1, 10)
    assert segment.stat().st_size == offsets[-1]
    assert journal.next_position == journal.durable_position + 1 == 11
    assert journal.append(batch(11, 2)) == 11
    journal.flush()
    with journal.reader(9) as reader:
        assert list(reader) == expected(9, 12)
    journal.close()


@pytest.mark.parametrize("where", ["length", "position", "payload", "last-byte"])
def test_a_flipped_byte_in_the_last_batch_truncates_that_batch(journal_dir: Path, where: str) -> None:
    offsets = write_batches(journal_dir)
    segment = only_segment(journal_dir)
    at = {"length": 8, "position": 12, "payload": HEADER_SIZE + 30}.get(where)
    flip_byte(segment, offsets[-1] + at if at is not None else segment.stat().st_size - 1)

    journal, records = reopen_and_read(journal_dir)

    assert records == expected(1, 10)
    assert journal.append([b"again"]) == 11
    journal.close()


def test_a_truncated_tail_stays_truncated_after_more_appends_and_a_reopen(journal_dir: Path) -> None:
    write_batches(journal_dir)
    with only_segment(journal_dir).open("ab") as f:
        f.write(os.urandom(5000))
    journal, _ = reopen_and_read(journal_dir)
    journal.append(batch(16, 1))
    journal.close()

    journal, records = reopen_and_read(journal_dir)

    assert records == expected(1, 16)
    journal.close()


def test_an_empty_last_segment_after_a_roll_is_fine(journal_dir: Path) -> None:
    with FileJournal(journal_dir, segment_size=SMALL_SEGMENT) as journal:
        while len(journal.segment_paths) < 2:
            journal.append(batch(journal.next_position, 3))
        last = journal.next_position - 1
    # Cut the last segment back to its header: as if the process died right after the roll.
    os.truncate(sorted(journal_dir.glob("segment-*.log"))[-1], SEGMENT_HEADER_SIZE)

    with FileJournal(journal_dir, segment_size=SMALL_SEGMENT) as journal:
        assert journal.next_position == last - 2
        assert journal.append([b"x"]) == last - 2


# ---------------------------------------------------------------- anything else is corruption


@pytest.mark.parametrize(
    ("where", "batch_index", "position"),
    [("payload", 1, 4), ("length", 0, 1), ("crc", 2, 5), ("magic", 3, 9)],
)
def test_a_bad_batch_followed_by_valid_batches_is_corruption(
    journal_dir: Path, where: str, batch_index: int, position: int
) -> None:
    offsets = write_batches(journal_dir)
    segment = only_segment(journal_dir)
    at = offsets[batch_index] + {"payload": HEADER_SIZE + 6, "length": 9, "crc": 5, "magic": 0}[where]
    flip_byte(segment, at)
    before = segment.read_bytes()

    with pytest.raises(LogCorruptionError) as info:
        FileJournal(journal_dir)

    error = info.value
    assert (error.segment, error.offset, error.position) == (str(segment), offsets[batch_index], position)
    assert str(segment) in str(error)
    assert f"byte offset {offsets[batch_index]}" in str(error)
    assert f"position {position}" in str(error)
    assert "followed by a valid batch" in str(error)
    assert segment.read_bytes() == before  # nothing repaired behind the operator's back


def test_a_bad_batch_in_a_sealed_segment_is_corruption_even_at_its_end(journal_dir: Path) -> None:
    with FileJournal(journal_dir, segment_size=SMALL_SEGMENT) as journal:
        while len(journal.segment_paths) < 3:
            journal.append(batch(journal.next_position, 3))
    first_segment = sorted(journal_dir.glob("segment-*.log"))[0]
    os.truncate(first_segment, first_segment.stat().st_size - 1)

    with pytest.raises(LogCorruptionError, match="not the last one") as info:
        FileJournal(journal_dir, segment_size=SMALL_SEGMENT)

    assert info.value.segment == str(first_segment)


def test_a_missing_segment_in_the_middle_is_corruption(journal_dir: Path) -> None:
    with FileJournal(journal_dir, segment_size=SMALL_SEGMENT) as journal:
        while len(journal.segment_paths) < 4:
            journal.append(batch(journal.next_position, 3))
    segments = sorted(journal_dir.glob("segment-*.log"))
    second_first = int(segments[1].name[8:28])
    segments[1].unlink()

    with pytest.raises(LogCorruptionError, match="a segment is missing") as info:
        FileJournal(journal_dir, segment_size=SMALL_SEGMENT)

    assert info.value.segment == str(segments[2])
    assert info.value.position == second_first


def test_a_batch_at_the_wrong_position_is_corruption(journal_dir: Path) -> None:
    write_batches(journal_dir, [2])
    segment = only_segment(journal_dir)
    # A valid batch that claims position 10 where position 3 is due (e.g. a file mixed up).
    with FileJournal(journal_dir / "other", segment_size=1 << 20) as other:
        for _ in range(9):
            other.append([b"x"])
        other.append([b"ten"])
    frame = only_segment(journal_dir / "other").read_bytes()[SEGMENT_HEADER_SIZE + 9 * frame_size([b"x"]) :]
    with segment.open("ab") as f:
        f.write(frame)

    with pytest.raises(LogCorruptionError, match="starts at position 10, expected 3"):
        FileJournal(journal_dir)


def test_a_damaged_segment_header_is_corruption(journal_dir: Path) -> None:
    write_batches(journal_dir)
    segment = only_segment(journal_dir)
    flip_byte(segment, 17)

    with pytest.raises(LogCorruptionError, match="segment header") as info:
        FileJournal(journal_dir)

    assert info.value.offset == 0


def test_corruption_after_opening_is_reported_by_readers(journal_dir: Path) -> None:
    offsets = write_batches(journal_dir)
    journal = FileJournal(journal_dir)
    flip_byte(only_segment(journal_dir), offsets[2] + HEADER_SIZE + 20)

    with journal.reader() as reader, pytest.raises(LogCorruptionError, match="checksum") as info:
        list(reader)

    assert (info.value.offset, info.value.position) == (offsets[2], 5)
    journal.close()


def test_a_write_torn_at_every_byte_offset_of_the_last_batch_is_recovered(tmp_path: Path) -> None:
    written = tmp_path / "written"
    offsets = write_batches(written)
    whole = only_segment(written).read_bytes()
    torn_at = range(offsets[-1] + 1, len(whole))  # each partial length of the last batch
    for cut in torn_at:
        directory = tmp_path / f"cut-{cut}"
        directory.mkdir()
        (directory / only_segment(written).name).write_bytes(whole[:cut])

        journal, records = reopen_and_read(directory)
        try:
            assert records == expected(1, 10), f"torn at byte {cut}"
            assert journal.append(batch(11, 2)) == 11, f"torn at byte {cut}"
        finally:
            journal.close()
    assert len(torn_at) > 20
