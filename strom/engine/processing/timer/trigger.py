"""TIMER TRIGGER: a timer is due (written by the timer checker).

A start event timer starts a new process instance; any other triggers its catch event if the
element instance still takes it (else INVALID_STATE). A repeating timer (``R[n]/...`` or cron)
is created again for its next due date while repetitions remain.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.timer import next_due
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.model import FlowNode
from strom.protocol.enums import RejectionType
from strom.protocol.intents import TimerIntent
from strom.protocol.record import Record
from strom.stream.key_generator import KeyGenerator

_INFINITE = -1


class TimerTriggerProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._timers = state.timers
        self._instances = state.element_instances
        self._processes = state.processes
        self._triggers = behaviors.event_triggers
        self._subscriptions = behaviors.event_subscriptions
        self._timer_values = behaviors.timers
        self._keys = keys

    def process(self, command: Record[Any], writers: Writers) -> None:
        timer = self._timers.get(command.key)
        if timer is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to trigger timer with key '{command.key}', but no such timer was found",
            )
            return
        process = self._processes.by_key(timer.process_definition_key)
        if process is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to find a process definition with key '{timer.process_definition_key}', "
                "but no such definition was found",
            )
            return
        catch_event = process.executable.elements.get(timer.target_element_id)
        if not isinstance(catch_event, FlowNode):
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to find element '{timer.target_element_id}' in process "
                f"'{process.bpmn_process_id}', but none found",
            )
            return
        if timer.element_instance_key <= 0:
            process_instance_key = self._keys.next_key()
            triggered = msgspec.structs.replace(timer, process_instance_key=process_instance_key)
            writers.append_event(command.key, TimerIntent.TRIGGERED, triggered)
            self._triggers.start_process(writers, process, process_instance_key, catch_event.id, {})
        else:
            instance = self._instances.get(timer.element_instance_key)
            if instance is None or not self._triggers.can_trigger(instance, catch_event.id, process):
                writers.reject(
                    command,
                    RejectionType.INVALID_STATE,
                    f"Expected to trigger a timer with key '{command.key}', but the timer is not "
                    "active anymore",
                )
                return
            writers.append_event(command.key, TimerIntent.TRIGGERED, timer)
            self._triggers.trigger(writers, instance, catch_event, process)
        if timer.repetitions == _INFINITE or timer.repetitions > 1:
            self._reschedule(writers, timer, catch_event)

    def _reschedule(self, writers: Writers, timer: Any, catch_event: FlowNode) -> None:
        definition = catch_event.timer
        if definition is None:
            return
        value = self._timer_values.evaluate(definition, timer.element_instance_key)
        if isinstance(value, Failure):
            raise RuntimeError(
                f"Expected to reschedule repeating timer for element with id '{catch_event.id}', "
                f"but an error occurred: {value.message}"
            )
        repetitions = timer.repetitions if timer.repetitions == _INFINITE else timer.repetitions - 1
        due = next_due(value, timer.due_date, writers.timestamp)
        self._subscriptions.subscribe_to_timer(
            writers, msgspec.structs.replace(timer, due_date=due, repetitions=repetitions)
        )
