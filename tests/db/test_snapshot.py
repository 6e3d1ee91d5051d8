"""Snapshots: checkpoint + metadata, restore, crash safety, pruning."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from strom.db import (
    Database,
    SnapshotError,
    create_snapshot,
    digest,
    latest_snapshot,
    list_snapshots,
    pack_snapshot,
    prune_snapshots,
    restore_snapshot,
    unpack_snapshot,
)
from strom.db.keys import pack_long

from .conftest import COLUMN_FAMILIES, fill

REPO = Path(__file__).resolve().parents[2]

METADATA = {
    "processed_position": 1234,
    "exported_positions": {"jsonl": 1200, "sql": 1100},
    "key_generator": {"next_key": 2251799813685300},
    "engine_version": "0.1.0",
}


def _populate(db: Database, start: int, count: int) -> None:
    with db.transaction() as txn:
        for i in range(start, start + count):
            for cf in COLUMN_FAMILIES:
                txn.put(cf, pack_long(i), b"%s value %d" % (cf.encode(), i))


def test_restoring_a_snapshot_brings_back_exactly_the_state_it_was_taken_from(
    db: Database, tmp_path: Path
) -> None:
    # Given state, partly still in memtables only (the WAL is off, so only a flush persists it)
    _populate(db, 0, 300)
    db.flush()
    _populate(db, 300, 50)
    at_snapshot = digest(db)
    snapshot = create_snapshot(db, tmp_path / "snapshots", METADATA)

    # When the state moves on and the snapshot is restored
    with db.transaction() as txn:
        txn.delete("jobs", pack_long(5))
        txn.put("timers", pack_long(9999), b"later")
    assert digest(db) != at_snapshot
    db.close()
    restored = restore_snapshot(snapshot, tmp_path / "runtime", COLUMN_FAMILIES)

    # Then it equals the state at the snapshot, and it is a working database.
    assert digest(restored) == at_snapshot
    with restored.transaction() as txn:
        assert txn.get("elements", pack_long(320)) == b"elements value 320"
        txn.put("jobs", pack_long(1), b"after restore")
    restored.close()


def test_metadata_round_trips_and_the_newest_snapshot_is_found(db: Database, tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    first = create_snapshot(db, snapshots, {**METADATA, "processed_position": 1})
    _populate(db, 0, 10)
    second = create_snapshot(db, snapshots, METADATA)

    latest = latest_snapshot(snapshots)

    assert latest is not None and latest.id == second.id
    assert dict(latest.metadata) == METADATA
    assert first.sequence < second.sequence
    assert [s.id for s in list_snapshots(snapshots)] == [first.id, second.id]
    assert json.loads((second.path / "metadata.json").read_text())["metadata"] == METADATA


def test_there_is_no_snapshot_before_the_first_one(tmp_path: Path) -> None:
    assert latest_snapshot(tmp_path / "missing") is None
    assert list_snapshots(tmp_path / "missing") == []


def test_half_written_snapshots_are_ignored_removed_and_not_reused(db: Database, tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    _populate(db, 0, 20)
    good = create_snapshot(db, snapshots, METADATA)
    # Crash states: checkpoint without metadata; metadata only in its temp file; torn metadata;
    # metadata present but a state file gone (a crash in the middle of deleting it).
    for name, damage in [
        ("000000000002", lambda d: (d / "metadata.json").unlink()),
        ("000000000003", lambda d: (d / "metadata.json").rename(d / "metadata.json.tmp")),
        ("000000000004", lambda d: (d / "metadata.json").write_text('{"format": 1, "id": ')),
        ("000000000005", lambda d: next((d / "state").glob("*.sst")).unlink()),
    ]:
        shutil.copytree(good.path, snapshots / name, copy_function=shutil.copy)
        meta = snapshots / name / "metadata.json"
        meta.write_text(meta.read_text().replace(good.id, name))
        damage(snapshots / name)

    assert latest_snapshot(snapshots) == good
    assert [s.id for s in list_snapshots(snapshots)] == [good.id]
    assert create_snapshot(db, snapshots, METADATA).id == "000000000006"
    damaged = ["000000000002", "000000000003", "000000000004", "000000000005"]
    assert prune_snapshots(snapshots, keep=2) == damaged
    assert [s.id for s in list_snapshots(snapshots)] == [good.id, "000000000006"]


def test_a_crash_while_committing_a_snapshot_leaves_the_previous_one_usable(tmp_path: Path) -> None:
    # The child takes one snapshot, then dies just before the metadata of the second is renamed
    # into place: the real code path up to the commit point, then a real process death.
    _run(
        f"""
        import os
        from strom.db import Database, create_snapshot
        db = Database({str(tmp_path / "runtime")!r}, ["jobs"])
        with db.transaction() as txn:
            txn.put("jobs", b"k", b"first")
        create_snapshot(db, {str(tmp_path / "snapshots")!r}, {{"processed_position": 1}})
        with db.transaction() as txn:
            txn.put("jobs", b"k", b"second")
        real_replace = os.replace
        def crash(src, dst):
            if str(dst).endswith("metadata.json"):
                os._exit(3)
            real_replace(src, dst)
        os.replace = crash
        create_snapshot(db, {str(tmp_path / "snapshots")!r}, {{"processed_position": 2}})
        """,
        expect_exit=3,
    )

    snapshots = tmp_path / "snapshots"
    assert sorted(p.name for p in snapshots.iterdir()) == ["000000000001", "000000000002"]
    latest = latest_snapshot(snapshots)
    assert latest is not None and latest.metadata == {"processed_position": 1}
    with restore_snapshot(latest, tmp_path / "runtime", ["jobs"]) as db, db.transaction() as txn:
        assert txn.get("jobs", b"k") == b"first"
    assert prune_snapshots(snapshots) == ["000000000002"]


def test_prune_keeps_the_newest_snapshots(db: Database, tmp_path: Path) -> None:
    snapshots = tmp_path / "snapshots"
    ids = []
    for i in range(5):
        _populate(db, i, 1)
        ids.append(create_snapshot(db, snapshots, {"processed_position": i}).id)

    assert prune_snapshots(snapshots, keep=2) == ids[:3]
    assert [s.id for s in list_snapshots(snapshots)] == ids[3:]
    assert prune_snapshots(snapshots, keep=2) == []
    with pytest.raises(ValueError, match="`keep` must be at least 1"):
        prune_snapshots(snapshots, keep=0)


def test_a_snapshot_is_refused_while_a_transaction_is_open(db: Database, tmp_path: Path) -> None:
    with db.transaction(), pytest.raises(SnapshotError, match="transaction is open"):
        create_snapshot(db, tmp_path / "snapshots", METADATA)


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"position": object()}, "JSON-serializable"),
        ({"positions": {1: 10}}, "read back equal"),
        ({"positions": (1, 2)}, "read back equal"),
    ],
)
def test_metadata_that_would_not_read_back_equal_is_refused(
    db: Database, tmp_path: Path, metadata: dict[str, object], message: str
) -> None:
    with pytest.raises(SnapshotError, match=message):
        create_snapshot(db, tmp_path / "snapshots", metadata)
    assert list((tmp_path / "snapshots").glob("*")) == []


def test_restore_replaces_the_runtime_directory_and_shares_sst_files_by_hard_link(
    db: Database, tmp_path: Path
) -> None:
    _populate(db, 0, 100)
    snapshot = create_snapshot(db, tmp_path / "snapshots", METADATA)
    expected = digest(db)
    _populate(db, 100, 100)
    runtime = db.path
    db.close()

    restored = restore_snapshot(snapshot, runtime, COLUMN_FAMILIES)
    assert digest(restored) == expected
    shared = [p for p in snapshot.state_path.glob("*.sst") if p.stat().st_nlink > 1]
    assert shared, "SST files should be hard-linked, not copied"

    # Writing, flushing and compacting the restored database must not alter the snapshot.
    _populate(restored, 0, 500)
    restored.flush()
    restored._rdict.compact_range(None, None)
    restored.close()
    again = restore_snapshot(snapshot, runtime, COLUMN_FAMILIES)
    assert digest(again) == expected
    again.close()


def test_an_incomplete_snapshot_cannot_be_restored(db: Database, tmp_path: Path) -> None:
    snapshot = create_snapshot(db, tmp_path / "snapshots", METADATA)
    (snapshot.path / "metadata.json").unlink()

    with pytest.raises(SnapshotError, match="incomplete"):
        restore_snapshot(snapshot, tmp_path / "elsewhere")


def test_a_snapshot_holds_data_that_was_only_in_memtables(tmp_path: Path) -> None:
    with Database(tmp_path / "runtime", ["jobs"]) as db:
        fill(db, "jobs", {b"k": b"in memtable only"})
        snapshot = create_snapshot(db, tmp_path / "snapshots", {})

    with Database(snapshot.state_path, ["jobs"]) as opened, opened.transaction() as txn:
        # Opened in place only for this check; the engine always restores a copy.
        assert txn.get("jobs", b"k") == b"in memtable only"


def _run(code: str, expect_exit: int = 0) -> None:
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, timeout=60)
    assert result.returncode == expect_exit


def test_a_packed_snapshot_unpacks_elsewhere_as_the_newest_snapshot_with_the_same_state(
    db: Database, tmp_path: Path
) -> None:
    # Given a snapshot on one machine, and an older snapshot of its own on another
    _populate(db, 0, 200)
    at_snapshot = digest(db)
    snapshot = create_snapshot(db, tmp_path / "here", METADATA)
    create_snapshot(db, tmp_path / "there", {**METADATA, "processed_position": 7})

    # When it travels as one archive
    unpacked = unpack_snapshot(pack_snapshot(snapshot), tmp_path / "there")

    # Then it is the newest snapshot there, with the same metadata and state
    assert latest_snapshot(tmp_path / "there") == unpacked
    assert unpacked.id == "000000000002" and unpacked.metadata == METADATA
    db.close()
    restored = restore_snapshot(unpacked, tmp_path / "runtime", COLUMN_FAMILIES)
    assert digest(restored) == at_snapshot
    restored.close()


def test_a_damaged_archive_is_refused_and_leaves_no_snapshot(db: Database, tmp_path: Path) -> None:
    _populate(db, 0, 50)
    archive = pack_snapshot(create_snapshot(db, tmp_path / "here", METADATA))

    with pytest.raises(SnapshotError, match="unpacking a snapshot archive"):
        unpack_snapshot(archive[: len(archive) // 2], tmp_path / "there")
    with pytest.raises(SnapshotError, match="unpacking a snapshot archive"):
        unpack_snapshot(b"not a tar", tmp_path / "there")

    assert latest_snapshot(tmp_path / "there") is None
    assert list((tmp_path / "there").iterdir()) == []
