"""The StreamProcessor: replay, then process commands one step at a time, as the single log writer.

A *step* takes the next command (the oldest unprocessed command on the log, else the next command
submitted by a client or a scheduled task), lets the engine process it, processes the follow-up
commands it wrote (batch processing, up to a bound), and then:

1. appends every record of the step to the log as one batch (all or nothing);
2. commits every state change of the step, plus the stream's own positions and key counter, as one
   RocksDB write batch;
3. once the log reports the batch durable, sends the responses and runs the side effects.

Commands are processed strictly in log position order, so "the last processed position" is one
number, and after a crash every command after it is processed again. A processor that raises does
not stop the partition: its state changes and records are rolled back and the engine writes a
PROCESSING_ERROR rejection instead.

Replay (at start): events after the snapshot are applied through the same appliers, in order;
commands without follow-up records are collected to be processed once processing starts.
"""

from __future__ import annotations

import logging
import struct
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import msgspec

from strom.db import Database, SnapshotInfo, create_snapshot, prune_snapshots
from strom.db.keys import pack_long
from strom.log import LogReader, LogStorage, PositionCompactedError
from strom.protocol import codec
from strom.protocol.enums import RecordType, RejectionType
from strom.protocol.keys import KEY_BITS, encode_key
from strom.protocol.record import Record
from strom.stream.clock import Clock
from strom.stream.key_generator import KeyGenerator
from strom.stream.result import Response, ResultBuilder, SideEffect
from strom.stream.scheduler import Scheduler

_log = logging.getLogger(__name__)

META_COLUMN_FAMILY = "stream_meta"
STREAM_COLUMN_FAMILIES = (META_COLUMN_FAMILY,)

_APPLIED = b"applied_position"
_PROCESSED = b"processed_position"
_NEXT_KEY = b"next_key"
_INT = struct.Struct(">q")

DEFAULT_MAX_COMMANDS_IN_BATCH = 100
DEFAULT_MAX_BATCH_BYTES = 4 * 1024 * 1024
_REPLAY_COMMIT_EVENTS = 50_000
_REPLAY_COMMIT_BYTES = 32 * 1024 * 1024
"""Replay commits its transaction after this many events, or once the events applied since the last
commit exceed this many bytes on the log (a bound on the memory its pending writes hold): the larger
the transaction, the more of replay's reads the transaction answers itself instead of RocksDB."""

Responder = Callable[[Response], None]


class RecordProcessor(Protocol):
    """What the stream processor drives: the engine implements it."""

    def replay(self, event: Record[Any]) -> None:
        """Apply ``event`` to state with the applier version the record names."""

    def process(self, command: Record[Any], result: ResultBuilder) -> None:
        """Process ``command``: append events (applied at once), follow-ups, a rejection, a response."""

    def on_processing_error(self, error: Exception, command: Record[Any], result: ResultBuilder) -> None:
        """``process`` raised; the command's changes are rolled back. Write what replaces them."""

    def on_recovered(self, context: ProcessingContext) -> None:
        """Replay is over and processing begins: register scheduled tasks, warm caches."""


class ProcessingContext:
    """What the engine may use outside of a command: the clock, scheduler and command submission."""

    def __init__(self, processor: StreamProcessor) -> None:
        self._processor = processor

    @property
    def clock(self) -> Clock:
        return self._processor.clock

    @property
    def scheduler(self) -> Scheduler:
        return self._processor.scheduler

    @property
    def partition_id(self) -> int:
        return self._processor.partition_id

    @property
    def key_generator(self) -> KeyGenerator:
        return self._processor.key_generator

    def write_command(self, command: Record[Any]) -> None:
        """Queue an internal command (e.g. from a scheduled task); it is processed like any other."""
        self._processor.submit(command)

    def read(self) -> ReadScope:
        """A read-only view of committed state for a scheduled task: ``with context.read(): ...``."""
        return ReadScope(self._processor.db)


class ReadScope:
    """Opens a transaction only for reading and always rolls it back."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._opened = False

    def __enter__(self) -> None:
        if self._db.current_transaction is None:
            self._db.transaction()
            self._opened = True

    def __exit__(self, *exc: object) -> None:
        if self._opened:
            txn = self._db.current_transaction
            if txn is not None:
                txn.rollback()


class StreamProcessor:
    """Drives one partition's engine over its log and state; the log's only writer.

    Call :meth:`recover` once, then either drive it synchronously (:meth:`run_until_idle`, used by
    tests and the in-process test engine) or start its thread (:meth:`start`).

    Args:
        group_commit: make batches durable in the background with one fsync per group (the
            default for a broker). When false, every step is flushed before its responses go out.
        max_commands_in_batch: how many commands one step may process (the first plus follow-ups).
        max_batch_bytes: a step stops taking follow-ups once its records exceed this size; a single
            command whose records exceed it is rejected with EXCEEDED_BATCH_RECORD_SIZE.
    """

    def __init__(
        self,
        *,
        log: LogStorage,
        db: Database,
        processor: RecordProcessor,
        clock: Clock,
        partition_id: int = 1,
        responder: Responder | None = None,
        key_generator: KeyGenerator | None = None,
        group_commit: bool = False,
        max_commands_in_batch: int = DEFAULT_MAX_COMMANDS_IN_BATCH,
        max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES,
    ) -> None:
        self.log = log
        self.db = db
        self.clock = clock
        self.partition_id = partition_id
        self.scheduler = Scheduler(clock)
        self.key_generator = key_generator or KeyGenerator(partition_id)
        self._key_limit = encode_key(self.key_generator.partition_id, 0) + (1 << KEY_BITS)
        """The first key past this partition's (the next partition's first)."""
        self._packed_key_limit = pack_long(min(self._key_limit, (1 << 63) - 1))
        self._processor = processor
        self._responder = responder or _drop_response
        self._group_commit = group_commit
        self._max_commands = max(1, max_commands_in_batch)
        self._max_bytes = max_batch_bytes
        self._meta = db.column_family(META_COLUMN_FAMILY)
        self._pending: deque[Record[Any]] = deque()
        self._inbox: deque[Record[Any]] = deque()
        self._awaiting_durability: deque[tuple[int, list[Response], list[SideEffect]]] = deque()
        self._applied_position = 0
        self._processed_position = 0
        self._durable_position = 0
        self._recovered = False
        self._failure: BaseException | None = None
        self._wakeup = threading.Condition()
        self._processing_thread: threading.Thread | None = None
        self._stopping = False
        self._sleeping = False
        self._step_listeners: list[Callable[[], None]] = []
        self._records_listeners: list[Callable[[list[Record[Any]]], None]] = []
        self._durable_listeners: list[Callable[[int], None]] = []

    # -- state -----------------------------------------------------------------------------------

    @property
    def processed_position(self) -> int:
        """Position of the last command processed (every command up to it has been)."""
        return self._processed_position

    @property
    def applied_position(self) -> int:
        """Position of the last record whose effects are in state."""
        return self._applied_position

    @property
    def failure(self) -> BaseException | None:
        """What stopped the partition, if something did (e.g. the disk is full); else ``None``."""
        return self._failure

    def has_work(self) -> bool:
        """Whether a command waits to be processed or a response waits for durability."""
        return bool(self._pending or self._inbox)

    def add_durable_listener(self, listener: Callable[[int], None]) -> None:
        """Call ``listener(position)`` whenever more of the log is durable (from the committer thread)."""
        self._durable_listeners.append(listener)

    def add_records_listener(self, listener: Callable[[list[Record[Any]]], None]) -> None:
        """Call ``listener(records)`` on the processing thread with the records of each committed
        step (appended to the log, not yet durable), before the step listeners."""
        self._records_listeners.append(listener)

    def add_step_listener(self, listener: Callable[[], None]) -> None:
        """Call ``listener`` on the processing thread after each committed step (e.g. to export)."""
        self._step_listeners.append(listener)

    # -- replay ------------------------------------------------------------------------------------

    def recover(self, processing: bool = True) -> int:
        """Replay the log from the state's positions, then switch to processing. Returns events applied.

        With ``processing=False`` (a cluster follower) it only replays: call it again whenever the
        log grew (each call continues from the positions in state), and once with ``True`` to
        switch to processing from there.

        Raises:
            strom.log.LogCorruptionError: the log is damaged before its tail.
            PositionCompactedError: the log no longer holds records the state needs (compacted too
                far; a cluster broker then restores a newer snapshot shared by the leader).
        """
        txn = self.db.transaction()
        applied = _read_int(self._meta.get(_APPLIED), 0)
        processed = _read_int(self._meta.get(_PROCESSED), 0)
        self.key_generator.reset_to(_read_int(self._meta.get(_NEXT_KEY), 1))
        txn.rollback()
        start = processed + 1
        if self.log.first_position > start and self.log.next_position > start:
            raise PositionCompactedError(
                f"the log starts at position {self.log.first_position} but the state needs records "
                f"from position {start}: the log was compacted below the newest snapshot"
            )
        replayed = 0
        pending: deque[Record[Any]] = deque()
        decode = codec.decoder()
        replay = self._processor.replay
        event_type = RecordType.EVENT
        command_type = RecordType.COMMAND
        commit_events = _REPLAY_COMMIT_EVENTS
        commit_bytes = _REPLAY_COMMIT_BYTES
        uncommitted = uncommitted_bytes = 0
        # The key counter is raised past every key this partition made (on events and follow-up
        # commands; a client's command, and so its rejection, carries whatever key the client
        # sent): ``top`` is the highest such key seen, ``top < key < limit`` is KeyGenerator.observe.
        key_generator = self.key_generator
        base = encode_key(key_generator.partition_id, 0)
        limit = self._key_limit
        top = base + key_generator.next_local - 1
        txn = self.db.transaction()
        last_position = applied
        reader = self.log.reader(start) if self.log.next_position > start else None
        try:
            if reader is not None:
                for first, batch in _batches(reader):
                    position = first - 1
                    for data in batch:
                        position += 1
                        record = decode(data)
                        record_type = record.record_type
                        if record_type is command_type:
                            if record.source_record_position >= 0:
                                key = record.key
                                if top < key < limit:
                                    top = key
                            if position > processed:
                                pending.append(record)
                        else:
                            key = record.key
                            source = record.source_record_position
                            if record_type is event_type:
                                if top < key < limit:
                                    top = key
                                if source > processed:
                                    processed = source
                                    while pending and pending[0].position <= processed:
                                        pending.popleft()
                                if position > applied:
                                    replay(record)
                                    replayed += 1
                                    uncommitted += 1
                                    uncommitted_bytes += len(data)
                                    if uncommitted >= commit_events or uncommitted_bytes >= commit_bytes:
                                        txn.commit()
                                        txn = self.db.transaction()
                                        uncommitted = uncommitted_bytes = 0
                            elif source > processed:
                                processed = source
                                while pending and pending[0].position <= processed:
                                    pending.popleft()
                        last_position = position
            key_generator.reset_to(top - base + 1)
            self._meta.put(_APPLIED, _INT.pack(last_position))
            self._meta.put(_PROCESSED, _INT.pack(processed))
            self._meta.put(_NEXT_KEY, _INT.pack(key_generator.next_local))
            txn.commit()
        except BaseException:
            if txn.is_open:
                txn.rollback()
            raise
        finally:
            if reader is not None:
                reader.close()
        self._applied_position = last_position
        self._processed_position = processed
        self._durable_position = self.log.durable_position
        self._pending = pending
        if processing:
            self._recovered = True
            self._processor.on_recovered(ProcessingContext(self))
        return replayed

    # -- input -------------------------------------------------------------------------------------

    def submit(self, command: Record[Any]) -> None:
        """Queue a command (from a client or a scheduled task). Thread-safe."""
        self._inbox.append(command)
        if self._sleeping:
            with self._wakeup:
                self._wakeup.notify()

    # -- processing --------------------------------------------------------------------------------

    def process_step(self) -> bool:
        """Process the next command and its follow-ups as one step; False if there was nothing to do.

        Commands run without savepoints first. If one raises, nothing of the step has left the
        process yet (no record appended, no response sent), so the step is rolled back and run
        again from the same commands with a savepoint per command, where the failing one is
        rolled back alone and rejected.
        """
        if self._failure is not None:
            raise RuntimeError("the partition stopped after a failure") from self._failure
        pending = self._pending
        inbox = self._inbox
        if pending:
            first = pending.popleft()
            from_inbox = False
        elif inbox:
            first = inbox.popleft()
            from_inbox = True
        else:
            return False
        # Follow-ups may be processed now only if no older command waits on the log: commands
        # are processed strictly in position order.
        batch = not pending
        step_start = self.log.next_position
        key_mark = self.key_generator.next_local
        timestamp = self.clock.now_millis()
        roots = [first]
        taken: list[Record[Any]] = []
        try:
            try:
                builder, txn, queue, processed_position = self._run_step(
                    roots, from_inbox, batch, timestamp, careful=False, taken=taken
                )
            except _Retry:
                # Undo what the fast run did to the pending commands: drop the follow-ups it
                # wrote, give back the older commands it took.
                while pending and pending[-1].position >= step_start:
                    pending.pop()
                pending.extendleft(reversed(taken))
                taken.clear()
                self.key_generator.reset_to(key_mark)
                builder, txn, queue, processed_position = self._run_step(
                    roots, from_inbox, batch, timestamp, careful=True, taken=taken
                )
            try:
                # What the step had no room for goes first: the commands it left in its queue
                # were written before any still pending (with nothing pending before a batch step).
                pending.extendleft(reversed(queue))
                if pending and inbox:
                    # Let waiting client commands onto the log now, so a long chain of follow-ups
                    # cannot starve them: they are processed in log order with the rest.
                    for _ in range(len(inbox)):
                        pending.append(builder.write(inbox.popleft()))
                records = builder.encoded
                last_position = builder.next_position - 1
                meta = self._meta
                meta.put(_PROCESSED, _INT.pack(processed_position))
                meta.put(_NEXT_KEY, _INT.pack(self.key_generator.next_local))
                if records:
                    meta.put(_APPLIED, _INT.pack(last_position))
                    self.log.append(records)
                txn.commit()
            except BaseException:
                if txn.is_open:
                    txn.rollback()
                raise
        except BaseException as error:
            self._failure = error
            _log.critical(
                "partition %d stopped: a step could not be written", self.partition_id, exc_info=error
            )
            raise
        self._processed_position = processed_position
        if records:
            self._applied_position = last_position
        if builder.responses or builder.side_effects:
            self._awaiting_durability.append((last_position, builder.responses, builder.side_effects))
        if not self._group_commit:
            self._durable_position = durable = self.log.flush()
            self._deliver_durable()
            for durable_listener in self._durable_listeners:
                durable_listener(durable)
        if records:
            for records_listener in self._records_listeners:
                records_listener(builder.records)
        for listener in self._step_listeners:
            listener()
        return True

    def _run_step(
        self,
        roots: list[Record[Any]],
        first_from_inbox: bool,
        batch: bool,
        timestamp: int,
        careful: bool,
        taken: list[Record[Any]],
    ) -> tuple[ResultBuilder, Any, deque[Record[Any]], int]:
        """Process ``roots[0]`` and its follow-ups, then further commands: client commands from
        the inbox when ``batch`` (nothing older waits), else the commands waiting on the log.

        Further commands taken from the inbox are recorded in ``roots``, so a careful run after a
        fast one processes the same commands first (and gives back any the step has no room for).
        Commands taken from the log's pending ones that were there before the step are recorded in
        ``taken`` (a failed fast run gives them back). Raises ``_Retry`` in fast mode when a command
        raised; the transaction is then rolled back.
        """
        pending = self._pending
        inbox = self._inbox
        step_start = self.log.next_position
        builder = ResultBuilder(step_start, self.partition_id, timestamp)
        txn = self.db.transaction()
        keys = self.key_generator
        # Keys the generator hands out from here on are new: no stored state is keyed by them.
        txn.new_keys(pack_long(encode_key(keys.partition_id, keys.next_local)), self._packed_key_limit)
        try:
            first = roots[0]
            if first_from_inbox:
                first = builder.write(first)
            processed_position = self._processed_position
            queue: deque[Record[Any]] = deque((first,))
            count = 0
            next_root = 1
            max_commands = self._max_commands
            max_bytes = self._max_bytes
            process = self._process_command if careful else self._process_command_fast
            full = False
            while True:
                while queue:
                    if count and (count >= max_commands or builder.size >= max_bytes):
                        break
                    command = queue.popleft()
                    if not process(command, builder, txn, count == 0):
                        queue.appendleft(command)  # it may fit a step of its own: the next one
                        full = True
                        break
                    count += 1
                    processed_position = command.position
                    follow_ups = builder.take_follow_ups()
                    if follow_ups:
                        if batch:
                            queue.extend(follow_ups)
                        else:
                            pending.extend(follow_ups)
                if full or queue or count >= max_commands or builder.size >= max_bytes:
                    break
                if not batch:
                    # Commands wait on the log (under load there always are: each step's
                    # follow-ups join them): the step goes on with them, strictly in log order,
                    # so one log batch and one write batch carry several commands here too.
                    if not pending:
                        break
                    command = pending.popleft()
                    if command.position < step_start:
                        taken.append(command)
                    queue.append(command)
                    continue
                # With nothing older waiting, further client commands join the step: one log batch
                # and one write batch for several commands, each still whole in both.
                if next_root < len(roots):
                    root = roots[next_root]
                elif inbox:
                    root = inbox.popleft()
                    roots.append(root)
                else:
                    break
                next_root += 1
                queue.append(builder.write(root))
            for index in range(len(roots) - 1, next_root - 1, -1):
                inbox.appendleft(roots[index])
            return builder, txn, queue, processed_position
        except BaseException:
            txn.rollback()
            raise

    def _process_command_fast(
        self, command: Record[Any], builder: ResultBuilder, txn: Any, alone: bool
    ) -> bool:
        builder.begin(command)
        try:
            self._processor.process(command, builder)
        except Exception as error:  # the step is run again carefully, see process_step
            raise _Retry from error
        if builder.size > self._max_bytes:
            raise _Retry
        builder.end()
        return True

    def _process_command(self, command: Record[Any], builder: ResultBuilder, txn: Any, alone: bool) -> bool:
        """Process ``command`` with a savepoint: a failure rejects it alone. False when its records
        do not fit in what the step has left but the step holds other commands (``alone`` false):
        it is rolled back, to start the next step, where it may fit."""
        savepoint = txn.savepoint()
        mark = builder.mark()
        next_key = self.key_generator.next_local
        builder.begin(command)
        try:
            self._processor.process(command, builder)
            if builder.size > self._max_bytes:
                raise _BatchTooLarge(builder.size)
        except Exception as error:  # the command boundary: reject instead of stopping the partition
            txn.rollback_to(savepoint)
            builder.reset_to(mark)
            self.key_generator.reset_to(next_key)
            if isinstance(error, _BatchTooLarge) and not alone:
                txn.release(savepoint)
                return False
            builder.begin(command)
            if isinstance(error, _BatchTooLarge):
                # The rejection leaves out the command's value, which is what made the step too
                # large: with it the command and its rejection might not fit one batch either.
                self._reject(
                    msgspec.structs.replace(command, value=type(command.value)()),
                    builder,
                    RejectionType.EXCEEDED_BATCH_RECORD_SIZE,
                    f"Expected to process command, but the records it produces "
                    f"({error.size} bytes) exceed the maximum batch size of {self._max_bytes} "
                    f"bytes",
                )
            else:
                _log.warning(
                    "processing %s failed; the command is rejected", _describe(command), exc_info=error
                )
                self._on_error(error, command, builder, txn)
        else:
            txn.release(savepoint)
        builder.end()
        return True

    def _on_error(self, error: Exception, command: Record[Any], builder: ResultBuilder, txn: Any) -> None:
        savepoint = txn.savepoint()
        mark = builder.mark()
        try:
            self._processor.on_processing_error(error, command, builder)
        except Exception as second:  # the engine's own error handling failed: reject plainly
            _log.error("handling the failure of %s failed too", _describe(command), exc_info=second)
            txn.rollback_to(savepoint)
            builder.reset_to(mark)
            builder.begin(command)
            self._reject(
                command,
                builder,
                RejectionType.PROCESSING_ERROR,
                f"Expected to process command, but an unexpected error occurred: {error}",
            )
        else:
            txn.release(savepoint)

    @staticmethod
    def _reject(
        command: Record[Any], builder: ResultBuilder, rejection_type: RejectionType, reason: str
    ) -> None:
        rejection = builder.append_rejection(command, rejection_type, reason)
        builder.respond(rejection)

    # -- durability, responses, side effects ----------------------------------------------------

    def on_durable(self, position: int) -> None:
        """The log made everything up to ``position`` durable (called from the committer thread)."""
        self._durable_position = position
        if self._sleeping:
            with self._wakeup:
                self._wakeup.notify()
        for listener in self._durable_listeners:
            listener(position)

    def deliver_durable(self) -> None:
        """Send the responses and run the side effects of every step that is durable by now.

        For a caller that drives steps itself (e.g. from an asyncio event loop) with group commit;
        call it on the thread that processes, after ``on_durable`` reported progress.
        """
        self._deliver_durable()

    def _deliver_durable(self) -> None:
        durable = self._durable_position
        awaiting = self._awaiting_durability
        while awaiting and awaiting[0][0] <= durable:
            _, responses, side_effects = awaiting.popleft()
            for response in responses:
                try:
                    self._responder(response)
                except Exception:  # a broken client connection must not stop the partition
                    _log.exception("sending a response failed")
            for effect in side_effects:
                try:
                    effect()
                except Exception:  # side effects may be lost by design; log and go on
                    _log.exception("a side effect failed")

    # -- synchronous driving ---------------------------------------------------------------------

    def run_until_idle(self, max_steps: int = 1_000_000) -> int:
        """Process, run due scheduled tasks and deliver responses until nothing is left to do.

        Returns the number of steps taken. Used by tests and the in-process test engine; a broker
        uses :meth:`start` instead.
        """
        steps = 0
        while steps < max_steps:
            self.scheduler.run_due()
            if not self.process_step():
                self._deliver_durable()
                if not self._inbox and not self._pending:
                    break
                continue
            steps += 1
        return steps

    # -- threaded driving ------------------------------------------------------------------------

    def start(self, name: str | None = None) -> None:
        """Run the processing loop in a thread, with background group commit if enabled."""
        if self._processing_thread is not None:
            return
        if self._group_commit:
            self.log.start_group_commit(self.on_durable)
        self._stopping = False
        self._processing_thread = threading.Thread(
            target=self._loop, name=name or f"partition-{self.partition_id}", daemon=True
        )
        self._processing_thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Finish the current step, flush the log, deliver what is durable, and stop the thread."""
        thread = self._processing_thread
        if thread is None:
            return
        with self._wakeup:
            self._stopping = True
            self._wakeup.notify()
        thread.join(timeout)
        self._processing_thread = None
        if self._group_commit:
            self.log.stop_group_commit()
        self._durable_position = self.log.flush()
        self._deliver_durable()

    def call_soon(self, task: Callable[[], None]) -> None:
        """Run ``task`` on the processing thread between steps (e.g. to take a snapshot)."""
        self.scheduler.schedule_after(0, task)
        if self._processing_thread is not None:
            with self._wakeup:
                self._wakeup.notify()

    def _loop(self) -> None:
        wakeup = self._wakeup
        while not self._stopping:
            try:
                self.scheduler.run_due()
                worked = False
                for _ in range(16):
                    if not self.process_step():
                        break
                    worked = True
                self._deliver_durable()
            except BaseException:
                _log.critical("partition %d processing loop stopped", self.partition_id, exc_info=True)
                return
            if worked:
                continue
            with wakeup:
                # Announce the sleep before the last look at the queues: a submitter that appends
                # after that look sees the flag and wakes us (and only then pays for the lock).
                self._sleeping = True
                try:
                    self._sleep(wakeup)
                finally:
                    self._sleeping = False

    def _sleep(self, wakeup: threading.Condition) -> None:
        """Wait for work (called holding ``wakeup``): not at all if some is there already."""
        if self._stopping or self._inbox or self._pending:
            return
        if self._awaiting_durability and self._awaiting_durability[0][0] <= self._durable_position:
            return
        next_due = self.scheduler.next_due()
        timeout = 0.5
        if next_due is not None:
            timeout = min(timeout, max(0.0, (next_due - self.clock.now_millis()) / 1000))
        if timeout > 0:
            wakeup.wait(timeout)

    # -- snapshots ---------------------------------------------------------------------------------

    def take_snapshot(
        self, snapshots_dir: Path, extra_metadata: dict[str, Any] | None = None, keep: int = 2
    ) -> SnapshotInfo:
        """Snapshot the state between steps; only durable records may be in it.

        The metadata names where replay must start (``processed_position + 1``) and which events
        are already in the state (``applied_position``): the log may be compacted below the first.
        Must be called on the processing thread (use :meth:`call_soon` from elsewhere).
        """
        self._durable_position = self.log.flush()
        metadata: dict[str, Any] = {
            "partition_id": self.partition_id,
            "applied_position": self._applied_position,
            "processed_position": self._processed_position,
            "next_key": self.key_generator.next_local,
        }
        if extra_metadata:
            metadata.update(extra_metadata)
        info = create_snapshot(self.db, snapshots_dir, metadata)
        prune_snapshots(snapshots_dir, keep=keep)
        return info

    @property
    def replay_start_position(self) -> int:
        """The first log position a restart from the current state would need."""
        return self._processed_position + 1


class _Retry(Exception):
    """A command raised while its step ran without savepoints: run the step again carefully."""


class _BatchTooLarge(Exception):
    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


def _batches(reader: LogReader) -> Iterator[tuple[int, list[bytes]]]:
    """``(position of the first, records)`` per batch of ``reader``: the file journal's reader
    hands them out whole (``read_batches``), another reader's records come as batches of one."""
    read_batches = getattr(reader, "read_batches", None)
    if read_batches is not None:
        batches: Iterator[tuple[int, list[bytes]]] = read_batches()
        return batches
    return ((position, [data]) for position, data in reader.read_available())


def _read_int(raw: bytes | None, default: int) -> int:
    return default if raw is None else int(_INT.unpack(raw)[0])


def _drop_response(response: Response) -> None:
    return None


def _describe(record: Record[Any]) -> str:
    from strom.protocol.intents import intent_name

    return (
        f"{record.value_type.name} {intent_name(record.value_type, record.intent)} "
        f"at position {record.position} (key {record.key})"
    )


def decode_all(entries: Iterable[tuple[int, bytes]]) -> list[Record[Any]]:
    """Decode ``(position, bytes)`` pairs from a log reader (for tools and tests)."""
    return [codec.decode(data) for _, data in entries]
