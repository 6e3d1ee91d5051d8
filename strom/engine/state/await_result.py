"""Requests waiting for a process instance to complete (CreateProcessInstanceWithResult)."""

from __future__ import annotations

from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack_long
from strom.engine.state import column_families as cf
from strom.engine.state.state_records import AwaitedResult

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(AwaitedResult).decode


class AwaitResultState(Protocol):
    def get(self, process_instance_key: int) -> AwaitedResult | None: ...


class MutableAwaitResultState(AwaitResultState, Protocol):
    def put(self, process_instance_key: int, awaited: AwaitedResult) -> None: ...
    def remove(self, process_instance_key: int) -> None: ...


class DbAwaitResultState:
    def __init__(self, db: Database) -> None:
        self._awaits = db.column_family(cf.AWAIT_RESULTS)

    def get(self, process_instance_key: int) -> AwaitedResult | None:
        raw = self._awaits.get(pack_long(process_instance_key))
        return None if raw is None else _decode(raw)

    def put(self, process_instance_key: int, awaited: AwaitedResult) -> None:
        self._awaits.put(pack_long(process_instance_key), _encode(awaited))

    def remove(self, process_instance_key: int) -> None:
        self._awaits.delete(pack_long(process_instance_key))
