"""The children of a container (process, subprocess, event subprocess, multi-instance body):
terminating them, and what a scope does when one of them leaves."""

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


class ScopeChildren:
    """A flow scope's reaction to a child leaving, shared by the embedded and event subprocesses:
    it completes once no child and no token is left, and a terminating scope ends with its last
    child."""

    def __init__(self, instances: ElementInstanceState, transitions: StateTransitionBehavior) -> None:
        self._instances = instances
        self._transitions = transitions

    def terminate(self, writers: Writers, scope: ElementContext) -> bool:
        """Terminate the scope's children; True while any is left (the scope ends after them)."""
        return terminate_children(self._instances, self._transitions, writers, scope)

    def completed(self, writers: Writers, scope: ElementContext, child: ElementContext) -> None:
        if not child.element.outgoing:
            self._transitions.recheck_inclusive_joins(writers, scope)
        instance = self._instances.get(scope.key)
        if instance is not None and instance.is_active and instance.can_complete_scope:
            self._transitions.complete_element(writers, scope)

    def terminated(self, writers: Writers, scope: ElementContext) -> bool:
        """A child terminated: a terminating scope ends with its last child (True: it is
        TERMINATED now); an active one may complete now that the child is gone."""
        instance = self._instances.get(scope.key)
        if instance is None:
            return False
        if instance.is_terminating and instance.active_children == 0:
            self._transitions.end_terminated(writers, scope)
            return True
        if instance.is_active:
            self._transitions.recheck_inclusive_joins(writers, scope)
            instance = self._instances.get(scope.key)
            if instance is not None and instance.can_complete_scope:
                self._transitions.complete_element(writers, scope)
        return False
