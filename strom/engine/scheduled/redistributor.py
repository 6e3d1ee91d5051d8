"""Sends distributed commands again until their targets acknowledge them (Zeebe's
``CommandRedistributor``).

Runs only on a partition with others. Every ``interval`` it sends each pending (distribution,
target) whose last send is at least its back-off ago; the back-off doubles per retry up to
``max_backoff``. Nothing is remembered across a restart but the pending entries themselves, so the
first pass after recovery sends every one of them: a distribution survives a crash of either side.
"""

from __future__ import annotations

from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.state.distribution import DistributionState
from strom.stream.processor import ProcessingContext

RETRY_INTERVAL_MS = 10_000
MAX_BACKOFF_MS = 300_000


class CommandRedistributor:
    def __init__(
        self,
        distributions: DistributionState,
        behavior: CommandDistributionBehavior,
        interval_ms: int = RETRY_INTERVAL_MS,
        max_backoff_ms: int = MAX_BACKOFF_MS,
    ) -> None:
        self._distributions = distributions
        self._behavior = behavior
        self._interval = interval_ms
        self._max_backoff = max_backoff_ms
        self._context: ProcessingContext | None = None
        self._retries: dict[tuple[int, int], tuple[int, int]] = {}
        """(key, target) -> (next send at, current back-off); absent: send at the next pass."""
        self._first_pass = True

    def start(self, context: ProcessingContext) -> None:
        if not self._behavior.distributes:
            return
        self._context = context
        self._first_pass = True
        context.scheduler.schedule_after(0, self._run)

    def resend_to(self, partition_id: int) -> None:
        """Send everything pending for ``partition_id`` now (it just came back)."""
        context = self._context
        if context is None:
            return
        now = context.clock.now_millis()
        with context.read():
            pending = [(key, target) for key, target in self._distributions.all_pending()]
        for key, target in pending:
            if target.partition_id == partition_id:
                self._behavior.resend(key, target)
                self._retries[(key, partition_id)] = (now + self._interval, self._interval)

    def _run(self) -> None:
        context = self._context
        if context is None:
            return
        now = context.clock.now_millis()
        seen: set[tuple[int, int]] = set()
        with context.read():
            pending = list(self._distributions.all_pending())
        for key, target in pending:
            slot = (key, target.partition_id)
            seen.add(slot)
            retry = self._retries.get(slot)
            if retry is None:
                # A distribution first seen now was sent by its own step, unless this is the first
                # pass after recovery (then nobody sent it in this process's lifetime).
                if not self._first_pass:
                    self._retries[slot] = (now + self._interval, self._interval)
                    continue
                retry = (now, self._interval)
            due, backoff = retry
            if due > now:
                continue
            self._behavior.resend(key, target)
            backoff = min(backoff * 2, self._max_backoff)
            self._retries[slot] = (now + backoff, backoff)
        for slot in list(self._retries):
            if slot not in seen:
                del self._retries[slot]
        self._first_pass = False
        context.scheduler.schedule_after(self._interval, self._run)
