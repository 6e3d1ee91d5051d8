"""Who writes a partition's rows in a PostgreSQL secondary storage: one broker at a time.

The data directory has its ``flock``; an external database has nothing like it, and two brokers
pointed at the same database and schema (a copied configuration, a second environment) would both
write partition N's rows and exporter position, silently mixing two histories. So each SQL
exporter holds a PostgreSQL **session-level advisory lock** for its partition while it is open, on
a connection of its own: the key hashes the schema (``current_schema()``) and the partition id, so
brokers on different schemas or databases never meet. A second exporter of the same partition is
refused when it opens, with an error naming the database, the schema and the holder (backend PID,
client address, since when), and writes nothing.

The lock lives with the session: released when the exporter closes, and by PostgreSQL when the
holder's connection ends — at once for a broker that is SIGKILLed (the kernel closes its socket),
after TCP keepalive for a machine that vanished. SQLite needs none: its default file is inside the
data directory, which the broker's own lock covers.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import NullPool

from strom.exporter.api import ExporterError

_KEY = sa.text(
    "SELECT hashtextextended('strom-secondary-storage:' || current_schema() || ':' || :partition, 0)"
)
_TRY = sa.text("SELECT pg_try_advisory_lock(:key)")
_HOLDER = sa.text(
    "SELECT a.pid, a.client_addr, a.backend_start FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.classid::bigint = :high AND l.objid::bigint = :low"
)


class SecondaryStorageLockedError(ExporterError):
    """Another broker's exporter writes this partition of the secondary storage."""


def lock_partition(engine: Engine, partition_id: int) -> Connection | None:
    """Take the partition's lock on a PostgreSQL ``engine`` and return the connection that holds it
    (close it to release); None for other databases.

    Raises:
        SecondaryStorageLockedError: another session holds it; the message names the holder.
    """
    if engine.dialect.name != "postgresql":
        return None
    # Its own connection, not pooled: when it closes or is collected, the session (and the lock) ends.
    connection = sa.create_engine(engine.url, poolclass=NullPool).connect()
    try:
        key = int(connection.execute(_KEY, {"partition": str(partition_id)}).scalar_one())
        if connection.execute(_TRY, {"key": key}).scalar_one():
            connection.commit()  # end the implicit transaction; the session keeps the lock
            return connection
        unsigned = key & 0xFFFFFFFFFFFFFFFF
        holder = connection.execute(_HOLDER, {"high": unsigned >> 32, "low": unsigned & 0xFFFFFFFF}).first()
        schema = connection.execute(sa.text("SELECT current_schema()")).scalar_one()
    except BaseException:
        connection.close()
        raise
    connection.close()
    who = (
        f"backend PID {holder.pid} from {holder.client_addr or 'a local socket'}, connected since "
        f"{holder.backend_start:%Y-%m-%d %H:%M:%S %Z}"
        if holder is not None
        else "a session that just ended (try again)"
    )
    where = engine.url.render_as_string(hide_password=True)
    raise SecondaryStorageLockedError(
        f"partition {partition_id} of the secondary storage at {where} "
        f"(schema '{schema}') is written by another broker ({who}): two brokers must not share a "
        "database and schema; give each its own, or stop the other"
    )
