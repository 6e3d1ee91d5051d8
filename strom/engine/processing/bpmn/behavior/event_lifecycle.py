"""What events add to every element's lifecycle: the state transition behavior's hooks.

Compensation subscriptions are left by completing activities and closed by completing handlers;
an activity terminated by an interrupting boundary event hands over to that event; a scope
interrupted by an event subprocess hands over to it once its other children are gone.
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior.compensation import CompensationBehavior
from strom.engine.processing.bpmn.behavior.event_trigger import EventTriggerBehavior
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.event_scope import EventTrigger
from strom.protocol.bpmn import BpmnElementType as E

_NO_BOUNDARY = frozenset({E.PROCESS, E.EVENT_SUB_PROCESS, E.START_EVENT, E.END_EVENT, E.BOUNDARY_EVENT})


class EventLifecycle:
    def __init__(self, triggers: EventTriggerBehavior, compensation: CompensationBehavior) -> None:
        self._triggers = triggers
        self._compensation = compensation

    def before_completed(self, writers: Writers, context: ElementContext) -> None:
        self._compensation.on_activity_completing(writers, context)

    def after_completed(self, writers: Writers, context: ElementContext) -> None:
        self._compensation.on_handler_completed(writers, context)

    def boundary_trigger(self, context: ElementContext) -> object | None:
        element = context.element
        if not element.boundary_event_ids or context.value.bpmn_element_type in _NO_BOUNDARY:
            return None
        if (
            element.multi_instance is not None
            and context.value.bpmn_element_type is not E.MULTI_INSTANCE_BODY
        ):
            return None
        return self._triggers.boundary_trigger(context)

    def on_terminated(self, writers: Writers, context: ElementContext, trigger: object) -> None:
        assert isinstance(trigger, EventTrigger)
        self._triggers.on_terminated(writers, context, trigger)

    def on_child_terminated(self, writers: Writers, scope: ElementContext) -> bool:
        return self._triggers.on_child_terminated(writers, scope)
