"""``ClusterStore``: what a cluster's brokers share besides the logs (ARCHITECTURE §11).

Two things let a partition's JetStream stream be compacted although followers, and brokers that
join later, rebuild their state from it:

- **Shared snapshots** in the JetStream object store ``strom-snapshots``: the partition's leader
  uploads its newest snapshot as an archive named ``p<partition>-<processed position>`` (zero
  padded, so names order by position), keeps the two newest and deletes older ones. A broker whose
  replay would start below the stream's first position downloads the newest one and restores it.
  Names never repeat and uploads only add, so a deposed leader's late upload cannot replace a newer
  snapshot.
- **Held positions** in the KV bucket ``strom-held``: every broker reports, per partition, the
  position after which it still needs the stream — the lowest position its exporters persisted,
  and its newest local snapshot's processed position (key ``p<partition>.<node>``, JSON with the
  wall clock time). The leader compacts only once it has a report from every broker of the
  cluster, and below none of the recent ones, so a follower's read model misses nothing and a
  restarted broker replays from its own snapshot; a report older than the hold the leader uses
  still counts as the broker's, but no longer holds the stream, so a broker that is gone for good
  does not hold it forever (it restores a shared snapshot if it comes back).

**Threads.** nats-py is asyncio: the store runs a private event loop in its own thread with its own
connection (like ``LeaseManager``), so a large upload never delays a log's acknowledgements. All
methods are synchronous and may be called from any thread but the loop's.

``import nats`` happens only here and in the other cluster modules: ``import strom.log`` never
imports it.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import time
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import api as js_api
from nats.js.kv import KeyValue
from nats.js.object_store import ObjectStore

from strom.log.errors import LogError
from strom.log.nats_connection import NatsUnreachableError, connect
from strom.log.nats_loop import NatsLoop, key_value_bucket, until_jetstream_answers

_log = logging.getLogger(__name__)

_T = TypeVar("_T")

SNAPSHOT_BUCKET = "strom-snapshots"
HELD_BUCKET = "strom-held"
_RETRY_S = 0.25


class ClusterStoreError(LogError):
    """NATS could not be reached, or a bucket not opened or written, in time."""


@dataclass(frozen=True, slots=True)
class SharedSnapshot:
    """A snapshot in the object store: replay from it starts at ``processed_position + 1``."""

    partition_id: int
    processed_position: int
    name: str
    size: int


@dataclass(frozen=True, slots=True)
class HeldPosition:
    """A broker needs the stream after ``position``, as it reported ``age_s`` seconds ago."""

    position: int
    age_s: float


def snapshot_name(partition_id: int, processed_position: int) -> str:
    """The object name of partition ``partition_id``'s snapshot at ``processed_position``."""
    return f"p{partition_id}-{processed_position:016d}"


class ClusterStore:
    """Shared snapshots and held positions of one broker (``node_id``); see the module docstring.

    Args:
        servers: NATS URL(s).
        node_id: this broker's id, the key of its held positions.
        replicas: replicas of the buckets when this broker creates them (3 in a cluster).
        keep: shared snapshots kept per partition.
        request_timeout_s: for one request to JetStream.
        transfer_timeout_s: for uploading or downloading one snapshot.

    Raises:
        ClusterStoreError: NATS could not be reached or the buckets could not be opened.
    """

    def __init__(
        self,
        servers: str | Sequence[str],
        node_id: str,
        *,
        replicas: int = 1,
        keep: int = 2,
        request_timeout_s: float = 5.0,
        transfer_timeout_s: float = 120.0,
        connect_timeout_s: float = 10.0,
    ) -> None:
        if keep < 1:
            raise ValueError(f"`keep` must be at least 1, got {keep}")
        self._servers = [servers] if isinstance(servers, str) else list(servers)
        self.node_id = node_id
        self._replicas = replicas
        self._keep = keep
        self._request_timeout = request_timeout_s
        self._transfer_timeout = transfer_timeout_s
        self._nc: Client | None = None
        self._runner = NatsLoop(
            f"strom-cluster-store[{node_id}]", ClusterStoreError, f"the cluster store of {node_id}"
        )
        self._loop = self._runner.loop
        try:
            self._objects, self._held = self._call(self._open(connect_timeout_s), connect_timeout_s * 3 + 5)
        except BaseException:
            self._stop_loop()
            raise

    async def _open(self, connect_timeout_s: float) -> tuple[ObjectStore, KeyValue]:
        try:
            nc = await connect(
                self._servers, f"strom-store-{self.node_id}", connect_timeout_s, self._on_error
            )
        except NatsUnreachableError as exc:
            raise ClusterStoreError(str(exc)) from exc
        self._nc = nc
        js = nc.jetstream(timeout=self._request_timeout)
        deadline = self._loop.time() + connect_timeout_s
        objects: ObjectStore | None = None
        while True:
            try:
                if objects is None:
                    objects = await self._object_store(nc, js)
                return objects, await key_value_bucket(nc, js, HELD_BUCKET, self._replicas)
            except (nats.errors.Error, TimeoutError) as exc:  # a server restarting, an election
                if self._loop.time() > deadline:
                    raise ClusterStoreError(f"cannot open the cluster's shared buckets: {exc!r}") from exc
                await asyncio.sleep(_RETRY_S)

    async def _object_store(self, nc: Client, js: Any) -> ObjectStore:
        await until_jetstream_answers(nc, f"OBJ_{SNAPSHOT_BUCKET}")
        try:
            store: ObjectStore = await js.object_store(SNAPSHOT_BUCKET)
            return store
        except nats.js.errors.BucketNotFoundError:
            config = js_api.ObjectStoreConfig(
                description="Strom partition snapshots",
                storage=js_api.StorageType.FILE,
                replicas=self._replicas,
            )
            store = await js.create_object_store(SNAPSHOT_BUCKET, config=config)
            return store

    async def _on_error(self, exc: Exception) -> None:
        _log.debug("NATS connection of the cluster store of %s: %r", self.node_id, exc)

    # ------------------------------------------------------------------ shared snapshots

    def put_snapshot(self, partition_id: int, processed_position: int, archive: bytes) -> SharedSnapshot:
        """Upload ``archive`` (a packed snapshot) and delete all but the ``keep`` newest of the
        partition's; returns the stored snapshot. A snapshot already stored is not sent again."""
        return self._call(self._put(partition_id, processed_position, archive), self._transfer_timeout)

    async def _put(self, partition_id: int, processed_position: int, archive: bytes) -> SharedSnapshot:
        name = snapshot_name(partition_id, processed_position)
        stored = {shared.name: shared for shared in await self._list(partition_id)}
        if name not in stored:
            await self._objects.put(name, archive)
            stored[name] = SharedSnapshot(partition_id, processed_position, name, len(archive))
        for old in sorted(stored)[: -self._keep]:
            with contextlib.suppress(nats.js.errors.NotFoundError):  # deleted by another broker
                await self._objects.delete(old)
        return stored[name]

    def snapshots(self, partition_id: int) -> list[SharedSnapshot]:
        """The partition's shared snapshots, oldest first."""
        found = self._call(self._list(partition_id))
        return sorted(found, key=lambda shared: shared.processed_position)

    def newest_snapshot(self, partition_id: int) -> SharedSnapshot | None:
        """The partition's newest shared snapshot, or None when none was shared yet."""
        snapshots = self.snapshots(partition_id)
        return snapshots[-1] if snapshots else None

    async def _list(self, partition_id: int) -> list[SharedSnapshot]:
        prefix = f"p{partition_id}-"
        try:
            infos = await self._objects.list()
        except nats.js.errors.NotFoundError:  # an empty bucket
            return []
        found = []
        for info in infos:
            name = info.name or ""
            if info.deleted or not name.startswith(prefix) or not name[len(prefix) :].isdigit():
                continue
            found.append(SharedSnapshot(partition_id, int(name[len(prefix) :]), name, info.size or 0))
        return found

    def fetch_snapshot(self, shared: SharedSnapshot) -> bytes:
        """The archive of ``shared`` (checked against its digest by the object store)."""
        return self._call(self._fetch(shared.name), self._transfer_timeout)

    async def _fetch(self, name: str) -> bytes:
        into = io.BytesIO()  # nats-py concatenates chunks into bytes otherwise: quadratic for big ones
        await self._objects.get(name, writeinto=into)
        return into.getvalue()

    # ------------------------------------------------------------------ held positions

    def report_held(self, partition_id: int, position: int) -> None:
        """Say that this broker needs ``partition_id``'s stream only after ``position``."""
        value = json.dumps({"position": position, "at_ms": int(time.time() * 1000)}).encode()
        self._call(self._held.put(f"p{partition_id}.{_key_safe(self.node_id)}", value))

    def held_positions(self, partition_id: int) -> dict[str, HeldPosition]:
        """Every broker's last report of its held position for ``partition_id``, however old."""
        return self._call(self._held_positions(partition_id))

    async def _held_positions(self, partition_id: int) -> dict[str, HeldPosition]:
        prefix = f"p{partition_id}."
        try:
            keys = await self._held.keys()
        except nats.js.errors.NoKeysError:
            return {}
        now_ms = time.time() * 1000
        positions = {}
        for key in keys:
            if not key.startswith(prefix):
                continue
            try:
                entry = await self._held.get(key)
                value = json.loads(entry.value or b"{}")
                age_s = max(0.0, (now_ms - value["at_ms"]) / 1000)
                positions[key[len(prefix) :]] = HeldPosition(int(value["position"]), age_s)
            except (nats.js.errors.KeyNotFoundError, ValueError, KeyError, TypeError):
                continue
        return positions

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Disconnect and stop the loop; idempotent."""
        if not self._runner.running:
            return
        try:
            self._call(NatsLoop.disconnect(self._nc), 10)
        except BaseException as exc:
            _log.info("closing the cluster store's NATS connection: %r", exc)
        self._stop_loop()

    def __enter__(self) -> ClusterStore:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _call(self, coro: Coroutine[Any, Any, _T], timeout: float | None = None) -> _T:
        return self._runner.call(coro, self._request_timeout * 3 if timeout is None else timeout)

    def _stop_loop(self) -> None:
        self._runner.stop()

    def __repr__(self) -> str:
        return f"ClusterStore({self.node_id!r})"


def _key_safe(node_id: str) -> str:
    """``node_id`` as a KV key token (letters, digits, ``-`` and ``_``)."""
    return "".join(char if char.isalnum() or char in "-_" else "_" for char in node_id)


__all__ = ["ClusterStore", "ClusterStoreError", "HeldPosition", "SharedSnapshot", "snapshot_name"]
