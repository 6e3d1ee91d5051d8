"""Transactions: read-your-writes, merged iteration, savepoints, atomic commit."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strom.db import (
    Database,
    DbError,
    TransactionError,
    UnknownColumnFamilyError,
)
from strom.db.keys import pack_long

from .conftest import COLUMN_FAMILIES, fill

K1, K2, K3 = pack_long(1), pack_long(2), pack_long(3)


# -- get / put / delete / exists ------------------------------------------------------------------


def test_a_committed_put_is_read_back_by_the_next_transaction(db: Database) -> None:
    with db.transaction() as txn:
        txn.put("jobs", K1, b"job one")

    with db.transaction() as txn:
        assert txn.get("jobs", K1) == b"job one"
        assert txn.exists("jobs", K1)
        assert txn.get("jobs", K2) is None
        assert not txn.exists("jobs", K2)


def test_a_transaction_reads_its_own_puts_and_deletes_before_commit(db: Database) -> None:
    fill(db, "jobs", {K1: b"stored", K2: b"stored"})

    txn = db.transaction()
    txn.put("jobs", K1, b"changed")
    txn.delete("jobs", K2)
    txn.put("jobs", K3, b"new")

    assert txn.get("jobs", K1) == b"changed"
    assert txn.get("jobs", K2) is None and not txn.exists("jobs", K2)
    assert txn.get("jobs", K3) == b"new"
    txn.rollback()


def test_an_empty_value_is_a_value_not_a_missing_key(db: Database) -> None:
    fill(db, "jobs", {K1: b""})

    with db.transaction() as txn:
        assert txn.get("jobs", K1) == b""
        assert txn.exists("jobs", K1)


def test_column_families_are_separate_key_spaces(db: Database) -> None:
    fill(db, "jobs", {K1: b"a job"})

    with db.transaction() as txn:
        assert txn.get("elements", K1) is None
        assert txn.get("jobs", K1) == b"a job"


def test_a_deleted_key_is_gone_after_commit(db: Database) -> None:
    fill(db, "jobs", {K1: b"x"})

    with db.transaction() as txn:
        txn.delete("jobs", K1)
        txn.delete("jobs", K2)  # deleting a missing key is fine

    with db.transaction() as txn:
        assert txn.get("jobs", K1) is None


def test_an_unknown_column_family_is_named_in_the_error(db: Database) -> None:
    with db.transaction() as txn:
        with pytest.raises(UnknownColumnFamilyError, match=r"'nope'.*jobs"):
            txn.get("nope", K1)
        with pytest.raises(UnknownColumnFamilyError):
            txn.put("nope", K1, b"x")
        with pytest.raises(UnknownColumnFamilyError):
            txn.iterate("nope")
    with pytest.raises(UnknownColumnFamilyError):
        db.column_family("nope")


# -- lifecycle ------------------------------------------------------------------------------------


def test_rollback_discards_every_pending_write(db: Database) -> None:
    fill(db, "jobs", {K1: b"stored"})

    txn = db.transaction()
    txn.put("jobs", K1, b"changed")
    txn.put("elements", K2, b"new")
    txn.rollback()

    with db.transaction() as txn:
        assert txn.get("jobs", K1) == b"stored"
        assert txn.get("elements", K2) is None


def test_the_context_manager_commits_on_success_and_rolls_back_on_error(db: Database) -> None:
    with db.transaction() as txn:
        txn.put("jobs", K1, b"kept")
    with pytest.raises(RuntimeError), db.transaction() as txn:
        txn.put("jobs", K2, b"dropped")
        raise RuntimeError("processor failed")

    with db.transaction() as txn:
        assert txn.get("jobs", K1) == b"kept"
        assert txn.get("jobs", K2) is None


def test_only_one_transaction_is_open_at_a_time(db: Database) -> None:
    txn = db.transaction()

    with pytest.raises(TransactionError, match="already open"):
        db.transaction()

    txn.commit()
    db.transaction().rollback()


def test_a_closed_transaction_refuses_every_use(db: Database) -> None:
    txn = db.transaction()
    txn.commit()

    assert not txn.is_open
    for use in (
        lambda: txn.get("jobs", K1),
        lambda: txn.put("jobs", K1, b"x"),
        lambda: txn.delete("jobs", K1),
        lambda: txn.iterate("jobs"),
        txn.savepoint,
        txn.commit,
    ):
        with pytest.raises(TransactionError, match="already committed or rolled back"):
            use()
    txn.rollback()  # harmless


def test_commit_is_all_or_nothing_across_column_families(db: Database) -> None:
    # Given a transaction with many writes in every column family ...
    fill(db, "jobs", {K1: b"before"})
    txn = db.transaction()
    for i in range(500):
        for cf in COLUMN_FAMILIES:
            txn.put(cf, pack_long(i), b"value %d" % i)
    # ... and a failure injected before the batch reaches RocksDB (rocksdict rejects a str value).
    txn.put("timers", pack_long(10_000), "not bytes")  # type: ignore[arg-type]

    with pytest.raises(DbError, match=r"'timers'.*not bytes.*rolled back"):
        txn.commit()

    # Then nothing of it is visible, and the database goes on.
    assert not txn.is_open
    with db.transaction() as check:
        assert check.get("jobs", K1) == b"before"
        for cf in COLUMN_FAMILIES:
            assert check.get(cf, pack_long(7)) is None
        check.put("jobs", K2, b"after")
    with db.transaction() as check:
        assert check.get("jobs", K2) == b"after"
        assert [k for k, _ in check.iterate("elements")] == []


def test_a_committed_transaction_is_fully_visible(db: Database) -> None:
    with db.transaction() as txn:
        for i in range(500):
            for cf in COLUMN_FAMILIES:
                txn.put(cf, pack_long(i), b"v")

    with db.transaction() as txn:
        for cf in COLUMN_FAMILIES:
            assert len(list(txn.iterate(cf))) == 500


# -- iteration ------------------------------------------------------------------------------------


def test_iteration_merges_pending_writes_with_stored_data_in_key_order(db: Database) -> None:
    fill(db, "jobs", {pack_long(i): b"stored %d" % i for i in (1, 3, 5, 7)})

    with db.transaction() as txn:
        txn.put("jobs", pack_long(4), b"new 4")
        txn.put("jobs", pack_long(5), b"changed 5")
        txn.delete("jobs", pack_long(3))
        txn.put("jobs", pack_long(9), b"new 9")

        assert list(txn.iterate("jobs")) == [
            (pack_long(1), b"stored 1"),
            (pack_long(4), b"new 4"),
            (pack_long(5), b"changed 5"),
            (pack_long(7), b"stored 7"),
            (pack_long(9), b"new 9"),
        ]
        assert [k for k, _ in txn.iterate("jobs", reverse=True)] == [pack_long(i) for i in (9, 7, 5, 4, 1)]
        assert [k for k, _ in txn.iterate("jobs", start=pack_long(5))] == [pack_long(i) for i in (5, 7, 9)]
        assert [k for k, _ in txn.iterate("jobs", start=pack_long(6), reverse=True)] == [
            pack_long(i) for i in (5, 4, 1)
        ]


def test_iteration_with_a_prefix_selects_only_that_prefix(db: Database) -> None:
    fill(db, "jobs", {b"a1": b"", b"b1": b"", b"b3": b"", b"c1": b""})

    with db.transaction() as txn:
        txn.put("jobs", b"b2", b"")
        txn.put("jobs", b"a2", b"")
        txn.delete("jobs", b"b3")

        assert [k for k, _ in txn.iterate("jobs", prefix=b"b")] == [b"b1", b"b2"]
        assert [k for k, _ in txn.iterate("jobs", prefix=b"b", reverse=True)] == [b"b2", b"b1"]
        assert [k for k, _ in txn.iterate("jobs", prefix=b"a", reverse=True)] == [b"a2", b"a1"]
        assert [k for k, _ in txn.iterate("jobs", prefix=b"z")] == []


def test_a_prefix_scan_of_unflushed_data_sees_every_key(db: Database) -> None:
    # Regression: rocksdict 0.3.29 iterators borrow their upper bound from the ReadOptions; once
    # those were freed, a scan over memtable data stopped after the first key.
    fill(db, "jobs", {bytes((3, i)): b"" for i in range(50)})

    for _ in range(20):
        with db.transaction() as txn:
            assert len(list(txn.iterate("jobs", prefix=bytes((3,))))) == 50


def test_iteration_is_lazy_and_stops_on_break(db: Database) -> None:
    fill(db, "jobs", {pack_long(i): b"v" for i in range(1000)})

    with db.transaction() as txn:
        seen = []
        for key, _ in txn.iterate("jobs"):
            seen.append(key)
            if len(seen) == 3:
                break

    assert seen == [pack_long(0), pack_long(1), pack_long(2)]


def test_keys_deleted_during_iteration_are_not_yielded(db: Database) -> None:
    fill(db, "jobs", {pack_long(i): b"v" for i in range(10)})

    with db.transaction() as txn:
        yielded = []
        for key, _ in txn.iterate("jobs"):
            yielded.append(key)
            txn.delete("jobs", pack_long(int.from_bytes(key[1:], "big") + 1))

    assert yielded == [pack_long(i) for i in range(0, 10, 2)]


_KEY = st.binary(max_size=3).map(lambda b: bytes(x & 0x3 | (0xFC if x & 0x80 else 0) for x in b))
_OPS = st.lists(st.tuples(_KEY, st.one_of(st.none(), st.binary(max_size=2))), max_size=20)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    stored=st.dictionaries(_KEY, st.binary(max_size=2), max_size=15),
    pending=_OPS,
    prefix=st.binary(max_size=2).map(lambda b: bytes(x & 0x3 | (0xFC if x & 0x80 else 0) for x in b)),
    start=st.one_of(st.none(), _KEY),
    reverse=st.booleans(),
)
def test_iteration_equals_a_model_of_stored_data_plus_pending_writes(
    db: Database,
    stored: dict[bytes, bytes],
    pending: list[tuple[bytes, bytes | None]],
    prefix: bytes,
    start: bytes | None,
    reverse: bool,
) -> None:
    # Keys use the bytes 00-03 and FC-FF, so prefixes ending in FF (no upper bound) are exercised.
    with db.transaction() as txn:
        for key, _ in list(txn.iterate("jobs")):
            txn.delete("jobs", key)
        for key, value in stored.items():
            txn.put("jobs", key, value)
    model = dict(stored)

    with db.transaction() as txn:
        for key, change in pending:
            if change is None:
                txn.delete("jobs", key)
                model.pop(key, None)
            else:
                txn.put("jobs", key, change)
                model[key] = change

        expected = sorted(((k, v) for k, v in model.items() if k.startswith(prefix)), reverse=reverse)
        if start is not None:
            expected = [(k, v) for k, v in expected if (k <= start if reverse else k >= start)]
        assert list(txn.iterate("jobs", prefix=prefix, start=start, reverse=reverse)) == expected
        txn.rollback()


# -- savepoints -----------------------------------------------------------------------------------


def test_rollback_to_a_savepoint_undoes_only_the_writes_after_it(db: Database) -> None:
    fill(db, "jobs", {K1: b"stored"})

    with db.transaction() as txn:
        txn.put("jobs", K2, b"first command")
        savepoint = txn.savepoint()
        txn.put("jobs", K1, b"second command")
        txn.delete("jobs", K2)
        txn.put("elements", K3, b"second command")

        txn.rollback_to(savepoint)

        assert txn.get("jobs", K1) == b"stored"
        assert txn.get("jobs", K2) == b"first command"
        assert txn.get("elements", K3) is None

    with db.transaction() as txn:
        assert txn.get("jobs", K2) == b"first command"
        assert txn.get("elements", K3) is None


def test_savepoints_nest(db: Database) -> None:
    with db.transaction() as txn:
        outer = txn.savepoint()
        txn.put("jobs", K1, b"1")
        inner = txn.savepoint()
        txn.put("jobs", K2, b"2")

        txn.rollback_to(inner)
        assert (txn.get("jobs", K1), txn.get("jobs", K2)) == (b"1", None)

        txn.put("jobs", K3, b"3")  # the savepoint stays valid after a rollback to it
        txn.rollback_to(inner)
        assert txn.get("jobs", K3) is None

        txn.rollback_to(outer)
        assert txn.get("jobs", K1) is None

        with pytest.raises(TransactionError, match="not active"):
            txn.rollback_to(inner)  # rolled back past


def test_a_released_savepoint_keeps_its_writes(db: Database) -> None:
    with db.transaction() as txn:
        outer = txn.savepoint()
        txn.put("jobs", K1, b"1")
        inner = txn.savepoint()
        txn.put("jobs", K2, b"2")

        txn.release(inner)
        with pytest.raises(TransactionError):
            txn.rollback_to(inner)
        assert txn.get("jobs", K2) == b"2"

        txn.rollback_to(outer)
        assert txn.get("jobs", K1) is None and txn.get("jobs", K2) is None


def test_a_savepoint_of_another_transaction_is_refused(db: Database) -> None:
    first = db.transaction()
    foreign = first.savepoint()
    first.rollback()

    with db.transaction() as txn, pytest.raises(TransactionError, match="another transaction"):
        txn.rollback_to(foreign)


@st.composite
def _savepoint_scripts(draw: st.DrawFn) -> list[tuple[str, int, bytes]]:
    ops = []
    for _ in range(draw(st.integers(0, 30))):
        kind = draw(st.sampled_from(["put", "put", "delete", "savepoint", "rollback_to", "release"]))
        ops.append((kind, draw(st.integers(0, 4)), draw(st.binary(max_size=1))))
    return ops


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(script=_savepoint_scripts())
def test_savepoints_behave_like_a_stack_of_state_copies(
    db: Database, script: list[tuple[str, int, bytes]]
) -> None:
    keys = [pack_long(i) for i in range(5)]
    with db.transaction() as txn:
        for key in keys:
            txn.delete("jobs", key)
        txn.put("jobs", keys[0], b"stored")
    model = {keys[0]: b"stored"}
    stack: list[tuple[object, dict[bytes, bytes]]] = []

    with db.transaction() as txn:
        for kind, index, value in script:
            key = keys[index]
            if kind == "put":
                txn.put("jobs", key, value)
                model[key] = value
            elif kind == "delete":
                txn.delete("jobs", key)
                model.pop(key, None)
            elif kind == "savepoint":
                stack.append((txn.savepoint(), dict(model)))
            elif stack:
                position = index % len(stack)
                savepoint, copy = stack[position]
                if kind == "rollback_to":
                    txn.rollback_to(savepoint)  # type: ignore[arg-type]
                    model = dict(copy)
                    del stack[position + 1 :]
                else:
                    txn.release(savepoint)  # type: ignore[arg-type]
                    del stack[position:]
            assert {k: v for k in keys if (v := txn.get("jobs", k)) is not None} == model
        assert dict(txn.iterate("jobs")) == model

    with db.transaction() as txn:
        assert dict(txn.iterate("jobs")) == model


# -- column family handles ------------------------------------------------------------------------


def test_a_column_family_handle_works_on_the_open_transaction(db: Database) -> None:
    jobs = db.column_family("jobs")
    assert db.column_family("jobs") is jobs
    fill(db, "jobs", {K1: b"stored", K3: b"stored"})

    with db.transaction() as txn:
        jobs.put(K2, b"new")
        jobs.delete(K3)
        assert txn.get("jobs", K2) == b"new"
        assert jobs.get(K1) == b"stored"
        assert jobs.exists(K2) and not jobs.exists(K3)
        assert [k for k, _ in jobs.iterate()] == [K1, K2]
        savepoint = txn.savepoint()
        jobs.put(K1, b"changed")
        txn.rollback_to(savepoint)
        assert jobs.get(K1) == b"stored"

    with db.transaction():
        assert jobs.get(K2) == b"new"


def test_a_column_family_handle_refuses_use_without_a_transaction(db: Database) -> None:
    jobs = db.column_family("jobs")

    with pytest.raises(TransactionError, match="no transaction is open"):
        jobs.get(K1)
    with pytest.raises(TransactionError, match="no transaction is open"):
        jobs.put(K1, b"x")


# -- keys made in the transaction ------------------------------------------------------------------


def test_a_column_family_keyed_by_entity_answers_new_keys_absent_without_asking_rocksdb(
    db: Database,
) -> None:
    """``new_keys`` says nothing is stored under keys from ``low`` on: to show that RocksDB is not
    asked, a value is stored under one of them here (what the stream processor never does)."""
    fill(db, "jobs", {K1: b"older", K2: b"stored under a new key", pack_long(1 << 51): b"next range"})
    jobs = db.column_family("jobs").keyed_by_entity()
    elements = db.column_family("elements")
    fill(db, "elements", {K2: b"not keyed by entity"})

    with db.transaction() as txn:
        txn.new_keys(K2, pack_long(1 << 51))
        assert jobs.get(K1) == b"older"  # made before the transaction: read
        assert jobs.get(K2) is None  # new: absent, RocksDB not asked
        assert not jobs.exists(K2 + b"\x00suffix")  # any key starting with a new entity key
        assert jobs.get(pack_long(1 << 51)) == b"next range"  # past ``high``: read
        assert elements.get(K2) == b"not keyed by entity"
        jobs.put(K3, b"made here")
        assert jobs.get(K3) == b"made here"  # its own writes are seen as always

    with db.transaction():  # the next transaction made no keys: everything is read again
        assert jobs.get(K2) == b"stored under a new key"
        assert jobs.get(K3) == b"made here"
