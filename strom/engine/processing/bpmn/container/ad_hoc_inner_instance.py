"""Inner instance of an ad-hoc subprocess (``AD_HOC_SUB_PROCESS_INNER_INSTANCE``): the scope of one
activation of an inner element, completed when the flow it started has ended.

It is never activated by a command: the ad-hoc subprocess writes its ACTIVATING and ACTIVATED events
together with the activation of the inner element (see ``AdHocActivities``), as in Zeebe 8.8's
``AdHocSubProcessInnerInstanceProcessor``. Before it is COMPLETED, the subprocess appends its output
element and evaluates the completion condition; a failure there is an incident on the inner
instance, and resolving it completes the inner instance again.
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.container._children import ScopeChildren
from strom.engine.processing.bpmn.container.ad_hoc_activities import AdHocActivities
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.values.enums import ErrorType


class AdHocInnerInstanceProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, activities: AdHocActivities) -> None:
        self._transitions = behaviors.state_transitions
        self._children = ScopeChildren(state.element_instances, behaviors.state_transitions)
        self._activities = activities

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return Failure(
            f"Expected to activate the inner instance '{context.element_id}' of an ad-hoc subprocess "
            "by activating one of its elements, but an ACTIVATE_ELEMENT command was written for it",
            ErrorType.UNKNOWN,
        )

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        subprocess = self._transitions.flow_scope(context)
        if subprocess is not None:
            failure = self._activities.before_inner_completed(writers, subprocess, context)
            if failure is not None:
                return failure
        self._transitions.completed(writers, context)
        self._transitions.after_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        if not self._children.terminate(writers, context):
            self._transitions.end_terminated(writers, context)

    def on_child_completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        self._children.completed(writers, scope, child)

    def on_child_terminated(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        self._children.terminated(writers, scope)
