"""``JetStreamLog``: a partition's log as one NATS JetStream stream (the cluster log, ARCHITECTURE §11).

One JetStream **message per batch** on subject ``strom.partition.<id>.log`` of stream
``strom-partition-<id>`` (file storage, ``num_replicas`` 1 by default, 3 in a cluster). The payload
is the file journal's batch frame (``_batch``: magic, crc32c, length, first position, record count,
record lengths, records), so a reader verifies the checksum and that the first position is the one
it expects. Stream sequence and record position differ: the log keeps a list of every batch's first
position since it was opened (sequences are consecutive, the stream is only ever purged from the
front) and finds older batches by a binary search over stream sequences.

**Single writer, fenced.** Every publish carries ``Nats-Expected-Last-Sequence`` = the stream
sequence of the previous batch: a second writer (a deposed leader that has not noticed) is refused
by the server and its log fails with ``WriterFencedError`` (a ``LogFailedError``); it never
interleaves. ``Nats-Msg-Id`` is ``<partition>-<first position>-<writer token>``, the token being
random per opened log. The server checks the expected sequence *before* its duplicate window, so a
retried publish of a batch that was in fact stored is refused as "wrong last sequence"; the log
then reads the message at the batch's sequence and accepts it if its ``Nats-Msg-Id`` is its own.
The writer token matters there: without it a deposed writer retrying position *p* could take the
new leader's batch at *p* for its own and acknowledge records that are not in the log.

**Threads.** nats-py is asyncio; the log runs a private event loop in its own thread. ``append``
frames the batch and queues it (never touches the network); the loop publishes queued batches
pipelined (up to ``max_in_flight`` unacknowledged), with the expected sequences predicted, and
processes acknowledgements strictly in order. An acknowledgement that does not come within
``ack_timeout_s`` (server killed, leader election) is resolved by looking at the stream and
republishing, until ``publish_timeout_s`` has passed; then the log fails. ``flush`` waits until
everything appended is acknowledged. Group commit uses the same ``GroupCommitter`` thread as the
file journal: its "sync" waits for the acknowledgements of everything appended so far, then it calls
``on_durable`` from the committer thread (never from the loop thread, never from ``append``).
Readers call into the loop from their own thread.

**Batches larger than a message** are refused with ``BatchTooLargeError`` (nothing appended), as in
the file journal: ``max_batch_size`` is the server's ``max_payload`` (or the stream's
``max_msg_size`` if smaller) minus ``HEADER_RESERVE`` bytes for the headers, checked when the log
opens. Splitting a batch into several messages would need readers to reassemble parts and the
recovery to drop a torn group; the stream processor already bounds a step's records
(``max_batch_bytes``), so it should be given ``min(max_batch_bytes, log.max_batch_size)``.

**Durability.** "Durable" here means acknowledged by JetStream: stored by the stream leader and, for
R3, by a quorum of replicas. That survives a server crash only if the servers sync to disk before
acknowledging: a cluster **must** run with ``jetstream { sync_interval: always }`` — with the default
(fsync every 2 minutes) Jepsen (2025) saw acknowledged writes lost after crashes of several nodes.
The tests run single servers and a 3-node cluster with the default interval (they crash processes,
not machines: the page cache survives a SIGKILL); ``benchmarks/jetstream_log.py`` measures both.

**Compaction** purges the stream below the batch holding ``below_position`` (a purge with ``seq``);
the last durable batch is always kept, because reopening learns ``next_position`` from it.

``import nats`` happens only here: the embedded default (the file journal) never imports it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import logging
import secrets
import threading
from array import array
from bisect import bisect_right
from collections import OrderedDict, deque
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import api as js_api
from nats.js.errors import NotFoundError

from strom.log import _batch
from strom.log._committer import GroupCommitter
from strom.log.errors import (
    BatchTooLargeError,
    LogClosedError,
    LogCorruptionError,
    LogFailedError,
    PositionCompactedError,
)
from strom.log.nats_connection import NatsUnreachableError, connect, stream_info_patiently

_log = logging.getLogger(__name__)

_T = TypeVar("_T")

HEADER_RESERVE = 512
"""Bytes of a message's size limit kept for its headers (ours need about 100)."""
WRONG_LAST_SEQUENCE = 10071
"""JetStream's error code for a publish whose ``Nats-Expected-Last-Sequence`` does not match."""
FENCE_HEADER = "Strom-Fence"
"""Header of a fence message (empty payload): the position the log continues at."""
MIN_MESSAGE_SIZE = 4096
_READ_AHEAD = 64
"""Batches a reader requests at once (concurrently, from the loop)."""
_PROBE_RETRY_S = 0.2
_OPEN_COMPACTED_RETRIES = 5
"""Opening reads the stream's first batch; compacted meanwhile, it asks again this often."""
RECENT_BYTES = 16 * 1024 * 1024
"""Bytes of recently stored batches a log keeps for its readers."""


def stream_name(partition_id: int) -> str:
    """The JetStream stream holding partition ``partition_id``'s log."""
    return f"strom-partition-{partition_id}"


def subject_name(partition_id: int) -> str:
    """The subject the partition's batches are published on."""
    return f"strom.partition.{partition_id}.log"


class WriterFencedError(LogFailedError):
    """Another writer appended to the stream: this log's writer was deposed (or never was the leader).

    Raised by ``append``/``flush``/``stop_group_commit`` once the server refused a batch because the
    stream's last sequence was not the one this writer expected, and a different writer's batch
    stands at that sequence. Nothing of this writer's was interleaved; batches it had appended but
    not seen acknowledged are not in the log. Stop processing, close the log, and follow the stream.
    """


@dataclass(slots=True)
class _Batch:
    first: int
    count: int
    seq: int
    frame: bytes
    msg_id: str
    attempt: int = 0

    @property
    def last(self) -> int:
        return self.first + self.count - 1


@dataclass(slots=True)
class _Reply:
    """A publish acknowledgement (``seq``) or error (``err_code``, ``description``) from the server."""

    seq: int | None = None
    err_code: int | None = None
    code: int | None = None
    description: str = ""


class JetStreamLog:
    """A partition's log on one JetStream stream; implements ``LogStorage``.

    Opening connects, creates the stream if it does not exist (or opens it), checks the largest
    message the server takes, and recovers: the last message gives ``next_position``, the first one
    ``first_position``; everything in the stream counts as durable.

    Args:
        servers: NATS URL(s), e.g. ``"nats://127.0.0.1:4222"``; several for a cluster.
        partition_id: names the stream (``strom-partition-<id>``) and subject.
        num_replicas: replicas of a newly created stream (1; 3 in a cluster). An existing stream
            keeps its own (a mismatch is logged).
        ack_timeout_s: how long one publish waits for its acknowledgement before the log looks at
            the stream and republishes.
        publish_timeout_s: how long a batch may stay unacknowledged, retries included, before the
            log fails.
        max_in_flight: batches published but not yet acknowledged, at most.
        duplicate_window_s: JetStream's duplicate window of a newly created stream.
        connect_timeout_s: for connecting and for opening the stream.

    Raises:
        LogFailedError: the server could not be reached or the stream could not be opened.
        LogCorruptionError: the stream holds a message that is not a valid batch, or was purged empty.
    """

    def __init__(
        self,
        servers: str | Sequence[str],
        partition_id: int = 1,
        *,
        num_replicas: int = 1,
        ack_timeout_s: float = 5.0,
        publish_timeout_s: float = 30.0,
        max_in_flight: int = 256,
        duplicate_window_s: float = 120.0,
        connect_timeout_s: float = 10.0,
    ) -> None:
        if max_in_flight < 1:
            raise ValueError(f"`max_in_flight` must be at least 1, got {max_in_flight}")
        self._servers = [servers] if isinstance(servers, str) else list(servers)
        self._partition = partition_id
        self._stream = stream_name(partition_id)
        self._subject = subject_name(partition_id)
        self._num_replicas = num_replicas
        self._ack_timeout = ack_timeout_s
        self._publish_timeout = publish_timeout_s
        self._max_in_flight = max_in_flight
        self._duplicate_window = duplicate_window_s
        self._token = secrets.token_hex(4)
        self._closed = False
        self._failure: BaseException | None = None
        self._committer: GroupCommitter | None = None
        self._wake: threading.Event | None = None

        # Written by the writer thread only.
        self._next = 1
        self._next_seq = 1
        # Durability: advanced by the loop thread, waited for under `_cond`.
        self._cond = threading.Condition()
        self._durable = 0
        self._mark: tuple[int, int] = (0, 0)  # (durable stream sequence, durable position), one tuple
        # Index: the first position of every batch from stream sequence `_index_base` on.
        self._lock = threading.Lock()
        self._firsts: array[int] = array("q")
        self._index_base = 1
        self._first_position = 1
        self._first_seq = 1
        self._max_batch_size = 0
        # Batches stored lately (stream sequence -> batch), on the loop thread only: a follower's
        # replay and every exporter read what catch_up or an acknowledgement just saw, without
        # asking the server again.
        self._recent: OrderedDict[int, tuple[int, int, bytes]] = OrderedDict()
        self._recent_bytes = 0

        # Writer thread -> loop: the queue and a flag saying a wake-up is already scheduled.
        self._queue: deque[_Batch] = deque()
        self._kick_pending = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"strom-jetstream[{self._stream}]", daemon=True
        )
        self._thread.start()
        self._nc: Client | None = None
        self._tasks: list[asyncio.Task[None]] = []
        try:
            self._call(self._open(connect_timeout_s), connect_timeout_s * 3 + 5)
        except BaseException:
            # Close the connection first: stopping the loop under nats-py's tasks logged a "Task
            # was destroyed but it is pending!" ERROR per task for an open that is retried anyway.
            with contextlib.suppress(BaseException):
                self._call(self._disconnect(), 10)
            self._stop_loop()
            raise

    # ------------------------------------------------------------------ opening

    async def _open(self, connect_timeout_s: float) -> None:
        try:
            nc = await connect(
                self._servers,
                f"strom-{self._stream}",
                connect_timeout_s,
                self._on_error,
                disconnected_cb=self._on_disconnected,
                reconnected_cb=self._on_reconnected,
            )
        except NatsUnreachableError as exc:
            raise LogFailedError(str(exc)) from exc
        self._nc = nc
        self._jsm = nc.jsm(timeout=self._ack_timeout)
        self._reply_prefix = nc.new_inbox() + "."
        self._replies: dict[str, asyncio.Future[_Reply]] = {}
        await nc.subscribe(self._reply_prefix + "*", cb=self._on_reply)
        info = await self._open_stream(nc, connect_timeout_s)

        limit = nc.max_payload
        if info.config.max_msg_size is not None and info.config.max_msg_size > 0:
            limit = min(limit, info.config.max_msg_size)
        if limit < MIN_MESSAGE_SIZE:
            raise LogFailedError(
                f"the NATS server takes messages of at most {limit} bytes; the log needs at least"
                f" {MIN_MESSAGE_SIZE} (raise max_payload)"
            )
        self._max_batch_size = limit - HEADER_RESERVE

        state = info.state
        if state.last_seq == 0:
            self._first_seq = self._index_base = 1
            self._next_seq = 1
            return
        if state.messages == 0:
            raise LogCorruptionError(
                f"stream {self._stream} was written to but holds no message (purged by hand?);"
                " the log's positions cannot be recovered",
                segment=self._stream,
                offset=state.last_seq,
                position=0,
            )
        last_first, last_count, _ = await self._read_batch(state.last_seq)
        first_seq = state.first_seq
        for attempt in range(_OPEN_COMPACTED_RETRIES):
            try:
                first_first, _, _ = await self._read_batch(first_seq)
                break
            except PositionCompactedError:
                # The leader compacted the stream after it told its state: ask for it again.
                if attempt == _OPEN_COMPACTED_RETRIES - 1:
                    raise
                first_seq = (await self._jsm.stream_info(self._stream)).state.first_seq
        self._first_seq = first_seq
        self._first_position = first_first
        self._index_base = state.last_seq
        self._firsts.append(last_first)
        self._next = last_first + last_count
        self._next_seq = state.last_seq + 1
        self._durable = self._next - 1
        self._mark = (state.last_seq, self._durable)

    async def _open_stream(self, nc: Client, timeout_s: float) -> js_api.StreamInfo:
        try:
            info = await stream_info_patiently(nc, self._stream, timeout_s, self._ack_timeout)
        except NotFoundError:
            config = js_api.StreamConfig(
                name=self._stream,
                subjects=[self._subject],
                storage=js_api.StorageType.FILE,
                retention=js_api.RetentionPolicy.LIMITS,
                discard=js_api.DiscardPolicy.OLD,
                num_replicas=self._num_replicas,
                duplicate_window=self._duplicate_window,
                deny_delete=True,  # the log only loses batches from the front, through compact()
            )
            try:
                info = await asyncio.wait_for(self._jsm.add_stream(config), timeout_s)
            except Exception as exc:
                try:  # created by another process meanwhile?
                    info = await self._jsm.stream_info(self._stream)
                except Exception:
                    raise LogFailedError(f"cannot create JetStream stream {self._stream}: {exc!r}") from exc
            _log.info("created JetStream stream %s (R%d)", self._stream, self._num_replicas)
        if info.config.subjects is None or self._subject not in info.config.subjects:
            raise LogFailedError(
                f"JetStream stream {self._stream} exists but does not take subject {self._subject}"
                f" (its subjects: {info.config.subjects})"
            )
        if info.config.num_replicas not in (None, self._num_replicas):
            _log.warning(
                "JetStream stream %s has %s replicas, not the %d asked for; keeping the stream's",
                self._stream,
                info.config.num_replicas,
                self._num_replicas,
            )
        return info

    async def _on_error(self, exc: Exception) -> None:
        _log.debug("NATS connection of %s: %r", self._stream, exc)

    async def _on_disconnected(self) -> None:
        if not self._closed:
            _log.info("NATS connection of %s lost; reconnecting", self._stream)

    async def _on_reconnected(self) -> None:
        nc = self._nc
        _log.info("NATS connection of %s back (%s)", self._stream, nc.connected_url if nc else None)

    # ------------------------------------------------------------------ properties

    @property
    def stream(self) -> str:
        """The JetStream stream's name."""
        return self._stream

    @property
    def subject(self) -> str:
        return self._subject

    @property
    def next_position(self) -> int:
        return self._next

    @property
    def durable_position(self) -> int:
        return self._durable

    @property
    def first_position(self) -> int:
        return self._first_position

    @property
    def failure(self) -> BaseException | None:
        """Why the log refuses further work (``WriterFencedError`` once fenced), or None."""
        return self._failure

    @property
    def max_batch_size(self) -> int:
        """The largest framed batch (24 bytes + 4 per record + the records) one message can hold."""
        return self._max_batch_size

    # ------------------------------------------------------------------ writing

    def append(self, entries: Sequence[bytes]) -> int:
        """Append one batch; see ``LogStorage.append``. Queues it for the loop; no network wait."""
        if self._closed or self._failure is not None:
            self._raise_unusable()
        count = len(entries)
        if count == 0:
            raise ValueError("`entries` must hold at least one record: an empty batch has no position")
        if count > _batch.MAX_RECORDS:
            raise BatchTooLargeError(f"a batch holds at most {_batch.MAX_RECORDS} records, got {count}")
        size = _batch.frame_size(entries)
        if size > self._max_batch_size:
            raise BatchTooLargeError(
                f"a batch of {count} records needs {size} bytes but one JetStream message holds at most"
                f" {self._max_batch_size} (the server's max_payload less {HEADER_RESERVE} for headers);"
                " split the batch or raise max_payload"
            )
        first = self._next
        seq = self._next_seq
        frame = bytes(_batch.encode(first, entries))
        batch = _Batch(first, count, seq, frame, f"{self._partition}-{first}-{self._token}")
        with self._lock:
            if not self._firsts:
                self._index_base = seq
            self._firsts.append(first)
        self._next_seq = seq + 1
        self._next = first + count
        self._queue.append(batch)
        if not self._kick_pending:
            self._kick_pending = True
            self._loop.call_soon_threadsafe(self._kick)
        wake = self._wake
        if wake is not None and not wake.is_set():
            wake.set()
        return first

    def flush(self) -> int:
        """Wait until everything appended is acknowledged by JetStream; return the durable position."""
        if self._closed or self._failure is not None:
            self._raise_unusable()
        self._wait_durable(self._next - 1)
        wake = self._wake
        if wake is not None:
            wake.set()  # the committer reports the new durable position
        return self._durable

    def _wait_durable(self, target: int) -> int:
        # The loop fails the log when a batch stays unacknowledged past `publish_timeout_s`; the
        # extra time here only guards against a loop that died without saying so.
        deadline = self._publish_timeout + self._ack_timeout + 10
        with self._cond:
            if not self._cond.wait_for(
                lambda: self._durable >= target or self._failure is not None or self._closed, deadline
            ):
                self._fail(TimeoutError(f"position {target} was not acknowledged within {deadline:.0f} s"))
        if self._durable < target:
            self._raise_unusable()
        return self._durable

    # ------------------------------------------------------------------ group commit

    def start_group_commit(self, on_durable: Callable[[int], None], max_delay_s: float = 0.0) -> None:
        """Report acknowledged positions to ``on_durable`` from a committer thread.

        See ``LogStorage.start_group_commit``. The committer waits for the acknowledgements of
        everything appended when it woke, then reports; batches appended meanwhile keep being
        published and are reported by its next round. If ``on_durable`` raises or a batch cannot
        be stored, the log fails.
        """
        if self._closed or self._failure is not None:
            self._raise_unusable()
        if self._committer is not None:
            raise RuntimeError("group commit is already running; call stop_group_commit() first")
        self._committer = GroupCommitter(
            f"strom-log-committer[{self._stream}]",
            self._sync_for_committer,
            on_durable,
            max_delay_s,
            self._fail,
            self._durable,
        )
        self._wake = self._committer.wake
        if self._next - 1 > self._durable:
            self._wake.set()

    def _sync_for_committer(self) -> int:
        return self._wait_durable(self._next - 1)

    def stop_group_commit(self) -> None:
        """Flush, let ``on_durable`` see the final position, and stop the committer.

        Raises:
            LogFailedError: the log failed (the cause is chained); ``WriterFencedError`` if fenced.
        """
        committer = self._committer
        if committer is None:
            return
        self._wake = None
        self._committer = None
        committer.stop()
        if self._failure is not None:
            self._raise_unusable()

    # ------------------------------------------------------------------ the loop's side of writing

    def _kick(self) -> None:
        if not self._tasks:
            self._work = asyncio.Event()
            self._added = asyncio.Event()
            self._space = asyncio.Event()
            self._inflight: deque[tuple[_Batch, asyncio.Future[_Reply]]] = deque()
            self._tasks = [
                self._loop.create_task(self._guard(self._sender())),
                self._loop.create_task(self._guard(self._acker())),
            ]
        self._work.set()

    async def _guard(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            _log.error("JetStream log %s failed: %s", self._stream, exc)
            self._fail(exc)

    async def _sender(self) -> None:
        queue, inflight = self._queue, self._inflight
        while self._failure is None:
            self._work.clear()
            self._kick_pending = False
            while queue and self._failure is None:
                if len(inflight) >= self._max_in_flight:
                    self._space.clear()
                    await self._space.wait()
                    continue
                batch = queue.popleft()
                inflight.append((batch, await self._publish(batch)))
                self._added.set()
            await self._work.wait()

    async def _publish(self, batch: _Batch) -> asyncio.Future[_Reply]:
        """Send ``batch`` once; the future gets the server's reply (never an exception)."""
        assert self._nc is not None
        batch.attempt += 1
        token = f"{batch.seq}_{batch.attempt}"
        future: asyncio.Future[_Reply] = self._loop.create_future()
        self._replies[token] = future
        headers = {"Nats-Expected-Last-Sequence": str(batch.seq - 1), "Nats-Msg-Id": batch.msg_id}
        try:
            await self._nc.publish(
                self._subject, batch.frame, reply=self._reply_prefix + token, headers=headers
            )
        except Exception as exc:  # disconnected with a full reconnect buffer, closed, ...
            self._replies.pop(token, None)
            future.set_result(_Reply(description=f"publish failed: {exc!r}"))
        return future

    async def _on_reply(self, msg: Msg) -> None:
        future = self._replies.pop(msg.subject[len(self._reply_prefix) :], None)
        if future is None or future.done():
            return
        if msg.headers and msg.headers.get("Status"):
            future.set_result(_Reply(code=int(msg.headers["Status"]), description="no responders"))
            return
        try:
            answer = json.loads(msg.data)
        except ValueError:
            future.set_result(_Reply(description=f"unreadable acknowledgement {msg.data[:100]!r}"))
            return
        error = answer.get("error")
        if error:
            future.set_result(
                _Reply(
                    err_code=error.get("err_code"),
                    code=error.get("code"),
                    description=error.get("description", ""),
                )
            )
        else:
            future.set_result(_Reply(seq=answer.get("seq")))

    async def _acker(self) -> None:
        inflight = self._inflight
        while self._failure is None:
            if not inflight:
                self._added.clear()
                await self._added.wait()
                continue
            batch, future = inflight[0]
            await self._confirm(batch, future)
            self._remember(batch.seq, (batch.first, batch.count, batch.frame))
            inflight.popleft()
            self._space.set()
            with self._cond:
                self._durable = batch.last
                self._mark = (batch.seq, batch.last)
                self._cond.notify_all()

    async def _wait_reply(self, future: asyncio.Future[_Reply]) -> _Reply | None:
        try:
            return await asyncio.wait_for(asyncio.shield(future), self._ack_timeout)
        except TimeoutError:
            future.cancel()
            return None

    async def _confirm(self, batch: _Batch, future: asyncio.Future[_Reply]) -> None:
        """Return once ``batch`` is stored at its sequence; raise if it cannot be (fenced, lost, timeout)."""
        deadline = self._loop.time() + self._publish_timeout
        reply = await self._wait_reply(future)
        while True:
            if reply is not None and reply.seq is not None:
                if reply.seq == batch.seq:
                    return
                raise LogFailedError(
                    f"JetStream stored the batch at position {batch.first} at stream sequence {reply.seq},"
                    f" expected {batch.seq}: the stream {self._stream} changed under the writer"
                )
            if reply is not None and reply.err_code not in (None, WRONG_LAST_SEQUENCE) and reply.code != 503:
                raise LogFailedError(
                    f"JetStream refused the batch at position {batch.first} of stream {self._stream}:"
                    f" {reply.description} (error {reply.err_code})"
                )
            # Unknown outcome (no acknowledgement, or the sequence moved): look at the stream.
            try:
                owner = await self._owner_of(batch.seq)
            except (nats.errors.Error, TimeoutError) as exc:
                _log.info("cannot read sequence %d of %s yet: %r", batch.seq, self._stream, exc)
                owner = ""  # unknown
            if owner == batch.msg_id:
                return
            if owner:
                raise WriterFencedError(
                    f"another writer appended to JetStream stream {self._stream}: stream sequence"
                    f" {batch.seq}, where this writer's batch at position {batch.first} belongs, holds"
                    f" message {owner!r}; this writer was deposed (the server refused its append:"
                    f" {reply.description if reply else 'no acknowledgement'}). Nothing was interleaved;"
                    " close the log and follow the stream"
                )
            if owner is None and reply is not None and reply.err_code == WRONG_LAST_SEQUENCE:
                info = await self._jsm.stream_info(self._stream)
                if info.state.last_seq < batch.seq - 1:
                    raise LogFailedError(
                        f"JetStream stream {self._stream} ends at sequence {info.state.last_seq} but"
                        f" sequence {batch.seq - 1} was acknowledged: acknowledged batches were lost"
                        " (is the cluster running with sync_interval: always?)"
                    )
            if self._loop.time() > deadline:
                raise LogFailedError(
                    f"the batch at position {batch.first} was not acknowledged by JetStream stream"
                    f" {self._stream} within {self._publish_timeout:.0f} s (last answer:"
                    f" {reply.description if reply else 'none'})"
                )
            if owner == "":
                await asyncio.sleep(_PROBE_RETRY_S)
            reply = await self._wait_reply(await self._publish(batch))

    async def _owner_of(self, seq: int) -> str | None:
        """The ``Nats-Msg-Id`` of the message at ``seq`` (``""`` if it has none), None if there is none."""
        try:
            message = await self._jsm.get_msg(self._stream, seq=seq)
        except NotFoundError:
            return None
        return (message.headers or {}).get("Nats-Msg-Id", "")

    # ------------------------------------------------------------------ following and taking over

    def catch_up(self) -> int:
        """Learn the batches another writer (the partition's leader) stored since this log last looked.

        For a cluster follower, whose log does not append: afterwards ``next_position``,
        ``durable_position`` and readers cover everything the stream holds now. Returns
        ``next_position``.

        Raises:
            RuntimeError: this log has appended batches that are not acknowledged yet.
            LogFailedError: the stream could not be read, or it ends before what this log saw.
            LogCorruptionError: a new message is not a valid batch or not the one expected next.
        """
        if self._closed or self._failure is not None:
            self._raise_unusable()
        if self._queue or self._durable < self._next - 1:
            raise RuntimeError("catch_up() is for a log that does not append (a follower's)")
        return self._call(self._catch_up())

    async def _catch_up(self) -> int:
        info = await self._jsm.stream_info(self._stream)
        last = info.state.last_seq
        if last < self._next_seq - 1:
            raise LogFailedError(
                f"JetStream stream {self._stream} ends at sequence {last} but this log saw sequence"
                f" {self._next_seq - 1}: acknowledged batches were lost"
                " (is the cluster running with sync_interval: always?)"
            )
        seq = self._next_seq
        while seq <= last:
            upto = min(seq + _READ_AHEAD - 1, last)
            batches = await self._read_batches(seq, upto)
            for offset, batch in enumerate(batches):
                self._remember(seq + offset, batch)
            with self._lock:
                if not self._firsts:
                    self._index_base = seq
                for offset, (first, count, _) in enumerate(batches):
                    if first != self._next:
                        raise LogCorruptionError(
                            f"batch at stream sequence {seq + offset} starts at position {first},"
                            f" expected {self._next}",
                            segment=self._stream,
                            offset=seq + offset,
                            position=self._next,
                        )
                    self._firsts.append(first)
                    self._next = first + count
            seq = upto + 1
        self._next_seq = last + 1
        with self._cond:
            self._durable = self._next - 1
            self._mark = (last, self._durable)
            self._cond.notify_all()
        return self._next

    def fence(self, attempts: int = 20) -> int:
        """Make this log the stream's only writer (a new leader, before it appends anything).

        Catches up, then stores a **fence**: a message without records (``Strom-Fence`` header)
        published with ``Nats-Expected-Last-Sequence`` = the last sequence caught up to. If another
        writer (the deposed leader) stored a batch meanwhile, the fence is refused: the log catches
        up again (the caller replays that batch too) and retries. Once the fence is stored, every
        append of an earlier writer expects an older sequence and is refused (``WriterFencedError``
        on that writer's side), so nothing interleaves. Readers skip fences. Returns
        ``next_position``, where this writer's first batch goes.

        Raises:
            WriterFencedError: other writers kept appending through ``attempts`` tries.
            LogFailedError: the stream could not be read or written.
        """
        if self._closed or self._failure is not None:
            self._raise_unusable()
        return self._call(self._fence(attempts))

    async def _fence(self, attempts: int) -> int:
        assert self._nc is not None
        js = self._nc.jetstream(timeout=self._ack_timeout)
        for attempt in range(attempts):
            await self._catch_up()
            seq, position = self._next_seq, self._next
            msg_id = f"{self._partition}-fence-{seq}-{self._token}"
            headers = {
                "Nats-Expected-Last-Sequence": str(seq - 1),
                "Nats-Msg-Id": msg_id,
                FENCE_HEADER: str(position),
            }
            try:
                ack = await js.publish(self._subject, b"", headers=headers)
            except nats.js.errors.APIError as exc:
                if exc.err_code != WRONG_LAST_SEQUENCE:
                    raise LogFailedError(f"cannot fence JetStream stream {self._stream}: {exc!r}") from exc
                _log.info(
                    "fencing %s: another writer appended (attempt %d); catching up", self._stream, attempt
                )
                continue
            except (nats.errors.Error, TimeoutError) as exc:  # the outcome is unknown: look
                if await self._owner_of(seq) != msg_id:
                    _log.info("fencing %s: no answer (%r); trying again", self._stream, exc)
                    await asyncio.sleep(_PROBE_RETRY_S)
                    continue
            else:
                if ack.seq != seq:
                    raise LogFailedError(
                        f"JetStream stored the fence of {self._stream} at sequence {ack.seq}, expected {seq}"
                    )
            with self._lock:
                if not self._firsts:
                    self._index_base = seq
                self._firsts.append(position)
            self._next_seq = seq + 1
            with self._cond:
                self._mark = (seq, self._durable)
            _log.info("fenced JetStream stream %s at sequence %d (position %d)", self._stream, seq, position)
            return position
        raise WriterFencedError(
            f"could not fence JetStream stream {self._stream}: another writer kept appending"
            f" through {attempts} attempts"
        )

    # ------------------------------------------------------------------ reading

    def reader(self, from_position: int | None = None) -> JetStreamReader:
        """A reader of acknowledged records from ``from_position`` (default ``first_position``)."""
        if self._closed:
            raise LogClosedError(f"the JetStream log {self._stream} is closed")
        return JetStreamReader(self, self._first_position if from_position is None else from_position)

    def _remember(self, seq: int, batch: tuple[int, int, bytes]) -> None:
        """Keep a stored batch for the readers that come next (on the loop thread only)."""
        recent = self._recent
        if seq in recent:
            return
        recent[seq] = batch
        self._recent_bytes += len(batch[2])
        while self._recent_bytes > RECENT_BYTES and recent:
            _, (_, _, frame) = recent.popitem(last=False)
            self._recent_bytes -= len(frame)

    async def _read_batch(self, seq: int) -> tuple[int, int, bytes]:
        """The batch at ``seq``: (first position, record count, frame)."""
        known = self._recent.get(seq)
        if known is not None:
            return known
        try:
            message = await self._jsm.get_msg(self._stream, seq=seq)
        except NotFoundError as exc:
            raise PositionCompactedError(
                f"stream sequence {seq} of {self._stream} was compacted; the log starts at position"
                f" {self._first_position}"
            ) from exc
        data = message.data or b""
        fence = (message.headers or {}).get(FENCE_HEADER) if not data else None
        if fence is not None:  # a new writer's fence: no records, the position it continues at
            return int(fence), 0, b""
        checked = _batch.check(data, 0, len(data))
        if isinstance(checked, str) or checked[2] != len(data):
            reason = checked if isinstance(checked, str) else "trailing bytes after the batch"
            raise LogCorruptionError(
                f"message is not a valid batch: {reason}", segment=self._stream, offset=seq, position=0
            )
        return checked[0], checked[1], data

    async def _read_batches(self, first_seq: int, last_seq: int) -> list[tuple[int, int, bytes]]:
        return await asyncio.gather(*(self._read_batch(s) for s in range(first_seq, last_seq + 1)))

    async def _find_seq(self, position: int) -> int:
        """The stream sequence of the batch holding ``position`` (which must be stored)."""
        with self._lock:
            firsts, base = self._firsts, self._index_base
            if firsts and position >= firsts[0]:
                return base + bisect_right(firsts, position) - 1
        if position < self._first_position:
            raise PositionCompactedError(
                f"position {position} was compacted; the log starts at position {self._first_position}"
            )
        lo, hi = self._first_seq, base - 1  # the largest sequence whose batch starts at or before it
        while lo < hi:
            mid = (lo + hi + 1) // 2
            first, _, _ = await self._read_batch(mid)
            if first <= position:
                lo = mid
            else:
                hi = mid - 1
        return lo

    def _call(self, coro: Coroutine[Any, Any, _T], timeout: float | None = None) -> _T:
        """Run ``coro`` on the log's loop and wait for its result (from any thread but the loop's)."""
        future = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return future.result(self._publish_timeout + 10 if timeout is None else timeout)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise LogFailedError(f"JetStream stream {self._stream} did not answer in time") from exc
        except (nats.errors.Error, TimeoutError) as exc:
            raise LogFailedError(f"JetStream stream {self._stream}: {exc!r}") from exc

    # ------------------------------------------------------------------ compaction and lifecycle

    def compact(self, below_position: int) -> int:
        """Purge the batches whose records are all below ``below_position``; return ``first_position``.

        Keeps the batch holding ``below_position`` and always the last durable batch (reopening reads
        ``next_position`` from it); never touches batches that are not acknowledged.
        """
        if self._closed:
            raise LogClosedError(f"the JetStream log {self._stream} is closed")
        durable_seq, durable = self._mark
        if below_position <= self._first_position or durable == 0:
            return self._first_position
        return self._call(self._compact(min(below_position, durable), durable_seq))

    async def _compact(self, position: int, durable_seq: int) -> int:
        await self._learn_start()
        if position <= self._first_position:
            return self._first_position
        keep = min(await self._find_seq(position), durable_seq)
        if keep <= self._first_seq:
            return self._first_position
        first, _, _ = await self._read_batch(keep)
        await self._jsm.purge_stream(self._stream, seq=keep)
        self._starts_at(keep, first)
        _log.info(
            "JetStream log %s compacted: it starts at position %d (sequence %d)", self._stream, first, keep
        )
        return first

    async def _learn_start(self) -> None:
        """Learn where the stream starts now: another writer (an earlier leader) may have compacted
        it since this log looked."""
        first_seq = (await self._jsm.stream_info(self._stream)).state.first_seq
        if first_seq > self._first_seq:
            first, _, _ = await self._read_batch(first_seq)
            self._starts_at(first_seq, first)

    def _starts_at(self, seq: int, position: int) -> None:
        recent = self._recent
        while recent and next(iter(recent)) < seq:
            _, (_, _, frame) = recent.popitem(last=False)
            self._recent_bytes -= len(frame)
        with self._lock:
            self._first_seq = seq
            self._first_position = position
            drop = seq - self._index_base
            if drop > 0 and len(self._firsts) > drop:
                del self._firsts[:drop]
                self._index_base = seq

    def close(self) -> None:
        """Stop group commit, flush, disconnect; idempotent.

        Raises:
            LogFailedError: the log had failed; it is disconnected anyway.
        """
        if self._closed:
            return
        try:
            if self._committer is not None:
                self.stop_group_commit()
            elif self._failure is None:
                self.flush()
        finally:
            with self._cond:
                self._closed = True
                self._cond.notify_all()
            try:
                self._call(self._disconnect(), 10)
            except BaseException as exc:
                _log.warning("closing the NATS connection of %s: %r", self._stream, exc)
            self._stop_loop()

    async def _disconnect(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._nc is not None:
            try:
                await asyncio.wait_for(self._nc.close(), 5)
            except TimeoutError:
                _log.warning("the NATS connection of %s did not close within 5 s", self._stream)

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self._loop.close()

    def __enter__(self) -> JetStreamLog:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _fail(self, exc: BaseException) -> None:
        with self._cond:
            if self._failure is None:
                self._failure = exc
            self._cond.notify_all()

    def _raise_unusable(self) -> None:
        if self._closed:
            raise LogClosedError(f"the JetStream log {self._stream} is closed")
        failure = self._failure
        if isinstance(failure, WriterFencedError):
            raise WriterFencedError(str(failure)) from failure
        raise LogFailedError(
            f"the JetStream log {self._stream} failed earlier and refuses further work ({failure});"
            " close and reopen it"
        ) from failure

    def __repr__(self) -> str:
        return (
            f"JetStreamLog({self._stream!r}, first_position={self._first_position},"
            f" durable_position={self._durable}, next_position={self._next})"
        )


class JetStreamReader:
    """Reads acknowledged records of a ``JetStreamLog``; implements ``LogReader``.

    Fetches up to 64 batches per call into the log's loop (concurrent ``STREAM.MSG.GET`` requests
    answered by the stream leader), verifies each batch's checksum and position, and hands out
    records one by one. Use from one thread (not the log's loop thread); ``seek`` ends an iteration
    in progress.
    """

    __slots__ = ("_batches", "_log", "_next", "_seq")

    def __init__(self, log: JetStreamLog, position: int) -> None:
        self._log = log
        self._next = position
        self._seq: int | None = None  # stream sequence of the next batch to fetch
        self._batches: deque[tuple[int, list[bytes]]] = deque()  # fetched: (first position, records)
        self.seek(position)

    @property
    def next_position(self) -> int:
        return self._next

    def seek(self, position: int) -> None:
        """Continue at ``position``; see ``LogReader.seek``."""
        log = self._log
        if log._closed:
            raise LogClosedError(f"the JetStream log {log.stream} is closed")
        if position < log.first_position:
            raise PositionCompactedError(
                f"cannot read from position {position}: it was compacted; the log starts at position"
                f" {log.first_position}"
            )
        if position > log.next_position:
            raise ValueError(
                f"cannot read from position {position}: the log's next position is {log.next_position}"
            )
        self._next = position
        self._seq = None
        self._batches.clear()

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        return self.read_available()

    def read_available(self) -> Iterator[tuple[int, bytes]]:
        """Yield every acknowledged record from ``next_position`` on, then stop.

        Raises:
            PositionCompactedError: the records to read next were compacted meanwhile.
            LogCorruptionError: a message is not a valid batch or not the expected one.
            LogClosedError: the log was closed.
        """
        log = self._log
        batches = self._batches
        while True:
            if log._closed:
                raise LogClosedError(f"the JetStream log {log.stream} is closed")
            nxt = self._next
            if not batches:
                durable_seq, durable = log._mark
                if nxt > durable:
                    return
                self._fetch(nxt, durable_seq)
            first, records = batches[0]
            pos = nxt
            for record in records[nxt - first :]:
                self._next = pos + 1
                yield pos, record
                if self._next != pos + 1:  # seek() was called: this iteration is over
                    return
                pos += 1
            batches.popleft()

    def close(self) -> None:
        """Drop the fetched batches; the reader holds no server-side state (no consumer)."""
        self._batches.clear()

    def __enter__(self) -> JetStreamReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _fetch(self, nxt: int, durable_seq: int) -> None:
        log = self._log
        seq = self._seq
        if seq is None:
            seq = log._call(log._find_seq(nxt))
        last = min(seq + _READ_AHEAD - 1, durable_seq)
        expected = nxt
        for offset, (first, count, frame) in enumerate(log._call(log._read_batches(seq, last))):
            if count == 0 and first == expected:
                continue  # a fence (see ``JetStreamLog.fence``): no records
            if not (first <= expected < first + count) or (offset and first != expected):
                raise LogCorruptionError(
                    f"batch at stream sequence {seq + offset} starts at position {first},"
                    f" expected {expected}",
                    segment=log.stream,
                    offset=seq + offset,
                    position=expected,
                )
            lens = _batch.lengths_struct(count).unpack_from(frame, _batch.HEADER_SIZE)
            records = []
            p = _batch.HEADER_SIZE + 4 * count
            for length in lens:
                records.append(frame[p : p + length])
                p += length
            self._batches.append((first, records))
            expected = first + count
        self._seq = last + 1


__all__ = [
    "HEADER_RESERVE",
    "JetStreamLog",
    "JetStreamReader",
    "WriterFencedError",
    "stream_name",
    "subject_name",
]
