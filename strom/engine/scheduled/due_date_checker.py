"""A checker for one kind of due date (job deadlines, job back-offs, …), run by the engine clock.

It runs when the earliest due date it knows of arrives, reads state (read-only), writes at most
``batch_limit`` commands — one per due item (``command_for``), or one for up to ``batch_limit``
due items together (``command_for_batch``: the message time-to-live's MESSAGE_BATCH EXPIRE) — and
reschedules itself: immediately if it stopped early, else at the next due date in state.
Processors tell it about new due dates (as side effects) so it never polls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from strom.protocol.record import Record
from strom.stream.processor import ProcessingContext
from strom.stream.scheduler import ScheduledTask

DueItems = Callable[[int], Iterator[tuple[int, int]]]
NextDue = Callable[[], int | None]
CommandFor = Callable[[int], Record[Any] | None]
CommandForBatch = Callable[[list[int]], Record[Any]]
_RECHECK_MILLIS = 1000


class DueDateChecker:
    def __init__(
        self,
        due_items: DueItems,
        next_due: NextDue,
        command_for: CommandFor | None = None,
        batch_limit: int = 100,
        *,
        command_for_batch: CommandForBatch | None = None,
    ) -> None:
        if (command_for is None) == (command_for_batch is None):
            raise ValueError("a due date checker writes either a command per item or one per batch")
        self._due_items = due_items
        self._next_due = next_due
        self._command_for = command_for
        self._command_for_batch = command_for_batch
        self._batch_limit = batch_limit
        self._context: ProcessingContext | None = None
        self._scheduled: ScheduledTask | None = None

    def start(self, context: ProcessingContext) -> None:
        self._context = context
        with context.read():
            due = self._next_due()
        if due is not None:
            self.schedule(due)

    def schedule(self, due_millis: int) -> None:
        """Make sure the checker runs no later than ``due_millis``."""
        context = self._context
        if context is None:
            return
        current = self._scheduled
        if current is not None and not current.cancelled and current.due <= due_millis:
            return
        if current is not None:
            current.cancel()
        self._scheduled = context.scheduler.schedule_at(due_millis, self._run)

    def _run(self) -> None:
        context = self._context
        assert context is not None
        self._scheduled = None
        now = context.clock.now_millis()
        written = 0
        with context.read():
            commands = []
            if self._command_for_batch is not None:
                keys = []
                for _, key in self._due_items(now):
                    keys.append(key)
                    if len(keys) >= self._batch_limit:
                        break
                if keys:
                    commands.append(self._command_for_batch(keys))
                written = len(keys)
            else:
                command_for = self._command_for
                assert command_for is not None
                for _, key in self._due_items(now):
                    if written >= self._batch_limit:
                        break
                    command = command_for(key)
                    if command is not None:
                        commands.append(command)
                        written += 1
            next_due = self._next_due() if written < self._batch_limit else now
        for command in commands:
            context.write_command(command)
        if written >= self._batch_limit:
            self.schedule(now)
        elif next_due is not None:
            # The commands just written remove what was due once processed; a rejected one (the job
            # changed meanwhile) must not be written again at once, so look again a little later.
            self.schedule(max(next_due, now + _RECHECK_MILLIS) if written else next_due)
