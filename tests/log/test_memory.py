"""InMemoryLog specifics; the shared contract is in ``test_storage.py``."""

from __future__ import annotations

import pytest

from strom.log import BatchTooLargeError, InMemoryLog, PositionCompactedError
from strom.log._batch import frame_size


def test_without_a_thread_durability_moves_only_in_flush_which_reports_synchronously() -> None:
    log = InMemoryLog(threaded_commit=False)
    reports: list[int] = []
    log.start_group_commit(reports.append)

    assert log.append([b"a", b"b"]) == 1
    assert reports == []  # never from inside append: the caller registers waiters after appending
    assert list(log.reader()) == []

    assert log.flush() == 2
    assert reports == [2]
    assert log.flush() == 2
    assert reports == [2]

    log.append([b"c"])
    log.stop_group_commit()
    assert reports == [2, 3]


def test_the_threaded_flavour_reports_from_another_thread() -> None:
    import threading

    log = InMemoryLog()
    threads: list[threading.Thread] = []
    log.start_group_commit(lambda position: threads.append(threading.current_thread()))
    log.append([b"a"])
    log.stop_group_commit()

    assert threads
    assert all(t is not threading.main_thread() for t in threads)


def test_a_batch_over_the_configured_size_is_refused_like_the_journal_would() -> None:
    log = InMemoryLog(max_batch_size=100)
    fitting = [b"x" * (100 - frame_size([b""]))]

    assert log.append(fitting) == 1
    with pytest.raises(BatchTooLargeError, match="at most 100"):
        log.append([*fitting, b""])
    assert log.next_position == 2


def test_records_are_copied_so_later_changes_by_the_caller_do_not_leak_in() -> None:
    log = InMemoryLog()
    record = bytearray(b"before")
    log.append([record])
    record[:] = b"after!"
    log.flush()

    assert list(log.reader()) == [(1, b"before")]


def test_compaction_drops_exactly_the_durable_records_below_the_position() -> None:
    log = InMemoryLog()
    log.append([b"1", b"2", b"3"])
    log.flush()
    log.append([b"4", b"5"])  # not durable: compaction must keep them

    assert log.compact(5) == 4
    assert log.compact(2) == 4  # never moves back

    with pytest.raises(PositionCompactedError):
        log.reader(3)
    log.flush()
    assert list(log.reader()) == [(4, b"4"), (5, b"5")]
