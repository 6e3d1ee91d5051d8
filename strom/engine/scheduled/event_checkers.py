"""The timer checker (TIMER TRIGGER per due timer) and the message time-to-live checker
(MESSAGE_BATCH EXPIRE for the buffered messages whose deadline passed)."""

from __future__ import annotations

from typing import Any

from strom.engine.scheduled.due_date_checker import DueDateChecker
from strom.engine.state.message import MessageState
from strom.engine.state.timer import TimerState
from strom.protocol.enums import RecordType
from strom.protocol.intents import MessageBatchIntent, TimerIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.message import MessageBatchRecordValue
from strom.protocol.values.timer import TimerRecordValue
from strom.stream.processor import ProcessingContext
from strom.stream.scheduler import ScheduledTask

_TimerRecord = RECORD_CLASS_FOR_VALUE[TimerRecordValue]
_MessageBatchRecord = RECORD_CLASS_FOR_VALUE[MessageBatchRecordValue]

MESSAGE_BATCH_LIMIT = 100
_RECHECK_MILLIS = 1000


def timer_checker(timers: TimerState) -> DueDateChecker:
    def command_for(key: int) -> Record[Any] | None:
        timer = timers.get(key)
        if timer is None:
            return None
        return _TimerRecord(key=key, record_type=RecordType.COMMAND, intent=TimerIntent.TRIGGER, value=timer)

    return DueDateChecker(timers.due_before, timers.next_due, command_for)


class MessageTimeToLiveChecker:
    """Runs when the earliest message deadline arrives and expires up to ``batch_limit``
    messages with one command; told about new deadlines by MESSAGE PUBLISH (a side effect)."""

    def __init__(self, messages: MessageState, batch_limit: int = MESSAGE_BATCH_LIMIT) -> None:
        self._messages = messages
        self._batch_limit = batch_limit
        self._context: ProcessingContext | None = None
        self._scheduled: ScheduledTask | None = None

    def start(self, context: ProcessingContext) -> None:
        self._context = context
        with context.read():
            due = self._messages.next_deadline()
        if due is not None:
            self.schedule(due)

    def schedule(self, due_millis: int) -> None:
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
        with context.read():
            keys = []
            for _, key in self._messages.deadlines_before(now):
                keys.append(key)
                if len(keys) >= self._batch_limit:
                    break
            next_due = self._messages.next_deadline() if len(keys) < self._batch_limit else now
        if keys:
            context.write_command(
                _MessageBatchRecord(
                    key=-1,
                    record_type=RecordType.COMMAND,
                    intent=MessageBatchIntent.EXPIRE,
                    value=MessageBatchRecordValue(message_keys=keys),
                )
            )
        if len(keys) >= self._batch_limit:
            self.schedule(now)
        elif next_due is not None:
            self.schedule(max(next_due, now + _RECHECK_MILLIS) if keys else next_due)
