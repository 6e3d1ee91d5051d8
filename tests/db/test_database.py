"""Database lifecycle: column families, close and reopen, and what WAL-off means after a crash."""

from __future__ import annotations

import ast
import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from strom.db import Database, DbError, DbOptions, TransactionError
from strom.db.keys import pack_long

from .conftest import fill

REPO = Path(__file__).resolve().parents[2]


def _run(code: str) -> None:
    """Run ``code`` in a fresh interpreter: the only honest way to simulate a crash (``os._exit``)."""
    subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=REPO, check=True, timeout=60)


def test_a_cleanly_closed_database_reopens_with_its_data(tmp_path: Path) -> None:
    with Database(tmp_path / "db", ["jobs", "timers"]) as db:
        fill(db, "jobs", {pack_long(1): b"one"})
        fill(db, "timers", {pack_long(2): b"two"})

    with Database(tmp_path / "db", ["jobs", "timers"]) as db, db.transaction() as txn:
        assert txn.get("jobs", pack_long(1)) == b"one"
        assert txn.get("timers", pack_long(2)) == b"two"


def test_new_column_families_are_created_and_unlisted_ones_still_opened(tmp_path: Path) -> None:
    with Database(tmp_path / "db", ["jobs", "old"]) as db:
        fill(db, "old", {b"k": b"v"})

    with Database(tmp_path / "db", ["jobs", "new"]) as db:
        assert db.column_families == ("jobs", "new", "old")
        with db.transaction() as txn:
            assert txn.get("old", b"k") == b"v"
            txn.put("new", b"k", b"v")


def test_a_directory_is_opened_by_one_database_at_a_time(tmp_path: Path) -> None:
    with Database(tmp_path / "db", ["jobs"]), pytest.raises(DbError, match="cannot open RocksDB"):
        Database(tmp_path / "db", ["jobs"])

    Database(tmp_path / "db", ["jobs"]).close()  # released by close


def test_close_rolls_back_the_open_transaction_and_refuses_further_use(tmp_path: Path) -> None:
    db = Database(tmp_path / "db", ["jobs"], DbOptions(block_cache_bytes=8 << 20))
    txn = db.transaction()
    txn.put("jobs", b"k", b"never committed")

    db.close()
    db.close()

    assert db.closed and not txn.is_open
    with pytest.raises(DbError, match="closed"):
        db.transaction()
    with pytest.raises(TransactionError):
        db.column_family("jobs").get(b"k")
    with Database(tmp_path / "db", ["jobs"]) as reopened, reopened.transaction() as check:
        assert check.get("jobs", b"k") is None


def test_with_the_wal_off_a_crash_loses_unflushed_commits_whole_never_in_part(tmp_path: Path) -> None:
    # The record log is the write-ahead log: RocksDB may lose recent commits in a crash, and the
    # engine rebuilds them by replay. What reaches disk is always whole batches, in commit order.
    _run(
        f"""
        import os
        from strom.db import Database
        db = Database({str(tmp_path / "db")!r}, ["jobs", "timers"])
        with db.transaction() as txn:
            for i in range(100):
                txn.put("jobs", b"flushed %d" % i, b"v")
                txn.put("timers", b"flushed %d" % i, b"v")
        db.flush()
        with db.transaction() as txn:
            for i in range(100):
                txn.put("jobs", b"unflushed %d" % i, b"v")
                txn.put("timers", b"unflushed %d" % i, b"v")
        os._exit(0)  # crash: no close, no flush
        """
    )

    with Database(tmp_path / "db", ["jobs", "timers"]) as db, db.transaction() as txn:
        for cf in ("jobs", "timers"):
            keys = [k for k, _ in txn.iterate(cf)]
            assert len(keys) == 100
            assert all(k.startswith(b"flushed") for k in keys)


def test_options_are_checked_with_the_parameter_named() -> None:
    with pytest.raises(ValueError, match="`block_cache_bytes` must be at least 1 MiB"):
        DbOptions(block_cache_bytes=10)
    with pytest.raises(ValueError, match="`background_jobs`"):
        DbOptions(background_jobs=0)


def test_every_exported_name_exists_and_has_a_docstring() -> None:
    import strom.db

    assert strom.db.__doc__ is not None and "Internal" in strom.db.__doc__
    for name in strom.db.__all__:
        exported = getattr(strom.db, name)
        # Read from the source: modules compiled with mypyc keep no docstrings at run time.
        documented = exported if inspect.ismodule(exported) else inspect.getmodule(exported)
        assert documented is not None and documented.__file__ is not None, name
        compiled_or_source = Path(documented.__file__)
        source = ast.parse(
            (compiled_or_source.parent / (compiled_or_source.name.split(".")[0] + ".py")).read_text()
        )
        if documented is not exported:
            [source] = [  # type: ignore[assignment]
                node
                for node in source.body
                if isinstance(node, ast.ClassDef | ast.FunctionDef) and node.name == name
            ]
        assert ast.get_docstring(source), name
