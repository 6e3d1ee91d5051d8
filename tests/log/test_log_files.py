"""``LogFiles``: a journal's segments read by someone who does not own them (torn tails,
segments rolled and compacted while reading), always agreeing with the journal's own reader."""

from __future__ import annotations

from pathlib import Path

import pytest

from strom.log import FileJournal, LogCorruptionError, PositionCompactedError
from strom.log.files import LogFiles


def _fill(journal: FileJournal, batches: int, size: int = 3) -> list[bytes]:
    written = []
    for b in range(batches):
        batch = [f"record {b}.{i} ".encode() * 20 for i in range(size)]
        journal.append(batch)
        written += batch
    journal.flush()
    return written


def test_reads_every_record_across_segments_from_any_position(tmp_path: Path) -> None:
    with FileJournal(tmp_path, segment_size=4096) as journal:
        written = _fill(journal, 60)
        files = LogFiles(tmp_path)
        assert len(files.segments()) > 3
        assert [record for _, record in files.read(1)] == written
        assert list(files.read(100)) == list(enumerate(written, start=1))[99:]
        assert list(files.read(100)) == list(enumerate(written, start=1))[99:]  # again, through its index
        assert list(files.read(len(written) + 1)) == []
        more = _fill(journal, 1)
        assert [record for _, record in files.read(len(written) + 1)] == more


def test_a_torn_tail_ends_the_read_and_a_later_read_goes_on(tmp_path: Path) -> None:
    with FileJournal(tmp_path, segment_size=1 << 20) as journal:
        written = _fill(journal, 5)
    segment = sorted(tmp_path.glob("segment-*.log"))[-1]
    whole = segment.read_bytes()
    with segment.open("ab") as file:  # a batch the writer has only begun to write
        file.write(b"\xb5\x7a\x0c\x01" + b"\x00" * 30)
    files = LogFiles(tmp_path)
    assert [record for _, record in files.read(1)] == written
    segment.write_bytes(whole)
    with FileJournal(tmp_path, segment_size=1 << 20) as journal:
        more = _fill(journal, 1)
    assert [record for _, record in files.read(len(written) + 1)] == more


def test_damage_before_the_newest_segment_is_corruption(tmp_path: Path) -> None:
    with FileJournal(tmp_path, segment_size=4096) as journal:
        _fill(journal, 30)
    oldest = sorted(tmp_path.glob("segment-*.log"))[0]
    data = bytearray(oldest.read_bytes())
    data[100] ^= 0xFF
    oldest.write_bytes(bytes(data))
    with pytest.raises(LogCorruptionError):
        list(LogFiles(tmp_path).read(1))


def test_compacted_positions_are_said_to_be_compacted(tmp_path: Path) -> None:
    with FileJournal(tmp_path, segment_size=4096) as journal:
        written = _fill(journal, 60)
        files = LogFiles(tmp_path)
        reading = files.read(1)
        assert next(reading) == (1, written[0])  # the first segment is open now
        first = journal.compact(len(written) // 2)
        assert first > 1 and files.first_position == first
        with pytest.raises(PositionCompactedError):
            list(files.read(1))
        assert [record for _, record in files.read(first)] == written[first - 1 :]
        # a read that had its segment open goes on to that segment's end, then finds the next gone
        with pytest.raises(PositionCompactedError):
            list(reading)


def test_a_missing_log_reads_as_empty(tmp_path: Path) -> None:
    files = LogFiles(tmp_path / "nothing")
    assert files.segments() == [] and files.first_position == 1 and list(files.read(1)) == []
