"""Compensation subscriptions: completed activities that can still be compensated.

Listed per process instance (compensation is rare and works on one instance at a time, as in
Zeebe). A subscription is *triggered* once a compensation throw event picked it
(``throw_event_id`` set) and removed when its handler completes or its process instance ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, prefix
from strom.engine.state import column_families as cf
from strom.protocol.values.compensation import CompensationSubscriptionRecordValue


class CompensationSubscription(msgspec.Struct, frozen=True, array_like=True):
    key: int
    record: CompensationSubscriptionRecordValue

    @property
    def is_triggered(self) -> bool:
        return bool(self.record.throw_event_id)


_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(CompensationSubscription).decode


class CompensationSubscriptionState(Protocol):
    def of_process_instance(
        self, tenant_id: str, process_instance_key: int
    ) -> list[CompensationSubscription]: ...


class MutableCompensationSubscriptionState(CompensationSubscriptionState, Protocol):
    def put(self, subscription: CompensationSubscription) -> None: ...
    def remove(self, subscription_key: int, record: CompensationSubscriptionRecordValue) -> None: ...


class DbCompensationSubscriptionState:
    def __init__(self, db: Database) -> None:
        self._subscriptions = db.column_family(cf.COMPENSATION_SUBSCRIPTIONS)

    def of_process_instance(
        self, tenant_id: str, process_instance_key: int
    ) -> list[CompensationSubscription]:
        """In creation order (keys grow)."""
        return [
            _decode(raw) for _, raw in self._subscriptions.iterate(prefix(tenant_id, process_instance_key))
        ]

    def iterate(self, tenant_id: str, process_instance_key: int) -> Iterator[CompensationSubscription]:
        for _, raw in self._subscriptions.iterate(prefix(tenant_id, process_instance_key)):
            yield _decode(raw)

    # -- mutations (appliers only) ---------------------------------------------------------------

    def put(self, subscription: CompensationSubscription) -> None:
        record = subscription.record
        self._subscriptions.put(
            pack(record.tenant_id, record.process_instance_key, subscription.key), _encode(subscription)
        )

    def remove(self, subscription_key: int, record: CompensationSubscriptionRecordValue) -> None:
        self._subscriptions.delete(pack(record.tenant_id, record.process_instance_key, subscription_key))
