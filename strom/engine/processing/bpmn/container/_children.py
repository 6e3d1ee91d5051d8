"""Terminating the children of a container (process, subprocess, multi-instance body)."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior.state_transition import StateTransitionBehavior
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.element_instance import ElementInstanceState


def terminate_children(
    instances: ElementInstanceState,
    transitions: StateTransitionBehavior,
    writers: Writers,
    scope: ElementContext,
) -> bool:
    """Ask every child of ``scope`` that is not terminating yet to terminate; False if it has none."""
    any_child = False
    for child in instances.children(scope.key):
        any_child = True
        if not child.is_terminating:
            transitions.terminate_element(writers, child)
    return any_child
