"""History retention: the secondary storage forgets process instances some time after they ended.

Camunda keeps finished instances in its secondary storage for a configurable time (30 days by
default) and then removes them. Here a root instance that ended more than ``ttl`` ago is deleted with
its whole tree (called instances share its root key) and every row that belongs to it — element
instances, sequence flows, variables, incidents, jobs, user tasks, decision instances, message
subscriptions — in batches, one transaction per batch, so a large backlog never holds the database
for long. Definitions, decisions and forms stay.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from strom.search import schema

_BELONGING = (
    schema.element_instance,
    schema.sequence_flow,
    schema.variable,
    schema.incident,
    schema.job,
    schema.user_task,
    schema.decision_instance,
    schema.message_subscription,
)


class HistoryCleaner:
    """Deletes ended instance trees older than ``ttl_ms``; ``run_due`` runs at most once per interval."""

    def __init__(
        self,
        engine: Engine,
        ttl_ms: int,
        batch_size: int = 500,
        interval_s: float = 60.0,
        clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self._engine = engine
        self._ttl_ms = ttl_ms
        self._batch_size = batch_size
        self._interval_s = interval_s
        self._clock_ms = clock_ms
        self._next_run = 0.0
        self.deleted_instances = 0

    def run_due(self) -> int:
        """One batch when the interval has passed (and more at once while batches come back full)."""
        now = time.monotonic()
        if now < self._next_run:
            return 0
        self._next_run = now + self._interval_s
        deleted = 0
        for _ in range(20):  # bounded work per call; the rest waits for the next interval
            batch = self.run_once()
            deleted += batch
            if batch < self._batch_size:
                break
        return deleted

    def run_once(self) -> int:
        """Deletes one batch of expired root instances with everything of their trees."""
        instances = schema.process_instance
        cutoff = self._clock_ms() - self._ttl_ms
        with self._engine.begin() as connection:
            roots = [
                row[0]
                for row in connection.execute(
                    sa.select(instances.c.key)
                    .where(
                        instances.c.parent_process_instance_key.is_(None),
                        instances.c.end_date.is_not(None),
                        instances.c.end_date < cutoff,
                    )
                    .order_by(instances.c.end_date)
                    .limit(self._batch_size)
                )
            ]
            if not roots:
                return 0
            tree = [
                row[0]
                for row in connection.execute(
                    sa.select(instances.c.key).where(
                        sa.or_(instances.c.key.in_(roots), instances.c.root_process_instance_key.in_(roots))
                    )
                )
            ]
            for table in _BELONGING:
                connection.execute(sa.delete(table).where(table.c.process_instance_key.in_(tree)))
            connection.execute(sa.delete(instances).where(instances.c.key.in_(tree)))
        self.deleted_instances += len(roots)
        return len(roots)
