"""The record log of one process instance, read from its partition's log (Strom's own operations,
not Camunda's): what Operate's record log explorer shows.

The gateway reads the partition's segment files read-only (``strom.log.files``), whether the
partition runs in this process or in its own: no message to the partition, no effect on it. A
record concerns an instance when its value names the instance (``processInstanceKey``), its key is
the instance's, or its key or scope names an entity of the instance seen earlier in the log (a job,
an element instance, a user task …): so the commands that complete a job or set variables, and
their rejections, are there too. A command that names nothing of the instance (the creation
command) is reachable as the *source* of a record of the instance.

What a scan learned is kept per instance (the most recent ``_TRAILS``), so a later page or a
"why?" read continues where the last scan stopped instead of reading the log again. The log is
compacted below snapshots and exporter positions: what was compacted is not there, and the answer
says from which position on the log is stored.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.auth.permissions import read_restriction
from strom.gateway.rest.context import RestContext, json_response, key
from strom.gateway.rest.operations import Body, Operations
from strom.gateway.rest.problems import Problem, invalid_argument, not_found
from strom.log.errors import PositionCompactedError
from strom.log.files import LogFiles
from strom.protocol import codec
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import intent_name
from strom.protocol.keys import partition_of

operations = Operations("Record log (Strom)")

_TRAILS = 64
"""Instances whose scan state is kept (least recently used ones are dropped)."""
MAX_LIMIT = 1000


class _Refs(msgspec.Struct, rename="camel"):
    """The fields of a value that tie a record to an instance (the rest is skipped unread)."""

    process_instance_key: int = -1
    scope_key: int = -1
    element_instance_key: int = -1
    ad_hoc_sub_process_instance_key: int = -1
    bpmn_process_id: str = ""


class _Head(msgspec.Struct, rename="camel"):
    key: int = -1
    source_record_position: int = -1
    value_type: int = -1
    record_type: int = RecordType.COMMAND
    intent: int = -1
    value: _Refs = msgspec.field(default_factory=_Refs)


_decode_head = msgspec.msgpack.Decoder(_Head).decode


class _Trail:
    """What the log said about one instance up to ``next_position``."""

    def __init__(self, instance_key: int, start: int) -> None:
        self.instance_key = instance_key
        self.next_position = start
        self.positions: array[int] = array("Q")
        self.kinds: array[int] = array("L")
        """Per matched record: value type << 16 | record type << 8 | intent."""
        self.sources: set[int] = set()
        self.keys: set[int] = {instance_key}
        self.bpmn_process_id = ""

    def take(self, position: int, raw: bytes) -> None:
        head = _decode_head(raw)
        refs = head.value
        keys = self.keys
        if refs.process_instance_key == self.instance_key:
            if head.key > 0:
                keys.add(head.key)
            if not self.bpmn_process_id and refs.bpmn_process_id:
                self.bpmn_process_id = refs.bpmn_process_id
        elif not (
            head.key in keys
            or refs.scope_key in keys
            or refs.element_instance_key in keys
            or refs.ad_hoc_sub_process_instance_key in keys
        ):
            return
        self.positions.append(position)
        self.kinds.append(head.value_type << 16 | head.record_type << 8 | head.intent)
        if head.source_record_position > 0:
            self.sources.add(head.source_record_position)


class _PartitionLog:
    """One partition's log files and the trails of its instances; one scan at a time."""

    def __init__(self, directory: Path) -> None:
        self.files = LogFiles(directory)
        self.lock = threading.Lock()
        self.trails: OrderedDict[int, _Trail] = OrderedDict()

    def trail(self, instance_key: int) -> tuple[_Trail, int]:
        """The instance's trail, scanned up to the written end, and the log's first position."""
        with self.lock:
            first = self.files.first_position
            trail = self.trails.pop(instance_key, None)
            if trail is None or trail.next_position < first:
                trail = _Trail(instance_key, first)
            self.trails[instance_key] = trail
            while len(self.trails) > _TRAILS:
                self.trails.popitem(last=False)
            for position, raw in self.files.read(trail.next_position):
                trail.take(position, raw)
                trail.next_position = position + 1
            return trail, first

    def records(self, positions: list[int]) -> list[dict[str, Any]]:
        """The records at ``positions`` (ascending) that are still stored, rendered."""
        if not positions:
            return []
        wanted = set(positions)
        found: list[dict[str, Any]] = []
        with self.lock:
            start = max(positions[0], self.files.first_position)
            try:
                for position, raw in self.files.read(start):
                    if position in wanted:
                        found.append(render(codec.decode(raw)))
                    if position >= positions[-1]:
                        break
            except PositionCompactedError:
                pass  # compacted while reading: what was read is all there is
        return found


def render(record: Any) -> dict[str, Any]:
    """One record as the explorer shows it: codes by name, keys as strings, no caller claims."""
    document = codec.to_json_dict(record)
    document.pop("authorizations", None)
    document.pop("brokerVersion", None)
    document["key"] = str(record.key)
    document["timestamp"] = (
        datetime.fromtimestamp(record.timestamp / 1000, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
        if record.timestamp > 0
        else None
    )
    document["value"] = _keys_as_text(document["value"])
    return document


def _keys_as_text(value: Any) -> Any:
    """64-bit keys do not survive JavaScript's numbers: every ``…Key`` / ``…Keys`` becomes text."""
    if isinstance(value, dict):
        rendered: dict[str, Any] = {}
        for name, item in value.items():
            if isinstance(item, int) and not isinstance(item, bool) and name.endswith("Key"):
                rendered[name] = str(item)
            elif isinstance(item, list) and name.endswith("Keys"):
                rendered[name] = [str(k) if isinstance(k, int) else _keys_as_text(k) for k in item]
            else:
                rendered[name] = _keys_as_text(item)
        return rendered
    if isinstance(value, list):
        return [_keys_as_text(item) for item in value]
    return value


# -- the operations -------------------------------------------------------------------------------


class RecordFilter(Body):
    """Each field one name or a list of names (any of them matches)."""

    recordType: str | list[str] | None = None
    """COMMAND, EVENT, COMMAND_REJECTION."""
    valueType: str | list[str] | None = None
    """PROCESS_INSTANCE, JOB, VARIABLE, INCIDENT, …"""
    intent: str | list[str] | None = None
    """ELEMENT_ACTIVATED, COMPLETE, …"""


class RecordPage(Body):
    after: int = 0
    """Only records at a higher position (0: from the first)."""
    limit: int = 100
    """At most this many records (1 to 1000)."""


class RecordSearchRequest(Body):
    filter: RecordFilter | None = None
    page: RecordPage | None = None


def _names(value: str | list[str] | None, known: set[str] | None, field: str) -> set[str] | None:
    if value is None:
        return None
    names = {value} if isinstance(value, str) else set(value)
    if known is not None and (unknown := sorted(names - known)):
        raise invalid_argument(
            f"Expected 'filter.{field}' to name one of {sorted(known)}, but it was {unknown}"
        )
    return names


def _partition_log(request: Request, instance_key: int) -> _PartitionLog:
    context: RestContext = request.app.state.context
    partition_id = partition_of(instance_key)
    data_dir = context.settings.data_dir
    if not data_dir:
        raise Problem(
            501,
            "NOT_SUPPORTED",
            "This broker's partitions do not keep their log in files it can read (cluster mode keeps it "
            "in JetStream), so the record log is not available here",
        )
    if not 1 <= partition_id <= context.partitions.count:
        raise not_found(f"Process instance with key '{instance_key}' not found: no partition {partition_id}")
    logs: dict[int, _PartitionLog] | None = getattr(request.app.state, "record_logs", None)
    if logs is None:
        logs = request.app.state.record_logs = {}
    log = logs.get(partition_id)
    if log is None:
        log = logs[partition_id] = _PartitionLog(Path(data_dir) / f"partition-{partition_id}" / "log")
    return log


async def _trail(request: Request, key_text: str) -> tuple[_PartitionLog, _Trail, int]:
    """The instance's trail; 404 when the log has no record of it, 403 when the caller may not read it."""
    instance_key = key(key_text, "processInstanceKey")
    log = _partition_log(request, instance_key)
    trail, first = await run_in_threadpool(log.trail, instance_key)
    if not trail.positions:
        compacted = f" (its records before position {first} were compacted)" if first > 1 else ""
        raise not_found(
            f"Process instance with key '{key_text}' not found in the record log of partition "
            f"{partition_of(instance_key)}{compacted}"
        )
    restriction = await read_restriction(request, "processInstance")
    if (
        restriction is not None
        and restriction.column is not None
        and trail.bpmn_process_id not in restriction.allowed
    ):
        raise Problem(
            403,
            "FORBIDDEN",
            "Insufficient permissions to perform operation 'READ_PROCESS_INSTANCE' on resource "
            "'PROCESS_DEFINITION'",
        )
    return log, trail, first


def _log_facts(trail: _Trail, first: int) -> dict[str, Any]:
    return {
        "partitionId": partition_of(trail.instance_key),
        "firstPosition": first,
        "compacted": first > 1,
        "readUpTo": trail.next_position - 1,
    }


@operations.post(
    "/strom/process-instances/{processInstanceKey}/records/search",
    "searchProcessInstanceRecords",
    "Records of the instance's partition log that concern it (commands, events, rejections), by position",
    body=RecordSearchRequest,
)
async def search_records(request: Request, processInstanceKey: str, body: RecordSearchRequest) -> Response:
    page = body.page or RecordPage()
    if not 1 <= page.limit <= MAX_LIMIT:
        raise invalid_argument(
            f"Expected 'page.limit' to be between 1 and {MAX_LIMIT}, but it was {page.limit}"
        )
    criteria = body.filter or RecordFilter()
    record_types = _names(criteria.recordType, {t.name for t in RecordType}, "recordType")
    value_types = _names(criteria.valueType, {t.name for t in ValueType}, "valueType")
    intents = _names(criteria.intent, None, "intent")
    log, trail, first = await _trail(request, processInstanceKey)

    def matching() -> tuple[list[int], int]:
        chosen: list[int] = []
        total = 0
        for position, kind in zip(trail.positions, trail.kinds, strict=False):
            value_type = ValueType(kind >> 16)
            if record_types is not None and RecordType((kind >> 8) & 0xFF).name not in record_types:
                continue
            if value_types is not None and value_type.name not in value_types:
                continue
            if intents is not None and intent_name(value_type, kind & 0xFF) not in intents:
                continue
            total += 1
            if position > page.after and len(chosen) <= page.limit:
                chosen.append(position)
        return chosen, total

    chosen, total = matching()
    more = len(chosen) > page.limit
    chosen = chosen[: page.limit]
    items = await run_in_threadpool(log.records, chosen)
    return json_response(
        {
            "items": items,
            "page": {
                "totalItems": total,
                "hasMoreItems": more,
                "endPosition": chosen[-1] if chosen else None,
            },
            "log": _log_facts(trail, first),
        }
    )


@operations.get(
    "/strom/process-instances/{processInstanceKey}/records/{position}",
    "getProcessInstanceRecord",
    "One record of the instance's partition log: a record of the instance or the source of one",
)
async def get_record(request: Request, processInstanceKey: str, position: str) -> Response:
    if not position.isdigit() or int(position) < 1:
        raise invalid_argument(f"Expected 'position' to be a positive number, but it was {position!r}")
    at = int(position)
    log, trail, first = await _trail(request, processInstanceKey)
    index = bisect_left(trail.positions, at)
    ours = index < len(trail.positions) and trail.positions[index] == at
    if not ours and at not in trail.sources:
        raise not_found(
            f"The record at position {at} neither concerns process instance '{processInstanceKey}' nor "
            "caused one of its records"
        )
    items = await run_in_threadpool(log.records, [at])
    if not items:
        raise not_found(f"The record at position {at} was compacted: the log starts at position {first}")
    return json_response({**items[0], "log": _log_facts(trail, first)})
