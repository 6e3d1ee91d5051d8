"""Message subscriptions as the message's partition knows them (MESSAGE_SUBSCRIPTION).

One per (element instance, message name), indexed by (tenant, name, correlation key) so a
published message finds its subscriptions without a scan. ``correlating`` is set while a message
is on its way to the process instance (between CORRELATING and CORRELATED/REJECTED): such a
subscription takes no other message meanwhile.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, prefix, unpack
from strom.engine.state import column_families as cf
from strom.protocol.values.message import MessageSubscriptionRecordValue


class MessageSubscription(msgspec.Struct, frozen=True, array_like=True):
    key: int
    record: MessageSubscriptionRecordValue
    correlating: bool = False


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(MessageSubscription).decode


class MessageSubscriptionState(Protocol):
    def all(self) -> Iterator[MessageSubscription]:
        """Every subscription (recovery of the handshakes in flight between partitions)."""
        ...

    def get(self, element_instance_key: int, message_name: str) -> MessageSubscription | None: ...
    def matching(self, tenant_id: str, name: str, correlation_key: str) -> Iterator[MessageSubscription]: ...


class MutableMessageSubscriptionState(MessageSubscriptionState, Protocol):
    def put(self, subscription: MessageSubscription) -> None: ...
    def remove(self, element_instance_key: int, message_name: str) -> None: ...


class DbMessageSubscriptionState:
    def __init__(self, db: Database) -> None:
        self._subscriptions = db.column_family(cf.MESSAGE_SUBSCRIPTIONS)
        self._by_correlation = db.column_family(cf.MESSAGE_SUBSCRIPTIONS_BY_CORRELATION)

    def get(self, element_instance_key: int, message_name: str) -> MessageSubscription | None:
        raw = self._subscriptions.get(pack(element_instance_key, message_name))
        return None if raw is None else _decode(raw)

    def matching(self, tenant_id: str, name: str, correlation_key: str) -> Iterator[MessageSubscription]:
        """Subscriptions waiting for this name and correlation key, oldest element first; lazy."""
        for key, _ in self._by_correlation.iterate(prefix(tenant_id, name, correlation_key)):
            element_instance_key = int(unpack(key, (str, str, str, int))[3])
            subscription = self.get(element_instance_key, name)
            if subscription is not None:
                yield subscription

    def all(self) -> Iterator[MessageSubscription]:
        for _, raw in self._subscriptions.iterate(b""):
            yield _decode(raw)

    # -- mutations (appliers only) ---------------------------------------------------------------

    def put(self, subscription: MessageSubscription) -> None:
        record = subscription.record
        self._subscriptions.put(pack(record.element_instance_key, record.message_name), _encode(subscription))
        self._by_correlation.put(
            pack(record.tenant_id, record.message_name, record.correlation_key, record.element_instance_key),
            b"",
        )

    def remove(self, element_instance_key: int, message_name: str) -> None:
        subscription = self.get(element_instance_key, message_name)
        if subscription is None:
            return
        record = subscription.record
        self._subscriptions.delete(pack(element_instance_key, message_name))
        self._by_correlation.delete(
            pack(record.tenant_id, record.message_name, record.correlation_key, element_instance_key)
        )
