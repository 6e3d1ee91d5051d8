"""Buffered messages (on the message's partition) and the marks that keep correlation exactly-once.

A published message stays here until its time to live ends. Indexes, all kept by appliers:

* by (tenant, name, correlation key, message key): the buffered messages a new subscription may
  take, oldest first;
* by (deadline, message key): what the TTL checker expires next;
* by (tenant, name, correlation key, message id): duplicate message ids are rejected while the
  first one is buffered;
* correlated (message key, bpmn process id): a message correlates at most once per process;
* start locks (tenant, bpmn process id, correlation key) -> process instance key, and back: while
  an instance started by a message with that correlation key is active, no other instance of the
  process is started by one (Zeebe's "one active instance per correlation key").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, pack_long, prefix, unpack, unpack_long
from strom.engine.state import column_families as cf
from strom.engine.state.state_records import StartLock
from strom.protocol.values.message import MessageRecordValue

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(MessageRecordValue).decode


_decode_lock = msgspec.msgpack.Decoder(StartLock).decode


class MessageState(Protocol):
    def get(self, key: int) -> MessageRecordValue | None: ...
    def buffered(
        self, tenant_id: str, name: str, correlation_key: str
    ) -> Iterator[tuple[int, MessageRecordValue]]: ...
    def exists_message_id(self, tenant_id: str, name: str, correlation_key: str, message_id: str) -> bool: ...
    def deadlines_before(self, millis: int) -> Iterator[tuple[int, int]]: ...
    def next_deadline(self) -> int | None: ...
    def is_correlated(self, message_key: int, bpmn_process_id: str) -> bool: ...
    def has_active_start(self, tenant_id: str, bpmn_process_id: str, correlation_key: str) -> bool: ...
    def start_lock_of(self, process_instance_key: int) -> StartLock | None: ...


class MutableMessageState(MessageState, Protocol):
    def put(self, key: int, message: MessageRecordValue) -> None: ...
    def remove(self, key: int) -> None: ...
    def put_correlation(self, message_key: int, bpmn_process_id: str) -> None: ...
    def remove_correlation(self, message_key: int, bpmn_process_id: str) -> None: ...
    def lock_start(self, process_instance_key: int, lock: StartLock) -> None: ...
    def release_start(self, process_instance_key: int) -> None: ...


class DbMessageState:
    def __init__(self, db: Database) -> None:
        self._messages = db.column_family(cf.MESSAGES)
        self._by_name = db.column_family(cf.MESSAGES_BY_NAME)
        self._deadlines = db.column_family(cf.MESSAGE_DEADLINES)
        self._ids = db.column_family(cf.MESSAGE_IDS)
        self._correlated = db.column_family(cf.MESSAGE_CORRELATED)
        self._start_locks = db.column_family(cf.MESSAGE_START_LOCKS)
        self._start_lock_of = db.column_family(cf.MESSAGE_START_LOCK_OF)

    def get(self, key: int) -> MessageRecordValue | None:
        raw = self._messages.get(pack_long(key))
        return None if raw is None else _decode(raw)

    def buffered(
        self, tenant_id: str, name: str, correlation_key: str
    ) -> Iterator[tuple[int, MessageRecordValue]]:
        """Buffered messages with this name and correlation key, oldest first; lazy."""
        for key, _ in self._by_name.iterate(prefix(tenant_id, name, correlation_key)):
            message_key = int(unpack(key, (str, str, str, int))[3])
            message = self.get(message_key)
            if message is not None:
                yield message_key, message

    def exists_message_id(self, tenant_id: str, name: str, correlation_key: str, message_id: str) -> bool:
        return self._ids.get(pack(tenant_id, name, correlation_key, message_id)) is not None

    def deadlines_before(self, millis: int) -> Iterator[tuple[int, int]]:
        for key, _ in self._deadlines.iterate():
            deadline, message_key = unpack(key, (int, int))
            if int(deadline) > millis:
                return
            yield int(deadline), int(message_key)

    def next_deadline(self) -> int | None:
        for key, _ in self._deadlines.iterate():
            return int(unpack(key, (int, int))[0])
        return None

    def is_correlated(self, message_key: int, bpmn_process_id: str) -> bool:
        return self._correlated.get(pack(message_key, bpmn_process_id)) is not None

    def has_active_start(self, tenant_id: str, bpmn_process_id: str, correlation_key: str) -> bool:
        return self._start_locks.get(pack(tenant_id, bpmn_process_id, correlation_key)) is not None

    def start_lock_of(self, process_instance_key: int) -> StartLock | None:
        raw = self._start_lock_of.get(pack_long(process_instance_key))
        return None if raw is None else _decode_lock(raw)

    # -- mutations (appliers only) ---------------------------------------------------------------

    def put(self, key: int, message: MessageRecordValue) -> None:
        tenant, name, correlation_key = message.tenant_id, message.name, message.correlation_key
        self._messages.put(pack_long(key), _encode(message))
        self._by_name.put(pack(tenant, name, correlation_key, key), b"")
        self._deadlines.put(pack(message.deadline, key), b"")
        if message.message_id:
            self._ids.put(pack(tenant, name, correlation_key, message.message_id), pack_long(key))

    def remove(self, key: int) -> None:
        message = self.get(key)
        if message is None:
            return
        tenant, name, correlation_key = message.tenant_id, message.name, message.correlation_key
        self._messages.delete(pack_long(key))
        self._by_name.delete(pack(tenant, name, correlation_key, key))
        self._deadlines.delete(pack(message.deadline, key))
        if message.message_id:
            id_key = pack(tenant, name, correlation_key, message.message_id)
            raw = self._ids.get(id_key)
            if raw is not None and unpack_long(raw) == key:
                self._ids.delete(id_key)
        for correlated, _ in list(self._correlated.iterate(prefix(key))):
            self._correlated.delete(correlated)

    def put_correlation(self, message_key: int, bpmn_process_id: str) -> None:
        self._correlated.put(pack(message_key, bpmn_process_id), b"")

    def remove_correlation(self, message_key: int, bpmn_process_id: str) -> None:
        self._correlated.delete(pack(message_key, bpmn_process_id))

    def lock_start(self, process_instance_key: int, lock: StartLock) -> None:
        self._start_locks.put(
            pack(lock.tenant_id, lock.bpmn_process_id, lock.correlation_key), pack_long(process_instance_key)
        )
        self._start_lock_of.put(pack_long(process_instance_key), _encode(lock))

    def release_start(self, process_instance_key: int) -> None:
        packed = pack_long(process_instance_key)
        raw = self._start_lock_of.get(packed)
        if raw is None:
            return
        lock = _decode_lock(raw)
        self._start_lock_of.delete(packed)
        self._start_locks.delete(pack(lock.tenant_id, lock.bpmn_process_id, lock.correlation_key))
