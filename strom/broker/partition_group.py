"""The partitions of a broker as its gateways see them: endpoints, the router, job streams.

One group serves every gateway (gRPC, REST), so both route and refuse identically. With one
partition the endpoint is the partition in this process; with more, each is a partition process
behind a ``RemotePartition``; the gateways cannot tell the difference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from strom.broker.endpoint import PartitionEndpoint, PartitionStatus, PeerBroker
from strom.broker.job_streams import JobStreamRegistry
from strom.broker.routing import FAN_OUT, Router
from strom.protocol.enums import ValueType
from strom.protocol.record import Record


class PartitionGroup:
    def __init__(self, endpoints: Mapping[int, PartitionEndpoint], job_streams: JobStreamRegistry) -> None:
        if sorted(endpoints) != list(range(1, len(endpoints) + 1)):
            raise ValueError(f"partitions must be numbered 1..N, got {sorted(endpoints)}")
        self.endpoints: dict[int, PartitionEndpoint] = dict(endpoints)
        self.count = len(self.endpoints)
        self.router = Router(self.count)
        self.job_streams = job_streams
        self.peers: Callable[[], list[PeerBroker]] = list
        """The other brokers of the cluster this broker knows of (none outside a cluster)."""

    def endpoint_for(self, command: Record[Any]) -> PartitionEndpoint:
        """The endpoint ``command`` goes to (not for a fan-out command: see ``fan_out``).

        Raises:
            strom.broker.routing.UnknownPartitionError: the command names a partition the broker
                does not have.
        """
        partition_id = self.router.partition_for(command)
        if partition_id == FAN_OUT:
            partition_id = 1
        return self.endpoints[partition_id]

    def fan_out(self) -> list[PartitionEndpoint]:
        """Every endpoint, starting at the next in turn (the partitions share the first asks)."""
        if self.count == 1:
            return [self.endpoints[1]]
        first = self.router.next_round_robin()
        return [self.endpoints[(first - 1 + offset) % self.count + 1] for offset in range(self.count)]

    def supports(self, value_type: ValueType, intent: int) -> bool:
        """Whether the engine has a processor for the command (every partition runs the same)."""
        return self.endpoints[1].supports(value_type, intent)

    def statuses(self) -> list[PartitionStatus]:
        return [self.endpoints[partition_id].status() for partition_id in sorted(self.endpoints)]

    @property
    def healthy(self) -> bool:
        return all(status.healthy for status in self.statuses())
