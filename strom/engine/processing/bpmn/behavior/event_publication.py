"""Throwing errors and escalations: finding the catch event up the scope chain (Zeebe's
``BpmnEventPublicationBehavior`` and ``CatchEventAnalyzer``).

The search starts at a scope (the element instance of a job's task, or the flow scope of a throw
event) and walks up: in each scope it looks at the boundary events of the activity and at the
start events of the event subprocesses of a (sub)process, a code-specific catch event before a
catch-all one; then at the parent scope, and from a called process's root to its call activity
in the calling process. It stops at a scope that is not active or was interrupted.

A caught error gives its catch event the variables ``errorCode`` and ``errorMessage`` (when it
has one) next to the thrown ones. An uncaught error is an UNHANDLED_ERROR_EVENT incident naming
the error events it passed; an uncaught escalation is only recorded (ESCALATION NOT_ESCALATED).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strom.engine.processing.bpmn.behavior.event_trigger import EventTriggerBehavior
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.element_instance import ElementInstance
from strom.engine.state.process import DeployedProcess
from strom.model import FlowNode
from strom.protocol.bpmn import BpmnElementType as E
from strom.protocol.bpmn import BpmnEventType
from strom.protocol.intents import EscalationIntent
from strom.protocol.values.enums import ErrorType
from strom.protocol.values.escalation import EscalationRecordValue
from strom.stream.key_generator import KeyGenerator

_EVENT_SUBPROCESS_HOSTS = frozenset({E.PROCESS, E.SUB_PROCESS, E.EVENT_SUB_PROCESS, E.AD_HOC_SUB_PROCESS})


@dataclass(frozen=True, slots=True)
class CatchEvent:
    """A catch event and the element instance (event scope) that would catch it."""

    scope: ElementInstance
    event: FlowNode
    process: DeployedProcess


def error_variables(code: str, message: str = "", variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """What a caught error hands its catch event: ``errorCode``, ``errorMessage`` (if any) and the
    thrown variables (which win over the two on a name clash)."""
    caught: dict[str, Any] = {"errorCode": code}
    if message:
        caught["errorMessage"] = message
    if variables:
        caught.update(variables)
    return caught


def _catch_events(
    instance: ElementInstance, process: DeployedProcess, event_type: BpmnEventType
) -> list[FlowNode]:
    """The catch events of ``event_type`` the element instance hosts (boundary events of an
    activity; start events of the event subprocesses of a (sub)process)."""
    executable = process.executable
    element = executable.elements.get(instance.value.element_id)
    if not isinstance(element, FlowNode):
        return []
    element_type = instance.value.bpmn_element_type
    events: list[FlowNode] = []
    is_inner = element.multi_instance is not None and element_type is not E.MULTI_INSTANCE_BODY
    if element.boundary_event_ids and not is_inner and element_type not in (E.PROCESS, E.EVENT_SUB_PROCESS):
        events.extend(executable.flow_node(event_id) for event_id in element.boundary_event_ids)
    container = element.container
    if container is not None and element_type in _EVENT_SUBPROCESS_HOSTS:
        for subprocess_id in container.event_subprocess_ids:
            subprocess = executable.flow_node(subprocess_id).container
            if subprocess is not None:
                events.extend(executable.flow_node(start) for start in subprocess.start_event_ids)
    return [event for event in events if event.event_type is event_type]


def _code_of(event: FlowNode) -> str:
    """The static code a catch event waits for ("" catches all)."""
    reference = event.error if event.error is not None else event.escalation
    code = reference.code if reference is not None else None
    if code is None or not code.is_static:
        return ""
    return str(code.value)


def _ordered(events: list[FlowNode]) -> list[FlowNode]:
    """Code-specific catch events first (Zeebe sorts by code, descending: "" comes last)."""
    return sorted(events, key=_code_of, reverse=True)


class EventPublicationBehavior:
    def __init__(self, state: ProcessingState, keys: KeyGenerator, triggers: EventTriggerBehavior) -> None:
        self._instances = state.element_instances
        self._processes = state.processes
        self._keys = keys
        self._triggers = triggers

    def _process_of(self, instance: ElementInstance) -> DeployedProcess | None:
        return self._processes.by_key(instance.value.process_definition_key)

    # -- errors -----------------------------------------------------------------------------------

    def find_error_catch(
        self, error_code: str, start: ElementInstance | None, error_message: str = ""
    ) -> CatchEvent | Failure:
        """The catch event for ``error_code``, searching from ``start`` upward (across call
        activities), or the UNHANDLED_ERROR_EVENT failure naming the error events it passed."""
        available: list[str] = []
        instance = start
        while instance is not None and instance.is_active:
            process = self._process_of(instance)
            if process is None:
                break
            found = self._find_error_in_process(error_code, instance, process, available)
            if found is not None:
                return found
            parent_key = instance.value.parent_element_instance_key
            instance = self._instances.get(parent_key) if parent_key > 0 else None
        message = f"Expected to throw an error event with the code '{error_code}'"
        if error_message:
            message += f" with message '{error_message}'"
        message += ", but it was not caught."
        if available:
            message += f" Available error events are [{', '.join(available)}]"
        else:
            message += " No error events are available in the scope."
        return Failure(message, ErrorType.UNHANDLED_ERROR_EVENT)

    def _find_error_in_process(
        self, error_code: str, instance: ElementInstance, process: DeployedProcess, available: list[str]
    ) -> CatchEvent | None:
        current: ElementInstance | None = instance
        while current is not None and current.is_active and not self._triggers.is_interrupted(current.key):
            for event in _ordered(_catch_events(current, process, BpmnEventType.ERROR)):
                code = _code_of(event)
                available.append(code)
                if not code or code == error_code:
                    return CatchEvent(current, event, process)
            current = self._instances.get(current.parent_key) if current.parent_key > 0 else None
        return None

    def throw_error(
        self, writers: Writers, catch: CatchEvent, variables: dict[str, Any] | None = None
    ) -> bool:
        """Trigger the catch event found for an error (if its scope still takes events)."""
        if not self._triggers.can_trigger(catch.scope, catch.event.id, catch.process):
            return False
        self._triggers.trigger(writers, catch.scope, catch.event, catch.process, variables)
        return True

    def can_throw_to(self, catch: CatchEvent) -> bool:
        return self._triggers.can_trigger(catch.scope, catch.event.id, catch.process)

    # -- escalations ------------------------------------------------------------------------------

    def find_escalation_catch(self, code: str, start: ElementInstance | None) -> CatchEvent | None:
        instance = start
        while instance is not None:
            process = self._process_of(instance)
            if process is None:
                return None
            found = self._find_escalation_in_process(code, instance, process)
            if found is not None:
                return found
            parent_key = instance.value.parent_element_instance_key
            parent = self._instances.get(parent_key) if parent_key > 0 else None
            instance = parent if parent is not None and parent.is_active else None
        return None

    def _find_escalation_in_process(
        self, code: str, instance: ElementInstance, process: DeployedProcess
    ) -> CatchEvent | None:
        current: ElementInstance | None = instance
        while current is not None:
            for event in _ordered(_catch_events(current, process, BpmnEventType.ESCALATION)):
                event_code = _code_of(event)
                if not event_code or event_code == code:
                    return CatchEvent(current, event, process)
            if not current.is_active or self._triggers.is_interrupted(current.key) or current.parent_key <= 0:
                return None
            current = self._instances.get(current.parent_key)
        return None

    def throw_escalation(self, writers: Writers, context: ElementContext, code: str) -> bool:
        """Throw an escalation from the throw event ``context``; True if the throw event may
        complete (nothing caught it, or a non-interrupting event did)."""
        record = EscalationRecordValue(
            process_instance_key=context.process_instance_key,
            escalation_code=code,
            throw_element_id=context.element_id,
        )
        flow_scope = self._instances.get(context.flow_scope_key)
        catch = self.find_escalation_catch(code, flow_scope)
        key = self._keys.next_key()
        can_complete = True
        if catch is not None:
            record = EscalationRecordValue(
                process_instance_key=record.process_instance_key,
                escalation_code=code,
                throw_element_id=record.throw_element_id,
                catch_element_id=catch.event.id,
            )
            can_complete = not catch.event.interrupting
            if self._triggers.can_trigger(catch.scope, catch.event.id, catch.process):
                self._triggers.trigger(writers, catch.scope, catch.event, catch.process)
                writers.append_event(key, EscalationIntent.ESCALATED, record)
                return can_complete
        writers.append_event(key, EscalationIntent.NOT_ESCALATED, record)
        return can_complete
