"""How an element instance leaves: the completing and terminating steps every element processor
takes, in one place and in Zeebe's order, so that a change to the order is made once.

- **Leave completed:** close the element's event subscriptions, ELEMENT_COMPLETED, take the
  outgoing flows, tell the flow scope.
- **Leave terminated:** cancel the element's pending job (an execution listener's, or its own),
  close its event subscriptions, resolve its incident, then (unless something still holds the
  termination: children, a called process, canceling task listeners) ELEMENT_TERMINATED and tell
  the flow scope.

Closing subscriptions of an element that cannot hold any finds none and writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from strom.engine.processing.bpmn.behavior.event_subscription import EventSubscriptionBehavior
from strom.engine.processing.bpmn.behavior.incident import IncidentBehavior
from strom.engine.processing.bpmn.behavior.job import JobBehavior
from strom.engine.processing.bpmn.behavior.state_transition import StateTransitionBehavior
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.element_instance import ElementInstanceState
from strom.model import SequenceFlow

Hold = Callable[[Writers, ElementContext], bool]
"""Starts what must end before a terminating element may be TERMINATED; True while it holds."""


class LeavingBehavior:
    def __init__(
        self,
        instances: ElementInstanceState,
        transitions: StateTransitionBehavior,
        subscriptions: EventSubscriptionBehavior,
        incidents: IncidentBehavior,
        jobs: JobBehavior,
    ) -> None:
        self._instances = instances
        self._transitions = transitions
        self._subscriptions = subscriptions
        self._incidents = incidents
        self._jobs = jobs

    def leave_completed(
        self, writers: Writers, context: ElementContext, flows: Sequence[SequenceFlow] | None = None
    ) -> None:
        """Unsubscribe, COMPLETED, take ``flows`` (by default every outgoing flow; none: the path
        ends here), then tell the flow scope."""
        transitions = self._transitions
        self._subscriptions.unsubscribe(writers, context)
        transitions.completed(writers, context)
        if flows is None:
            transitions.take_outgoing_flows(writers, context)
        elif flows:
            transitions.take_flows(writers, context, flows)
        transitions.after_completed(writers, context)

    def leave_terminated(
        self,
        writers: Writers,
        context: ElementContext,
        *,
        held_by: Hold | None = None,
    ) -> bool:
        """Cancel the element's pending job (its own, or an execution listener's: Zeebe cancels
        both), unsubscribe, resolve its incident; then TERMINATED and tell the flow scope, unless
        ``held_by`` holds the termination (the element stays TERMINATING and ends later with
        ``end_terminated``). True when the element is TERMINATED now."""
        instance = self._instances.get(context.key)
        if instance is not None and instance.job_key > 0:
            self._jobs.cancel(writers, instance.job_key)
        self._subscriptions.unsubscribe(writers, context)
        self._incidents.resolve_for_element(writers, context.key)
        if held_by is not None and held_by(writers, context):
            return False
        self._transitions.end_terminated(writers, context)
        return True
