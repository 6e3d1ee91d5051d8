"""Start event subscriptions of the latest process versions: message and signal start events.

Message start events (MESSAGE_START_EVENT_SUBSCRIPTION) are found by message name when a message
is published; signal start events are kept with the other signal subscriptions (see
``signal_subscription``). Both are listed by process definition so a new version replaces them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, prefix, unpack
from strom.engine.state import column_families as cf
from strom.protocol.values.message import MessageStartEventSubscriptionRecordValue


class MessageStartEventSubscription(msgspec.Struct, frozen=True, array_like=True):
    key: int
    record: MessageStartEventSubscriptionRecordValue


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(MessageStartEventSubscription).decode


class MessageStartEventSubscriptionState(Protocol):
    def by_message_name(
        self, tenant_id: str, message_name: str
    ) -> Iterator[MessageStartEventSubscription]: ...
    def of_process(self, process_definition_key: int) -> Iterator[MessageStartEventSubscription]: ...


class MutableMessageStartEventSubscriptionState(MessageStartEventSubscriptionState, Protocol):
    def put(self, subscription: MessageStartEventSubscription) -> None: ...
    def remove(self, record: MessageStartEventSubscriptionRecordValue) -> None: ...


class DbMessageStartEventSubscriptionState:
    """By (tenant, message name, process definition key, start event id), plus a process index."""

    def __init__(self, db: Database) -> None:
        self._subscriptions = db.column_family(cf.MESSAGE_START_SUBSCRIPTIONS)
        self._by_process = db.column_family(cf.MESSAGE_START_SUBSCRIPTIONS_BY_PROCESS)

    def by_message_name(self, tenant_id: str, message_name: str) -> Iterator[MessageStartEventSubscription]:
        for _, raw in list(self._subscriptions.iterate(prefix(tenant_id, message_name))):
            yield _decode(raw)

    def of_process(self, process_definition_key: int) -> Iterator[MessageStartEventSubscription]:
        for key, _ in list(self._by_process.iterate(prefix(process_definition_key))):
            _, tenant, name, start_event_id = unpack(key, (int, str, str, str))
            raw = self._subscriptions.get(pack(tenant, name, process_definition_key, start_event_id))
            if raw is not None:
                yield _decode(raw)

    # -- mutations (appliers only) ---------------------------------------------------------------

    def put(self, subscription: MessageStartEventSubscription) -> None:
        record = subscription.record
        self._subscriptions.put(
            pack(record.tenant_id, record.message_name, record.process_definition_key, record.start_event_id),
            _encode(subscription),
        )
        self._by_process.put(
            pack(record.process_definition_key, record.tenant_id, record.message_name, record.start_event_id),
            b"",
        )

    def remove(self, record: MessageStartEventSubscriptionRecordValue) -> None:
        self._subscriptions.delete(
            pack(record.tenant_id, record.message_name, record.process_definition_key, record.start_event_id)
        )
        self._by_process.delete(
            pack(record.process_definition_key, record.tenant_id, record.message_name, record.start_event_id)
        )
