"""Commands forwarded between cluster brokers: every broker's gateways answer for every partition.

In a cluster (ARCHITECTURE §11) one broker leads a partition; the others follow it. A follower's
gateways used to refuse the partition's commands as UNAVAILABLE; with forwarding, the follower's
member sends each command to the leader over NATS request/reply and hands the leader's answer back,
as Zeebe's gateway sends a request to the partition's leader wherever it runs.

- **Subjects:** the leader of partition N (only it) subscribes to ``strom.partition.N.forward``
  while it leads; it subscribes after taking over (the partition processes by then) and
  unsubscribes when it steps down. A request is the command (``strom.protocol.codec``); the reply
  is the answering record, or a refusal (backpressure, flow control, not leading any more).
- **No leader:** a request nobody answers (no broker leads now: a failover is under way), or one a
  member refuses because it just stepped down, was not taken by anyone: it is asked again, with
  pauses from 50 ms doubling to 0.2 s, until a new leader answers or the request's time (the
  gateway's request timeout) is up, and only then refused as unavailable. A leader that dies
  mid-request leaves it to the timeout, also refused as unavailable, never asked again (the command
  may be in the log). The client retries, as with any unavailable partition; a command the dead
  leader appended before dying is in the log (the new leader replays it), so a retried creation
  may create twice — as with a Zeebe gateway that loses its connection to a leader after sending.
- **Never a loop:** a forwarded command is processed only by a member that leads; a member that
  no longer does refuses it instead of forwarding it on.

**Threads.** nats-py is asyncio: the forwarder runs a private event loop in its own thread (like
``strom.log.lease.LeaseManager``). Answers reach the requester's callback from that thread, as a
partition process's answers do from its reader thread; the gateway's bridge hands them to its
event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import msgspec
import nats
import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription

from strom.broker.endpoint import Answer, AnswerCallback, Refusal
from strom.log.nats_connection import connect
from strom.protocol import codec
from strom.protocol.record import Record

_log = logging.getLogger(__name__)

RETRY_FIRST_S = 0.05
RETRY_MAX_S = 0.2
"""Pauses between asking again for a leader that nobody is yet (doubling up to the maximum)."""
NOT_LEADING = "is not led by this broker"
"""In a member's refusal of a command it did not take because it does not lead (any more)."""


def _not_taken(answer: Answer) -> bool:
    """Whether ``answer`` says the command was not taken at all, so asking the next leader cannot
    process it twice (a member refusing because it does not lead; not a refusal of waiting
    requests at a step-down, whose commands may be in the log)."""
    return isinstance(answer, Refusal) and answer.unavailable and NOT_LEADING in answer.reason


_T = TypeVar("_T")

LocalRequest = Callable[[Record[Any], AnswerCallback], int]
"""How the leader's member takes a forwarded command (its ``request`` without forwarding)."""


def forward_subject(partition_id: int) -> str:
    """The subject the leader of ``partition_id`` takes forwarded commands on."""
    return f"strom.partition.{partition_id}.forward"


class _Reply(msgspec.Struct, frozen=True):
    """The leader's answer: the record, or a refusal (``record`` empty)."""

    record: bytes = b""
    partition_id: int = 0
    reason: str = ""
    inflight: int = 0
    limit: int = 0
    unavailable: bool = False


_encode_reply = msgspec.msgpack.Encoder().encode
_decode_reply = msgspec.msgpack.Decoder(_Reply).decode


def _reply_of(answer: Answer) -> bytes:
    if isinstance(answer, Refusal):
        return _encode_reply(
            _Reply(
                partition_id=answer.partition_id,
                reason=answer.reason,
                inflight=answer.inflight,
                limit=answer.limit,
                unavailable=answer.unavailable,
            )
        )
    return _encode_reply(_Reply(record=codec.encode(answer)))


def _answer_of(payload: bytes) -> Answer:
    reply = _decode_reply(payload)
    if reply.record:
        return codec.decode(reply.record)
    return Refusal(reply.partition_id, reply.reason, reply.inflight, reply.limit, reply.unavailable)


class Forwarder:
    """One broker's NATS connection for forwarding: serves the partitions it leads, forwards the
    commands of those it follows.

    Args:
        servers: the NATS servers of the cluster.
        node_id: names the connection (``strom-forward-<node>``).
        request_timeout_s: how long a forwarded command may take (the gateway's request timeout).
    """

    def __init__(
        self,
        servers: list[str],
        node_id: str,
        *,
        request_timeout_s: float = 15.0,
        connect_timeout_s: float = 5.0,
    ) -> None:
        self.node_id = node_id
        self._servers = servers
        self._timeout = request_timeout_s
        self._served: dict[int, Subscription] = {}  # touched on the loop thread only
        self._closed = False
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name=f"strom-forward[{node_id}]", daemon=True
        )
        self._thread.start()
        try:
            self._nc: Client = self._call(self._connect(connect_timeout_s), connect_timeout_s * 3 + 5)
        except BaseException:
            self._stop_loop()
            raise

    async def _connect(self, connect_timeout_s: float) -> Client:
        return await connect(
            self._servers, f"strom-forward-{self.node_id}", connect_timeout_s, self._on_error
        )

    async def _on_error(self, exc: Exception) -> None:
        _log.debug("NATS connection of forwarder %s: %r", self.node_id, exc)

    # -- the leader's side -------------------------------------------------------------------------

    def serve(self, partition_id: int, request: LocalRequest) -> None:
        """Take forwarded commands of ``partition_id`` (this broker leads it) with ``request``;
        returns once subscribed."""
        self._call(self._serve(partition_id, request), self._timeout)

    def stop_serving(self, partition_id: int) -> None:
        """Stop taking forwarded commands of ``partition_id`` (this broker stepped down)."""
        if not self._closed:
            with contextlib.suppress(Exception):
                self._call(self._stop_serving(partition_id), self._timeout)

    async def _serve(self, partition_id: int, request: LocalRequest) -> None:
        await self._stop_serving(partition_id)
        loop = self._loop
        nc = self._nc

        async def handle(message: Msg) -> None:
            reply_to = message.reply
            if not reply_to:
                return

            def answered(answer: Answer) -> None:
                payload = _reply_of(answer)
                loop.call_soon_threadsafe(lambda: loop.create_task(_publish(nc, reply_to, payload)))

            try:
                command = codec.decode(message.data)
            except Exception as exc:  # a broken request: refuse it, keep serving
                answered(Refusal(partition_id, f"undecodable forwarded command: {exc}", unavailable=True))
                return
            request(command, answered)

        self._served[partition_id] = await nc.subscribe(forward_subject(partition_id), cb=handle)
        await nc.flush()

    async def _stop_serving(self, partition_id: int) -> None:
        subscription = self._served.pop(partition_id, None)
        if subscription is not None:
            with contextlib.suppress(nats.errors.Error):
                await subscription.unsubscribe()

    # -- the follower's side -----------------------------------------------------------------------

    def forward(self, partition_id: int, command: Record[Any], on_answer: AnswerCallback) -> None:
        """Send ``command`` to the leader of ``partition_id``; ``on_answer`` gets its answer, or an
        unavailable refusal when no leader answers (from the forwarder's thread)."""
        payload = codec.encode(command)
        try:
            asyncio.run_coroutine_threadsafe(self._forward(partition_id, payload, on_answer), self._loop)
        except RuntimeError:  # closed
            on_answer(Refusal(partition_id, "the broker is shutting down", unavailable=True))

    async def _forward(self, partition_id: int, payload: bytes, on_answer: AnswerCallback) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self._timeout
        pause = RETRY_FIRST_S
        while True:
            try:
                left = max(0.1, deadline - loop.time())
                message = await self._nc.request(forward_subject(partition_id), payload, timeout=left)
                answer = _answer_of(message.data)
                if not _not_taken(answer) or loop.time() + pause >= deadline:
                    break
            except nats.errors.NoRespondersError:
                answer = Refusal(
                    partition_id,
                    f"partition {partition_id} has no leader right now (a failover is under way): retry",
                    unavailable=True,
                )
                if loop.time() + pause >= deadline:
                    break
            except (TimeoutError, nats.errors.TimeoutError):
                answer = Refusal(
                    partition_id,
                    f"the leader of partition {partition_id} did not answer within {self._timeout:g} s",
                    unavailable=True,
                )
                break
            except Exception as exc:  # NATS away, a broken reply
                answer = Refusal(
                    partition_id, f"forwarding to partition {partition_id} failed: {exc!r}", unavailable=True
                )
                break
            # Nobody took the command (no leader yet, or one that had just stepped down): ask again,
            # through the leader change, until the request's time is up.
            await asyncio.sleep(pause)
            pause = min(pause * 2, RETRY_MAX_S)
        on_answer(answer)

    # -- other messages between brokers (job streams) ---------------------------------------------

    def publish(self, subject: str, payload: bytes) -> bool:
        """Send ``payload`` to ``subject`` (fire and forget); False when it could not be handed to
        NATS (closed, disconnected)."""
        if self._closed or not self._nc.is_connected:
            return False
        try:
            asyncio.run_coroutine_threadsafe(_publish(self._nc, subject, payload), self._loop)
        except RuntimeError:  # the loop closed
            return False
        return True

    def subscribe(self, subject: str, handle: Callable[[bytes], None]) -> None:
        """Call ``handle(payload)`` for every message on ``subject`` (on the forwarder's thread)."""

        async def on_message(message: Msg) -> None:
            try:
                handle(message.data)
            except Exception:  # one bad message must not end the subscription
                _log.exception("handling a message on %s failed", subject)

        async def subscribe() -> None:
            await self._nc.subscribe(subject, cb=on_message)
            await self._nc.flush()

        self._call(subscribe(), self._timeout)

    # -- lifecycle ---------------------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        with contextlib.suppress(Exception):
            self._call(self._nc.drain(), 5)
        self._stop_loop()

    def _call(self, coroutine: Coroutine[Any, Any, _T], timeout: float) -> _T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def _stop_loop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


async def _publish(nc: Client, subject: str, payload: bytes) -> None:
    with contextlib.suppress(nats.errors.Error):
        await nc.publish(subject, payload)
