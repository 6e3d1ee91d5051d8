"""What an element processor implements: the element's part of each lifecycle step.

The BPMN processor writes ACTIVATING / COMPLETING / TERMINATING before calling ``on_activate`` /
``on_complete`` / ``on_terminate``; the element processor does the element's work and moves it on
(ACTIVATED, COMPLETED, TERMINATED). Returning a ``Failure`` leaves the element where it is and
raises an incident; resolving the incident runs the same step again.
"""

from __future__ import annotations

from typing import Protocol

from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers


class ElementProcessor(Protocol):
    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None: ...
    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None: ...
    def on_terminate(self, writers: Writers, context: ElementContext) -> None: ...


class ContainerProcessor(ElementProcessor, Protocol):
    """An element that holds child element instances (process, subprocess, multi-instance body)."""

    def on_child_completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None: ...
    def on_child_terminated(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None: ...


# The BPMN processor finds these methods on an element processor when it is registered.


class FinalizesActivation(Protocol):
    """A two-phase activation: ``on_activate`` (input mappings), the element's start execution
    listeners, then ``finalize_activation`` (the element's own work, ACTIVATED). A processor
    without it does its whole activation in ``on_activate`` and runs no start listeners."""

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None: ...


class FinalizesCompletion(Protocol):
    """A two-phase completion: ``on_complete`` (output mappings), the end execution listeners,
    then ``finalize_completion`` (COMPLETED, outgoing flows)."""

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None: ...


class FinalizesTermination(Protocol):
    """A termination held by something the element waits for (a user task's canceling
    listeners): ``on_terminate`` starts it, CONTINUE_TERMINATING_ELEMENT finishes it here."""

    def finalize_termination(self, writers: Writers, context: ElementContext) -> None: ...
