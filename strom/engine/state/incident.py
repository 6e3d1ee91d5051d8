"""Incidents: open problems of process or job execution, by key and by what they block."""

from __future__ import annotations

from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack_long, unpack_long
from strom.engine.state import column_families as cf
from strom.protocol.values.incident import IncidentRecordValue

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(IncidentRecordValue).decode


class IncidentState(Protocol):
    def get(self, key: int) -> IncidentRecordValue | None: ...
    def for_element(self, element_instance_key: int) -> int | None: ...
    def for_job(self, job_key: int) -> int | None: ...
    def count(self) -> int: ...


class MutableIncidentState(IncidentState, Protocol):
    def create(self, key: int, incident: IncidentRecordValue) -> None: ...
    def remove(self, key: int) -> None: ...


class DbIncidentState:
    def __init__(self, db: Database) -> None:
        self._incidents = db.column_family(cf.INCIDENTS)
        self._by_element = db.column_family(cf.INCIDENTS_BY_ELEMENT)
        self._by_job = db.column_family(cf.INCIDENTS_BY_JOB)

    def get(self, key: int) -> IncidentRecordValue | None:
        raw = self._incidents.get(pack_long(key))
        return None if raw is None else _decode(raw)

    def for_element(self, element_instance_key: int) -> int | None:
        raw = self._by_element.get(pack_long(element_instance_key))
        return None if raw is None else unpack_long(raw)

    def for_job(self, job_key: int) -> int | None:
        raw = self._by_job.get(pack_long(job_key))
        return None if raw is None else unpack_long(raw)

    def count(self) -> int:
        """How many incidents are open (a scan: for start-up, not for processing)."""
        return sum(1 for _ in self._incidents.iterate())

    def create(self, key: int, incident: IncidentRecordValue) -> None:
        self._incidents.put(pack_long(key), _encode(incident))
        if incident.job_key > 0:
            self._by_job.put(pack_long(incident.job_key), pack_long(key))
        elif incident.element_instance_key > 0:
            self._by_element.put(pack_long(incident.element_instance_key), pack_long(key))

    def remove(self, key: int) -> None:
        incident = self.get(key)
        if incident is None:
            return
        self._incidents.delete(pack_long(key))
        if incident.job_key > 0:
            self._by_job.delete(pack_long(incident.job_key))
        elif incident.element_instance_key > 0:
            self._by_element.delete(pack_long(incident.element_instance_key))
