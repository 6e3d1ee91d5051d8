"""Which partition a command goes to, as Zeebe's gateway decides it.

- Instance creation: round robin over the partitions (a new instance can live anywhere).
- Deployments, resource deletions and signal broadcasts: the deployment partition (1), which
  distributes them to the others.
- Message publication and correlation: the partition of the correlation key's hash (Zeebe's
  ``SubscriptionUtil``), where the message's subscriptions meet it.
- Decision evaluation: round robin (every partition has every decision).
- Job activation: every partition (``FAN_OUT``): the caller asks them in turn.
- Anything else that names an entity (a job, an instance, an incident, a user task, a variable
  scope, an ad-hoc sub-process instance): the partition in the key's upper 13 bits.

One router serves every gateway, so gRPC and REST route (and refuse) identically.
"""

from __future__ import annotations

import itertools
from typing import Any, Final

from strom.engine.processing.bpmn.behavior.subscription_commands import partition_for_correlation_key
from strom.protocol.enums import ValueType
from strom.protocol.keys import partition_of
from strom.protocol.record import Record

DEPLOYMENT_PARTITION: Final = 1
FAN_OUT: Final = 0
"""``partition_for``'s answer for a command every partition is asked (job activation)."""

_TO_DEPLOYMENT_PARTITION = frozenset({ValueType.DEPLOYMENT, ValueType.RESOURCE_DELETION, ValueType.SIGNAL})
_ROUND_ROBIN = frozenset({ValueType.PROCESS_INSTANCE_CREATION, ValueType.DECISION_EVALUATION})
_BY_CORRELATION_KEY = frozenset({ValueType.MESSAGE, ValueType.MESSAGE_CORRELATION})


class UnknownPartitionError(LookupError):
    """A command names an entity whose key belongs to no partition of this broker."""


class Router:
    def __init__(self, partition_count: int) -> None:
        if partition_count < 1:
            raise ValueError(f"a broker has at least one partition, got {partition_count}")
        self.partition_count = partition_count
        self._round_robin = itertools.cycle(range(1, partition_count + 1))

    def partition_for(self, command: Record[Any]) -> int:
        """The partition to send ``command`` to, or ``FAN_OUT``.

        Raises:
            UnknownPartitionError: the command's key names a partition this broker does not have.
        """
        count = self.partition_count
        value_type = command.value_type
        if value_type is ValueType.JOB_BATCH:
            return FAN_OUT
        if count == 1:
            return self._checked(command.key, 1) if command.key > 0 else 1
        if value_type in _ROUND_ROBIN:
            return next(self._round_robin)
        if value_type in _TO_DEPLOYMENT_PARTITION:
            return DEPLOYMENT_PARTITION
        if value_type in _BY_CORRELATION_KEY:
            return partition_for_correlation_key(command.value.correlation_key, count)
        if value_type is ValueType.VARIABLE_DOCUMENT:
            return self._checked(command.value.scope_key, partition_of(command.value.scope_key))
        if value_type is ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION:
            key = command.value.ad_hoc_sub_process_instance_key
            return self._checked(key, partition_of(key))
        if command.key > 0:
            return self._checked(command.key, partition_of(command.key))
        return DEPLOYMENT_PARTITION

    def spreads(self, command: Record[Any]) -> bool:
        """Whether any partition can take ``command`` (it is routed round robin): one that cannot
        take requests now (restarting) is skipped for the next."""
        return self.partition_count > 1 and command.value_type in _ROUND_ROBIN

    def next_round_robin(self) -> int:
        """The next partition in turn (fan-out starts there, so partitions share the load)."""
        return next(self._round_robin)

    def _checked(self, key: int, partition_id: int) -> int:
        if not 1 <= partition_id <= self.partition_count:
            raise UnknownPartitionError(
                f"Expected to execute the command on partition {partition_id} (the partition of key "
                f"'{key}'), but this broker has partitions 1 to {self.partition_count}"
            )
        return partition_id
