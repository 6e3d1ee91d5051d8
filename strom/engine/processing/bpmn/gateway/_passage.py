"""What every gateway shares: it has no wait state, so it is activated, completed and leaves in
its activation step; and its termination (a start execution listener's job may be pending)."""

from __future__ import annotations

from collections.abc import Sequence

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.model import SequenceFlow


class GatewayPassage:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._instances = state.element_instances
        self._transitions = behaviors.state_transitions
        self._incidents = behaviors.incidents
        self._jobs = behaviors.jobs

    def pass_through(self, writers: Writers, context: ElementContext, flows: Sequence[SequenceFlow]) -> None:
        """ACTIVATED, COMPLETING, COMPLETED, then take ``flows`` (none: the path ends here)."""
        transitions = self._transitions
        transitions.activated(writers, context)
        transitions.completing(writers, context)
        transitions.completed(writers, context)
        if flows:
            transitions.take_flows(writers, context, flows)
        transitions.after_completed(writers, context)

    def terminate(self, writers: Writers, context: ElementContext) -> None:
        instance = self._instances.get(context.key)
        if instance is not None and instance.job_key > 0:
            self._jobs.cancel(writers, instance.job_key)
        self._incidents.resolve_for_element(writers, context.key)
        self._transitions.terminated(writers, context)
        self._transitions.after_terminated(writers, context)
