"""Job streams across cluster brokers: a worker streaming jobs from one broker also gets the jobs of
the partitions other brokers lead (issue 15: "job pushes across brokers").

A leader pushes a job to a stream it picks from its broker's ``JobStreamRegistry`` (the engine's
``JobStreams``). In a cluster the registry also holds ``RemoteStream``s: the streams open on the
other brokers, which every broker announces over NATS (``strom.streams``): its whole list every
``announce_every_s`` and at once when it changes. A broker not heard of for ``expire_after_s`` (it
died) has its streams dropped. Pushing to a remote stream publishes the activated job to its broker
(``strom.jobs.<node>``), which hands it to the worker's stream there, or gives it back (JOB YIELD,
through the partition's leader) when that stream closed meanwhile; a push that cannot be published
is given back at once. A push published to a broker that dies before delivering is lost with it
and its job times out, as in Zeebe when a gateway dies with pushed jobs.

The announcement also carries the broker's ``Presence`` — its node id, gateway address and the
partitions it leads — from which every broker's topology lists the whole cluster (``peers``).
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import msgspec

from strom.broker.endpoint import PeerBroker
from strom.broker.forwarding import Forwarder
from strom.broker.job_streams import JobStreamRegistry
from strom.engine.job_streams import JobStream
from strom.protocol.values.job import JobRecordValue

_log = logging.getLogger(__name__)

STREAMS_SUBJECT = "strom.streams"


def jobs_subject(node_id: str) -> str:
    """Where jobs pushed to the streams of broker ``node_id`` go."""
    return f"strom.jobs.{node_id}"


class _Stream(msgspec.Struct, frozen=True):
    stream_id: int
    job_type: str
    worker: str
    timeout: int
    fetch_variables: list[str]
    authorizations: dict[str, Any]
    tenant_ids: list[str]


class Presence(msgspec.Struct, frozen=True):
    """What a broker tells the others about itself, with its streams (for their topology)."""

    node_id: int
    host: str
    port: int
    leading: list[int]


class _Announcement(msgspec.Struct, frozen=True):
    node_id: str
    streams: list[_Stream]
    presence: Presence | None = None


class _Push(msgspec.Struct, frozen=True):
    stream_id: int
    job_key: int
    job: JobRecordValue


_encode = msgspec.msgpack.Encoder().encode
_decode_announcement = msgspec.msgpack.Decoder(_Announcement).decode
_decode_push = msgspec.msgpack.Decoder(_Push).decode


class RemoteStream:
    """A worker's stream on another broker, as the engine here sees it (``JobStream``)."""

    def __init__(self, streams: ClusterStreams, node_id: str, stream: _Stream) -> None:
        self._streams = streams
        self.node_id = node_id
        self.stream = stream

    @property
    def worker(self) -> str:
        return self.stream.worker

    @property
    def timeout(self) -> int:
        return self.stream.timeout

    @property
    def fetch_variables(self) -> list[str]:
        return self.stream.fetch_variables

    @property
    def authorizations(self) -> dict[str, Any]:
        return self.stream.authorizations

    @property
    def tenant_ids(self) -> list[str]:
        return self.stream.tenant_ids

    def push(self, job_key: int, job: JobRecordValue) -> None:
        self._streams.push_remote(self, job_key, job)


class ClusterStreams:
    """This broker's side of job streams across the cluster (see the module docstring).

    Args:
        give_back: sends JOB YIELD for a job key to the job's partition (through its leader).
    """

    def __init__(
        self,
        forwarder: Forwarder,
        registry: JobStreamRegistry,
        give_back: Callable[[int], None],
        *,
        presence: Callable[[], Presence] | None = None,
        announce_every_s: float = 1.0,
        expire_after_s: float = 4.0,
    ) -> None:
        self._forwarder = forwarder
        self._registry = registry
        self._give_back = give_back
        self._presence = presence
        self._peers: dict[str, Presence] = {}
        self.node_id = forwarder.node_id
        self._announce_every_s = announce_every_s
        self._expire_after_s = expire_after_s
        self._lock = threading.RLock()
        self._local: dict[int, tuple[str, JobStream]] = {}
        self._local_ids: dict[int, int] = {}
        """id(stream) -> its stream id here."""
        self._ids = itertools.count(1)
        self._remote: dict[str, dict[int, RemoteStream]] = {}
        self._heard: dict[str, float] = {}
        self._stopping = threading.Event()
        self._changed = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> ClusterStreams:
        self._forwarder.subscribe(STREAMS_SUBJECT, self._on_announcement)
        self._forwarder.subscribe(jobs_subject(self.node_id), self._on_push)
        self._registry.add_stream_observer(self._on_added, self._on_removed)
        self._thread = threading.Thread(target=self._run, name=f"cluster-streams-{self.node_id}", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        self._stopping.set()
        self._changed.set()
        self._registry.remove_stream_observer(self._on_added, self._on_removed)
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    # -- this broker's streams -----------------------------------------------------------------------

    def _on_added(self, job_type: str, stream: JobStream) -> None:
        if isinstance(stream, RemoteStream):
            return
        with self._lock:
            if id(stream) in self._local_ids:
                return
            stream_id = self._local_ids[id(stream)] = next(self._ids)
            self._local[stream_id] = (job_type, stream)
        self._changed.set()

    def _on_removed(self, job_type: str, stream: JobStream) -> None:
        if isinstance(stream, RemoteStream):
            return
        with self._lock:
            stream_id = self._local_ids.pop(id(stream), None)
            if stream_id is not None:
                self._local.pop(stream_id, None)
        self._changed.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._announce()
            self._expire()
            self._changed.wait(self._announce_every_s)
            self._changed.clear()

    def _announce(self) -> None:
        with self._lock:
            streams = [
                _Stream(
                    stream_id,
                    job_type,
                    stream.worker,
                    stream.timeout,
                    list(stream.fetch_variables),
                    dict(stream.authorizations),
                    list(stream.tenant_ids),
                )
                for stream_id, (job_type, stream) in self._local.items()
            ]
        presence = self._presence() if self._presence is not None else None
        self._forwarder.publish(STREAMS_SUBJECT, _encode(_Announcement(self.node_id, streams, presence)))

    def _on_push(self, payload: bytes) -> None:
        push = _decode_push(payload)
        with self._lock:
            entry = self._local.get(push.stream_id)
        if entry is None:  # the worker's stream closed meanwhile: the job goes back
            self._give_back(push.job_key)
            return
        entry[1].push(push.job_key, push.job)

    # -- the other brokers' streams ------------------------------------------------------------------

    def _on_announcement(self, payload: bytes) -> None:
        announcement = _decode_announcement(payload)
        node_id = announcement.node_id
        if node_id == self.node_id:
            return
        announced = {stream.stream_id: stream for stream in announcement.streams}
        with self._lock:
            self._heard[node_id] = time.monotonic()
            if announcement.presence is not None:
                self._peers[node_id] = announcement.presence
            known = self._remote.setdefault(node_id, {})
            for stream_id in [stream_id for stream_id in known if stream_id not in announced]:
                gone = known.pop(stream_id)
                self._registry.remove(gone.stream.job_type, gone)
            for stream_id, stream in announced.items():
                if stream_id not in known:
                    remote = known[stream_id] = RemoteStream(self, node_id, stream)
                    self._registry.add(stream.job_type, remote)

    def _expire(self) -> None:
        now = time.monotonic()
        with self._lock:
            for node_id, heard in list(self._heard.items()):
                if now - heard > self._expire_after_s:
                    _log.info("broker %s silent for %.0f s: its job streams dropped", node_id, now - heard)
                    del self._heard[node_id]
                    self._peers.pop(node_id, None)
                    for remote in self._remote.pop(node_id, {}).values():
                        self._registry.remove(remote.stream.job_type, remote)

    def push_remote(self, remote: RemoteStream, job_key: int, job: JobRecordValue) -> None:
        payload = _encode(_Push(remote.stream.stream_id, job_key, job))
        if not self._forwarder.publish(jobs_subject(remote.node_id), payload):
            self._give_back(job_key)

    def peers(self) -> list[PeerBroker]:
        """The other brokers heard of lately, as the topology shows them."""
        with self._lock:
            presences = list(self._peers.values())
        return [PeerBroker(p.node_id, p.host, p.port, frozenset(p.leading)) for p in presences]

    def remote_streams(self) -> int:
        """How many streams of other brokers are known here (for tests and metrics)."""
        return sum(len(streams) for streams in self._remote.values())


__all__ = ["STREAMS_SUBJECT", "ClusterStreams", "Presence", "RemoteStream", "jobs_subject"]
