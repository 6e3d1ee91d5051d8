"""The stream processor: atomic steps, rollback of a failing command, batch bounds, replay."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import msgspec
import pytest

from strom.db import Database
from strom.db.keys import pack_long
from strom.log import FileJournal
from strom.protocol import codec
from strom.protocol.enums import RecordType, RejectionType
from strom.protocol.intents import VariableIntent
from strom.protocol.keys import encode_key
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.variable import VariableRecordValue
from strom.stream import processor as processor_module
from strom.stream.clock import ControlledClock
from strom.stream.key_generator import KeyGenerator
from strom.stream.processor import STREAM_COLUMN_FAMILIES, ProcessingContext, StreamProcessor
from strom.stream.result import Response, ResultBuilder

_VariableRecord = RECORD_CLASS_FOR_VALUE[VariableRecordValue]


def _command(name: str, value: str = "1") -> Record[Any]:
    return _VariableRecord(
        record_type=RecordType.COMMAND,
        intent=VariableIntent.CREATED,
        value=VariableRecordValue(name=name, value=value),
        request_id=1,
    )


class CountingEngine:
    """A tiny record processor: a command named 'chain-N' writes an event and a follow-up
    'chain-(N-1)'; 'boom' writes an event and raises; 'huge' writes a big event."""

    def __init__(self, db: Database) -> None:
        self.state = db.column_family("counts")
        self.replayed: list[str] = []
        self.errors: list[str] = []

    def replay(self, event: Record[Any]) -> None:
        self._apply(event)
        self.replayed.append(event.value.name)

    def _apply(self, event: Record[Any]) -> None:
        key = event.value.name.encode()
        self.state.put(key, str(int(self.state.get(key) or b"0") + 1).encode())

    def process(self, command: Record[Any], result: ResultBuilder) -> None:
        name = command.value.name
        event = result.append_event(command.key, VariableIntent.UPDATED, command.value)
        self._apply(event)
        if name == "boom":
            raise RuntimeError("broken processor")
        if name == "huge":
            result.append_event(
                command.key, VariableIntent.UPDATED, VariableRecordValue(name="huge", value="x" * 5000)
            )
        if name.startswith("chain-"):
            remaining = int(name.split("-")[1])
            if remaining > 0:
                result.append_command(
                    command.key, VariableIntent.CREATED, VariableRecordValue(name=f"chain-{remaining - 1}")
                )
        result.respond(event)

    def on_processing_error(self, error: Exception, command: Record[Any], result: ResultBuilder) -> None:
        self.errors.append(str(error))
        result.respond(result.append_rejection(command, RejectionType.PROCESSING_ERROR, str(error)))

    def on_recovered(self, context: ProcessingContext) -> None:
        return None


class Harness:
    def __init__(self, directory: Path, **options: Any) -> None:
        self.directory = directory
        self.options = options
        self.responses: list[Response] = []
        self.open()

    def open(self) -> None:
        self.log = FileJournal(self.directory / "log")
        self.db = Database(self.directory / "db", [*STREAM_COLUMN_FAMILIES, "counts"])
        self.engine = CountingEngine(self.db)
        self.processor = StreamProcessor(
            log=self.log,
            db=self.db,
            processor=self.engine,
            clock=ControlledClock(),
            responder=self.responses.append,
            **self.options,
        )
        self.replayed = self.processor.recover()

    def close(self) -> None:
        self.log.close()
        self.db.close()

    def count(self, name: str) -> int:
        txn = self.db.transaction()
        try:
            return int(self.engine.state.get(name.encode()) or b"0")
        finally:
            txn.rollback()

    def records(self) -> list[Record[Any]]:
        with self.log.reader(1) as reader:
            return [codec.decode(data) for _, data in reader]


def test_a_command_and_its_results_are_one_batch_with_source_positions(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    harness.processor.submit(_command("a"))

    harness.processor.run_until_idle()

    command, event = harness.records()
    assert (command.position, command.record_type) == (1, RecordType.COMMAND)
    assert (event.position, event.source_record_position) == (2, 1)
    assert harness.count("a") == 1
    assert harness.responses[0].record.position == 2


def test_a_failing_command_is_rolled_back_and_rejected_while_processing_goes_on(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    harness.processor.submit(_command("boom"))
    harness.processor.submit(_command("after"))

    harness.processor.run_until_idle()

    assert harness.count("boom") == 0
    assert harness.count("after") == 1
    rejection = harness.records()[1]
    assert rejection.rejection_type is RejectionType.PROCESSING_ERROR
    assert harness.engine.errors == ["broken processor"]
    assert [r.record.record_type for r in harness.responses] == [
        RecordType.COMMAND_REJECTION,
        RecordType.EVENT,
    ]


def test_follow_up_commands_are_processed_in_the_same_step_up_to_the_bound(tmp_path: Path) -> None:
    harness = Harness(tmp_path, max_commands_in_batch=3)
    harness.processor.submit(_command("chain-5"))

    steps = harness.processor.run_until_idle()

    assert steps == 2
    assert [harness.count(f"chain-{n}") for n in range(6)] == [1] * 6


def test_a_command_producing_more_than_the_batch_limit_is_rejected(tmp_path: Path) -> None:
    harness = Harness(tmp_path, max_batch_bytes=2000)
    harness.processor.submit(_command("huge"))

    harness.processor.run_until_idle()

    rejection = harness.records()[-1]
    assert rejection.rejection_type is RejectionType.EXCEEDED_BATCH_RECORD_SIZE
    assert harness.count("huge") == 0


def test_a_big_command_producing_too_much_is_rejected_in_a_batch_that_still_fits(tmp_path: Path) -> None:
    # Given a command of 1,200 bytes in a log whose batches hold 2,000 (the command and a rejection
    # carrying its value again would not fit)
    harness = Harness(tmp_path, max_batch_bytes=2000)
    harness.processor.submit(_command("huge", "x" * 1200))

    harness.processor.run_until_idle()

    # Then it is rejected, and the rejection leaves the value out
    command, rejection = harness.records()[-2:]
    assert command.value.value == "x" * 1200
    assert rejection.rejection_type is RejectionType.EXCEEDED_BATCH_RECORD_SIZE
    assert rejection.value.value == "" and rejection.key == command.key
    assert harness.count("huge") == 0


def test_replay_rebuilds_state_and_does_not_process_commands_again(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    for name in ("a", "b", "chain-2"):
        harness.processor.submit(_command(name))
    harness.processor.run_until_idle()
    harness.close()

    restarted = Harness(tmp_path)

    assert restarted.replayed == 0  # the runtime db was kept: nothing after its positions
    assert restarted.processor.run_until_idle() == 0
    assert [restarted.count(n) for n in ("a", "b", "chain-0")] == [1, 1, 1]


def test_replay_into_an_empty_state_applies_every_event(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    for name in ("a", "b", "chain-2"):
        harness.processor.submit(_command(name))
    harness.processor.run_until_idle()
    harness.close()

    shutil.rmtree(tmp_path / "db")

    restarted = Harness(tmp_path)

    assert sorted(restarted.engine.replayed) == ["a", "b", "chain-0", "chain-1", "chain-2"]
    assert restarted.processor.run_until_idle() == 0
    assert [restarted.count(n) for n in ("a", "b", "chain-0")] == [1, 1, 1]


@pytest.mark.parametrize(("events", "size"), [(2, 1 << 30), (1 << 30, 200)])
def test_replay_in_several_transactions_gives_the_state_processing_gave(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, events: int, size: int
) -> None:
    # each event's applier reads the count the one before it wrote: across a commit, from RocksDB
    harness = Harness(tmp_path)
    for _ in range(7):
        harness.processor.submit(_command("a"))
    harness.processor.submit(_command("chain-4"))
    harness.processor.run_until_idle()
    harness.close()
    shutil.rmtree(tmp_path / "db")
    monkeypatch.setattr(processor_module, "_REPLAY_COMMIT_EVENTS", events)
    monkeypatch.setattr(processor_module, "_REPLAY_COMMIT_BYTES", size)

    restarted = Harness(tmp_path)

    assert restarted.replayed == 12
    assert [restarted.count(n) for n in ("a", "chain-4", "chain-0")] == [7, 1, 1]
    assert restarted.processor.applied_position == len(restarted.records())
    assert restarted.processor.run_until_idle() == 0


def test_replay_raises_the_key_counter_past_this_partitions_keys_only(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    own, foreign = encode_key(1, 900), encode_key(2, 5000)
    for key in (own, foreign):
        harness.processor.submit(msgspec.structs.replace(_command(f"k{key}"), key=key))
    harness.processor.run_until_idle()
    harness.close()
    shutil.rmtree(tmp_path / "db")

    restarted = Harness(tmp_path)

    assert restarted.processor.key_generator.next_key() == encode_key(1, 901)


def test_a_command_on_the_log_without_results_is_processed_after_restart(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    harness.log.append(
        [
            codec.encode(
                _command("written-before-crash").__class__(
                    position=1,
                    record_type=RecordType.COMMAND,
                    intent=VariableIntent.CREATED,
                    value=VariableRecordValue(name="written-before-crash"),
                )
            )
        ]
    )
    harness.log.flush()
    harness.close()

    restarted = Harness(tmp_path)
    restarted.processor.run_until_idle()

    assert restarted.count("written-before-crash") == 1
    assert restarted.records()[-1].source_record_position == 1


def _on_the_log(harness: Harness, names: list[str], value: str = "1") -> None:
    """Commands appended to the log without being processed (as a crash right after leaves them)."""
    position = harness.log.next_position
    harness.log.append(
        [
            codec.encode(
                _command(name).__class__(
                    position=position + offset,
                    record_type=RecordType.COMMAND,
                    intent=VariableIntent.CREATED,
                    value=VariableRecordValue(name=name, value=value),
                )
            )
            for offset, name in enumerate(names)
        ]
    )
    harness.log.flush()


def test_commands_waiting_on_the_log_share_a_step_in_log_order(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    _on_the_log(harness, ["chain-1", "b", "c"])
    harness.close()
    restarted = Harness(tmp_path)

    steps = restarted.processor.run_until_idle()

    # Before, each waiting command (and each follow-up written meanwhile) took a step of its own.
    assert steps == 1
    events = [r for r in restarted.records() if r.record_type is RecordType.EVENT]
    processed = [(event.source_record_position, event.value.name) for event in events]
    # chain-1's follow-up chain-0 (position 5, after its event) is written after the waiting
    # commands, so it is processed last.
    assert processed == [(1, "chain-1"), (2, "b"), (3, "c"), (5, "chain-0")]
    assert restarted.processor.processed_position == 5


def test_a_failing_command_among_those_waiting_on_the_log_is_rejected_alone(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    _on_the_log(harness, ["a", "chain-1", "boom", "c"])
    harness.close()
    restarted = Harness(tmp_path)

    restarted.processor.run_until_idle()

    assert [restarted.count(n) for n in ("a", "chain-1", "boom", "c", "chain-0")] == [1, 1, 0, 1, 1]
    results = [
        (r.record_type, r.source_record_position, r.value.name)
        for r in restarted.records()
        if r.record_type is not RecordType.COMMAND
    ]
    assert results == [
        (RecordType.EVENT, 1, "a"),
        (RecordType.EVENT, 2, "chain-1"),
        (RecordType.COMMAND_REJECTION, 3, "boom"),
        (RecordType.EVENT, 4, "c"),
        (RecordType.EVENT, 7, "chain-0"),
    ]
    assert restarted.engine.errors == ["broken processor"]


def test_a_waiting_command_without_room_left_in_the_step_starts_the_next_one(tmp_path: Path) -> None:
    # Given three commands on the log whose events take 600+ bytes each, in batches of 2,000
    harness = Harness(tmp_path, max_batch_bytes=2000)
    _on_the_log(harness, ["a", "b", "c"], value="x" * 600)
    harness.close()
    restarted = Harness(tmp_path, max_batch_bytes=2000)

    steps = restarted.processor.run_until_idle()

    # Then the third, which fits alone but not after the other two, is processed in a step of its
    # own instead of being rejected as too large
    assert steps == 2
    assert [restarted.count(n) for n in "abc"] == [1, 1, 1]
    assert [r.record_type for r in restarted.records()[3:]] == [RecordType.EVENT] * 3


def test_keys_continue_after_restart(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    first = harness.processor.key_generator.next_key()
    harness.processor.submit(_command("a"))
    harness.processor.run_until_idle()
    harness.close()

    restarted = Harness(tmp_path)

    assert restarted.processor.key_generator.next_key() > first


@pytest.mark.parametrize("count", [1, 50])
def test_snapshots_let_replay_start_after_their_position(tmp_path: Path, count: int) -> None:
    harness = Harness(tmp_path)
    for index in range(count):
        harness.processor.submit(_command(f"n{index}"))
    harness.processor.run_until_idle()
    info = harness.processor.take_snapshot(tmp_path / "snapshots")

    assert info.metadata["processed_position"] == harness.processor.processed_position
    assert info.metadata["applied_position"] == 2 * count


def test_a_failing_command_in_the_middle_of_a_step_is_rejected_alone(tmp_path: Path) -> None:
    harness = Harness(tmp_path)
    for name in ("before", "boom", "after"):
        harness.processor.submit(_command(name))

    steps = harness.processor.run_until_idle()

    assert steps == 1  # the three client commands shared one step
    assert [harness.count(n) for n in ("before", "boom", "after")] == [1, 0, 1]
    kinds = [(r.record_type, r.value.name) for r in harness.records()]
    assert kinds == [
        (RecordType.COMMAND, "before"),
        (RecordType.EVENT, "before"),
        (RecordType.COMMAND, "boom"),
        (RecordType.COMMAND_REJECTION, "boom"),
        (RecordType.COMMAND, "after"),
        (RecordType.EVENT, "after"),
    ]
    assert [r.record.record_type for r in harness.responses] == [
        RecordType.EVENT,
        RecordType.COMMAND_REJECTION,
        RecordType.EVENT,
    ]


def test_a_failing_follow_up_keeps_the_effects_of_the_command_that_wrote_it(tmp_path: Path) -> None:
    class BoomAtTheEnd(CountingEngine):
        def process(self, command: Record[Any], result: ResultBuilder) -> None:
            if command.value.name == "chain-0":
                command = command.__class__(
                    **{**msgspec.structs.asdict(command), "value": VariableRecordValue(name="boom")}
                )
            super().process(command, result)

    harness = Harness(tmp_path)
    harness.engine = BoomAtTheEnd(harness.db)
    harness.processor._processor = harness.engine
    harness.processor.submit(_command("chain-2"))

    harness.processor.run_until_idle()

    assert [harness.count(f"chain-{n}") for n in (2, 1)] == [1, 1]
    assert harness.count("boom") == 0
    assert harness.records()[-1].rejection_type is RejectionType.PROCESSING_ERROR
    assert harness.processor.key_generator.next_local >= 1


class KeyReadingEngine(CountingEngine):
    """Reads, while processing, what is stored under an older key and under the key it makes."""

    def __init__(self, db: Database, keys: KeyGenerator) -> None:
        super().__init__(db)
        self.entities = db.column_family("entities").keyed_by_entity()
        self.keys: KeyGenerator = keys
        self.seen: list[tuple[bytes | None, bytes | None]] = []

    def process(self, command: Record[Any], result: ResultBuilder) -> None:
        made = self.keys.next_key()
        self.seen.append((self.entities.get(pack_long(encode_key(1, 1))), self.entities.get(pack_long(made))))
        super().process(command, result)


def test_a_step_reads_keys_its_generator_hands_out_as_absent_without_asking_rocksdb(tmp_path: Path) -> None:
    """The keys a step makes are new: nothing is stored under them, so reads of them in a column
    family keyed by entity skip RocksDB. To see that it is not asked, a value is stored under the
    next key beforehand (what never happens in a partition)."""
    db = Database(tmp_path / "db", [*STREAM_COLUMN_FAMILIES, "counts", "entities"])
    keys = KeyGenerator(1)
    engine = KeyReadingEngine(db, keys)
    processor = StreamProcessor(
        log=FileJournal(tmp_path / "log"),
        db=db,
        processor=engine,
        clock=ControlledClock(),
        key_generator=keys,
    )
    processor.recover()
    assert processor.key_generator.next_key() == encode_key(1, 1)  # made before the step
    with db.transaction() as txn:
        txn.put("entities", pack_long(encode_key(1, 1)), b"older")
        txn.put("entities", pack_long(encode_key(1, 2)), b"not new")

    processor.submit(_command("a"))
    processor.run_until_idle()

    assert engine.seen == [(b"older", None)]
    with db.transaction():  # outside a step the stored value is read as always
        assert engine.entities.get(pack_long(encode_key(1, 2))) == b"not new"
    db.close()
