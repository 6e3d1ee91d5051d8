"""Signal subscriptions: catch events waiting for a signal, and signal start events.

Indexed by (tenant, signal name) for a broadcast and by the subscriber (the catch event's element
instance, or the process definition of a start event) for closing them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, prefix, unpack
from strom.engine.state import column_families as cf
from strom.protocol.values.signal import SignalSubscriptionRecordValue


class SignalSubscription(msgspec.Struct, frozen=True, array_like=True):
    key: int
    record: SignalSubscriptionRecordValue

    @property
    def is_start_event(self) -> bool:
        return self.record.catch_event_instance_key <= 0


def subscriber_of(record: SignalSubscriptionRecordValue) -> int:
    """The element instance that waits, or the process definition for a start event."""
    if record.catch_event_instance_key > 0:
        return record.catch_event_instance_key
    return record.process_definition_key


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(SignalSubscription).decode


class SignalSubscriptionState(Protocol):
    def by_name(self, tenant_id: str, signal_name: str) -> Iterator[SignalSubscription]: ...
    def of_subscriber(self, subscriber_key: int) -> Iterator[SignalSubscription]: ...


class MutableSignalSubscriptionState(SignalSubscriptionState, Protocol):
    def put(self, subscription: SignalSubscription) -> None: ...
    def remove(self, record: SignalSubscriptionRecordValue) -> None: ...


class DbSignalSubscriptionState:
    def __init__(self, db: Database) -> None:
        self._subscriptions = db.column_family(cf.SIGNAL_SUBSCRIPTIONS)
        self._by_subscriber = db.column_family(cf.SIGNAL_SUBSCRIPTIONS_BY_SUBSCRIBER)

    def by_name(self, tenant_id: str, signal_name: str) -> Iterator[SignalSubscription]:
        for _, raw in list(self._subscriptions.iterate(prefix(tenant_id, signal_name))):
            yield _decode(raw)

    def of_subscriber(self, subscriber_key: int) -> Iterator[SignalSubscription]:
        for key, _ in list(self._by_subscriber.iterate(prefix(subscriber_key))):
            _, tenant, name, catch_event_id = unpack(key, (int, str, str, str))
            raw = self._subscriptions.get(pack(tenant, name, subscriber_key, catch_event_id))
            if raw is not None:
                yield _decode(raw)

    # -- mutations (appliers only) ---------------------------------------------------------------

    def put(self, subscription: SignalSubscription) -> None:
        record = subscription.record
        subscriber = subscriber_of(record)
        self._subscriptions.put(
            pack(record.tenant_id, record.signal_name, subscriber, record.catch_event_id),
            _encode(subscription),
        )
        self._by_subscriber.put(
            pack(subscriber, record.tenant_id, record.signal_name, record.catch_event_id), b""
        )

    def remove(self, record: SignalSubscriptionRecordValue) -> None:
        subscriber = subscriber_of(record)
        self._subscriptions.delete(
            pack(record.tenant_id, record.signal_name, subscriber, record.catch_event_id)
        )
        self._by_subscriber.delete(
            pack(subscriber, record.tenant_id, record.signal_name, record.catch_event_id)
        )
