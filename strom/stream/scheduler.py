"""Scheduled tasks: work that runs between commands, on the processing thread, by the engine clock.

Due timers, job deadlines, job retry back-offs and message TTLs are found by scheduled tasks that
read state and write commands; the commands are then processed like any other. A task that may find
much work must bound each run (write at most N commands, then reschedule itself soon), so the
processor keeps taking client commands in between.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

from strom.stream.clock import Clock

Task = Callable[[], None]


class ScheduledTask:
    """A handle on a scheduled run; ``cancel()`` stops it if it has not run yet."""

    __slots__ = ("cancelled", "due", "task")

    def __init__(self, due: int, task: Task) -> None:
        self.due = due
        self.task = task
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class Scheduler:
    """A heap of one-shot tasks ordered by due time (engine-clock milliseconds)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._heap: list[tuple[int, int, ScheduledTask]] = []
        self._sequence = itertools.count()

    def schedule_at(self, due_millis: int, task: Task) -> ScheduledTask:
        """Run ``task`` once the clock reaches ``due_millis``."""
        handle = ScheduledTask(due_millis, task)
        heapq.heappush(self._heap, (due_millis, next(self._sequence), handle))
        return handle

    def schedule_after(self, delay_millis: int, task: Task) -> ScheduledTask:
        """Run ``task`` ``delay_millis`` from now (0: at the next chance)."""
        return self.schedule_at(self._clock.now_millis() + max(0, delay_millis), task)

    def next_due(self) -> int | None:
        """When the earliest pending task is due, or ``None`` if there is none."""
        heap = self._heap
        while heap and heap[0][2].cancelled:
            heapq.heappop(heap)
        return heap[0][0] if heap else None

    def run_due(self, limit: int = 100) -> int:
        """Run tasks that are due now (at most ``limit``) and return how many ran.

        A task that schedules another task due now does not run it in the same call, so a task
        that keeps rescheduling itself cannot starve command processing.
        """
        now = self._clock.now_millis()
        heap = self._heap
        due: list[ScheduledTask] = []
        while heap and len(due) < limit and heap[0][0] <= now:
            handle = heapq.heappop(heap)[2]
            if not handle.cancelled:
                due.append(handle)
        for handle in due:
            handle.task()
        return len(due)

    def __len__(self) -> int:
        return sum(1 for entry in self._heap if not entry[2].cancelled)
