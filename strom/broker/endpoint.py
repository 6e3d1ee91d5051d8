"""A partition as the gateways see it: send a command, get the answer or a refusal.

The gateways (gRPC, REST) and the router never touch a ``Partition`` directly: they talk to a
``PartitionEndpoint``. ``LocalEndpoint`` wraps a partition in this process (the single-partition
default, the fastest path); ``strom.broker.remote_partition.RemotePartition`` one that runs in its
own OS process. Both answer on the thread of the event loop that sends (or synchronously, for a
refusal), so the gateway's bridge needs no other knowledge of where a partition runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from strom.broker.partition import Partition
from strom.protocol.enums import ValueType
from strom.protocol.record import Record


@dataclass(frozen=True)
class Refusal:
    """A command the partition did not take (backpressure or flow control): nothing was written."""

    partition_id: int
    reason: str
    """Flow control's reason, or '' for backpressure (``inflight`` of ``limit`` requests in flight)."""
    inflight: int = 0
    limit: int = 0
    unavailable: bool = False
    """The partition cannot take requests at all now (its process is restarting): ``reason`` says so."""


Answer = Record[Any] | Refusal
AnswerCallback = Callable[[Answer], None]


@dataclass(frozen=True)
class PartitionStatus:
    """Health as the topology shows it."""

    partition_id: int
    healthy: bool
    phase: str
    """``Partition.phase``, or ``starting`` / ``restarting`` / ``dead`` for a partition process."""
    failure: str = ""


INACTIVE_PHASES = frozenset({"stepping-down", "closed"})
"""Phases in which a partition neither leads nor follows (a cluster member between roles, a closed
partition): the topology shows it INACTIVE, as Zeebe does."""


def partition_role(status: PartitionStatus) -> str:
    """The partition's role here as the topology names it: ``leader``, ``follower`` (a cluster
    member replaying the leader's log) or ``inactive`` (between roles, or closed)."""
    if status.phase == "follower":
        return "follower"
    return "inactive" if status.phase in INACTIVE_PHASES else "leader"


@dataclass(frozen=True)
class PeerBroker:
    """Another broker of the cluster as the topology shows it: where its gateway is, and which
    partitions it leads (it follows every other one)."""

    node_id: int
    host: str
    port: int
    leading: frozenset[int]


class PartitionEndpoint(Protocol):
    @property
    def partition_id(self) -> int: ...

    def request(self, command: Record[Any], on_answer: AnswerCallback) -> int:
        """Send ``command`` under backpressure; ``on_answer`` gets the answering record or a
        ``Refusal`` (maybe before this returns). Returns the request id (for ``forget_request``)."""

    def submit(self, command: Record[Any]) -> None:
        """Fire and forget, without backpressure (internal commands such as a job YIELD)."""

    def forget_request(self, request_id: int) -> None:
        """The requester gave up (timeout, disconnect): drop its callback and in-flight slot."""

    def supports(self, value_type: ValueType, intent: int) -> bool:
        """Whether the engine has a processor for this command."""

    def status(self) -> PartitionStatus: ...


class LocalEndpoint:
    """A partition in this process."""

    __slots__ = ("_partition", "partition_id")

    def __init__(self, partition: Partition) -> None:
        self._partition = partition
        self.partition_id = partition.settings.partition_id

    @property
    def partition(self) -> Partition:
        return self._partition

    def request(self, command: Record[Any], on_answer: AnswerCallback) -> int:
        partition = self._partition
        request_id = partition.try_submit(command, on_answer)
        if request_id is None:
            limiter = partition.limiter
            on_answer(Refusal(self.partition_id, partition.refusal or "", limiter.inflight, limiter.limit))
            return -1
        return request_id

    def submit(self, command: Record[Any]) -> None:
        self._partition.submit(command)

    def forget_request(self, request_id: int) -> None:
        if request_id >= 0:
            self._partition.forget_request(request_id)

    def supports(self, value_type: ValueType, intent: int) -> bool:
        return self._partition.supports(value_type, intent)

    def status(self) -> PartitionStatus:
        partition = self._partition
        failure = partition.failure
        return PartitionStatus(
            self.partition_id,
            healthy=failure is None,
            phase=partition.phase,
            failure="" if failure is None else f"{type(failure).__name__}: {failure}",
        )
