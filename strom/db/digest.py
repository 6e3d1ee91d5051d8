"""A digest of the committed state, per column family, for replay-equivalence tests.

State is a function of the log (ARCHITECTURE §4): the state after replaying a log must equal the
state the processor had when it wrote that log. Comparing digests checks that without holding both
states in memory, and a per-column-family result names where they differ.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from hashlib import blake2b
from typing import Final

from strom.db.database import Database

__all__ = ["digest"]

_LENGTH: Final = struct.Struct(">I")


def digest(db: Database, column_families: Iterable[str] | None = None) -> dict[str, str]:
    """A hex blake2b digest of each column family's committed key/value pairs, in key order.

    Equal contents give equal digests however they were written (order of writes, flushes,
    compactions); any difference in a key or value changes the digest. Every key and value is
    length-prefixed, so moving a byte between key and value changes it too. An open transaction's
    pending writes are not included.

    Args:
        column_families: the names to digest; all of the database's by default.
    """
    names = db.column_families if column_families is None else tuple(column_families)
    result = {}
    pack = _LENGTH.pack
    for name in names:
        hasher = blake2b(digest_size=32)
        update = hasher.update
        for key, value in db.committed_items(name):
            update(pack(len(key)) + key + pack(len(value)) + value)
        result[name] = hasher.hexdigest()
    return result
