"""Catch-event subscriptions of an element instance: opened on activation, closed when it leaves.

Activities open the subscriptions of their boundary events, containers those of their event
subprocesses' start events, catch events their own. Every element processor calls
``subscribe`` after its input mappings and ``unsubscribe`` when it completes or terminates; this
behavior decides what (if anything) each element subscribes to.
"""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers


class EventSubscriptionBehavior:
    """Catch events are executed by the event processors (messages, timers, signals, …), which
    extend this behavior; an element without such events subscribes to nothing."""

    def subscribe(self, writers: Writers, context: ElementContext) -> Failure | None:
        return None

    def unsubscribe(self, writers: Writers, context: ElementContext) -> None:
        return None
