"""``LeaseManager``: partition leadership leases in a NATS JetStream KV bucket (ARCHITECTURE §11).

One key per partition (``partition-<id>``) in bucket ``strom-leases`` (history 1, file storage,
``replicas`` 1, 3 in a cluster). Its value is JSON ``{"node": ..., "term": ..., "expires_ms": ...}``.
Every write carries the revision it expects (JetStream's expected last subject sequence), so of two
contenders that read the same revision exactly one write succeeds, and a holder's renewal fails
once anybody else wrote the key.

**Expiry: the value's ``expires_ms`` against the contender's wall clock**, not the bucket's TTL.
A bucket ``ttl`` (the stream's ``max_age``) removes an expired key's message completely, and with
it its revision and term: the next ``create`` would start over and terms would not grow across
holders. Keeping the key (renewed, replaced or deleted, always with its revision) keeps a total
order of writes. The price is the **clock assumption**: the brokers' wall clocks differ by at most
``max_clock_skew_s`` (NTP keeps them within milliseconds; the default allows 0.5 s), and clocks
run at about the same rate. Under it the holder always gives up first:

- the holder writes ``expires_ms = wall clock at sending + ttl`` and counts itself deposed at
  ``monotonic clock at sending + ttl`` of its last acknowledged write (``on_lost`` fires then);
- a contender takes an existing lease only when its own wall clock passed
  ``expires_ms + max_clock_skew_s`` — by then the holder's deadline has passed on the holder's clock.

A contender whose clock is further ahead than ``max_clock_skew_s`` can take a lease early; the
holder's next renewal then fails on the revision and it reports the lease lost, and the partition's
stream fences a deposed writer's appends anyway (``Nats-Expected-Last-Sequence``), so the log never
interleaves two leaders — the skew bound only keeps two processors from both answering from state.

**Terms** grow with every new holder: a new holder's term is the revision it replaces plus one
(1 for a key never written). A holder's term is at most the revision of the write that took the
lease, and every later write has a larger revision, so each new term exceeds every earlier one —
also after a release (the delete marker has a revision). Terms are not consecutive. They restart
only if the bucket is deleted.

**Threads.** nats-py is asyncio: the manager runs a private event loop in its own thread (like
``JetStreamLog``). ``acquire``, ``release``, ``holder`` and ``close`` are synchronous and may be
called from any thread but the loop's; renewals run on the loop, every ``renew_every_s``, and the
``on_lost`` callbacks are called from the loop thread (keep them short: set a flag, queue work).

``import nats`` happens only here: ``import strom.log`` never imports it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import nats
import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js.kv import KeyValue

from strom.log.errors import LogError
from strom.log.nats_connection import NatsUnreachableError, connect
from strom.log.nats_loop import NatsLoop, key_value_bucket

_log = logging.getLogger(__name__)

_T = TypeVar("_T")

_WRONG_LAST_SEQUENCE = (10071, 10164)
"""JetStream's error codes for a write whose expected last (subject) sequence does not match."""
_RETRY_S = 0.25
"""Pause between renewal attempts after a failed one (and between attempts to open the bucket)."""


class LeaseError(LogError):
    """NATS could not be reached (or the bucket not opened) in time; nothing is known to have changed."""


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease this node took: ``term`` grows with every new holder of the partition."""

    partition_id: int
    node_id: str
    term: int
    revision: int
    """The KV revision of the write that took the lease (renewals write later revisions)."""


@dataclass(slots=True)
class _Held:
    lease: Lease
    revision: int
    deadline: float
    """Loop-clock (monotonic) time at which this node counts the lease as lost without a renewal."""
    task: asyncio.Task[None] | None = None


def lease_key(partition_id: int) -> str:
    """The KV key of partition ``partition_id``'s lease."""
    return f"partition-{partition_id}"


class LeaseManager:
    """Takes, renews and releases partition leases for one node (``node_id``).

    Args:
        servers: NATS URL(s); several for a cluster.
        node_id: this broker's id, stored in the leases it holds.
        bucket: the KV bucket (created if missing; an existing one is used as it is).
        ttl_s: how long a lease lasts without a renewal.
        renew_every_s: how often a held lease is renewed; well below ``ttl_s``.
        max_clock_skew_s: the largest difference between two brokers' wall clocks that is assumed;
            a contender waits this long after a lease's ``expires_ms`` before it takes it.
        replicas: replicas of a newly created bucket (1; 3 in a cluster).
        request_timeout_s: for one request to JetStream (reads, ``acquire``'s write, ``release``).
        connect_timeout_s: for connecting and opening the bucket.

    Raises:
        LeaseError: NATS could not be reached or the bucket could not be opened.
    """

    def __init__(
        self,
        servers: str | Sequence[str],
        node_id: str,
        *,
        bucket: str = "strom-leases",
        ttl_s: float = 5.0,
        renew_every_s: float = 1.5,
        max_clock_skew_s: float = 0.5,
        replicas: int = 1,
        request_timeout_s: float = 2.0,
        connect_timeout_s: float = 10.0,
    ) -> None:
        if not 0 < renew_every_s < ttl_s:
            raise ValueError(f"`renew_every_s` must be in (0, ttl_s={ttl_s}), got {renew_every_s}")
        if max_clock_skew_s < 0:
            raise ValueError(f"`max_clock_skew_s` must not be negative, got {max_clock_skew_s}")
        self._servers = [servers] if isinstance(servers, str) else list(servers)
        self.node_id = node_id
        self.bucket = bucket
        self.ttl_s = ttl_s
        self.renew_every_s = renew_every_s
        self.max_clock_skew_s = max_clock_skew_s
        self._replicas = replicas
        self._request_timeout = request_timeout_s
        self._held: dict[int, _Held] = {}  # touched on the loop thread only
        self._callbacks: list[Callable[[int], None]] = []
        self._closed = False
        self._nc: Client | None = None
        self._runner = NatsLoop(f"strom-leases[{node_id}]", LeaseError, f"lease manager {node_id}")
        self._loop = self._runner.loop
        try:
            self._kv = self._call(self._open(connect_timeout_s), connect_timeout_s * 3 + 5)
        except BaseException:
            self._stop_loop()
            raise

    # ------------------------------------------------------------------ opening

    async def _open(self, connect_timeout_s: float) -> KeyValue:
        try:
            nc = await connect(
                self._servers, f"strom-leases-{self.node_id}", connect_timeout_s, self._on_error
            )
        except NatsUnreachableError as exc:
            raise LeaseError(str(exc)) from exc
        self._nc = nc
        js = nc.jetstream(timeout=self._request_timeout)
        deadline = self._loop.time() + connect_timeout_s
        while True:
            try:
                return await key_value_bucket(nc, js, self.bucket, self._replicas)
            except (nats.errors.Error, TimeoutError) as exc:  # a server restarting, an election, a race
                if self._loop.time() > deadline:
                    raise LeaseError(f"cannot open or create KV bucket {self.bucket}: {exc!r}") from exc
                await asyncio.sleep(_RETRY_S)

    async def _on_error(self, exc: Exception) -> None:
        _log.debug("NATS connection of lease manager %s: %r", self.node_id, exc)

    # ------------------------------------------------------------------ the API

    def on_lost(self, callback: Callable[[int], None]) -> None:
        """Call ``callback(partition_id)`` (from the lease thread) when a held lease is lost.

        Lost means: a renewal found another writer's revision, or no renewal was acknowledged
        within ``ttl_s`` of the last acknowledged one. Not called for ``release`` or ``close``.
        """
        self._callbacks.append(callback)

    def acquire(self, partition_id: int) -> Lease | None:
        """Take partition ``partition_id``'s lease if nobody holds it or its holder's lease expired.

        Returns the lease (the one already held, if this node holds it), or None when another node
        holds it (or won the race for it). Renewal starts at once.

        Raises:
            LeaseError: NATS did not answer in time.
        """
        return self._call(self._acquire(partition_id))

    def release(self, partition_id: int) -> bool:
        """Stop renewing and delete the key if this node still holds it (so another node can take over
        at once); True if it was deleted. Stop processing the partition *before* releasing it."""
        return self._call(self._release(partition_id))

    def holder(self, partition_id: int) -> tuple[str, int] | None:
        """``(node_id, term)`` of the partition's current holder, or None if the lease is free or
        expired (by this node's clock). Read from the bucket, not from this node's memory."""
        return self._call(self._holder(partition_id))

    def holds(self, partition_id: int) -> Lease | None:
        """The lease this node holds on the partition, or None (never taken, lost or released)."""
        return self._call(self._holds(partition_id))

    def close(self, *, release: bool = True) -> None:
        """Stop renewing, release the held leases (unless ``release=False``: they then expire after
        ``ttl_s``, like after a crash), disconnect; idempotent. ``on_lost`` is not called."""
        if self._closed:
            return
        self._closed = True
        try:
            self._call(self._shutdown(release), 10 + self._request_timeout * (len(self._held) + 1))
        except BaseException as exc:
            _log.warning("closing lease manager %s: %r", self.node_id, exc)
        self._stop_loop()

    def __enter__(self) -> LeaseManager:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ------------------------------------------------------------------ on the loop

    def _now_ms(self) -> int:
        """This node's wall clock in milliseconds (a method, so tests can skew it)."""
        return int(time.time() * 1000)

    def _value(self, term: int) -> bytes:
        return json.dumps(
            {"node": self.node_id, "term": term, "expires_ms": self._now_ms() + int(self.ttl_s * 1000)}
        ).encode()

    async def _read(self, partition_id: int) -> tuple[int, dict[str, Any] | None]:
        """(revision, value) of the key: revision 0 if never written, value None if deleted."""
        try:
            entry = await self._kv.get(lease_key(partition_id))
        except nats.js.errors.KeyNotFoundError as exc:
            deleted = exc.entry
            return (0 if deleted is None else deleted.revision or 0), None
        try:
            value = json.loads(entry.value or b"")
            if not isinstance(value, dict):
                raise ValueError("not an object")
            str(value["node"]), int(value["term"]), int(value["expires_ms"])
        except (ValueError, KeyError, TypeError) as exc:
            _log.warning(
                "lease of partition %d holds no valid lease (%r): taking it as free", partition_id, exc
            )
            value = None
        return entry.revision or 0, value

    async def _acquire(self, partition_id: int) -> Lease | None:
        if self._closed:
            raise LeaseError(f"lease manager {self.node_id} is closed")
        held = self._held.get(partition_id)
        if held is not None:
            return held.lease
        revision, value = await self._read(partition_id)
        if value is not None and self._now_ms() <= value["expires_ms"] + int(self.max_clock_skew_s * 1000):
            return None
        term = revision + 1
        sent = self._loop.time()
        try:
            new_revision = await self._kv.update(lease_key(partition_id), self._value(term), last=revision)
        except nats.js.errors.KeyWrongLastSequenceError:
            return None  # another node wrote first
        except (nats.errors.Error, TimeoutError) as exc:
            # The write's outcome is unknown: it took the lease if the key holds our term now.
            try:
                revision, value = await self._read(partition_id)
            except (nats.errors.Error, TimeoutError):
                raise LeaseError(f"acquiring the lease of partition {partition_id}: {exc!r}") from exc
            if value is None or value["node"] != self.node_id or value["term"] != term:
                raise LeaseError(f"acquiring the lease of partition {partition_id}: {exc!r}") from exc
            new_revision = revision
        lease = Lease(partition_id, self.node_id, term, new_revision)
        held = _Held(lease, new_revision, sent + self.ttl_s)
        self._held[partition_id] = held
        held.task = self._loop.create_task(self._keep(held), name=f"lease-{partition_id}")
        _log.info("node %s took the lease of partition %d (term %d)", self.node_id, partition_id, term)
        return lease

    async def _keep(self, held: _Held) -> None:
        """Renew ``held`` every ``renew_every_s`` until it is released or lost."""
        lease = held.lease
        key = lease_key(lease.partition_id)
        delay = self.renew_every_s
        failing = False
        while True:
            await asyncio.sleep(delay)
            left = held.deadline - self._loop.time()
            if left <= 0:
                self._lose(held, "no renewal acknowledged within the TTL")
                return
            sent = self._loop.time()
            try:
                held.revision = await asyncio.wait_for(
                    self._kv.update(key, self._value(lease.term), last=held.revision), left
                )
            except nats.js.errors.KeyWrongLastSequenceError:
                if await self._adopt(held, min(left, self._request_timeout)):
                    delay = 0
                    continue
                self._lose(held, "another node wrote the lease")
                return
            except (nats.errors.Error, TimeoutError) as exc:
                level = logging.DEBUG if failing else logging.INFO  # once per outage
                _log.log(level, "renewing the lease of partition %d failed: %r", lease.partition_id, exc)
                failing, delay = True, _RETRY_S
                continue
            held.deadline = sent + self.ttl_s
            failing, delay = False, self.renew_every_s

    async def _adopt(self, held: _Held, timeout: float) -> bool:
        """After a refused renewal: take the key's revision if the key still holds our term (an
        earlier renewal was stored although its acknowledgement was lost)."""
        try:
            revision, value = await asyncio.wait_for(self._read(held.lease.partition_id), timeout)
        except (nats.errors.Error, TimeoutError):
            return False
        if value is not None and value["node"] == self.node_id and value["term"] == held.lease.term:
            held.revision = revision
            return True
        return False

    def _lose(self, held: _Held, why: str) -> None:
        partition_id = held.lease.partition_id
        if self._held.get(partition_id) is not held:
            return
        del self._held[partition_id]
        _log.warning(
            "node %s lost the lease of partition %d (term %d): %s",
            self.node_id,
            partition_id,
            held.lease.term,
            why,
        )
        for callback in list(self._callbacks):
            try:
                callback(partition_id)
            except Exception:
                _log.exception("on_lost callback for partition %d failed", partition_id)

    async def _release(self, partition_id: int) -> bool:
        held = self._held.pop(partition_id, None)
        if held is None:
            return False
        await self._stop(held)
        return await self._delete_if_ours(held)

    async def _stop(self, held: _Held) -> None:
        task = held.task
        if task is not None and task is not asyncio.current_task():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _delete_if_ours(self, held: _Held) -> bool:
        key = lease_key(held.lease.partition_id)
        for _ in range(2):
            try:
                await self._kv.delete(key, last=held.revision)
            except nats.js.errors.APIError as exc:
                if exc.err_code not in _WRONG_LAST_SEQUENCE or not await self._adopt(
                    held, self._request_timeout
                ):
                    return False
                continue
            except (nats.errors.Error, TimeoutError) as exc:
                _log.warning("releasing the lease of partition %d: %r", held.lease.partition_id, exc)
                return False
            _log.info("node %s released the lease of partition %d", self.node_id, held.lease.partition_id)
            return True
        return False

    async def _holder(self, partition_id: int) -> tuple[str, int] | None:
        _, value = await self._read(partition_id)
        if value is None or self._now_ms() > value["expires_ms"]:
            return None
        return str(value["node"]), int(value["term"])

    async def _holds(self, partition_id: int) -> Lease | None:
        held = self._held.get(partition_id)
        return None if held is None else held.lease

    async def _shutdown(self, release: bool) -> None:
        held = list(self._held.values())
        self._held.clear()
        for one in held:
            await self._stop(one)
        if release:
            await asyncio.gather(*(self._delete_if_ours(one) for one in held), return_exceptions=True)
        if not await NatsLoop.disconnect(self._nc):
            _log.warning("the NATS connection of lease manager %s did not close within 5 s", self.node_id)

    # ------------------------------------------------------------------ plumbing

    def _call(self, coro: Coroutine[Any, Any, _T], timeout: float | None = None) -> _T:
        """Run ``coro`` on the loop and wait for its result (from any thread but the loop's)."""
        return self._runner.call(coro, self._request_timeout * 3 + 5 if timeout is None else timeout)

    def _stop_loop(self) -> None:
        self._runner.stop()

    def __repr__(self) -> str:
        return f"LeaseManager({self.node_id!r}, bucket={self.bucket!r}, ttl_s={self.ttl_s})"


__all__ = ["Lease", "LeaseError", "LeaseManager", "lease_key"]
