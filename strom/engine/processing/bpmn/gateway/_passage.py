"""What every gateway shares: it has no wait state, so it is activated, completed and leaves in
its activation step."""

from __future__ import annotations

from collections.abc import Sequence

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.model import SequenceFlow


class GatewayPassage:
    def __init__(self, behaviors: Behaviors) -> None:
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving

    def pass_through(self, writers: Writers, context: ElementContext, flows: Sequence[SequenceFlow]) -> None:
        """ACTIVATED, COMPLETING, COMPLETED, then take ``flows`` (none: the path ends here)."""
        self._transitions.activated(writers, context)
        self._transitions.completing(writers, context)
        self._leaving.leave_completed(writers, context, flows)
