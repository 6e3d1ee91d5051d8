"""Timers: the stored TIMER record, indexed by due date, by element instance and by process.

The due-date index drives the timer checker (earliest first, no scan); the element index lets an
element instance cancel its timers when it leaves; start event timers (no element instance) are
found by their process definition when a new version replaces it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, pack_long, prefix, unpack
from strom.engine.state import column_families as cf
from strom.protocol.values.timer import TimerRecordValue

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(TimerRecordValue).decode


class TimerState(Protocol):
    def get(self, key: int) -> TimerRecordValue | None: ...
    def due_before(self, millis: int) -> Iterator[tuple[int, int]]: ...
    def next_due(self) -> int | None: ...
    def of_element(self, element_instance_key: int) -> Iterator[tuple[int, TimerRecordValue]]: ...
    def of_start_events(self, process_definition_key: int) -> Iterator[tuple[int, TimerRecordValue]]: ...


class MutableTimerState(TimerState, Protocol):
    def put(self, key: int, timer: TimerRecordValue) -> None: ...
    def remove(self, key: int) -> None: ...


class DbTimerState:
    def __init__(self, db: Database) -> None:
        self._timers = db.column_family(cf.TIMERS)
        self._due = db.column_family(cf.TIMER_DUE_DATES)
        self._by_element = db.column_family(cf.TIMERS_BY_ELEMENT)
        self._by_process = db.column_family(cf.START_TIMERS_BY_PROCESS)

    def get(self, key: int) -> TimerRecordValue | None:
        raw = self._timers.get(pack_long(key))
        return None if raw is None else _decode(raw)

    def due_before(self, millis: int) -> Iterator[tuple[int, int]]:
        """``(due date, timer key)`` of timers due at ``millis`` or earlier, earliest first; lazy."""
        for key, _ in self._due.iterate():
            due, timer_key = unpack(key, (int, int))
            if int(due) > millis:
                return
            yield int(due), int(timer_key)

    def next_due(self) -> int | None:
        for key, _ in self._due.iterate():
            return int(unpack(key, (int, int))[0])
        return None

    def of_element(self, element_instance_key: int) -> Iterator[tuple[int, TimerRecordValue]]:
        for key, _ in list(self._by_element.iterate(prefix(element_instance_key))):
            timer_key = int(unpack(key, (int, int))[1])
            timer = self.get(timer_key)
            if timer is not None:
                yield timer_key, timer

    def of_start_events(self, process_definition_key: int) -> Iterator[tuple[int, TimerRecordValue]]:
        for key, _ in list(self._by_process.iterate(prefix(process_definition_key))):
            timer_key = int(unpack(key, (int, int))[1])
            timer = self.get(timer_key)
            if timer is not None:
                yield timer_key, timer

    # -- mutations (appliers only) ---------------------------------------------------------------

    def put(self, key: int, timer: TimerRecordValue) -> None:
        self._timers.put(pack_long(key), _encode(timer))
        self._due.put(pack(timer.due_date, key), b"")
        if timer.element_instance_key > 0:
            self._by_element.put(pack(timer.element_instance_key, key), b"")
        else:
            self._by_process.put(pack(timer.process_definition_key, key), b"")

    def remove(self, key: int) -> None:
        timer = self.get(key)
        if timer is None:
            return
        self._timers.delete(pack_long(key))
        self._due.delete(pack(timer.due_date, key))
        if timer.element_instance_key > 0:
            self._by_element.delete(pack(timer.element_instance_key, key))
        else:
            self._by_process.delete(pack(timer.process_definition_key, key))
