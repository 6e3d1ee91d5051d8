"""Deployed decisions and decision requirements graphs (DRGs, one per DMN resource).

Like processes: by key, by (id, version), the latest version per id. A decision refers to its
DRG, which holds the DMN bytes; the parsed graph is cached in memory by checksum (derived data,
rebuilt lazily after a restart).

A resource deletion deletes a DRG with its decisions: deleting the latest version makes the
version before it the latest, and version numbers are never reused (as in Zeebe), so the highest
version ever deployed is kept too. It is kept in the value of the "latest" entry of the id: the
8-byte latest version, followed by the 8-byte highest version only while a deletion left the
highest above the latest (so a state without such a deletion is stored as before).
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Protocol

import msgspec

from strom.db import ColumnFamily, Database
from strom.db.keys import pack, pack_long, prefix, unpack, unpack_long
from strom.dmn import DecisionRequirementsGraph, parse_dmn
from strom.engine.state import column_families as cf
from strom.engine.state.process import checksum_of
from strom.engine.state.tenant import tenant_qualified
from strom.protocol.values.decision import DecisionRecordValue, DecisionRequirementsRecordValue

_encode = msgspec.msgpack.Encoder().encode
_decode_decision = msgspec.msgpack.Decoder(DecisionRecordValue).decode
_decode_requirements = msgspec.msgpack.Decoder(DecisionRequirementsRecordValue).decode


class ParsedGraphs:
    """Parsed DMN resources by checksum (derived data: dropping it changes nothing but speed)."""

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._parsed: OrderedDict[bytes, DecisionRequirementsGraph] = OrderedDict()

    def parse(self, resource_name: str, resource: bytes) -> DecisionRequirementsGraph:
        """Parse (or reuse) ``resource``; raises ``strom.dmn.DmnValidationError`` like ``parse_dmn``."""
        checksum = checksum_of(resource)
        graph = self._parsed.get(checksum)
        if graph is None:
            graph = parse_dmn(resource, resource_name=resource_name)
            self._parsed[checksum] = graph
            if len(self._parsed) > self._capacity:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(checksum)
        return graph


class DecisionState(Protocol):
    def parse(self, resource_name: str, resource: bytes) -> DecisionRequirementsGraph: ...
    def decision_by_key(self, key: int) -> DecisionRecordValue | None: ...
    def decision_by_id_and_version(
        self, tenant_id: str, decision_id: str, version: int
    ) -> DecisionRecordValue | None: ...
    def latest_decision(self, tenant_id: str, decision_id: str) -> DecisionRecordValue | None: ...
    def latest_decision_version(self, tenant_id: str, decision_id: str) -> int: ...
    def requirements_by_key(self, key: int) -> DecisionRequirementsRecordValue | None: ...
    def latest_requirements(
        self, tenant_id: str, requirements_id: str
    ) -> DecisionRequirementsRecordValue | None: ...
    def latest_requirements_version(self, tenant_id: str, requirements_id: str) -> int: ...
    def highest_requirements_version(self, tenant_id: str, requirements_id: str) -> int: ...
    def highest_decision_version(self, tenant_id: str, decision_id: str) -> int: ...
    def decisions_of_requirements(self, requirements_key: int) -> list[DecisionRecordValue]: ...
    def graph(self, requirements_key: int) -> DecisionRequirementsGraph | None: ...
    def decision_in_requirements(
        self, requirements_key: int, decision_id: str
    ) -> DecisionRecordValue | None: ...


class MutableDecisionState(DecisionState, Protocol):
    def put_requirements(self, record: DecisionRequirementsRecordValue) -> None: ...
    def put_decision(self, record: DecisionRecordValue) -> None: ...
    def delete_requirements(self, record: DecisionRequirementsRecordValue) -> None: ...
    def delete_decision(self, record: DecisionRecordValue) -> None: ...


class DbDecisionState:
    def __init__(self, db: Database) -> None:
        self._decisions = db.column_family(cf.DECISIONS)
        self._decision_versions = db.column_family(cf.DECISION_VERSIONS)
        self._decision_latest = db.column_family(cf.DECISION_LATEST)
        self._requirements = db.column_family(cf.DECISION_REQUIREMENTS)
        self._requirements_versions = db.column_family(cf.DECISION_REQUIREMENTS_VERSIONS)
        self._requirements_latest = db.column_family(cf.DECISION_REQUIREMENTS_LATEST)
        self._by_requirements = db.column_family(cf.DECISIONS_BY_REQUIREMENTS)
        self._parsed = ParsedGraphs()

    def parse(self, resource_name: str, resource: bytes) -> DecisionRequirementsGraph:
        return self._parsed.parse(resource_name, resource)

    def decision_by_key(self, key: int) -> DecisionRecordValue | None:
        raw = self._decisions.get(pack_long(key))
        return None if raw is None else _decode_decision(raw)

    def decision_by_id_and_version(
        self, tenant_id: str, decision_id: str, version: int
    ) -> DecisionRecordValue | None:
        raw = self._decision_versions.get(pack(tenant_qualified(tenant_id, decision_id), version))
        return None if raw is None else self.decision_by_key(unpack_long(raw))

    def latest_decision_version(self, tenant_id: str, decision_id: str) -> int:
        return versions(self._decision_latest, tenant_qualified(tenant_id, decision_id))[0]

    def highest_decision_version(self, tenant_id: str, decision_id: str) -> int:
        """The highest version ever deployed, deleted ones included: new versions count on from it."""
        return versions(self._decision_latest, tenant_qualified(tenant_id, decision_id))[1]

    def latest_decision(self, tenant_id: str, decision_id: str) -> DecisionRecordValue | None:
        version = self.latest_decision_version(tenant_id, decision_id)
        return None if version == 0 else self.decision_by_id_and_version(tenant_id, decision_id, version)

    def requirements_by_key(self, key: int) -> DecisionRequirementsRecordValue | None:
        raw = self._requirements.get(pack_long(key))
        return None if raw is None else _decode_requirements(raw)

    def latest_requirements_version(self, tenant_id: str, requirements_id: str) -> int:
        return versions(self._requirements_latest, tenant_qualified(tenant_id, requirements_id))[0]

    def highest_requirements_version(self, tenant_id: str, requirements_id: str) -> int:
        """The highest version ever deployed, deleted ones included: new versions count on from it."""
        return versions(self._requirements_latest, tenant_qualified(tenant_id, requirements_id))[1]

    def latest_requirements(
        self, tenant_id: str, requirements_id: str
    ) -> DecisionRequirementsRecordValue | None:
        version = self.latest_requirements_version(tenant_id, requirements_id)
        if version == 0:
            return None
        raw = self._requirements_versions.get(pack(tenant_qualified(tenant_id, requirements_id), version))
        return None if raw is None else self.requirements_by_key(unpack_long(raw))

    def graph(self, requirements_key: int) -> DecisionRequirementsGraph | None:
        requirements = self.requirements_by_key(requirements_key)
        if requirements is None:
            return None
        return self._parsed.parse(requirements.resource_name, requirements.resource)

    def decision_in_requirements(self, requirements_key: int, decision_id: str) -> DecisionRecordValue | None:
        """The deployed decision ``decision_id`` of the DRG ``requirements_key``."""
        raw = self._by_requirements.get(pack(requirements_key, decision_id))
        return None if raw is None else self.decision_by_key(unpack_long(raw))

    def decisions_of_requirements(self, requirements_key: int) -> list[DecisionRecordValue]:
        """The deployed decisions of the DRG ``requirements_key``, by decision key (Zeebe's order)."""
        decisions = []
        for _, raw in self._by_requirements.iterate(prefix(requirements_key)):
            decision = self.decision_by_key(unpack_long(raw))
            if decision is not None:
                decisions.append(decision)
        return sorted(decisions, key=lambda decision: decision.decision_key)

    # -- mutations (appliers only) ---------------------------------------------------------------

    def put_requirements(self, record: DecisionRequirementsRecordValue) -> None:
        key = record.decision_requirements_key
        requirements_id = tenant_qualified(record.tenant_id, record.decision_requirements_id)
        version = record.decision_requirements_version
        self._requirements.put(pack_long(key), _encode(record))
        self._requirements_versions.put(pack(requirements_id, version), pack_long(key))
        raise_latest(self._requirements_latest, requirements_id, version)

    def put_decision(self, record: DecisionRecordValue) -> None:
        key = record.decision_key
        decision_id = tenant_qualified(record.tenant_id, record.decision_id)
        self._decisions.put(pack_long(key), _encode(record))
        self._decision_versions.put(pack(decision_id, record.version), pack_long(key))
        self._by_requirements.put(pack(record.decision_requirements_key, record.decision_id), pack_long(key))
        raise_latest(self._decision_latest, decision_id, record.version)

    def delete_requirements(self, record: DecisionRequirementsRecordValue) -> None:
        """Forget a DRG (its decisions are deleted by their own events); if it was the latest
        version, the version before it becomes the latest."""
        requirements_id = tenant_qualified(record.tenant_id, record.decision_requirements_id)
        version = record.decision_requirements_version
        self._requirements.delete(pack_long(record.decision_requirements_key))
        self._requirements_versions.delete(pack(requirements_id, version))
        lower_latest(self._requirements_latest, self._requirements_versions, requirements_id, version)

    def delete_decision(self, record: DecisionRecordValue) -> None:
        """Forget a decision; if it was the latest version, the version before it becomes latest."""
        decision_id = tenant_qualified(record.tenant_id, record.decision_id)
        self._decisions.delete(pack_long(record.decision_key))
        self._decision_versions.delete(pack(decision_id, record.version))
        self._by_requirements.delete(pack(record.decision_requirements_key, record.decision_id))
        lower_latest(self._decision_latest, self._decision_versions, decision_id, record.version)


# -- the latest and the highest version of an id, in one entry (shared with forms) -----------------


def versions(latest: ColumnFamily, resource_id: str) -> tuple[int, int]:
    """``(latest version, highest version ever deployed)`` of ``resource_id``; 0 for none."""
    raw = latest.get(pack(resource_id))
    if raw is None:
        return 0, 0
    version = unpack_long(raw[:8])
    return version, unpack_long(raw[8:]) if len(raw) > 8 else version


def _store_versions(latest: ColumnFamily, resource_id: str, version: int, highest: int) -> None:
    value = pack_long(version) if highest <= version else pack_long(version) + pack_long(highest)
    latest.put(pack(resource_id), value)


def raise_latest(latest: ColumnFamily, resource_id: str, version: int) -> None:
    """``version`` was stored: it is the latest if it is newer than the latest."""
    current, highest = versions(latest, resource_id)
    if version > current:
        _store_versions(latest, resource_id, version, max(highest, version))


def lower_latest(latest: ColumnFamily, by_version: ColumnFamily, resource_id: str, version: int) -> None:
    """``version`` was deleted (its entry in ``by_version`` is gone): if it was the latest, the
    highest version below it is (0 if none is left); the highest version ever deployed stays."""
    current, highest = versions(latest, resource_id)
    if version != current:
        return
    before = 0
    for key, _ in by_version.iterate(prefix(resource_id), start=pack(resource_id, version), reverse=True):
        before = int(unpack(key, (str, int))[1])
        break
    _store_versions(latest, resource_id, before, max(highest, version))
