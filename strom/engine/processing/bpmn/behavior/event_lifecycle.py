"""What events add to every element's lifecycle: the state transition behavior's hooks.

* Compensation subscriptions are left by completing activities and closed by completing handlers.
* An activity terminated by an interrupting boundary event hands over to that event (its trigger
  is read before the activity's instance is gone).
* A scope interrupted by an event subprocess hands over to it once its other children are gone.
* Conditional catch events evaluate their condition once their element instance is activated.
* A process instance started by a message with a correlation key holds a lock on that key; when
  it ends, the next buffered message with that key may start the next instance (the lock is read
  before the instance is gone, the message correlated after).
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior.compensation import CompensationBehavior
from strom.engine.processing.bpmn.behavior.conditional import ConditionalBehavior
from strom.engine.processing.bpmn.behavior.event_trigger import EventTriggerBehavior
from strom.engine.processing.bpmn.behavior.message_correlation import MessageCorrelationBehavior
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.event_scope import EventTrigger
from strom.engine.state.message import MessageState, StartLock
from strom.protocol.bpmn import BpmnElementType as E

_NO_BOUNDARY = frozenset({E.PROCESS, E.EVENT_SUB_PROCESS, E.START_EVENT, E.END_EVENT, E.BOUNDARY_EVENT})


class EventLifecycle:
    def __init__(
        self,
        triggers: EventTriggerBehavior,
        compensation: CompensationBehavior,
        messages: MessageState,
        correlation: MessageCorrelationBehavior,
        conditionals: ConditionalBehavior,
    ) -> None:
        self._triggers = triggers
        self._compensation = compensation
        self._messages = messages
        self._correlation = correlation
        self._conditionals = conditionals

    def after_activated(self, writers: Writers, context: ElementContext) -> None:
        self._conditionals.on_activated(writers, context)

    def before_completed(self, writers: Writers, context: ElementContext) -> object | None:
        self._compensation.on_activity_completing(writers, context)
        if context.value.bpmn_element_type is E.PROCESS:
            return self._messages.start_lock_of(context.key)
        return None

    def after_completed(self, writers: Writers, context: ElementContext, before: object | None) -> None:
        self._compensation.on_handler_completed(writers, context)
        if isinstance(before, StartLock):
            self._correlation.correlate_buffered_start(writers, before)

    def before_terminated(self, context: ElementContext) -> object | None:
        element_type = context.value.bpmn_element_type
        if element_type is E.PROCESS:
            return self._messages.start_lock_of(context.key)
        element = context.element
        if not element.boundary_event_ids or element_type in _NO_BOUNDARY:
            return None
        if element.multi_instance is not None and element_type is not E.MULTI_INSTANCE_BODY:
            return None  # the boundary events of a multi-instance activity belong to its body
        return self._triggers.boundary_trigger(context)

    def after_terminated(self, writers: Writers, context: ElementContext, before: object | None) -> None:
        if isinstance(before, EventTrigger):
            self._triggers.on_terminated(writers, context, before)
        elif isinstance(before, StartLock):
            self._correlation.correlate_buffered_start(writers, before)

    def on_child_terminated(self, writers: Writers, scope: ElementContext) -> bool:
        return self._triggers.on_child_terminated(writers, scope)
