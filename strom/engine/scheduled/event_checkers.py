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

_TimerRecord = RECORD_CLASS_FOR_VALUE[TimerRecordValue]
_MessageBatchRecord = RECORD_CLASS_FOR_VALUE[MessageBatchRecordValue]

MESSAGE_BATCH_LIMIT = 100


def timer_checker(timers: TimerState) -> DueDateChecker:
    def command_for(key: int) -> Record[Any] | None:
        timer = timers.get(key)
        if timer is None:
            return None
        return _TimerRecord(key=key, record_type=RecordType.COMMAND, intent=TimerIntent.TRIGGER, value=timer)

    return DueDateChecker(timers.due_before, timers.next_due, command_for)


def message_ttl_checker(messages: MessageState, batch_limit: int = MESSAGE_BATCH_LIMIT) -> DueDateChecker:
    """Expires the buffered messages whose deadline passed, up to ``batch_limit`` with one
    MESSAGE_BATCH EXPIRE; told about new deadlines by MESSAGE PUBLISH (a side effect)."""

    def expire(keys: list[int]) -> Record[Any]:
        return _MessageBatchRecord(
            key=-1,
            record_type=RecordType.COMMAND,
            intent=MessageBatchIntent.EXPIRE,
            value=MessageBatchRecordValue(message_keys=keys),
        )

    return DueDateChecker(
        messages.deadlines_before, messages.next_deadline, batch_limit=batch_limit, command_for_batch=expire
    )
