"""Golden logs: the files, and replaying them into a fresh partition.

A scenario's files, side by side in this directory:

``<scenario>.records.gz``   the log's records as the engine wrote them: a gzipped msgpack array
                            of the encoded records (``strom.protocol.codec``), position 1 first,
                            with no gap; appended one by one to an empty journal they replay
                            exactly.
``<scenario>.digest.json``  what replaying them gives: the state digest (``strom.db.digest``) of
                            every column family at the end (``digest``), and the state after each
                            event (``steps``: 8 hex digits per event, ``trajectory``: per column
                            family, a hash of its digests after every event), so that a change
                            whose effect a later event overwrites is caught too; and what the log
                            holds (records, event kinds).
"""

from __future__ import annotations

import gzip
import json
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from hashlib import blake2b
from pathlib import Path
from typing import Any

import msgspec

from strom.broker import Partition, PartitionSettings
from strom.db import Database, digest
from strom.engine import ENGINE_COLUMN_FAMILIES, Engine
from strom.log import FileJournal
from strom.protocol import codec
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import intent_name
from strom.stream.clock import ControlledClock

GOLDEN_DIR = Path(__file__).resolve().parent
EMPTY_DIGEST = blake2b(digest_size=32).hexdigest()
"""The digest of a column family with nothing in it (one a golden log predates)."""

EventKind = tuple[ValueType, int, int]
"""(value type, intent, record version) of an event."""


def records_path(scenario: str) -> Path:
    return GOLDEN_DIR / f"{scenario}.records.gz"


def digest_path(scenario: str) -> Path:
    return GOLDEN_DIR / f"{scenario}.digest.json"


def scenarios() -> list[str]:
    """The scenarios that have a committed golden log."""
    return sorted(path.name.removesuffix(".records.gz") for path in GOLDEN_DIR.glob("*.records.gz"))


def read_records(scenario: str) -> list[bytes]:
    return msgspec.msgpack.decode(gzip.decompress(records_path(scenario).read_bytes()), type=list[bytes])


def write_records(scenario: str, records: Sequence[bytes]) -> None:
    records_path(scenario).write_bytes(gzip.compress(msgspec.msgpack.encode(list(records)), mtime=0))


def read_digest(scenario: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(digest_path(scenario).read_text())
    return data


def write_digest(scenario: str, records: Sequence[bytes], note: str) -> None:
    """Replay ``records`` and write what that gives (see the module's docstring)."""
    steps, trajectory = replay_events(records)
    data = {
        "scenario": scenario,
        "note": note,
        "records": len(records),
        "events": [describe(kind) for kind in sorted(event_kinds(records))],
        "digest": dict(sorted(replay(records).items())),
        "trajectory": dict(sorted(trajectory.items())),
        "steps": steps,
    }
    digest_path(scenario).write_text(json.dumps(data, indent=1) + "\n")


def describe(kind: EventKind) -> str:
    value_type, intent, version = kind
    return f"{value_type.name} {intent_name(value_type, intent)} v{version}"


def event_kinds(records: Iterable[bytes]) -> set[EventKind]:
    """The (value type, intent, version) of every event in ``records``."""
    kinds = set()
    for data in records:
        record = codec.decode(data)
        if record.record_type is RecordType.EVENT:
            kinds.add((record.value_type, int(record.intent), int(record.record_version)))
    return kinds


def log_records(directory: Path) -> list[bytes]:
    """Every record of the journal in ``directory``, as stored, from position 1."""
    journal = FileJournal(directory)
    try:
        reader = journal.reader(1)
        try:
            records = []
            for position, data in reader.read_available():
                if position != len(records) + 1:
                    raise ValueError(f"the log has a gap before position {position}")
                records.append(data)
            return records
        finally:
            reader.close()
    finally:
        journal.close()


def replay(records: Sequence[bytes]) -> dict[str, str]:
    """The state digest after replaying ``records`` into a fresh partition (the broker's own
    recovery: ``StreamProcessor.recover`` applying every event with its recorded version)."""
    directory = Path(tempfile.mkdtemp(prefix="strom-golden-"))
    try:
        journal = FileJournal(directory / "partition-1" / "log")
        try:
            for data in records:
                journal.append([data])
            journal.flush()
        finally:
            journal.close()
        partition = Partition(
            PartitionSettings(data_dir=directory, group_commit=False, snapshot_period_s=float("inf")),
            clock=ControlledClock(datetime.fromtimestamp(0, UTC)),
        ).open()
        try:
            return digest(partition.db)
        finally:
            partition.close(snapshot=False)
    finally:
        shutil.rmtree(directory, ignore_errors=True)


STEP_HEX = 8
"""Hex digits per event in ``steps``."""


def replay_events(
    records: Sequence[bytes], column_families: Iterable[str] | None = None
) -> tuple[str, dict[str, str]]:
    """Apply the events of ``records`` one by one to a fresh engine state (``Engine.replay``, one
    committed transaction per event) and digest the state after each (of ``column_families``: those
    a golden log was committed with; a column family added later is checked by the final digest,
    where it must stay empty).

    Returns ``(steps, trajectory)``: ``STEP_HEX`` hex digits per event of a hash of the whole
    state after it, and per column family a hash of its digests after every event.
    """
    directory = Path(tempfile.mkdtemp(prefix="strom-golden-"))
    try:
        db = Database(directory / "db", list(ENGINE_COLUMN_FAMILIES))
        try:
            engine = Engine(db)
            wanted = None if column_families is None else set(column_families)
            names = tuple(name for name in db.column_families if wanted is None or name in wanted)
            chains = {name: blake2b(digest_size=32) for name in names}
            steps = []
            for data in records:
                record = codec.decode(data)
                if record.record_type is not RecordType.EVENT:
                    continue
                transaction = db.transaction()
                engine.replay(record)
                transaction.commit()
                step = blake2b(digest_size=STEP_HEX // 2)
                for name, value in digest(db, names).items():
                    chains[name].update(bytes.fromhex(value))
                    step.update(name.encode() + bytes.fromhex(value))
                steps.append(step.hexdigest())
            return "".join(steps), {name: chain.hexdigest() for name, chain in chains.items()}
        finally:
            db.close()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def events(records: Sequence[bytes]) -> list[str]:
    """Each event of ``records`` as ``#<position> <value type> <intent> v<version>``."""
    described = []
    for data in records:
        record = codec.decode(data)
        if record.record_type is RecordType.EVENT:
            kind = (record.value_type, int(record.intent), int(record.record_version))
            described.append(f"#{record.position} {describe(kind)}")
    return described


def differing_column_families(expected: Mapping[str, str], actual: Mapping[str, str]) -> list[str]:
    """The column families whose digests differ; one missing on either side counts as empty
    (a column family added after the golden log was written must stay empty when it replays)."""
    names = set(expected) | set(actual)
    return sorted(
        name for name in names if expected.get(name, EMPTY_DIGEST) != actual.get(name, EMPTY_DIGEST)
    )
