"""A partition that runs in its own OS process, as the gateways see it (a ``PartitionEndpoint``).

The ``PartitionSupervisor`` owns the child process and its connection and attaches it here when
the child says Hello. Requests and answers cross as frames (``strom.broker.frames``); every
callback runs on the main event loop's thread (calls from other threads are moved there).

While the child is not connected (starting, restarting, dead) requests are refused at once, and
when the child dies every pending request is refused: such a command may or may not have been
processed (it may be on the dead child's log already), so the client retries it like a
backpressure refusal; commands that must not run twice carry their own idempotency (e.g. a
message id) as they do against any Zeebe broker that goes down mid-request.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import threading
from typing import Any

from strom.broker.endpoint import AnswerCallback, PartitionStatus, Refusal
from strom.broker.frames import Answer, FrameConnection, Hello, Refused, Request, Status, Submit
from strom.broker.frames import Forget as ForgetFrame
from strom.protocol import codec
from strom.protocol.enums import ValueType
from strom.protocol.record import Record

_log = logging.getLogger(__name__)


class RemotePartition:
    """``PartitionEndpoint`` of a partition process. Use it from the main event loop's thread."""

    def __init__(self, partition_id: int) -> None:
        self.partition_id = partition_id
        self._connection: FrameConnection | None = None
        self._pending: dict[int, AnswerCallback] = {}
        self._ids = itertools.count(1)
        self._supported: frozenset[int] = frozenset()
        self._status = PartitionStatus(partition_id, healthy=False, phase="starting")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self.metrics_text = ""
        """The child's latest Prometheus exposition (from its Status frames)."""
        self.replayed_events = 0
        """Events the child replayed when it last opened (from its Hello)."""
        self.pid = 0

    # -- PartitionEndpoint -------------------------------------------------------------------------

    def request(self, command: Record[Any], on_answer: AnswerCallback) -> int:
        """Send ``command``; ``on_answer`` gets the answer, or a ``Refusal`` when the child refuses
        it, is not there (at once), or dies before answering (the command may have been processed)."""
        request_id = next(self._ids)
        if threading.get_ident() != self._loop_thread:
            connection = self._connection
            if connection is None:
                on_answer(self._unavailable())
                return request_id
            self._call_on_loop(self._send_request, request_id, command, on_answer)
            return request_id
        self._send_request(request_id, command, on_answer)
        return request_id

    def _send_request(self, request_id: int, command: Record[Any], on_answer: AnswerCallback) -> None:
        connection = self._connection
        if connection is None:
            on_answer(self._unavailable())
            return
        self._pending[request_id] = on_answer
        connection.send(Request(request_id, codec.encode(command)))

    def submit(self, command: Record[Any]) -> None:
        """Fire and forget; dropped while the child is not connected (internal commands are retried
        by whoever sent them, or their effect times out, e.g. an unyielded job's lease)."""
        connection = self._connection
        if connection is None:
            _log.debug(
                "partition %d is unavailable: dropped %s %d",
                self.partition_id,
                command.value_type.name,
                command.intent,
            )
            return
        frame = Submit(codec.encode(command))
        if threading.get_ident() == self._loop_thread:
            connection.send(frame)
        else:
            self._call_on_loop(connection.send, frame)

    def forget_request(self, request_id: int) -> None:
        if threading.get_ident() != self._loop_thread:
            self._call_on_loop(self.forget_request, request_id)
            return
        if self._pending.pop(request_id, None) is not None:
            connection = self._connection
            if connection is not None:
                connection.send(ForgetFrame(request_id))

    def supports(self, value_type: ValueType, intent: int) -> bool:
        return (value_type << 8 | intent) in self._supported

    def status(self) -> PartitionStatus:
        return self._status

    # -- the supervisor's side (loop thread) ---------------------------------------------------------

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """Callbacks run on ``loop``, whose thread calls this."""
        self._loop = loop
        self._loop_thread = threading.get_ident()

    def _call_on_loop(self, callback: Any, *args: Any) -> None:
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed: shutting down
                loop.call_soon_threadsafe(callback, *args)

    @property
    def connected(self) -> bool:
        return self._connection is not None

    def attach(self, connection: FrameConnection, hello: Hello) -> None:
        """The child said Hello on ``connection``: requests go to it from now on."""
        self._connection = connection
        self._supported = frozenset(hello.supported)
        self.replayed_events = hello.replayed_events
        self.pid = hello.pid
        self._status = PartitionStatus(self.partition_id, healthy=True, phase="processing")

    def detach(self, phase: str) -> None:
        """The child is gone (``phase``: restarting, dead): refuse what waits for it."""
        self._connection = None
        self._status = PartitionStatus(self.partition_id, healthy=False, phase=phase)
        self.metrics_text = ""
        pending, self._pending = self._pending, {}
        if pending:
            _log.info(
                "partition %d is unavailable: refusing %d requests in flight", self.partition_id, len(pending)
            )
        refusal = self._unavailable()
        for on_answer in pending.values():
            try:
                on_answer(refusal)
            except Exception:  # one failing callback must not keep the others waiting
                _log.exception("answering a request of partition %d failed", self.partition_id)

    def on_frame(self, frame: Answer | Refused | Status) -> None:
        """An answer, refusal or status from the child."""
        if isinstance(frame, Answer):
            on_answer = self._pending.pop(frame.request_id, None)
            if on_answer is not None:
                on_answer(codec.decode(frame.record))
        elif isinstance(frame, Refused):
            on_answer = self._pending.pop(frame.request_id, None)
            if on_answer is not None:
                on_answer(Refusal(self.partition_id, frame.reason, frame.inflight, frame.limit))
        elif self._connection is not None:
            self._status = PartitionStatus(self.partition_id, frame.healthy, frame.phase, frame.failure)
            if frame.metrics:
                self.metrics_text = frame.metrics

    def _unavailable(self) -> Refusal:
        return Refusal(
            self.partition_id,
            reason=f"partition {self.partition_id} is unavailable (restarting)",
            unavailable=True,
        )
