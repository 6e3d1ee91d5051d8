"""Catch-event subscriptions of an element instance: opened on activation, closed when it leaves.

Every element processor calls ``subscribe`` after its input mappings and ``unsubscribe`` when it
completes or terminates; this behavior decides what each element waits for (Zeebe's
``CatchEventBehavior``):

* an activity: the message, timer and signal boundary events attached to it (a multi-instance
  activity's belong to its body, not to the instances inside);
* a process or (event) subprocess: the message, timer and signal start events of its event
  subprocesses;
* an intermediate catch event or receive task: its own message, timer or signal;
* an event-based gateway: the events following it.

Every expression (message name, correlation key, timer, signal name) is evaluated before anything
is written, so a failing one leaves no half-open subscriptions behind. Then the subscriptions are
written, messages first, then timers, then signals, as Zeebe does: a message subscription is
PROCESS_MESSAGE_SUBSCRIPTION CREATING here plus MESSAGE_SUBSCRIPTION CREATE addressed to the
message's partition; a timer is TIMER CREATED (and the timer checker told about its due date); a
signal is SIGNAL_SUBSCRIPTION CREATED. Error, escalation and compensation catch events need no
subscription: they are looked up when something is thrown.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.subscription_commands import SubscriptionCommands
from strom.engine.processing.bpmn.behavior.timer import TimerBehavior, TimerSchedule
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.model import Expression, FlowNode
from strom.protocol.bpmn import BpmnElementType as E
from strom.protocol.intents import (
    CompensationSubscriptionIntent,
    ProcessMessageSubscriptionIntent,
    SignalSubscriptionIntent,
    TimerIntent,
)
from strom.protocol.values.enums import ErrorType
from strom.protocol.values.message import (
    MessageSubscriptionRecordValue,
    ProcessMessageSubscriptionRecordValue,
)
from strom.protocol.values.signal import SignalSubscriptionRecordValue
from strom.protocol.values.timer import TimerRecordValue
from strom.stream.key_generator import KeyGenerator

_CONTAINERS = frozenset({E.PROCESS, E.SUB_PROCESS, E.EVENT_SUB_PROCESS, E.AD_HOC_SUB_PROCESS})
_OWN_EVENTS = frozenset({E.INTERMEDIATE_CATCH_EVENT, E.RECEIVE_TASK})
_NO_BOUNDARY = frozenset({E.PROCESS, E.EVENT_SUB_PROCESS})


@dataclass(frozen=True, slots=True)
class _Evaluated:
    """A catch event with its expressions evaluated."""

    event: FlowNode
    message_name: str = ""
    correlation_key: str = ""
    timer: TimerSchedule | None = None
    signal_name: str = ""


def catch_events_of(context: ElementContext) -> list[FlowNode]:
    """The catch events an element instance waits for while it is active (see module docs)."""
    element = context.element
    element_type = context.value.bpmn_element_type
    executable = context.process.executable
    events: list[FlowNode] = []
    if element_type is E.EVENT_BASED_GATEWAY:
        events.extend(executable.flow_node(flow.target_id) for flow in element.outgoing)
    elif element_type in _OWN_EVENTS:
        events.append(element)
    is_inner = element.multi_instance is not None and element_type is not E.MULTI_INSTANCE_BODY
    if element.boundary_event_ids and not is_inner and element_type not in _NO_BOUNDARY:
        events.extend(executable.flow_node(event_id) for event_id in element.boundary_event_ids)
    container = element.container
    if container is not None and container.event_subprocess_ids and element_type in _CONTAINERS:
        for subprocess_id in container.event_subprocess_ids:
            subprocess = executable.flow_node(subprocess_id).container
            if subprocess is not None:
                events.extend(executable.flow_node(start) for start in subprocess.start_event_ids)
    return [event for event in events if event.message or event.timer or event.signal]


class EventSubscriptionBehavior:
    def __init__(
        self,
        state: ProcessingState,
        keys: KeyGenerator,
        expressions: ExpressionBehavior,
        timers: TimerBehavior,
        commands: SubscriptionCommands,
        on_timer_due: Callable[[int], None],
    ) -> None:
        self._timers = state.timers
        self._variable_state = state.variables
        self._process_messages = state.process_message_subscriptions
        self._signals = state.signal_subscriptions
        self._compensations = state.compensation_subscriptions
        self._keys = keys
        self._expressions = expressions
        self._timer_behavior = timers
        self._commands = commands
        self._on_timer_due = on_timer_due

    # -- subscribing ------------------------------------------------------------------------------

    def subscribe(
        self, writers: Writers, context: ElementContext, only: frozenset[str] | None = None
    ) -> Failure | None:
        """Open the subscriptions of the element instance (``only``: of these catch events)."""
        if context.element_id not in context.process.traits.subscribing:
            return None
        events = catch_events_of(context)
        if only is not None:
            events = [event for event in events if event.id in only]
        if not events:
            return None
        evaluated: list[_Evaluated] = []
        for event in events:
            result = self._evaluate(writers, context, event)
            if isinstance(result, Failure):
                return result
            evaluated.append(result)
        for item in evaluated:
            if item.event.message is not None:
                self._subscribe_to_message(writers, context, item)
        for item in evaluated:
            if item.timer is not None:
                value = context.value
                self.subscribe_to_timer(
                    writers,
                    TimerRecordValue(
                        element_instance_key=context.key,
                        process_instance_key=value.process_instance_key,
                        due_date=item.timer.due_date,
                        target_element_id=item.event.id,
                        repetitions=item.timer.repetitions,
                        process_definition_key=value.process_definition_key,
                        tenant_id=value.tenant_id,
                    ),
                )
        for item in evaluated:
            if item.event.signal is not None:
                self._subscribe_to_signal(writers, context, item)
        return None

    def message_names(
        self, writers: Writers, context: ElementContext, only: frozenset[str]
    ) -> dict[str, str] | Failure:
        """Evaluate what ``subscribe(..., only)`` would subscribe to, writing nothing: the message
        name of each message catch event by its id, or the first failure."""
        names: dict[str, str] = {}
        if context.element_id not in context.process.traits.subscribing:
            return names
        for event in catch_events_of(context):
            if event.id not in only:
                continue
            result = self._evaluate(writers, context, event)
            if isinstance(result, Failure):
                return result
            if event.message is not None:
                names[event.id] = result.message_name
        return names

    def _evaluate(self, writers: Writers, context: ElementContext, event: FlowNode) -> _Evaluated | Failure:
        scope_key = context.key
        if event.message is not None:
            name = self._expressions.evaluate_string(event.message.name, scope_key, "message name")
            if isinstance(name, Failure):
                return name
            key_scope = context.flow_scope_key if event.element_type is E.BOUNDARY_EVENT else scope_key
            correlation_key = self.correlation_key(event.message.correlation_key, key_scope)
            if isinstance(correlation_key, Failure):
                return correlation_key
            return _Evaluated(event, message_name=name, correlation_key=correlation_key)
        if event.timer is not None:
            schedule = self._timer_behavior.schedule(event.timer, scope_key, writers.timestamp)
            if isinstance(schedule, Failure):
                return schedule
            return _Evaluated(event, timer=schedule)
        assert event.signal is not None
        signal = self._expressions.evaluate_string(event.signal.name, scope_key, "signal name")
        if isinstance(signal, Failure):
            return signal
        return _Evaluated(event, signal_name=signal)

    def correlation_key(self, expression: Expression | None, scope_key: int) -> str | Failure:
        """A correlation key must be a string or a number (a number becomes its text)."""
        if expression is None:
            return ""
        value = self._expressions.evaluate(expression, scope_key)
        if isinstance(value, Failure):
            return Failure(
                f"Failed to extract the correlation key for '{expression.source}': {value.message}",
                ErrorType.EXTRACT_VALUE_ERROR,
                scope_key,
            )
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(int(value)) if float(value).is_integer() else repr(float(value))
        kind = _feel_type(value)
        message = (
            f"Failed to extract the correlation key for '{expression.source}': The value must be "
            f"either a string or a number, but was '{kind}'."
        )
        warnings = self._warnings(expression, scope_key)
        if warnings:
            message += " The evaluation reported the following warnings:\n" + "\n".join(warnings)
        return Failure(message, ErrorType.EXTRACT_VALUE_ERROR, scope_key)

    def _warnings(self, expression: Expression, scope_key: int) -> list[str]:
        """FEEL's warnings (e.g. a missing variable), as Zeebe adds them to the incident."""
        return self._expressions.warnings_of(expression, scope_key)

    def _subscribe_to_message(self, writers: Writers, context: ElementContext, item: _Evaluated) -> None:
        value = context.value
        event = item.event
        writers.append_event(
            self._keys.next_key(),
            ProcessMessageSubscriptionIntent.CREATING,
            ProcessMessageSubscriptionRecordValue(
                process_instance_key=value.process_instance_key,
                element_instance_key=context.key,
                process_definition_key=value.process_definition_key,
                bpmn_process_id=value.bpmn_process_id,
                message_name=item.message_name,
                correlation_key=item.correlation_key,
                element_id=event.id,
                interrupting=event.interrupting,
                tenant_id=value.tenant_id,
            ),
        )
        self._commands.open_message_subscription(
            writers,
            MessageSubscriptionRecordValue(
                process_instance_key=value.process_instance_key,
                element_instance_key=context.key,
                process_definition_key=value.process_definition_key,
                bpmn_process_id=value.bpmn_process_id,
                message_name=item.message_name,
                correlation_key=item.correlation_key,
                interrupting=event.interrupting,
                tenant_id=value.tenant_id,
            ),
        )

    def subscribe_to_timer(self, writers: Writers, timer: TimerRecordValue) -> None:
        """TIMER CREATED, and the timer checker told about the due date."""
        writers.append_event(self._keys.next_key(), TimerIntent.CREATED, timer)
        on_due = self._on_timer_due
        due = timer.due_date
        writers.side_effect(lambda: on_due(due))

    def _subscribe_to_signal(self, writers: Writers, context: ElementContext, item: _Evaluated) -> None:
        value = context.value
        writers.append_event(
            self._keys.next_key(),
            SignalSubscriptionIntent.CREATED,
            SignalSubscriptionRecordValue(
                process_definition_key=value.process_definition_key,
                bpmn_process_id=value.bpmn_process_id,
                catch_event_id=item.event.id,
                catch_event_instance_key=context.key,
                signal_name=item.signal_name,
                tenant_id=value.tenant_id,
            ),
        )

    # -- unsubscribing ----------------------------------------------------------------------------

    def unsubscribe(self, writers: Writers, context: ElementContext) -> None:
        """Close every subscription of the element instance; a process also drops the
        compensation subscriptions of its instance."""
        traits = context.process.traits
        if context.element_id in traits.subscribing:
            self._unsubscribe(writers, context.key, None)
        if context.value.bpmn_element_type is E.PROCESS and traits.has_compensation:
            self._delete_compensations(writers, context)

    def unsubscribe_event_subprocesses(self, writers: Writers, context: ElementContext) -> None:
        """Close only the subscriptions of the event subprocesses' start events (an interrupting
        event subprocess was triggered; boundary events stay)."""
        container = context.element.container
        if container is None or not container.event_subprocess_ids:
            return
        executable = context.process.executable
        start_ids = {
            start
            for subprocess_id in container.event_subprocess_ids
            for start in _start_events(executable.flow_node(subprocess_id))
        }
        self._unsubscribe(writers, context.key, start_ids)

    def unsubscribe_events(self, writers: Writers, element_instance_key: int, event_ids: set[str]) -> None:
        """Close only the subscriptions of these catch events of the element instance."""
        if event_ids:
            self._unsubscribe(writers, element_instance_key, event_ids)

    def _unsubscribe(self, writers: Writers, element_instance_key: int, only: set[str] | None) -> None:
        for timer_key, timer in self._timers.of_element(element_instance_key):
            if only is None or timer.target_element_id in only:
                writers.append_event(timer_key, TimerIntent.CANCELED, timer)
        for subscription in self._process_messages.of_element(element_instance_key):
            record = subscription.record
            if subscription.is_closing or (only is not None and record.element_id not in only):
                continue
            writers.append_event(subscription.key, ProcessMessageSubscriptionIntent.DELETING, record)
            self._commands.close_message_subscription(
                writers,
                MessageSubscriptionRecordValue(
                    process_instance_key=record.process_instance_key,
                    element_instance_key=record.element_instance_key,
                    process_definition_key=record.process_definition_key,
                    bpmn_process_id=record.bpmn_process_id,
                    message_name=record.message_name,
                    correlation_key=record.correlation_key,
                    interrupting=record.interrupting,
                    tenant_id=record.tenant_id,
                ),
            )
        for signal in self._signals.of_subscriber(element_instance_key):
            if only is None or signal.record.catch_event_id in only:
                writers.append_event(signal.key, SignalSubscriptionIntent.DELETED, signal.record)

    def _delete_compensations(self, writers: Writers, context: ElementContext) -> None:
        value = context.value
        for subscription in self._compensations.of_process_instance(value.tenant_id, context.key):
            writers.append_event(
                subscription.key, CompensationSubscriptionIntent.DELETED, subscription.record
            )


def _start_events(subprocess: FlowNode) -> Iterable[str]:
    return subprocess.container.start_event_ids if subprocess.container is not None else ()


def _feel_type(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOLEAN"
    if isinstance(value, list):
        return "ARRAY"
    if isinstance(value, dict):
        return "OBJECT"
    return type(value).__name__.upper()
