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
