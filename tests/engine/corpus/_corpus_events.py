"""The corpus run's events: which event constructs it drives, and the handlers that drive them.

A waiting instance moves on when the run publishes a message for each of its open message
subscriptions (name and correlation key as subscribed), broadcasts each signal it waits for, and
moves the clock to the earliest due date of its timers. Each subscription gets one message or
signal (a non-interrupting one would otherwise fire forever); timers are bounded by the run's
rounds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MESSAGE_TTL_MS = 0
"""Published for an open subscription: correlated now or never, nothing left in the buffer."""


def event_driven() -> dict[Any, frozenset[Any]]:
    """Element type -> the event types the run drives for it, on top of the plain ones."""
    from strom.protocol.bpmn import BpmnElementType as E
    from strom.protocol.bpmn import BpmnEventType as V

    plain = frozenset({V.UNSPECIFIED, V.NONE})
    caught = frozenset({V.MESSAGE, V.TIMER, V.SIGNAL})
    return {
        E.START_EVENT: plain | caught | {V.ERROR, V.ESCALATION, V.CONDITIONAL},
        E.INTERMEDIATE_CATCH_EVENT: caught | {V.LINK, V.CONDITIONAL},
        E.INTERMEDIATE_THROW_EVENT: plain | {V.MESSAGE, V.SIGNAL, V.ESCALATION, V.LINK, V.COMPENSATION},
        E.END_EVENT: plain | {V.ERROR, V.MESSAGE, V.TERMINATE, V.ESCALATION, V.SIGNAL, V.COMPENSATION},
        E.BOUNDARY_EVENT: caught | {V.ERROR, V.ESCALATION, V.COMPENSATION, V.CONDITIONAL},
        E.RECEIVE_TASK: plain,
        E.EVENT_BASED_GATEWAY: plain,
        E.EVENT_SUB_PROCESS: plain,
    }


@dataclass
class _Waiting:
    """What the run has seen open and not yet handled, per run."""

    seen: int = 0
    messages: dict[tuple[int, str], str] = field(default_factory=dict)  # (element, name) -> correlation key
    signals: dict[tuple[int, str], str] = field(default_factory=dict)  # (element, catch event) -> name
    timers: dict[int, int] = field(default_factory=dict)  # timer key -> due date
    handled: set[tuple[int, str]] = field(default_factory=set)


_WAITING: dict[int, _Waiting] = {}


def _waiting(run: Any) -> _Waiting:
    from strom.protocol.enums import RecordType, ValueType
    from strom.protocol.intents import ProcessMessageSubscriptionIntent as PMS
    from strom.protocol.intents import SignalSubscriptionIntent, TimerIntent

    waiting = _WAITING.setdefault(id(run), _Waiting())
    records = run.engine.recorder.records
    for record in records[waiting.seen :]:
        if record.record_type is not RecordType.EVENT:
            continue
        value = record.value
        if record.value_type is ValueType.PROCESS_MESSAGE_SUBSCRIPTION:
            key = (value.element_instance_key, value.message_name)
            if record.intent == PMS.CREATING:
                waiting.messages[key] = value.correlation_key
            elif record.intent in (PMS.DELETING, PMS.DELETED) or (
                record.intent == PMS.CORRELATED and value.interrupting
            ):
                waiting.messages.pop(key, None)
        elif record.value_type is ValueType.SIGNAL_SUBSCRIPTION and value.catch_event_instance_key > 0:
            key = (value.catch_event_instance_key, value.catch_event_id)
            if record.intent == SignalSubscriptionIntent.CREATED:
                waiting.signals[key] = value.signal_name
            else:
                waiting.signals.pop(key, None)
        elif record.value_type is ValueType.TIMER and value.element_instance_key > 0:
            if record.intent == TimerIntent.CREATED:
                waiting.timers[record.key] = value.due_date
            else:
                waiting.timers.pop(record.key, None)
    waiting.seen = len(records)
    return waiting


def publish_messages(run: Any, instance: int) -> bool:
    """One message for each open message subscription, with its name and correlation key."""
    from strom.protocol.intents import MessageIntent
    from strom.protocol.values.message import MessageRecordValue

    waiting = _waiting(run)
    done = False
    for (element, name), correlation_key in list(waiting.messages.items()):
        if (element, name) in waiting.handled:
            continue
        waiting.handled.add((element, name))
        run.engine.client.send(
            MessageRecordValue(name=name, correlation_key=correlation_key, time_to_live=MESSAGE_TTL_MS),
            MessageIntent.PUBLISH,
            expect_rejection=True,
        )
        done = True
    return done


def broadcast_signals(run: Any, instance: int) -> bool:
    """One broadcast for each signal a catch event waits for."""
    from strom.protocol.intents import SignalIntent
    from strom.protocol.values.signal import SignalRecordValue

    waiting = _waiting(run)
    done = False
    for key, name in list(waiting.signals.items()):
        if key in waiting.handled:
            continue
        waiting.handled.add(key)
        run.engine.client.send(
            SignalRecordValue(signal_name=name), SignalIntent.BROADCAST, expect_rejection=True
        )
        done = True
    return done


def fire_timers(run: Any, instance: int) -> bool:
    """Move the clock to the earliest due date of the open timers (not start event timers)."""
    waiting = _waiting(run)
    if not waiting.timers:
        return False
    due = min(waiting.timers.values())
    now = run.engine.clock.now_millis()
    run.engine.advance_time(max(0, due - now) / 1000)
    _waiting(run)
    return True


EVENT_HANDLERS = [publish_messages, broadcast_signals, fire_timers]
"""Tried after completing jobs and user tasks: messages, then signals, then time."""
