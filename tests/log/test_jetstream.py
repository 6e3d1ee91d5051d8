"""``JetStreamLog`` against real ``nats-server`` processes with JetStream (no mocks).

The ``LogStorage`` contract tests of ``test_storage.py`` run here again on the JetStream log (they
are imported below, so they use this module's ``log`` fixture); the rest is what only a replicated
log has: fencing of a second writer, retried publishes, server limits, a 3-node R3 cluster losing a
server, and the stream processor running on it.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ._nats import NatsServer, required_binary, start_cluster, start_server
from ._payload import batch
from .test_storage import (
    append_batches,
    expected,
    read_all,
    test_a_closed_log_refuses_appends_and_reads,
    test_a_failing_on_durable_fails_the_log,
    test_a_reader_left_behind_by_compaction_gets_a_clear_error,
    test_a_reader_polled_again_continues_with_newly_durable_records,
    test_an_empty_batch_is_refused,
    test_compaction_never_removes_records_at_or_above_the_position,
    test_group_commit_makes_records_durable_without_flush,
    test_group_commit_reports_increasing_positions_up_to_the_last,
    test_positions_start_at_one_and_are_consecutive_across_batches,
    test_reading_below_the_first_position_after_compaction_is_refused,
    test_reading_starts_at_any_position_including_mid_batch,
    test_seek_ends_an_iteration_in_progress,
    test_seeking_past_the_end_is_a_caller_bug,
    test_stopping_an_iteration_early_loses_nothing,
)

try:
    import nats  # noqa: F401  (only to know whether nats-py is installed)

    from strom.log.jetstream import JetStreamLog, WriterFencedError, _Reply
except ImportError:  # pragma: no cover - the `test` extra installs nats-py
    JetStreamLog = None  # type: ignore[assignment,misc]

from strom.log import BatchTooLargeError, LogFailedError, LogStorage, PositionCompactedError

CONTRACT = [
    test_positions_start_at_one_and_are_consecutive_across_batches,
    test_an_empty_batch_is_refused,
    test_a_reader_polled_again_continues_with_newly_durable_records,
    test_reading_starts_at_any_position_including_mid_batch,
    test_stopping_an_iteration_early_loses_nothing,
    test_seek_ends_an_iteration_in_progress,
    test_seeking_past_the_end_is_a_caller_bug,
    test_group_commit_reports_increasing_positions_up_to_the_last,
    test_group_commit_makes_records_durable_without_flush,
    test_a_failing_on_durable_fails_the_log,
    test_compaction_never_removes_records_at_or_above_the_position,
    test_reading_below_the_first_position_after_compaction_is_refused,
    test_a_reader_left_behind_by_compaction_gets_a_clear_error,
    test_a_closed_log_refuses_appends_and_reads,
]
"""Run here on the JetStream log, through this module's ``log`` fixture."""

_partitions = itertools.count(1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    started = start_server(required_binary(), tmp_path_factory.mktemp("nats"))
    yield started
    started.stop()


@pytest.fixture
def partition() -> int:
    """A partition id (hence a stream) no other test of this run uses."""
    return next(_partitions)


@pytest.fixture
def log(server: NatsServer, partition: int) -> Iterator[LogStorage]:
    storage = JetStreamLog(server.url, partition)
    yield storage
    storage.close()


def test_every_contract_scenario_is_collected_here() -> None:
    assert all(test.__name__ in globals() for test in CONTRACT)


def test_reopening_recovers_the_next_position_and_reads_everything(
    server: NatsServer, partition: int
) -> None:
    with JetStreamLog(server.url, partition) as log:
        append_batches(log, [3, 1, 5] * 10)
        assert log.flush() == 90

    with JetStreamLog(server.url, partition) as log:
        assert (log.first_position, log.durable_position, log.next_position) == (1, 90, 91)
        assert read_all(log) == expected(1, 90)
        assert read_all(log, 47) == expected(47, 90)  # found by a binary search over the stream
        assert log.append(batch(91, 2)) == 91
        assert log.flush() == 92
        assert read_all(log, 85) == expected(85, 92)


def test_a_batch_is_all_or_nothing_for_readers(log: JetStreamLog) -> None:
    starts = set()
    ends: list[int] = []
    done = threading.Event()

    def follow() -> None:
        with log.reader() as reader:
            while not done.is_set() or reader.next_position <= log.durable_position:
                records = list(reader.read_available())
                if records:
                    ends.append(records[-1][0])
                    assert [p for p, _ in records] == list(range(records[0][0], records[-1][0] + 1))
                else:
                    time.sleep(0.001)

    follower = threading.Thread(target=follow)
    follower.start()
    log.start_group_commit(lambda position: None)
    for size in [7, 1, 30, 2, 9] * 40:
        starts.add(log.append(batch(log.next_position, size)))
    log.stop_group_commit()
    done.set()
    follower.join(20)

    assert ends[-1] == log.next_position - 1 == 49 * 40
    assert all(end + 1 in starts or end + 1 == log.next_position for end in ends)


def test_group_commit_calls_on_durable_from_another_thread(log: JetStreamLog) -> None:
    threads: set[str] = set()
    reports: list[int] = []

    def on_durable(position: int) -> None:
        threads.add(threading.current_thread().name)
        reports.append(position)

    log.start_group_commit(on_durable)
    append_batches(log, [2] * 50)
    log.stop_group_commit()

    assert reports[-1] == 100
    assert threading.current_thread().name not in threads
    assert all(name.startswith("strom-log-committer") for name in threads)


def test_a_second_writer_is_fenced_and_the_first_writers_data_is_intact(
    server: NatsServer, partition: int
) -> None:
    with JetStreamLog(server.url, partition) as leader:
        append_batches(leader, [2, 2])
        leader.flush()
        deposed = JetStreamLog(server.url, partition)  # opened at position 5, like a stale leader
        assert deposed.next_position == 5
        leader.append(batch(5, 3))  # the new leader writes first
        assert leader.flush() == 7

        deposed.append([b"stale-1", b"stale-2"])
        with pytest.raises(WriterFencedError, match="another writer appended") as info:
            deposed.flush()
        assert isinstance(info.value, LogFailedError)
        with pytest.raises(WriterFencedError):
            deposed.append([b"stale-3"])
        deposed.close()

        leader.append(batch(8, 1))
        assert leader.flush() == 8
        assert read_all(leader) == expected(1, 8)


def test_a_retried_publish_with_the_same_msg_id_is_not_doubled(server: NatsServer, partition: int) -> None:
    dropped: list[str] = []

    class LosesOneAck(JetStreamLog):
        """The first acknowledgement of the second batch never arrives (as when a server dies)."""

        async def _on_reply(self, msg: Any) -> None:
            token = msg.subject[len(self._reply_prefix) :]
            if token.startswith("2_") and not dropped:
                dropped.append(token)
                self._replies.pop(token, None)
                return
            await super()._on_reply(msg)

    with LosesOneAck(server.url, partition, ack_timeout_s=0.5) as log:
        append_batches(log, [2, 3, 1])
        assert log.flush() == 6
        assert dropped == ["2_1"]  # the batch at sequence 2 was published again
        assert read_all(log) == expected(1, 6)
        stream = log.stream

    # The stream holds each batch once: three messages for three batches.
    with JetStreamLog(server.url, partition) as reopened:
        assert reopened.next_position == 7
        info = reopened._call(reopened._jsm.stream_info(stream))
        assert info.state.messages == 3


def test_the_server_refuses_a_duplicate_of_a_stored_batch(log: JetStreamLog) -> None:
    append_batches(log, [2])
    log.flush()
    first = batch(3, 2)
    log.append(first)
    log.flush()
    message_id = f"{log._partition}-3-{log._token}"

    async def publish_again() -> _Reply:
        from strom.log import _batch
        from strom.log.jetstream import _Batch

        again = _Batch(3, 2, 2, bytes(_batch.encode(3, first)), message_id)
        return await log._wait_reply(await log._publish(again)) or _Reply()

    reply = log._call(publish_again())

    assert reply.seq is None and reply.err_code == 10071  # wrong last sequence: refused
    assert read_all(log) == expected(1, 4)
    assert log._call(log._jsm.stream_info(log.stream)).state.messages == 2


def test_compaction_purges_the_stream_and_survives_reopening(server: NatsServer, partition: int) -> None:
    with JetStreamLog(server.url, partition) as log:
        append_batches(log, [3, 1, 5] * 20)
        log.flush()
        assert log.compact(98) == 95  # batches start at 1, 4, 5, 10, ...; 98 is in the one at 95
        assert log.compact(1000) == 176  # never the last durable batch
        info = log._call(log._jsm.stream_info(log.stream))
        assert (info.state.messages, info.state.first_seq) == (1, 60)

    with JetStreamLog(server.url, partition) as log:
        assert (log.first_position, log.next_position) == (176, 181)
        assert read_all(log) == expected(176, 180)
        with pytest.raises(PositionCompactedError, match="starts at position 176"):
            log.reader(175)


def test_an_open_racing_a_compaction_starts_at_the_new_first_batch(
    server: NatsServer, partition: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    with JetStreamLog(server.url, partition) as writer:
        append_batches(writer, [3, 1, 5] * 20)
        writer.flush()
        read_batch = JetStreamLog._read_batch
        opening_reads: list[int] = []

        async def compacted_meanwhile(self: JetStreamLog, seq: int) -> tuple[int, int, bytes]:
            if self is not writer:
                opening_reads.append(seq)
                if len(opening_reads) == 2:  # the first batch, after the stream told its state
                    await asyncio.to_thread(writer.compact, 98)
            return await read_batch(self, seq)

        monkeypatch.setattr(JetStreamLog, "_read_batch", compacted_meanwhile)

        with JetStreamLog(server.url, partition) as log:
            assert (log.first_position, log.next_position) == (95, 181)
            assert read_all(log) == expected(95, 180)


def _counting_reads(log: JetStreamLog) -> list[int]:
    """Count the messages ``log`` fetches from the server from now on (the real client still answers)."""
    fetched: list[int] = []
    get_msg = log._jsm.get_msg

    async def counted(*args: Any, **kwargs: Any) -> Any:
        fetched.append(kwargs.get("seq", -1))
        return await get_msg(*args, **kwargs)

    log._jsm.get_msg = counted  # type: ignore[method-assign]
    return fetched


def test_what_was_just_stored_is_read_without_asking_the_server_again(
    server: NatsServer, partition: int
) -> None:
    with JetStreamLog(server.url, partition) as writer, JetStreamLog(server.url, partition) as follower:
        writer_reads = _counting_reads(writer)
        append_batches(writer, [3, 1, 5] * 10)
        writer.flush()
        # the writer's exporters read what it appended: from the acknowledged batches it kept
        assert read_all(writer, 1) == expected(1, 90)
        assert writer_reads == []

        # a follower catches up (one fetch per batch) and then replays and exports it from there
        follower_reads = _counting_reads(follower)
        assert follower.catch_up() == 91
        caught_up = len(follower_reads)
        assert caught_up == 30
        assert read_all(follower, 1) == expected(1, 90)
        assert read_all(follower, 47) == expected(47, 90)
        assert len(follower_reads) == caught_up


def test_a_batch_larger_than_one_message_is_refused(log: JetStreamLog) -> None:
    limit = log.max_batch_size
    assert 1_000_000 < limit < 1024 * 1024  # the server's default max_payload is 1 MiB

    with pytest.raises(BatchTooLargeError, match="one JetStream message holds at most"):
        log.append([b"x" * 600_000, b"y" * 600_000])
    assert log.next_position == 1

    largest = [b"z" * (limit - 24 - 4)]  # frame: 24-byte header, 4 bytes per record length
    assert log.append(largest) == 1
    assert log.flush() == 1
    assert read_all(log) == [(1, largest[0])]


def test_an_open_that_fails_closes_its_connection_without_error_logs(
    server: NatsServer, partition: int, caplog: pytest.LogCaptureFixture
) -> None:
    """A broker retries a failed open (a NATS server restarting); each failure used to leave
    nats-py's tasks on a stopped loop, one "Task was destroyed but it is pending!" ERROR each."""
    import asyncio
    import gc
    import logging

    import nats

    from strom.log.jetstream import stream_name

    async def create_elsewhere() -> None:
        connection = await nats.connect(server.url)
        await connection.jetstream().add_stream(name=stream_name(partition), subjects=["elsewhere"])
        await connection.close()

    asyncio.run(create_elsewhere())
    with caplog.at_level(logging.ERROR, logger="asyncio"):
        with pytest.raises(LogFailedError, match="does not take subject"):
            JetStreamLog(server.url, partition)
        gc.collect()
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == []


def test_a_three_node_cluster_keeps_appending_and_reading_after_a_server_is_killed(tmp_path: Path) -> None:
    servers = start_cluster(required_binary(), tmp_path)
    try:
        urls = [s.url for s in servers]
        with JetStreamLog(urls, 1, num_replicas=3, ack_timeout_s=2, publish_timeout_s=15) as log:
            info = log._call(log._jsm.stream_info(log.stream))
            assert info.config.num_replicas == 3
            append_batches(log, [4, 1] * 20)
            assert log.flush() == 100

            leader = info.cluster.leader if info.cluster else None
            victim = next(s for s in servers if s.name == leader)
            victim.kill()  # the stream's leader: the stream elects a new one

            append_batches(log, [4, 1] * 20)
            assert log.flush() == 200
            assert read_all(log) == expected(1, 200)
    finally:
        for s in servers:
            s.stop()


class _Counter:
    """A tiny record processor for the stream-processor test: each command named N counts N once
    (an event), and answers with that event."""

    def __init__(self, db: Any) -> None:
        self.state = db.column_family("counts")

    def count(self, db: Any, name: str) -> int:
        txn = db.transaction()
        try:
            return int(self.state.get(name.encode()) or b"0")
        finally:
            txn.rollback()

    def _apply(self, event: Any) -> None:
        key = event.value.name.encode()
        self.state.put(key, str(int(self.state.get(key) or b"0") + 1).encode())

    def replay(self, event: Any) -> None:
        self._apply(event)

    def process(self, command: Any, result: Any) -> None:
        from strom.protocol.intents import VariableIntent

        event = result.append_event(command.key, VariableIntent.UPDATED, command.value)
        self._apply(event)
        result.respond(event)

    def on_processing_error(self, error: Exception, command: Any, result: Any) -> None:
        raise error

    def on_recovered(self, context: Any) -> None:
        return None


def _processor(log: JetStreamLog, directory: Path, responses: list[Any]) -> tuple[Any, _Counter, Any]:
    from strom.db import Database
    from strom.stream.clock import ControlledClock
    from strom.stream.processor import DEFAULT_MAX_BATCH_BYTES, STREAM_COLUMN_FAMILIES, StreamProcessor

    db = Database(directory, [*STREAM_COLUMN_FAMILIES, "counts"])
    engine = _Counter(db)
    processor = StreamProcessor(
        log=log,
        db=db,
        processor=engine,
        clock=ControlledClock(),
        responder=responses.append,
        group_commit=True,
        # What a partition on this log must pass: a step's batch has to fit into one message.
        max_batch_bytes=min(DEFAULT_MAX_BATCH_BYTES, log.max_batch_size),
    )
    processor.recover()
    return processor, engine, db


def _variable_command(name: str) -> Any:
    from strom.protocol.enums import RecordType
    from strom.protocol.intents import VariableIntent
    from strom.protocol.records import RECORD_CLASS_FOR_VALUE
    from strom.protocol.values.variable import VariableRecordValue

    record_class = RECORD_CLASS_FOR_VALUE[VariableRecordValue]
    return record_class(
        record_type=RecordType.COMMAND,
        intent=VariableIntent.CREATED,
        value=VariableRecordValue(name=name, value="1"),
        request_id=1,
    )


def test_the_stream_processor_runs_on_the_jetstream_log(
    server: NatsServer, partition: int, tmp_path: Path
) -> None:
    names = ["a", "b", "a", "c", "a"] * 20
    responses: list[Any] = []
    with JetStreamLog(server.url, partition) as log:
        processor, engine, db = _processor(log, tmp_path / "leader", responses)
        processor.start()  # its thread appends each step's batch; group commit answers clients
        for name in names:
            processor.submit(_variable_command(name))
        deadline = time.monotonic() + 15
        while len(responses) < len(names) and time.monotonic() < deadline:
            time.sleep(0.01)
        processor.stop()
        written = log.durable_position
        db.close()

    assert len(responses) == len(names)
    assert all(r.record.position <= written for r in responses)  # answered only once acknowledged
    assert written == log.next_position - 1 == 2 * len(names)  # a command and its event each

    # A new node (a follower taking over) rebuilds the same state from the stream alone.
    with JetStreamLog(server.url, partition) as log:
        replica, engine, db = _processor(log, tmp_path / "follower", [])
        assert [engine.count(db, name) for name in "abc"] == [60, 20, 20]
        assert replica.processed_position == written - 1
        db.close()


def test_readers_see_only_acknowledged_batches(log: LogStorage) -> None:
    # The file journal's contract test expects nothing readable before flush; here appends are
    # published at once and may be acknowledged before the reader looks, so what it sees is a
    # prefix of whole acknowledged batches (never a part of one), and everything after flush.
    append_batches(log, [2, 3])
    reader = log.reader()

    early = list(reader)
    assert early in ([], expected(1, 2), expected(1, 5))
    assert log.flush() == 5
    assert early + list(reader) == expected(1, 5)
