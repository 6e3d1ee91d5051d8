"""FileJournal: segments, reopening, oversized batches, compaction and group commit."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest

from strom.log import BatchTooLargeError, FileJournal, PositionCompactedError
from strom.log._batch import frame_size
from strom.log._segment import parse_segment_name

from ._payload import batch, payload
from .conftest import SMALL_SEGMENT


def fill(journal: FileJournal, batches: int, size: int = 4) -> None:
    for _ in range(batches):
        journal.append(batch(journal.next_position, size))


def read_all(journal: FileJournal, from_position: int | None = None) -> list[tuple[int, bytes]]:
    with journal.reader(from_position) as reader:
        return list(reader)


def expected(first: int, last: int) -> list[tuple[int, bytes]]:
    return [(p, payload(p)) for p in range(first, last + 1)]


@pytest.fixture
def count_syncs(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    calls = 0
    real = os.fdatasync

    def counting(fd: int) -> None:
        nonlocal calls
        calls += 1
        real(fd)

    monkeypatch.setattr(os, "fdatasync", counting)
    return lambda: calls


def test_batches_round_trip_across_segment_boundaries_and_reopening(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir, segment_size=SMALL_SEGMENT)
    fill(journal, 150)
    journal.close()

    reopened = FileJournal(journal_dir, segment_size=SMALL_SEGMENT)

    assert len(reopened.segment_paths) > 5
    assert (reopened.next_position, reopened.durable_position) == (601, 600)
    assert read_all(reopened) == expected(1, 600)
    assert reopened.append([payload(601)]) == 601
    reopened.close()


def test_a_batch_never_spans_segments(journal: FileJournal) -> None:
    fill(journal, 200, size=3)
    journal.flush()

    paths = journal.segment_paths
    assert all(path.stat().st_size <= SMALL_SEGMENT for path in paths)
    # Each segment is named by its first position and starts with a whole batch.
    firsts = [parse_segment_name(path.name) for path in paths]
    assert firsts[0] == 1
    assert all(first is not None and (first - 1) % 3 == 0 for first in firsts)


def test_a_batch_too_large_for_a_segment_is_refused_and_nothing_is_written(journal: FileJournal) -> None:
    fill(journal, 2)
    limit = journal.max_batch_size
    too_large = [b"x" * (limit - frame_size([b""]) + 1)]
    assert frame_size(too_large) == limit + 1

    with pytest.raises(BatchTooLargeError, match=f"segment holds at most {limit}"):
        journal.append(too_large)

    assert journal.next_position == 9
    fitting = [b"y" * (limit - frame_size([b""]))]
    assert journal.append(fitting) == 9
    journal.flush()
    assert read_all(journal, 9) == [(9, fitting[0])]


def test_reopening_syncs_what_it_found_so_all_of_it_is_durable(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir, segment_size=SMALL_SEGMENT)
    fill(journal, 3)
    # Simulate a crash: the writes reached the file (page cache) but were never synced.
    with journal._io_lock:
        journal._write_pending()
    os.close(journal._active.fd)
    journal._active.fd = -1
    journal._closed = True

    reopened = FileJournal(journal_dir, segment_size=SMALL_SEGMENT)

    assert reopened.durable_position == 12
    assert read_all(reopened) == expected(1, 12)
    reopened.close()


def test_an_unfinished_segment_creation_is_removed_on_open(journal_dir: Path) -> None:
    FileJournal(journal_dir).close()
    leftover = journal_dir / "segment-00000000000000000007.log.tmp"
    leftover.write_bytes(b"STROMSEG")

    FileJournal(journal_dir).close()

    assert not leftover.exists()


def test_flush_syncs_once_for_all_batches_appended_since_the_last_flush(
    journal: FileJournal, count_syncs: Callable[[], int]
) -> None:
    journal.append(batch(1, 2))  # the first segment exists already; no roll for a while
    before = count_syncs()

    for _ in range(5):
        journal.append(batch(journal.next_position, 1))
    assert journal.flush() == 7
    assert journal.flush() == 7  # nothing new: no sync

    assert count_syncs() - before == 1


def test_compaction_deletes_only_whole_segments_below_the_position(journal: FileJournal) -> None:
    fill(journal, 150)
    journal.flush()
    segments = journal.segment_paths
    firsts = [parse_segment_name(p.name) for p in segments]
    below = firsts[3] + 2  # in the middle of the fourth segment

    assert journal.compact(below) == firsts[3]

    assert journal.segment_paths == segments[3:]
    assert [p.exists() for p in segments] == [False] * 3 + [True] * (len(segments) - 3)
    assert read_all(journal, firsts[3]) == expected(firsts[3], 600)
    with pytest.raises(PositionCompactedError, match=f"the log starts at position {firsts[3]}"):
        journal.reader(firsts[3] - 1)


def test_compaction_never_deletes_the_active_segment(journal: FileJournal) -> None:
    fill(journal, 150)
    journal.flush()
    active = journal.segment_paths[-1]

    journal.compact(10_000)

    assert journal.segment_paths == [active]
    assert journal.first_position == parse_segment_name(active.name)
    assert journal.append([b"next"]) == 601


def test_a_reader_inside_a_compacted_segment_finishes_it(journal: FileJournal) -> None:
    fill(journal, 150)
    journal.flush()
    second = parse_segment_name(journal.segment_paths[1].name)
    assert second is not None
    reader = journal.reader()
    first_records = [next(iter(reader))]

    journal.compact(second)

    # The open segment is still readable; the next one was never deleted.
    assert first_records + list(reader) == expected(1, 600)
    reader.close()


def test_group_commit_shares_one_fdatasync_among_many_batches(
    journal_dir: Path, count_syncs: Callable[[], int]
) -> None:
    journal = FileJournal(journal_dir)  # default segment size: no rolls
    reports: list[int] = []
    batches = 3000
    before = count_syncs()
    journal.start_group_commit(reports.append)

    for _ in range(batches):
        journal.append(batch(journal.next_position, 10))
    journal.stop_group_commit()

    syncs = count_syncs() - before
    assert 0 < syncs < batches
    assert len(reports) <= syncs
    assert all(a < b for a, b in pairwise(reports))
    assert reports[-1] == journal.durable_position == batches * 10
    journal.close()


def test_appends_never_wait_for_a_sync_in_progress(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = FileJournal(journal_dir)
    syncing, release = threading.Event(), threading.Event()
    real = os.fdatasync

    def slow_fdatasync(fd: int) -> None:
        if threading.current_thread() is not threading.main_thread():
            syncing.set()
            assert release.wait(10)
        real(fd)

    monkeypatch.setattr(os, "fdatasync", slow_fdatasync)
    reports: list[int] = []
    journal.start_group_commit(reports.append)
    journal.append([b"first"])
    assert syncing.wait(5)

    started = time.perf_counter()
    for _ in range(1000):  # all while the committer is stuck in its sync
        journal.append(batch(journal.next_position, 2))
    elapsed = time.perf_counter() - started

    assert elapsed < 5
    assert journal.durable_position == 0  # the sync has not finished, nothing is durable yet
    release.set()
    journal.stop_group_commit()
    assert reports[0] == 1  # the stuck sync covered only what was written before it started
    assert reports[-1] == 2001
    journal.close()


def test_max_delay_gathers_more_batches_into_each_sync(
    journal_dir: Path, count_syncs: Callable[[], int]
) -> None:
    journal = FileJournal(journal_dir)
    reports: list[int] = []
    before = count_syncs()
    journal.start_group_commit(reports.append, max_delay_s=0.05)

    for _ in range(20):
        journal.append([b"x"])
        time.sleep(0.001)
    journal.stop_group_commit()

    assert count_syncs() - before <= 3
    assert reports[-1] == 20
    journal.close()


def test_seeking_uses_the_sparse_index_instead_of_scanning(
    journal_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = FileJournal(journal_dir, segment_size=8 * 1024 * 1024, index_interval=4096)
    fill(journal, 10_000, size=2)  # ~1 MB in one segment
    journal.flush()
    reads: list[tuple[int, int]] = []
    real = os.pread

    def recording_pread(fd: int, size: int, offset: int) -> bytes:
        reads.append((size, offset))
        return real(fd, size, offset)

    monkeypatch.setattr(os, "pread", recording_pread)

    with journal.reader(19_990) as reader:
        assert list(reader) == expected(19_990, 20_000)

    segment_size = journal.segment_paths[0].stat().st_size
    assert reads[0][1] > segment_size - 4096 - 1024  # started next to the wanted batch
    assert sum(size for size, _ in reads) < 1024 * 1024
    journal.close()


def test_a_batch_larger_than_the_read_chunk_is_read_whole(journal_dir: Path) -> None:
    journal = FileJournal(journal_dir, segment_size=8 * 1024 * 1024)
    big = [os.urandom(700_000), os.urandom(900_000)]
    journal.append([b"before"])
    journal.append(big)
    journal.append([b"after"])
    journal.flush()

    with journal.reader() as reader:
        reader_chunk = 64 * 1024
        reader._chunk_size = reader_chunk
        assert list(reader) == [(1, b"before"), (2, big[0]), (3, big[1]), (4, b"after")]
    journal.close()


def test_a_reader_on_another_thread_follows_the_writer_across_rolls(journal: FileJournal) -> None:
    total = 1500 * 3
    seen: list[tuple[int, bytes]] = []
    errors: list[BaseException] = []

    def follow() -> None:
        try:
            with journal.reader() as reader:
                deadline = time.monotonic() + 20
                while len(seen) < total and time.monotonic() < deadline:
                    before = len(seen)
                    seen.extend(reader.read_available())
                    if len(seen) == before:
                        time.sleep(0.0005)  # a real follower waits for on_durable instead
        except BaseException as exc:
            errors.append(exc)

    follower = threading.Thread(target=follow)
    follower.start()
    journal.start_group_commit(lambda position: None)
    fill(journal, 1500, size=3)
    journal.stop_group_commit()
    follower.join()

    assert errors == []
    assert len(journal.segment_paths) > 50
    assert seen == expected(1, total)
