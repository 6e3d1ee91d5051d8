"""Compensation (Zeebe's ``BpmnCompensationSubscriptionBehaviour``).

An activity with a compensation boundary event leaves a COMPENSATION_SUBSCRIPTION when it
completes; so does a subprocess (or multi-instance body) whose children left some, which makes
compensation reach into completed subprocesses. A compensation throw or end event triggers the
subscriptions of its flow scope (or of the one activity it references), from the top down: for
each, the compensation boundary event is activated and completed at once and its handler is
activated (with event type COMPENSATION) next to the throw event; the throw event completes when
the last handler it started completed. Without subscriptions it completes at once.
"""

from __future__ import annotations

import msgspec

from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.compensation import CompensationSubscription
from strom.model import FlowNode
from strom.protocol.bpmn import BpmnElementType as E
from strom.protocol.bpmn import BpmnEventType
from strom.protocol.intents import CompensationSubscriptionIntent as C
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.compensation import CompensationSubscriptionRecordValue
from strom.stream.key_generator import KeyGenerator

_replace = msgspec.structs.replace
_FLOW_SCOPES = frozenset({E.SUB_PROCESS, E.MULTI_INSTANCE_BODY})


def _compensation_boundary(element: FlowNode, context: ElementContext) -> FlowNode | None:
    executable = context.process.executable
    for event_id in element.boundary_event_ids:
        event = executable.flow_node(event_id)
        if event.event_type is BpmnEventType.COMPENSATION:
            return event
    return None


class CompensationBehavior:
    def __init__(self, state: ProcessingState, keys: KeyGenerator) -> None:
        self._subscriptions = state.compensation_subscriptions
        self._instances = state.element_instances
        self._keys = keys

    def _of(self, context: ElementContext) -> list[CompensationSubscription]:
        return self._subscriptions.of_process_instance(context.value.tenant_id, context.process_instance_key)

    # -- when an activity completes ---------------------------------------------------------------

    def on_activity_completing(self, writers: Writers, context: ElementContext) -> None:
        """Leave a subscription for an activity that can be compensated later."""
        if not context.process.traits.has_compensation:
            return
        element = context.element
        element_type = context.value.bpmn_element_type
        is_body = element_type is E.MULTI_INSTANCE_BODY
        boundary = _compensation_boundary(element, context) if element.boundary_event_ids else None
        handler_id = ""
        if boundary is not None and not is_body and boundary.compensation is not None:
            handler_id = boundary.compensation.handler_id or ""
        if not handler_id:
            if element_type not in _FLOW_SCOPES:
                return
            if not any(s.record.compensable_activity_scope_key == context.key for s in self._of(context)):
                return
        value = context.value
        writers.append_event(
            self._keys.next_key(),
            C.CREATED,
            CompensationSubscriptionRecordValue(
                tenant_id=value.tenant_id,
                process_instance_key=value.process_instance_key,
                process_definition_key=value.process_definition_key,
                compensable_activity_id=context.element_id,
                compensable_activity_scope_key=context.flow_scope_key,
                compensable_activity_instance_key=context.key,
                compensation_handler_id=handler_id,
            ),
        )

    # -- throwing ---------------------------------------------------------------------------------

    def trigger(self, writers: Writers, throw: ElementContext) -> bool:
        """Compensate everything completed in the throw event's flow scope; False if nothing."""
        pending = [s for s in self._of(throw) if not s.is_triggered]
        if not any(s.record.compensable_activity_scope_key == throw.flow_scope_key for s in pending):
            return False
        self._top_down(writers, throw, pending, throw.flow_scope_key)
        return True

    def trigger_for_activity(self, writers: Writers, throw: ElementContext, activity_id: str) -> bool:
        """Compensate the completed instances of one activity of the throw event's flow scope."""
        pending = [s for s in self._of(throw) if not s.is_triggered]
        matching = [
            s
            for s in pending
            if s.record.compensable_activity_id == activity_id
            and s.record.compensable_activity_scope_key == throw.flow_scope_key
        ]
        if not matching:
            return False
        for subscription in matching:
            self._compensate(writers, throw, subscription)
            self._top_down(writers, throw, pending, subscription.record.compensable_activity_instance_key)
        return True

    def _top_down(
        self, writers: Writers, throw: ElementContext, pending: list[CompensationSubscription], scope_key: int
    ) -> None:
        for subscription in pending:
            if subscription.record.compensable_activity_scope_key == scope_key:
                self._compensate(writers, throw, subscription)
                self._top_down(writers, throw, pending, subscription.record.compensable_activity_instance_key)

    def _compensate(
        self, writers: Writers, throw: ElementContext, subscription: CompensationSubscription
    ) -> None:
        handler_key = -1
        if subscription.record.compensation_handler_id:
            handler_key = self._activate_handler(writers, throw, subscription.record)
        writers.append_event(
            subscription.key,
            C.TRIGGERED,
            _replace(
                subscription.record,
                throw_event_id=throw.element_id,
                throw_event_instance_key=throw.key,
                compensation_handler_instance_key=handler_key,
            ),
        )

    def _activate_handler(
        self, writers: Writers, throw: ElementContext, record: CompensationSubscriptionRecordValue
    ) -> int:
        executable = throw.process.executable
        activity = executable.flow_node(record.compensable_activity_id)
        boundary = _compensation_boundary(activity, throw)
        if boundary is not None:
            # the boundary event passes at once: activated and completed in the throw's scope
            key = self._keys.next_key()
            value = throw.child(key, boundary, throw.flow_scope_key).value
            for intent in (
                PI.ELEMENT_ACTIVATING,
                PI.ELEMENT_ACTIVATED,
                PI.ELEMENT_COMPLETING,
                PI.ELEMENT_COMPLETED,
            ):
                writers.append_event(key, intent, value)
        handler = executable.flow_node(record.compensation_handler_id)
        handler_key = self._keys.next_key()
        handler_value = _replace(
            throw.child(handler_key, handler, throw.flow_scope_key).value,
            bpmn_event_type=BpmnEventType.COMPENSATION,
        )
        writers.append_command(handler_key, PI.ACTIVATE_ELEMENT, handler_value)
        return handler_key

    # -- when a handler completes -----------------------------------------------------------------

    def on_handler_completed(self, writers: Writers, context: ElementContext) -> None:
        if context.value.bpmn_event_type is not BpmnEventType.COMPENSATION:
            return
        subscriptions = self._of(context)
        done = next(
            (
                s
                for s in subscriptions
                if s.is_triggered and s.record.compensation_handler_instance_key == context.key
            ),
            None,
        )
        if done is None:
            return
        writers.append_event(done.key, C.COMPLETED, done.record)
        self._complete_scopes(writers, context, done.record.compensable_activity_scope_key)
        throw_key = done.record.throw_event_instance_key
        remaining = self._of(context)
        if any(
            s.record.throw_event_instance_key == throw_key and s.record.compensation_handler_id
            for s in remaining
        ):
            return
        for subscription in remaining:
            if subscription.record.throw_event_instance_key == throw_key:
                writers.append_event(subscription.key, C.COMPLETED, subscription.record)
        throw_event = self._instances.get(throw_key)
        if throw_event is not None and throw_event.is_active:
            writers.append_command(throw_key, PI.COMPLETE_ELEMENT, throw_event.value)

    def _complete_scopes(self, writers: Writers, context: ElementContext, scope_key: int) -> None:
        """A flow scope's subscription completes with the last one inside it (bottom up)."""
        subscriptions = self._of(context)
        if any(s.record.compensable_activity_scope_key == scope_key for s in subscriptions):
            return
        for subscription in subscriptions:
            if subscription.record.compensable_activity_instance_key == scope_key:
                writers.append_event(subscription.key, C.COMPLETED, subscription.record)
                self._complete_scopes(writers, context, subscription.record.compensable_activity_scope_key)
                return
