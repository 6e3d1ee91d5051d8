"""The wire format between a broker's main process and its partition processes.

Each frame is a msgspec Struct of a tagged union, msgpack-encoded, prefixed by its length (4
bytes, big-endian). Records travel as the bytes ``strom.protocol.codec.encode`` makes (the log's
own encoding), so neither side needs to know more than the codec.

Thousands of requests per second cross here, so ``FrameConnection`` batches: frames sent during
one event-loop iteration are encoded into one buffer and handed to the transport with a single
``write`` on the next iteration (one syscall instead of one per frame). A connection is used from
its event loop's thread only; other threads hand frames over with ``call_soon_threadsafe``.

Also here: ``BrokerConfig`` to JSON and back, for the partition processes' ``--config`` file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from strom.broker.config import BrokerConfig

_log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 1 << 30
"""A length beyond this means the stream is corrupt (no record comes close)."""


class _Frame(msgspec.Struct, array_like=True, tag=True):
    """Frames are arrays (no field names on the wire), tagged with their class name."""


# -- partition process -> main ---------------------------------------------------------------------


class Hello(_Frame):
    """The partition is open and processing: it takes frames from now on."""

    partition_id: int
    pid: int
    supported: list[int]
    """``value_type << 8 | intent`` of every command the engine has a processor for."""
    replayed_events: int


class Answer(_Frame):
    request_id: int
    record: bytes


class Refused(_Frame):
    """``try_submit`` refused the request: nothing was written."""

    request_id: int
    reason: str
    inflight: int
    limit: int


class Send(_Frame):
    """A command for another partition (the engine's ``InterPartitionSender``)."""

    target: int
    record: bytes


class JobPushed(_Frame):
    """The engine activated a job for a stream of the main process (the job value's msgpack)."""

    stream_id: int
    job_key: int
    job: bytes


class JobsAvailable(_Frame):
    job_type: str


class Status(_Frame):
    phase: str
    healthy: bool
    failure: str
    metrics: str
    """The partition's Prometheus exposition (text format); empty when only the phase changed."""


# -- main -> partition process ---------------------------------------------------------------------


class Request(_Frame):
    """A client command under backpressure: answered by ``Answer`` or ``Refused``."""

    request_id: int
    record: bytes


class Forget(_Frame):
    request_id: int


class Submit(_Frame):
    """A command without answer or backpressure (e.g. a JOB YIELD)."""

    record: bytes


class Deliver(_Frame):
    """A command another partition sent to this one."""

    record: bytes


class StreamAdded(_Frame):
    stream_id: int
    job_type: str
    worker: str
    timeout: int
    fetch_variables: list[str]
    authorizations: dict[str, Any] = {}
    """Who opened the stream (``JobStream.authorizations``)."""
    tenant_ids: list[str] = []
    """The tenants whose jobs it takes (``JobStream.tenant_ids``)."""


class StreamRemoved(_Frame):
    stream_id: int


class Stop(_Frame):
    """Close gracefully (stop, flush, snapshot) and exit."""


class PartitionUp(_Frame):
    """Partition ``partition_id`` (re)connected: resend at once what waits for its answer."""

    partition_id: int


Frame = (
    Hello
    | Answer
    | Refused
    | Send
    | JobPushed
    | JobsAvailable
    | Status
    | Request
    | Forget
    | Submit
    | Deliver
    | StreamAdded
    | StreamRemoved
    | Stop
    | PartitionUp
)

_ENCODER = msgspec.msgpack.Encoder()
_DECODER: msgspec.msgpack.Decoder[Frame] = msgspec.msgpack.Decoder(Frame)


def encode_frame(frame: Frame) -> bytes:
    """One frame with its length prefix (for tests and one-off writes)."""
    body = _ENCODER.encode(frame)
    return len(body).to_bytes(4, "big") + body


def decode_frame(body: bytes | memoryview) -> Frame:
    """A frame's body (without the length prefix)."""
    return _DECODER.decode(body)


class FrameConnection(asyncio.Protocol):
    """Both directions of one connection: frames in to ``on_frame``, frames out batched per loop
    iteration. ``on_close`` is called once when the connection is lost (either side closed it)."""

    def __init__(
        self,
        on_frame: Callable[[FrameConnection, Frame], None],
        on_close: Callable[[FrameConnection], None] | None = None,
    ) -> None:
        self._on_frame = on_frame
        self._on_close = on_close
        self._transport: asyncio.Transport | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inbox = bytearray()
        self._outbox = bytearray()
        self._flush_scheduled = False
        self.closed = asyncio.Event()
        self.peer: Any = None
        """What the owner knows of the other side (e.g. its partition id after Hello)."""

    # -- asyncio.Protocol ------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._loop = asyncio.get_running_loop()

    def data_received(self, data: bytes) -> None:
        inbox = self._inbox
        inbox += data
        size = len(inbox)
        start = 0
        frames: list[Frame] = []
        with memoryview(inbox) as view:
            while size - start >= 4:
                length = int.from_bytes(view[start : start + 4], "big")
                if length > MAX_FRAME_BYTES:
                    _log.error("a frame of %d bytes: the stream is corrupt, closing it", length)
                    self.close()
                    return
                end = start + 4 + length
                if end > size:
                    break
                frames.append(_DECODER.decode(view[start + 4 : end]))
                start = end
        if start:
            del inbox[:start]
        on_frame = self._on_frame
        for frame in frames:
            try:
                on_frame(self, frame)
            except Exception:  # a failing handler (a stream's push, a caller's callback) must not
                # take the connection down: asyncio closes a transport whose protocol raises
                _log.exception("handling a %s frame failed", type(frame).__name__)

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        self._outbox.clear()
        self.closed.set()
        on_close, self._on_close = self._on_close, None
        if on_close is not None:
            on_close(self)

    # -- sending ---------------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._transport is not None

    def send(self, frame: Frame) -> None:
        """Queue ``frame``; it is written with the others of this loop iteration (loop thread only)."""
        if self._transport is None:
            return
        outbox = self._outbox
        start = len(outbox)
        outbox += b"\0\0\0\0"
        _ENCODER.encode_into(frame, outbox, -1)
        outbox[start : start + 4] = (len(outbox) - start - 4).to_bytes(4, "big")
        if not self._flush_scheduled:
            self._flush_scheduled = True
            assert self._loop is not None
            self._loop.call_soon(self.flush)

    def flush(self) -> None:
        """Write what is queued now (one ``write``)."""
        self._flush_scheduled = False
        transport = self._transport
        if transport is None or not self._outbox:
            return
        data, self._outbox = self._outbox, bytearray()
        transport.write(data)

    def close(self) -> None:
        """Write what is queued, then close."""
        transport = self._transport
        if transport is not None:
            self.flush()
            transport.close()


# -- the broker's configuration as JSON ------------------------------------------------------------


def _enc_hook(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    raise NotImplementedError(f"cannot encode {type(value).__name__}")


def _dec_hook(kind: type, value: Any) -> Any:
    if kind is Path:
        return Path(value)
    raise NotImplementedError(f"cannot decode {kind!r}")


def config_to_json(config: BrokerConfig) -> bytes:
    """``config`` (nested dataclasses, Paths) as JSON that ``config_from_json`` reads back."""
    return msgspec.json.encode(config, enc_hook=_enc_hook)


def config_from_json(data: bytes | str) -> BrokerConfig:
    return msgspec.json.decode(data, type=BrokerConfig, dec_hook=_dec_hook)
