"""Start event subscriptions of deployed processes (Zeebe's ``StartEventSubscriptionManager``).

Only the latest version of a process can be started by a message, a timer or a signal: deploying
a new version closes the subscriptions of the last earlier version that had such start events
(MESSAGE_START_EVENT_SUBSCRIPTION DELETED, TIMER CANCELED, SIGNAL_SUBSCRIPTION DELETED) and
opens those of the new one. Timers are evaluated without variables, at deployment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from strom.engine.processing.bpmn.behavior.event_subscription import EventSubscriptionBehavior
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.timer import TimerBehavior
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.process import DeployedProcess
from strom.model import FlowNode
from strom.protocol.intents import MessageStartEventSubscriptionIntent, SignalSubscriptionIntent, TimerIntent
from strom.protocol.values.message import MessageStartEventSubscriptionRecordValue
from strom.protocol.values.process import ProcessRecordValue
from strom.protocol.values.signal import SignalSubscriptionRecordValue
from strom.protocol.values.timer import TimerRecordValue
from strom.stream.key_generator import KeyGenerator

StartEventKind = Callable[[FlowNode], bool]


def _has_message(event: FlowNode) -> bool:
    return event.message is not None


def _has_timer(event: FlowNode) -> bool:
    return event.timer is not None


def _has_signal(event: FlowNode) -> bool:
    return event.signal is not None


class StartEventSubscriptionBehavior:
    def __init__(
        self,
        state: ProcessingState,
        keys: KeyGenerator,
        timers: TimerBehavior,
        subscriptions: EventSubscriptionBehavior,
    ) -> None:
        self._processes = state.processes
        self._message_starts = state.message_start_subscriptions
        self._signals = state.signal_subscriptions
        self._timers = state.timers
        self._keys = keys
        self._timer_values = timers
        self._subscriptions = subscriptions

    def on_deployed(
        self, writers: Writers, created: Iterable[ProcessRecordValue], timers: bool = True
    ) -> None:
        """For every newly created process that is now the latest of its id: replace the start
        event subscriptions of its predecessor by its own (timers only with ``timers``: a
        partition that got the deployment distributed schedules none)."""
        for record in created:
            if self._processes.latest_version(record.tenant_id, record.bpmn_process_id) != record.version:
                continue
            process = self._processes.by_key(record.process_definition_key)
            if process is not None:
                self._close_previous(writers, process)
                self.open(writers, process, timers)

    def _close_previous(self, writers: Writers, process: DeployedProcess) -> None:
        previous = self._last_with(process, _has_message)
        if previous is not None:
            for subscription in self._message_starts.of_process(previous.key):
                writers.append_event(
                    subscription.key, MessageStartEventSubscriptionIntent.DELETED, subscription.record
                )
        previous = self._last_with(process, _has_timer)
        if previous is not None:
            for timer_key, timer in self._timers.of_start_events(previous.key):
                writers.append_event(timer_key, TimerIntent.CANCELED, timer)
        previous = self._last_with(process, _has_signal)
        if previous is not None:
            for signal in self._signals.of_subscriber(previous.key):
                if signal.is_start_event:
                    writers.append_event(signal.key, SignalSubscriptionIntent.DELETED, signal.record)

    def _last_with(self, process: DeployedProcess, kind: StartEventKind) -> DeployedProcess | None:
        for version in range(process.version - 1, 0, -1):
            earlier = self._processes.by_id_and_version(process.tenant_id, process.bpmn_process_id, version)
            if earlier is not None and any(kind(event) for event in earlier.executable.start_events):
                return earlier
        return None

    def open(self, writers: Writers, process: DeployedProcess, timers: bool = True) -> None:
        record = process.record
        for event in process.executable.start_events:
            if event.message is not None:
                writers.append_event(
                    self._keys.next_key(),
                    MessageStartEventSubscriptionIntent.CREATED,
                    MessageStartEventSubscriptionRecordValue(
                        process_definition_key=record.process_definition_key,
                        bpmn_process_id=record.bpmn_process_id,
                        start_event_id=event.id,
                        message_name=str(event.message.name.value),
                        tenant_id=record.tenant_id,
                    ),
                )
            elif event.timer is not None:
                if not timers:
                    continue
                schedule = self._timer_values.schedule(event.timer, -1, writers.timestamp)
                if isinstance(schedule, Failure):
                    continue  # validated at deployment; a value that cannot be computed never fires
                self._subscriptions.subscribe_to_timer(
                    writers,
                    TimerRecordValue(
                        due_date=schedule.due_date,
                        target_element_id=event.id,
                        repetitions=schedule.repetitions,
                        process_definition_key=record.process_definition_key,
                        tenant_id=record.tenant_id,
                    ),
                )
            elif event.signal is not None:
                writers.append_event(
                    self._keys.next_key(),
                    SignalSubscriptionIntent.CREATED,
                    SignalSubscriptionRecordValue(
                        process_definition_key=record.process_definition_key,
                        bpmn_process_id=record.bpmn_process_id,
                        catch_event_id=event.id,
                        signal_name=str(event.signal.name.value),
                        tenant_id=record.tenant_id,
                    ),
                )
