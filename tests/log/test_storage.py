"""The ``LogStorage`` contract, checked against every implementation."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from strom.log import (
    FileJournal,
    InMemoryLog,
    LogClosedError,
    LogFailedError,
    LogStorage,
    PositionCompactedError,
)

from ._payload import batch, payload
from .conftest import SMALL_SEGMENT


@pytest.fixture(params=["journal", "memory"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LogStorage]:
    storage: LogStorage
    if request.param == "journal":
        storage = FileJournal(tmp_path / "log", segment_size=SMALL_SEGMENT, index_interval=256)
    else:
        storage = InMemoryLog()
    yield storage
    storage.close()


def append_batches(log: LogStorage, sizes: list[int]) -> None:
    for size in sizes:
        log.append(batch(log.next_position, size))


def read_all(log: LogStorage, from_position: int | None = None) -> list[tuple[int, bytes]]:
    with log.reader(from_position) as reader:
        return list(reader)


def expected(first: int, last: int) -> list[tuple[int, bytes]]:
    return [(p, payload(p)) for p in range(first, last + 1)]


def test_positions_start_at_one_and_are_consecutive_across_batches(log: LogStorage) -> None:
    assert (log.first_position, log.next_position, log.durable_position) == (1, 1, 0)

    firsts = [log.append(batch(log.next_position, n)) for n in (3, 1, 5)]

    assert firsts == [1, 4, 5]
    assert log.next_position == 10


def test_an_empty_batch_is_refused(log: LogStorage) -> None:
    with pytest.raises(ValueError, match="at least one record"):
        log.append([])
    assert log.next_position == 1


def test_readers_see_only_durable_records(log: LogStorage) -> None:
    append_batches(log, [2, 3])
    reader = log.reader()

    assert list(reader) == []
    assert log.flush() == 5
    assert list(reader) == expected(1, 5)


def test_a_reader_polled_again_continues_with_newly_durable_records(log: LogStorage) -> None:
    reader = log.reader()
    seen: list[tuple[int, bytes]] = []
    for _ in range(40):  # enough to cross several segments of the small journal
        append_batches(log, [4, 1, 7])
        log.flush()
        seen.extend(reader.read_available())

    assert seen == expected(1, 480)
    assert reader.next_position == 481


@pytest.mark.parametrize("start", [1, 2, 4, 5, 9, 10, 57, 90, 91])
def test_reading_starts_at_any_position_including_mid_batch(log: LogStorage, start: int) -> None:
    append_batches(log, [3, 1, 5] * 10)  # 90 records, batches start at 1, 4, 5, 10, ...
    log.flush()

    assert read_all(log, start) == expected(start, 90)


def test_stopping_an_iteration_early_loses_nothing(log: LogStorage) -> None:
    append_batches(log, [5, 5])
    log.flush()
    reader = log.reader()

    for position, _ in reader:
        if position == 3:
            break

    assert reader.next_position == 4
    assert list(reader) == expected(4, 10)


def test_seek_ends_an_iteration_in_progress(log: LogStorage) -> None:
    append_batches(log, [5, 5])
    log.flush()
    reader = log.reader()
    iteration = iter(reader)
    next(iteration)

    reader.seek(8)

    assert list(iteration) == []
    assert list(reader) == expected(8, 10)


def test_seeking_past_the_end_is_a_caller_bug(log: LogStorage) -> None:
    append_batches(log, [2])
    reader = log.reader()
    reader.seek(3)  # the next position is fine: records arrive there later
    with pytest.raises(ValueError, match="next position is 3"):
        reader.seek(4)


def test_group_commit_reports_increasing_positions_up_to_the_last(log: LogStorage) -> None:
    reports: list[int] = []
    log.start_group_commit(reports.append)

    append_batches(log, [3] * 200)
    log.stop_group_commit()

    assert reports == sorted(set(reports))
    assert reports[-1] == log.durable_position == 600
    assert read_all(log) == expected(1, 600)


def test_group_commit_makes_records_durable_without_flush(log: LogStorage) -> None:
    durable = threading.Event()
    log.start_group_commit(lambda position: durable.set() if position == 4 else None)

    append_batches(log, [4])

    assert durable.wait(5)
    assert read_all(log) == expected(1, 4)
    log.stop_group_commit()


def test_a_failing_on_durable_fails_the_log(log: LogStorage) -> None:
    failed = threading.Event()

    def on_durable(position: int) -> None:
        failed.set()
        raise RuntimeError("bug in the callback")

    log.start_group_commit(on_durable)
    append_batches(log, [1])
    assert failed.wait(5)

    with pytest.raises(LogFailedError) as info:
        log.stop_group_commit()
    assert isinstance(info.value.__cause__, RuntimeError)
    with pytest.raises(LogFailedError):
        log.append([b"x"])


def test_compaction_never_removes_records_at_or_above_the_position(log: LogStorage) -> None:
    append_batches(log, [3, 1, 5] * 20)
    log.flush()

    first = log.compact(100)

    assert 1 <= first <= 100
    assert first == log.first_position
    assert read_all(log, first) == expected(first, 180)


def test_reading_below_the_first_position_after_compaction_is_refused(log: LogStorage) -> None:
    append_batches(log, [3, 1, 5] * 20)
    log.flush()
    first = log.compact(170)
    assert first > 1

    with pytest.raises(PositionCompactedError, match=f"starts at position {first}"):
        log.reader(first - 1)


def test_a_reader_left_behind_by_compaction_gets_a_clear_error(log: LogStorage) -> None:
    append_batches(log, [3, 1, 5] * 20)
    log.flush()
    reader = log.reader(1)

    log.compact(170)

    with pytest.raises(PositionCompactedError, match="compacted"):
        list(reader)


def test_a_closed_log_refuses_appends_and_reads(log: LogStorage) -> None:
    append_batches(log, [2])
    reader = log.reader()
    log.close()

    with pytest.raises(LogClosedError):
        log.append([b"x"])
    with pytest.raises(LogClosedError):
        list(reader)
    with pytest.raises(LogClosedError):
        log.reader()
    log.close()  # idempotent


def test_close_makes_everything_durable(tmp_path: Path) -> None:
    factories: list[Callable[[], LogStorage]] = [InMemoryLog, lambda: FileJournal(tmp_path)]
    for make in factories:
        log = make()
        append_batches(log, [2, 2])
        log.close()
        assert log.durable_position == 4
