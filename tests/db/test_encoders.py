"""Column families with a registered encoder hold objects in a transaction, encoded at commit."""

from pathlib import Path

import msgspec
import pytest

from strom.db import Database, DbError


class Point(msgspec.Struct, frozen=True):
    x: int
    y: int


def test_objects_are_read_back_as_put_and_stored_encoded(tmp_path: Path) -> None:
    db = Database(tmp_path, ["points", "plain"])
    db.register_encoder("points", msgspec.msgpack.encode)
    points = db.column_family("points")
    txn = db.transaction()
    point = Point(1, 2)

    points.put(b"a", point)  # type: ignore[arg-type]
    assert points.get(b"a") is point
    txn.commit()

    txn = db.transaction()
    stored = points.get(b"a")
    txn.rollback()
    assert msgspec.msgpack.decode(stored, type=Point) == point
    db.close()


def test_a_rolled_back_object_never_reaches_the_database(tmp_path: Path) -> None:
    db = Database(tmp_path, ["points"])
    db.register_encoder("points", msgspec.msgpack.encode)
    points = db.column_family("points")
    txn = db.transaction()
    savepoint = txn.savepoint()
    points.put(b"a", Point(1, 2))  # type: ignore[arg-type]
    txn.rollback_to(savepoint)
    txn.commit()

    txn = db.transaction()
    assert points.get(b"a") is None
    txn.rollback()
    db.close()


def test_objects_in_a_family_without_an_encoder_are_refused_at_commit(tmp_path: Path) -> None:
    db = Database(tmp_path, ["plain"])
    txn = db.transaction()
    db.column_family("plain").put(b"a", Point(1, 2))  # type: ignore[arg-type]

    with pytest.raises(DbError, match="not bytes"):
        txn.commit()
    db.close()


def test_rollback_listeners_hear_about_rolled_back_writes_only(tmp_path: Path) -> None:
    db = Database(tmp_path, ["points"])
    heard: list[str] = []
    db.add_rollback_listener(lambda: heard.append("rollback"))
    points = db.column_family("points")

    txn = db.transaction()
    txn.rollback()  # nothing written: nothing to forget
    txn = db.transaction()
    savepoint = txn.savepoint()
    points.put(b"a", b"1")
    txn.rollback_to(savepoint)
    points.put(b"b", b"2")
    txn.rollback()

    assert heard == ["rollback", "rollback"]
    db.close()
