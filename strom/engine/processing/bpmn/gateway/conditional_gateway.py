"""Exclusive (XOR) and inclusive (OR) gateways: one processor, which differ only in how many of the
outgoing flows whose condition holds they take (``_choice.choose_flows``).

- **Exclusive:** the first outgoing flow whose condition holds, else the default flow.
- **Inclusive:** every outgoing flow whose condition holds, else the default flow; with several
  incoming flows it joins: it activates once every incoming flow has a token, or once no token of
  its scope can reach it any more (``JoinBehavior``, before activation).

With no flow to take either raises a CONDITION_ERROR incident and stays ACTIVATING; resolving the
incident (after fixing the variables) evaluates the conditions again. A gateway has no wait state:
it is activated, completed and leaves in one step.
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.bpmn.gateway._choice import choose_flows
from strom.engine.processing.bpmn.gateway._passage import GatewayPassage
from strom.engine.processing.writers import Writers


class ConditionalGatewayProcessor:
    """An exclusive gateway (``first_only``) or an inclusive one."""

    def __init__(self, behaviors: Behaviors, *, first_only: bool) -> None:
        self._passage = GatewayPassage(behaviors)
        self._leaving = behaviors.leaving
        self._expressions = behaviors.expressions
        self._first_only = first_only

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        return None

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        flows = choose_flows(self._expressions, context, first_only=self._first_only)
        if isinstance(flows, Failure):
            return flows
        self._passage.pass_through(writers, context, flows)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return None  # never asked: the gateway completes in its activation step

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        self._leaving.leave_terminated(writers, context)  # a start listener's job may be pending
