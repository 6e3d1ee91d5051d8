"""Deployed processes: definitions by key, by (id, version), the latest version per id.

The executable model is parsed from the stored resource once per definition and cached in memory
(a cache of derived data, so replay rebuilds it lazily too).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, pack_long, prefix, unpack, unpack_long
from strom.engine.state import column_families as cf
from strom.engine.state.tenant import tenant_qualified
from strom.model import BpmnDefinitions, ExecutableProcess, FlowNode, parse_bpmn
from strom.protocol.bpmn import BpmnElementType, BpmnEventType
from strom.protocol.values.process import ProcessRecordValue

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(ProcessRecordValue).decode


class ProcessTraits:
    """Facts about a process model that hot paths ask about, computed once per definition.

    ``subscribing``: the elements whose instances can hold catch-event subscriptions (their own
    catch definition, boundary events, event subprocesses, an event-based gateway's targets), so
    every other element skips looking for subscriptions when it leaves. ``has_compensation``:
    whether anything in the process can be compensated.
    """

    __slots__ = ("has_compensation", "subscribing")

    def __init__(self, executable: ExecutableProcess) -> None:
        nodes = [element for element in executable.elements.values() if isinstance(element, FlowNode)]
        self.has_compensation = any(
            node.is_for_compensation or node.event_type is BpmnEventType.COMPENSATION for node in nodes
        )
        self.subscribing = frozenset(
            node.id
            for node in nodes
            if node.boundary_event_ids
            or (node.container is not None and node.container.event_subprocess_ids)
            or node.element_type in _CATCHING
        )


_CATCHING = frozenset(
    {
        BpmnElementType.INTERMEDIATE_CATCH_EVENT,
        BpmnElementType.RECEIVE_TASK,
        BpmnElementType.EVENT_BASED_GATEWAY,
    }
)


class DeployedProcess:
    """A deployed process definition and its executable model."""

    __slots__ = ("_traits", "executable", "record")

    def __init__(self, record: ProcessRecordValue, executable: ExecutableProcess) -> None:
        self.record = record
        self.executable = executable
        self._traits: ProcessTraits | None = None

    @property
    def traits(self) -> ProcessTraits:
        traits = self._traits
        if traits is None:
            traits = self._traits = ProcessTraits(self.executable)
        return traits

    @property
    def key(self) -> int:
        return self.record.process_definition_key

    @property
    def bpmn_process_id(self) -> str:
        return self.record.bpmn_process_id

    @property
    def version(self) -> int:
        return self.record.version

    @property
    def tenant_id(self) -> str:
        return self.record.tenant_id


def checksum_of(resource: bytes) -> bytes:
    """Zeebe's resource checksum (MD5): equal checksums mean an unchanged resource."""
    return hashlib.md5(resource, usedforsecurity=False).digest()


class ParsedResources:
    """Parsed BPMN resources by checksum, so a deployed resource is parsed once, not per lookup.

    Derived data only: dropping it changes nothing but speed.
    """

    def __init__(self, capacity: int = 256) -> None:
        self._capacity = capacity
        self._parsed: OrderedDict[bytes, BpmnDefinitions] = OrderedDict()

    def parse(self, resource_name: str, resource: bytes) -> BpmnDefinitions:
        """Parse (or reuse) ``resource``; raises ``strom.model.ModelError`` like ``parse_bpmn``."""
        checksum = checksum_of(resource)
        definitions = self._parsed.get(checksum)
        if definitions is None:
            definitions = parse_bpmn(resource, resource_name=resource_name)
            self._parsed[checksum] = definitions
            if len(self._parsed) > self._capacity:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(checksum)
        return definitions


class ProcessState(Protocol):
    def parse(self, resource_name: str, resource: bytes) -> BpmnDefinitions: ...
    def by_key(self, key: int) -> DeployedProcess | None: ...
    def by_id_and_version(
        self, tenant_id: str, bpmn_process_id: str, version: int
    ) -> DeployedProcess | None: ...
    def latest(self, tenant_id: str, bpmn_process_id: str) -> DeployedProcess | None: ...
    def latest_version(self, tenant_id: str, bpmn_process_id: str) -> int: ...
    def latest_by_version_tag(
        self, tenant_id: str, bpmn_process_id: str, version_tag: str
    ) -> DeployedProcess | None: ...
    def highest_version(self, tenant_id: str, bpmn_process_id: str) -> int: ...
    def version_before(self, tenant_id: str, bpmn_process_id: str, version: int) -> int: ...


class MutableProcessState(ProcessState, Protocol):
    def put(self, record: ProcessRecordValue) -> None: ...
    def delete(self, record: ProcessRecordValue) -> None: ...


class DbProcessState:
    def __init__(self, db: Database) -> None:
        self._processes = db.column_family(cf.PROCESSES)
        self._versions = db.column_family(cf.PROCESS_VERSIONS)
        self._latest = db.column_family(cf.PROCESS_LATEST)
        self._highest = db.column_family(cf.PROCESS_HIGHEST_VERSION)
        self._cache: dict[int, DeployedProcess] = {}
        self._parsed = ParsedResources()

    def parse(self, resource_name: str, resource: bytes) -> BpmnDefinitions:
        return self._parsed.parse(resource_name, resource)

    def by_key(self, key: int) -> DeployedProcess | None:
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        raw = self._processes.get(pack_long(key))
        if raw is None:
            return None
        record = _decode(raw)
        definitions = self._parsed.parse(record.resource_name, record.resource)
        deployed = DeployedProcess(record, definitions.process(record.bpmn_process_id))
        self._cache[key] = deployed
        return deployed

    def by_id_and_version(self, tenant_id: str, bpmn_process_id: str, version: int) -> DeployedProcess | None:
        raw = self._versions.get(pack(tenant_qualified(tenant_id, bpmn_process_id), version))
        return None if raw is None else self.by_key(unpack_long(raw))

    def latest_version(self, tenant_id: str, bpmn_process_id: str) -> int:
        raw = self._latest.get(pack(tenant_qualified(tenant_id, bpmn_process_id)))
        return 0 if raw is None else unpack_long(raw)

    def latest(self, tenant_id: str, bpmn_process_id: str) -> DeployedProcess | None:
        version = self.latest_version(tenant_id, bpmn_process_id)
        return None if version == 0 else self.by_id_and_version(tenant_id, bpmn_process_id, version)

    def latest_by_version_tag(
        self, tenant_id: str, bpmn_process_id: str, version_tag: str
    ) -> DeployedProcess | None:
        version = self.latest_version(tenant_id, bpmn_process_id)
        while version > 0:
            process = self.by_id_and_version(tenant_id, bpmn_process_id, version)
            if process is not None and process.record.version_tag == version_tag:
                return process
            version -= 1
        return None

    def highest_version(self, tenant_id: str, bpmn_process_id: str) -> int:
        """The highest version ever deployed, deleted ones included: new versions count on from it,
        so a version number is never reused (as in Zeebe)."""
        raw = self._highest.get(pack(tenant_qualified(tenant_id, bpmn_process_id)))
        deleted = 0 if raw is None else unpack_long(raw)
        return max(deleted, self.latest_version(tenant_id, bpmn_process_id))

    def version_before(self, tenant_id: str, bpmn_process_id: str, version: int) -> int:
        """The highest deployed version below ``version``, 0 if there is none."""
        before = 0
        for key, _ in self._versions.iterate(prefix(tenant_qualified(tenant_id, bpmn_process_id))):
            known = int(unpack(key, (str, int))[1])
            if known >= version:
                break
            before = known
        return before

    def put(self, record: ProcessRecordValue) -> None:
        key = record.process_definition_key
        qualified = tenant_qualified(record.tenant_id, record.bpmn_process_id)
        self._processes.put(pack_long(key), _encode(record))
        self._versions.put(pack(qualified, record.version), pack_long(key))
        if record.version > self.latest_version(record.tenant_id, record.bpmn_process_id):
            self._latest.put(pack(qualified), pack_long(record.version))

    def delete(self, record: ProcessRecordValue) -> None:
        """Forget a definition; if it was the latest version, the version before it becomes latest."""
        tenant_id, process_id, version = record.tenant_id, record.bpmn_process_id, record.version
        qualified = tenant_qualified(tenant_id, process_id)
        highest = self.highest_version(tenant_id, process_id)
        self._processes.delete(pack_long(record.process_definition_key))
        self._versions.delete(pack(qualified, version))
        self._cache.pop(record.process_definition_key, None)
        if version == self.latest_version(tenant_id, process_id):
            before = self.version_before(tenant_id, process_id, version)
            if before:
                self._latest.put(pack(qualified), pack_long(before))
            else:
                self._latest.delete(pack(qualified))
        self._highest.put(pack(qualified), pack_long(max(highest, version)))
