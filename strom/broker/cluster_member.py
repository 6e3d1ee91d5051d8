"""A partition of a cluster broker: its follower or its leader, as its lease says (ARCHITECTURE §11).

In a cluster every broker opens every partition it serves on the partition's JetStream stream
(``PartitionSettings.log_servers``) as a ``PartitionMember``. Which one of them processes is decided
by the partition's lease in the JetStream KV bucket (``strom.log.LeaseManager``):

- **follower** (no lease): the partition is open in replay mode (``PartitionSettings.follow``). The
  member's thread polls every ``poll_s``: it tries to take the lease and, while another broker
  holds it, catches the log up with the stream (``JetStreamLog.catch_up``) and replays what the
  leader appended (``StreamProcessor.recover(processing=False)``), so its state stays current. It
  snapshots that state as a leader would (``snapshot_period_s``, ``snapshot_every_records``) and
  feeds its exporters the stream as the leader does, so each broker's read model is complete.
  Requests are forwarded to the leader (``strom.broker.forwarding``; without a forwarder they are
  refused as unavailable).
- **taking over** (the lease was free or expired, and this broker took it): the log **fences** the
  stream (``JetStreamLog.fence``: it catches up and stores a record-less marker with the expected
  last sequence, so a deposed leader's later appends are refused), the processor replays what is
  left and switches to processing (``recover()``), and the partition starts its threads. The
  engine and the stream processor do not know any of this: they see a log and a replay.
- **sharing and compaction** (with a ``ClusterStore``): every ``share_every_s`` each member
  reports the position after which its broker still needs the stream (its exporters' persisted
  position, its newest local snapshot); the leader uploads its newest snapshot to the object store
  and then compacts the stream below that snapshot and below every broker's report (reports older
  than ``compaction_hold_s`` do not count). A member whose replay would start below the stream's
  first position — a broker that was away for longer, or joins later — restores the newest shared
  snapshot and replays from there.
- **leader**: the lease manager renews the lease well inside its TTL. When it cannot (``on_lost``),
  or the log refuses an append (fenced: another broker took over), the member refuses requests at
  once, stops the processor, answers every request still waiting with an unavailable refusal,
  closes the partition without a snapshot (its state may hold steps the stream never acknowledged)
  and reopens it as a follower from its newest snapshot, replaying the stream from there.

A member implements the gateways' ``PartitionEndpoint`` (``request``, ``submit``, ``status``…), so a
broker's router can hold it like a ``LocalEndpoint``. The embedded default (file journal, no NATS)
never imports this module.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from strom.broker.endpoint import Answer, AnswerCallback, PartitionStatus, Refusal
from strom.broker.forwarding import NOT_LEADING, Forwarder
from strom.broker.partition import Partition, PartitionSettings, persisted_export_position
from strom.db import latest_snapshot, pack_snapshot, unpack_snapshot
from strom.engine import JobStreams
from strom.engine.partitions import InterPartitionSender
from strom.log.cluster_store import ClusterStore
from strom.log.errors import LogError, PositionCompactedError
from strom.log.jetstream import JetStreamLog
from strom.log.lease import Lease, LeaseError, LeaseManager
from strom.protocol.enums import ValueType
from strom.protocol.record import Record
from strom.stream.clock import Clock

_log = logging.getLogger(__name__)

ROLES = ("new", "follower", "leader", "stepping-down", "closed")


class PartitionMember:
    """One partition on one cluster broker; see the module docstring.

    Args:
        settings: the partition's settings; ``log_servers`` must name the NATS servers.
        leases: this broker's lease manager (shared by its partitions).
        poll_s: how often a follower catches up and tries to take the lease.
    """

    def __init__(
        self,
        settings: PartitionSettings,
        leases: LeaseManager,
        *,
        poll_s: float = 0.05,
        clock: Clock | None = None,
        job_streams: JobStreams | None = None,
        sender: InterPartitionSender | None = None,
        forwarder: Forwarder | None = None,
        balance: LeaderBalance | None = None,
        store: ClusterStore | None = None,
        cluster_size: int = 1,
        share_every_s: float = 2.0,
        compaction_hold_s: float = 3600.0,
    ) -> None:
        if not settings.log_servers:
            raise ValueError("a cluster member needs the NATS servers of its log (log_servers)")
        self.settings = replace(settings, follow=True)
        self.partition_id = settings.partition_id
        self.node_id = leases.node_id
        self._leases = leases
        self._poll_s = poll_s
        self._clock = clock
        self._job_streams = job_streams
        self._sender = sender
        self._forwarder = forwarder
        self._balance = balance
        self._store = store
        self._cluster_size = cluster_size
        """Brokers whose held positions must all be known before the leader compacts."""
        self._share_every_s = share_every_s
        self._compaction_hold_s = compaction_hold_s
        self._shared_position = 0
        """The processed position of the newest snapshot this member knows is shared."""
        self._reported = -1
        self._reported_at = 0.0
        self.restored_shared = 0
        """How often this member restored a snapshot another broker shared (its replay start was
        compacted away)."""
        self.forwarded = 0
        """Commands this member forwarded to the leader while following."""
        self.role = "new"
        self.term = 0
        """The term of the lease this member leads under (0 before it ever led)."""
        self.takeovers = 0
        self.last_takeover_s = 0.0
        """Seconds from taking the lease to processing, at the last takeover (fence + replay)."""
        self.partition: Partition
        self._lock = threading.Lock()
        self._outstanding: dict[int, tuple[int, AnswerCallback]] = {}
        self._tokens = itertools.count(1)
        self._wake = threading.Event()
        self._wake_sharer = threading.Event()
        self._lost = False
        self._closing = False
        self._runner: threading.Thread | None = None
        self._sharer: threading.Thread | None = None
        self._failing_since = 0.0
        self._last_snapshot = 0.0
        self._snapshot_position = 0
        leases.on_lost(self._on_lost)

    # -- lifecycle ---------------------------------------------------------------------------------

    def open(self) -> PartitionMember:
        """Open the partition as a follower (restore the snapshot, replay the stream), take the lease
        if it is free (so a broker that finds no leader leads when this returns), and start the
        member's thread, which keeps following and takes the lease when it becomes free."""
        self.partition = self._open_follower_patiently()
        try:
            self._follow_or_take_over()
        except Exception:  # NATS away: the thread keeps trying
            _log.warning("partition %d: first look at the lease failed", self.partition_id, exc_info=True)
        self._runner = threading.Thread(
            target=self._run, name=f"member-{self.node_id}-{self.partition_id}", daemon=True
        )
        self._runner.start()
        if self._store is not None:
            # Its own thread: an upload or a compaction waiting on NATS must not delay a step-down
            # or a takeover on the member's thread.
            self._sharer = threading.Thread(
                target=self._share_loop,
                args=(self._store,),
                name=f"member-share-{self.node_id}-{self.partition_id}",
                daemon=True,
            )
            self._sharer.start()
        return self

    def close(self) -> None:
        """Stop the member; a leader finishes its step, snapshots, and releases the lease."""
        self._closing = True
        self._wake.set()
        self._wake_sharer.set()
        if self._runner is not None:
            self._runner.join(60)
            self._runner = None
        if self._sharer is not None:
            self._sharer.join(60)
            self._sharer = None
        led = self.role == "leader"
        self.role = "closed"
        if led and self._forwarder is not None:
            self._forwarder.stop_serving(self.partition_id)
        try:
            self.partition.close(snapshot=self.partition.failure is None)
        finally:
            if led:
                with contextlib.suppress(LeaseError):
                    self._leases.release(self.partition_id)
            self._refuse_outstanding("the broker is shutting down")

    def wait_for_role(self, role: str, timeout_s: float) -> bool:
        """Wait until the member has ``role`` (for tests and tools); False on timeout."""
        deadline = time.monotonic() + timeout_s
        while self.role != role:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    # -- the gateways' side (PartitionEndpoint) ----------------------------------------------------

    def request(self, command: Record[Any], on_answer: AnswerCallback) -> int:
        """Send ``command`` to this partition if this broker leads it; else to the leader (with a
        forwarder), or refuse it as unavailable."""
        if self.role != "leader" and self._forwarder is not None:
            self.forwarded += 1
            self._forwarder.forward(self.partition_id, command, on_answer)
            return -1
        return self.request_here(command, on_answer)

    def request_here(self, command: Record[Any], on_answer: AnswerCallback) -> int:
        """Process ``command`` here if this broker leads the partition; else refuse it as
        unavailable (a forwarded command is never forwarded on)."""
        if self.role != "leader":
            on_answer(Refusal(self.partition_id, self._unavailable(), unavailable=True))
            return -1
        token = next(self._tokens)

        def answered(record: Record[Any]) -> None:
            with self._lock:
                entry = self._outstanding.pop(token, None)
            if entry is not None:
                entry[1](record)

        with self._lock:
            self._outstanding[token] = (-1, on_answer)
        partition = self.partition
        request_id = partition.try_submit(command, answered)
        if request_id is None:
            with self._lock:
                self._outstanding.pop(token, None)
            limiter = partition.limiter
            on_answer(Refusal(self.partition_id, partition.refusal or "", limiter.inflight, limiter.limit))
            return -1
        with self._lock:
            if token in self._outstanding:
                self._outstanding[token] = (request_id, on_answer)
        if self.role != "leader":  # stepped down meanwhile, maybe after refusing what waited
            self._refuse_outstanding(self._unavailable(), token)
        return token

    def submit(self, command: Record[Any]) -> None:
        """Fire and forget; forwarded to the leader (under its backpressure) when this broker does
        not lead the partition, or dropped with a log line without a forwarder."""
        if self.role != "leader" and self._forwarder is not None:
            self._forwarder.forward(self.partition_id, command, _ignore)
            return
        if self.role != "leader":
            _log.info(
                "partition %d: %s dropped: %s",
                self.partition_id,
                command.value_type.name,
                self._unavailable(),
            )
            return
        self.partition.submit(command)

    def forget_request(self, request_id: int) -> None:
        with self._lock:
            entry = self._outstanding.pop(request_id, None)
        if entry is not None and entry[0] >= 0:
            self.partition.forget_request(entry[0])

    def supports(self, value_type: ValueType, intent: int) -> bool:
        return self.partition.supports(value_type, intent)

    def status(self) -> PartitionStatus:
        leads = self.role == "leader"
        failure = self.partition.failure if leads else None
        return PartitionStatus(
            self.partition_id,
            healthy=leads and failure is None,
            phase=self.partition.phase if leads else self.role,  # "processing" while it leads
            failure="" if failure is None else f"{type(failure).__name__}: {failure}",
        )

    def _unavailable(self) -> str:
        why = f"partition {self.partition_id} {NOT_LEADING} (node {self.node_id}, {self.role})"
        if self._forwarder is None:
            why += " and forwarding is off: send it to the leader's broker"
        return why

    # -- the member's thread ------------------------------------------------------------------------

    def _on_lost(self, partition_id: int) -> None:
        """From the lease thread: refuse requests now, let the member's thread step down."""
        if partition_id != self.partition_id:
            return
        self._lost = True
        if self.role == "leader":
            self.role = "stepping-down"
        self._wake.set()

    def _run(self) -> None:
        while not self._closing:
            try:
                if self.partition.phase == "closed":  # stepped down, reopening failed: again
                    self.partition = self._open_follower()
                elif self.role == "follower":
                    self._follow_or_take_over()
                elif self.role in ("leader", "stepping-down"):
                    why = self._why_step_down()
                    if why:
                        self._step_down(why)
                self._failing_since = 0.0
            except PositionCompactedError as exc:
                if self.role != "follower":
                    self._warn(exc)
                else:  # the leader compacted past what this follower read (it was slow, or away)
                    _log.warning("partition %d: %s; reopening from a newer snapshot", self.partition_id, exc)
                    with contextlib.suppress(Exception):
                        self.partition.close(snapshot=False)
                    try:
                        self.partition = self._open_follower()
                    except Exception as again:  # the next round opens it again (phase "closed")
                        self._warn(again)
            except Exception as exc:  # NATS away, a log failure: keep trying, say so once in a while
                self._warn(exc)
            self._wake.wait(self._poll_s)
            self._wake.clear()

    def _warn(self, exc: BaseException) -> None:
        """Log a failure of the member's thread, at most every 10 s."""
        now = time.monotonic()
        if not self._failing_since or now - self._failing_since > 10:
            _log.warning(
                "partition %d member (%s)",
                self.partition_id,
                self.role,
                exc_info=(type(exc), exc, exc.__traceback__),
            )
            self._failing_since = now

    def _why_step_down(self) -> str:
        if self._lost:
            return "its lease was lost (not renewed within the TTL, or taken by another broker)"
        failure = self.partition.failure or self._log().failure
        if failure is not None:
            return f"its log failed: {failure}"
        return ""

    def _follow_or_take_over(self) -> None:
        self._lost = False
        try:
            lease = None
            if self._balance is None or self._balance.may_take(self.partition_id, self._leases):
                lease = self._leases.acquire(self.partition_id)
        except LeaseError as exc:
            _log.debug("partition %d: cannot ask for the lease: %s", self.partition_id, exc)
            lease = None
        if lease is not None:
            self._take_over(lease)
            return
        partition = self.partition
        log = self._log()
        before = log.next_position
        if log.catch_up() != before:
            partition.processor.recover(processing=False)
            self._maybe_snapshot()
        # A follower exports what the leader wrote too: every broker's read model (its own secondary
        # storage, its record exports) holds every partition, not only those it leads.
        partition.director.export_available()

    def _maybe_snapshot(self) -> None:
        """Snapshot a follower's state as a leader would (period or log growth), so that a restart
        or a step-down replays from there, not from the start of the stream."""
        settings = self.settings
        partition = self.partition
        grown = partition.log.next_position - self._snapshot_position
        if (
            time.monotonic() - self._last_snapshot < settings.snapshot_period_s
            and grown < settings.snapshot_every_records
        ):
            return
        partition.snapshot()  # between replays, on this thread: only acknowledged records in it
        self._last_snapshot = time.monotonic()
        self._snapshot_position = partition.log.next_position

    def _share_loop(self, store: ClusterStore) -> None:
        failing_since = 0.0
        while not self._closing:
            try:  # at once first: report what this broker needs before anything is compacted
                self._share(store)
                failing_since = 0.0
            except Exception:  # NATS away, the partition reopening: the next round tries again
                now = time.monotonic()
                if not failing_since or now - failing_since > 10:
                    _log.warning(
                        "partition %d: sharing or compacting failed", self.partition_id, exc_info=True
                    )
                    failing_since = now
            self._wake_sharer.wait(self._share_every_s)

    def _share(self, store: ClusterStore) -> None:
        """Report where this broker still needs the stream; as the leader, share the newest
        snapshot and compact the stream below it and below every broker's report (see the module
        docstring)."""
        partition = self.partition
        snapshot = latest_snapshot(partition.snapshots_dir)
        processed = int(snapshot.metadata["processed_position"]) if snapshot is not None else 0
        exported = persisted_export_position(partition.director)
        held = processed if exported is None else min(processed, exported)
        now = time.monotonic()
        # Again now and then although unchanged, so that a live broker's report never ages past the hold.
        if held != self._reported or now - self._reported_at >= self._compaction_hold_s / 4:
            store.report_held(self.partition_id, held)
            self._reported, self._reported_at = held, now
        if self.role != "leader":
            return
        if snapshot is not None and processed > self._shared_position:
            store.put_snapshot(self.partition_id, processed, pack_snapshot(snapshot))
            self._shared_position = processed
        if self._shared_position == 0:
            return
        reports = store.held_positions(self.partition_id)
        if len(reports) < self._cluster_size:
            # A broker that has not reported yet (starting, or killed before its first report)
            # would lose what it has not replayed or exported: wait until every broker reported.
            return
        hold_s = self._compaction_hold_s
        positions = {node: report.position for node, report in reports.items() if report.age_s <= hold_s}
        keep_from = min([self._shared_position, *positions.values()]) + 1
        log = self._log()
        before = log.first_position
        if log.compact(keep_from) != before:
            _log.info(
                "partition %d: compacted below position %d (shared snapshot at %d, held: %s)",
                self.partition_id,
                keep_from,
                self._shared_position,
                positions,
            )

    def _take_over(self, lease: Lease) -> None:
        started = time.monotonic()
        partition = self.partition
        try:
            self._log().fence()
            partition.processor.recover()
            partition.start()
        except Exception:
            _log.exception("partition %d: taking over (term %d) failed", self.partition_id, lease.term)
            with contextlib.suppress(LeaseError):
                self._leases.release(self.partition_id)
            self._reopen_as_follower()
            return
        self.term = lease.term
        self.takeovers += 1
        self.last_takeover_s = time.monotonic() - started
        self.role = "leader"
        if self._forwarder is not None:
            try:
                self._forwarder.serve(self.partition_id, self.request_here)
            except Exception:  # NATS away: this broker's own gateways still reach it
                _log.warning("partition %d: cannot take forwarded commands", self.partition_id, exc_info=True)
        if self._lost:  # lost while taking over: the next round steps down
            self.role = "stepping-down"
        _log.info(
            "node %s leads partition %d (term %d) from position %d, after %.3f s of fencing and replay",
            self.node_id,
            self.partition_id,
            lease.term,
            partition.log.next_position,
            self.last_takeover_s,
        )

    def _step_down(self, why: str) -> None:
        self.role = "stepping-down"
        if self._forwarder is not None:
            self._forwarder.stop_serving(self.partition_id)
        _log.warning("node %s steps down as leader of partition %d: %s", self.node_id, self.partition_id, why)
        if not self._lost:  # the log failed but the lease may still be ours: give it up
            with contextlib.suppress(LeaseError):
                self._leases.release(self.partition_id)
        self._reopen_as_follower()

    def _reopen_as_follower(self) -> None:
        try:
            # No snapshot: the state may hold steps whose batches the stream never acknowledged.
            self.partition.close(snapshot=False)
        except Exception as exc:  # fenced or NATS away: what was not acknowledged is not ours
            _log.info("partition %d closed after stepping down: %s", self.partition_id, exc)
        self._refuse_outstanding(f"partition {self.partition_id} lost its leader on node {self.node_id}")
        self.partition = self._open_follower()

    def _open_follower_patiently(self, timeout_s: float = 120.0) -> Partition:
        """Open as a follower, trying again while NATS cannot answer yet (a server restarting, a
        stream electing its leader): a broker started during a NATS failover waits it out."""
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                return self._open_follower()
            except LogError as exc:
                if time.monotonic() > deadline:
                    raise
                _log.warning(
                    "partition %d: cannot open its stream yet, trying again: %s",
                    self.partition_id,
                    exc,
                    exc_info=True,
                )
                time.sleep(0.5)

    def _open_follower(self) -> Partition:
        started = time.monotonic()
        attempt = 0
        while True:
            try:
                partition = self._open_partition()
                break
            except PositionCompactedError as exc:
                attempt += 1
                if self._store is None or attempt > 5:
                    raise
                # The leader may compact past the snapshot just restored: restore the newer one.
                self._restore_shared(self._store, str(exc))
        self._last_snapshot = time.monotonic()
        self._snapshot_position = partition.processor.replay_start_position
        self.role = "follower"
        _log.info(
            "partition %d: opened as a follower in %.2f s (from position %d, %d events replayed in %.2f s)",
            self.partition_id,
            time.monotonic() - started,
            self._snapshot_position,
            partition.replayed_events,
            partition.replay_seconds,
        )
        return partition

    def _open_partition(self) -> Partition:
        return Partition(
            self.settings, clock=self._clock, job_streams=self._job_streams, sender=self._sender
        ).open()

    def _restore_shared(self, store: ClusterStore, why: str) -> None:
        """Make the newest shared snapshot this broker's newest local one (the stream was compacted
        past this broker's state)."""
        shared = store.newest_snapshot(self.partition_id)
        if shared is None:
            raise PositionCompactedError(f"{why}, and no snapshot of partition {self.partition_id} is shared")
        archive = store.fetch_snapshot(shared)
        unpack_snapshot(
            archive, Path(self.settings.data_dir) / f"partition-{self.partition_id}" / "snapshots"
        )
        self.restored_shared += 1
        self._shared_position = max(self._shared_position, shared.processed_position)
        _log.warning(
            "partition %d: %s; restored the snapshot the leader shared at position %d (%d bytes). "
            "Exporters of this broker skip the records compacted before it",
            self.partition_id,
            why,
            shared.processed_position,
            shared.size,
        )

    def _refuse_outstanding(self, reason: str, token: int | None = None) -> None:
        """Answer every waiting request (or only ``token``'s) as unavailable, each exactly once."""
        with self._lock:
            if token is None:
                waiting = list(self._outstanding.values())
                self._outstanding.clear()
            else:
                entry = self._outstanding.pop(token, None)
                waiting = [] if entry is None else [entry]
        for _, on_answer in waiting:
            try:
                on_answer(Refusal(self.partition_id, reason, unavailable=True))
            except Exception:
                _log.exception("answering a request of partition %d failed", self.partition_id)

    @property
    def max_batch_size(self) -> int:
        """The largest batch the partition's stream takes in one message (the servers' max_payload)."""
        return self._log().max_batch_size

    def _log(self) -> JetStreamLog:
        log = self.partition.log
        assert isinstance(log, JetStreamLog)
        return log


class LeaderBalance:
    """Spreads the leaders of a broker's partitions over the cluster's brokers.

    A broker takes a free lease only while it leads fewer than its share: the partition count over
    the brokers, rounded up. The brokers are the live ones — this broker and the holders of the
    partitions' leases, looked up at most every ``refresh_s`` — so when a broker dies, the others'
    share grows and they take its partitions as soon as its leases expire; but for ``boot_s`` after
    it started, until it has seen every expected broker (``cluster_size``) live, they are the
    expected ones, so brokers started together split the partitions. Leaders are not moved back
    when a broker returns (as in Zeebe, where that is an explicit rebalancing).
    """

    def __init__(
        self,
        members: Mapping[int, PartitionMember],
        cluster_size: int,
        boot_s: float,
        refresh_s: float = 0.5,
    ) -> None:
        self._members = members
        self._cluster_size = max(1, cluster_size)
        self._boot_until = time.monotonic() + boot_s
        self._refresh_s = refresh_s
        self._live = 1
        self._live_at = 0.0

    def share(self, leases: LeaseManager) -> int:
        """How many partitions this broker may lead now."""
        live = self._live_brokers(leases)
        if live >= self._cluster_size:
            self._boot_until = 0.0  # every expected broker was seen: from now on, the live ones count
        if time.monotonic() < self._boot_until:
            return -(-len(self._members) // self._cluster_size)
        return -(-len(self._members) // live)

    def may_take(self, partition_id: int, leases: LeaseManager) -> bool:
        leading = sum(1 for member in self._members.values() if member.role == "leader")
        return leading < self.share(leases)

    def _live_brokers(self, leases: LeaseManager) -> int:
        now = time.monotonic()
        if now - self._live_at >= self._refresh_s:
            holders = {leases.node_id}
            for partition_id in self._members:
                holder = leases.holder(partition_id)
                if holder is not None:
                    holders.add(holder[0])
            self._live, self._live_at = len(holders), now
        return self._live


class MemberSender:
    """Commands for other partitions (``InterPartitionSender``) in a cluster broker: handed to that
    partition's member here, which writes them when this broker leads it and forwards them to the
    leader otherwise. Fire and forget, as between partition processes: what the engine sends this
    way (distribution, the message subscription handshake) is resent until acknowledged."""

    def __init__(self) -> None:
        self.members: dict[int, PartitionMember] = {}

    def send(self, partition_id: int, command: Record[Any]) -> None:
        member = self.members.get(partition_id)
        if member is None:
            _log.warning(
                "a %s command for partition %d, which this broker does not serve, is dropped",
                command.value_type.name,
                partition_id,
            )
            return
        member.submit(command)


__all__ = ["ROLES", "LeaderBalance", "MemberSender", "PartitionMember"]


def _ignore(answer: Answer) -> None:
    """The answer of a forwarded fire-and-forget command (nobody waits for it)."""
