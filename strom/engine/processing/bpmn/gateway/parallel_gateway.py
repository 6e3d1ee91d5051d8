"""Parallel (AND) gateway: joins once every incoming flow holds a token (the BPMN processor
rejects an activation before that), then forks into every outgoing flow."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.bpmn.gateway._passage import GatewayPassage
from strom.engine.processing.writers import Writers


class ParallelGatewayProcessor:
    def __init__(self, behaviors: Behaviors) -> None:
        self._passage = GatewayPassage(behaviors)
        self._leaving = behaviors.leaving

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return None

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._passage.pass_through(writers, context, context.element.outgoing)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return None  # never asked: the gateway completes in its activation step

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        self._leaving.leave_terminated(writers, context)  # a start listener's job may be pending
