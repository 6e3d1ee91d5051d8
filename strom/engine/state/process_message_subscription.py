"""Message subscriptions as the process instance's partition knows them (PROCESS_MESSAGE_SUBSCRIPTION).

One per (element instance, message name): CREATING until the message partition confirms
(CREATED), DELETING until it confirms the close. Listed by element instance, so an element closes
its subscriptions when it leaves.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import IntEnum
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, prefix
from strom.engine.state import column_families as cf
from strom.protocol.values.message import ProcessMessageSubscriptionRecordValue


class SubscriptionStatus(IntEnum):
    CREATING = 0
    CREATED = 1
    DELETING = 2


class ProcessMessageSubscription(msgspec.Struct, frozen=True, array_like=True):
    key: int
    record: ProcessMessageSubscriptionRecordValue
    status: int = SubscriptionStatus.CREATING

    @property
    def is_closing(self) -> bool:
        return self.status == SubscriptionStatus.DELETING


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(ProcessMessageSubscription).decode


class ProcessMessageSubscriptionState(Protocol):
    def all(self) -> Iterator[ProcessMessageSubscription]:
        """Every subscription (recovery of the handshakes in flight between partitions)."""
        ...

    def get(self, element_instance_key: int, message_name: str) -> ProcessMessageSubscription | None: ...
    def of_element(self, element_instance_key: int) -> Iterator[ProcessMessageSubscription]: ...


class MutableProcessMessageSubscriptionState(ProcessMessageSubscriptionState, Protocol):
    def put(self, subscription: ProcessMessageSubscription) -> None: ...
    def remove(self, element_instance_key: int, message_name: str) -> None: ...


class DbProcessMessageSubscriptionState:
    def __init__(self, db: Database) -> None:
        self._subscriptions = db.column_family(cf.PROCESS_MESSAGE_SUBSCRIPTIONS)

    def get(self, element_instance_key: int, message_name: str) -> ProcessMessageSubscription | None:
        raw = self._subscriptions.get(pack(element_instance_key, message_name))
        return None if raw is None else _decode(raw)

    def of_element(self, element_instance_key: int) -> Iterator[ProcessMessageSubscription]:
        for _, raw in list(self._subscriptions.iterate(prefix(element_instance_key))):
            yield _decode(raw)

    def all(self) -> Iterator[ProcessMessageSubscription]:
        for _, raw in self._subscriptions.iterate(b""):
            yield _decode(raw)

    # -- mutations (appliers only) ---------------------------------------------------------------

    def put(self, subscription: ProcessMessageSubscription) -> None:
        record = subscription.record
        self._subscriptions.put(pack(record.element_instance_key, record.message_name), _encode(subscription))

    def remove(self, element_instance_key: int, message_name: str) -> None:
        self._subscriptions.delete(pack(element_instance_key, message_name))
