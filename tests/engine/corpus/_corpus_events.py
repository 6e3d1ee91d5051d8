"""The corpus run's events: which event constructs it drives, and the handlers that drive them.

A waiting instance moves on when the run publishes a message for each of its open message
subscriptions (name and correlation key as subscribed), broadcasts each signal it waits for, and
moves the clock to the earliest due date of its timers. Each subscription gets one message or
signal (a non-interrupting one would otherwise fire forever); timers are bounded by the run's
rounds. An instance stopped by an incident for a missing correlation key (the run starts instances
without variables) gets a key (``corpus-<n>``) set on the instance and the incident resolved, so
its subscription opens. A process without a none start event is started by its message start event (a message
with an empty correlation key), its timer start event (the clock moves to its due date) or its
signal start event (a broadcast).
"""

from __future__ import annotations

import re
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
        E.RECEIVE_TASK: plain | {V.MESSAGE},
        E.EVENT_BASED_GATEWAY: plain,
        E.EVENT_SUB_PROCESS: plain,
    }


def with_events(driven: dict[Any, frozenset[Any]]) -> dict[Any, frozenset[Any]]:
    """``driven`` with the event constructs added."""
    merged = dict(driven)
    for element_type, kinds in event_driven().items():
        merged[element_type] = merged.get(element_type, frozenset()) | kinds
    return merged


@dataclass
class _Waiting:
    """What the run has seen open and not yet handled, per run."""

    seen: int = 0
    messages: dict[tuple[int, str], str] = field(default_factory=dict)  # (element, name) -> correlation key
    signals: dict[tuple[int, str], str] = field(default_factory=dict)  # (element, catch event) -> name
    timers: dict[int, int] = field(default_factory=dict)  # timer key -> due date
    missing_keys: dict[int, tuple[int, str]] = field(default_factory=dict)  # incident -> (instance, name)
    handled: set[tuple[int, str]] = field(default_factory=set)


_MISSING_KEY = re.compile(r"Failed to extract the correlation key for ' *([A-Za-z_][A-Za-z0-9_]*) *'")


def _waiting(run: Any) -> _Waiting:
    from strom.protocol.enums import RecordType, ValueType
    from strom.protocol.intents import IncidentIntent, SignalSubscriptionIntent, TimerIntent
    from strom.protocol.intents import ProcessMessageSubscriptionIntent as PMS

    waiting = getattr(run, "event_waiting", None)
    if waiting is None:
        waiting = _Waiting()
        run.event_waiting = waiting  # kept on the run: one engine's record log
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
        elif record.value_type is ValueType.INCIDENT:
            match = _MISSING_KEY.match(value.error_message)
            if record.intent == IncidentIntent.CREATED and match:
                waiting.missing_keys[record.key] = (value.process_instance_key, match.group(1))
            elif record.intent == IncidentIntent.RESOLVED:
                waiting.missing_keys.pop(record.key, None)
        elif record.value_type is ValueType.TIMER and value.element_instance_key > 0:
            if record.intent == TimerIntent.CREATED:
                waiting.timers[record.key] = value.due_date
            else:
                waiting.timers.pop(record.key, None)
    waiting.seen = len(records)
    return waiting


def supply_correlation_keys(run: Any, instance: int) -> bool:
    """Set a missing correlation key variable on its instance and resolve the incident (once)."""
    from strom.protocol.intents import IncidentIntent, VariableDocumentIntent
    from strom.protocol.values.enums import VariableDocumentUpdateSemantic
    from strom.protocol.values.incident import IncidentRecordValue
    from strom.protocol.values.variable import VariableDocumentRecordValue

    waiting = _waiting(run)
    done = False
    for incident, (process_instance, name) in list(waiting.missing_keys.items()):
        if (incident, name) in waiting.handled:
            continue
        waiting.handled.add((incident, name))
        run.send(
            VariableDocumentRecordValue(
                scope_key=process_instance,
                variables={name: f"corpus-{process_instance}"},
                update_semantics=VariableDocumentUpdateSemantic.PROPAGATE,
            ),
            VariableDocumentIntent.UPDATE,
        )
        run.send(IncidentRecordValue(), IncidentIntent.RESOLVE, incident)
        done = True
    return done


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
        run.send(
            MessageRecordValue(name=name, correlation_key=correlation_key, time_to_live=MESSAGE_TTL_MS),
            MessageIntent.PUBLISH,
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
    advance_to(run, min(waiting.timers.values()))
    _waiting(run)
    return True


def advance_to(run: Any, due: int) -> None:
    """Move the clock to ``due`` and process what became due, bounded like every step of the run."""
    from _corpus_run import MAX_STEPS, Runaway

    engine = run.engine
    engine.clock.advance(max(0, due - engine.clock.now_millis()) / 1000)
    steps = engine.partition.processor.run_until_idle(max_steps=MAX_STEPS)
    engine.partition.director.export_available(max_records=1 << 62)
    if steps >= MAX_STEPS:
        raise Runaway(f"more than {MAX_STEPS} processing steps")


def can_start_by_event(process: Any) -> bool:
    return any(event.message or event.timer or event.signal for event in process.start_events)


def start_by_event(run: Any, process: Any, process_definition_key: int) -> int | str:
    """Start an instance of a process without a none start event through its first message,
    timer or signal start event; the new instance's key, or why none started."""
    from strom.protocol.bpmn import BpmnElementType
    from strom.protocol.enums import RecordType, ValueType
    from strom.protocol.intents import MessageIntent, SignalIntent, TimerIntent
    from strom.protocol.intents import ProcessInstanceIntent as PI
    from strom.protocol.values.message import MessageRecordValue
    from strom.protocol.values.signal import SignalRecordValue

    start = len(run.engine.recorder.records)
    event = next(e for e in process.start_events if e.message or e.timer or e.signal)
    if event.message is not None:
        run.send(
            MessageRecordValue(name=str(event.message.name.value), time_to_live=MESSAGE_TTL_MS),
            MessageIntent.PUBLISH,
        )
    elif event.signal is not None:
        run.send(SignalRecordValue(signal_name=str(event.signal.name.value)), SignalIntent.BROADCAST)
    else:
        timers = [
            record.value.due_date
            for record in run.engine.recorder.records
            if record.value_type is ValueType.TIMER
            and record.intent == TimerIntent.CREATED
            and record.record_type is RecordType.EVENT
            and record.value.process_definition_key == process_definition_key
            and record.value.target_element_id == event.id
        ]
        if not timers:
            return "no timer was scheduled for the start event"
        advance_to(run, timers[-1])
    for record in run.engine.recorder.records[start:]:
        value = record.value
        if (
            record.value_type is ValueType.PROCESS_INSTANCE
            and record.intent == PI.ELEMENT_ACTIVATING
            and value.bpmn_element_type is BpmnElementType.PROCESS
            and value.process_definition_key == process_definition_key
        ):
            return int(record.key)
    return f"the {event.event_type.name.lower()} start event '{event.id}' started no instance"


EVENT_HANDLERS = [supply_correlation_keys, publish_messages, broadcast_signals, fire_timers]
"""Tried after completing jobs and user tasks: correlation keys, messages, signals, then time."""
