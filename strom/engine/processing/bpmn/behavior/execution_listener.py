"""Execution listeners (zeebe:executionListener): jobs that run before an element finishes a step.

Start listeners run after an element's input mappings and before it is ACTIVATED; end listeners
after its output mappings and before it is COMPLETED. One job at a time (kind
EXECUTION_LISTENER): its completion writes COMPLETE_EXECUTION_LISTENER for the element, which
creates the next listener's job or finishes the step. The element instance counts the completed
listeners of the current phase (``execution_listener_index``, reset when it starts completing).
Listeners of a multi-instance body are declared on its loop characteristics.
"""

from __future__ import annotations

from collections.abc import Callable

from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.job import JobBehavior
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.model import ExecutionListener, ExecutionListenerEventType
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.values.enums import JobKind, JobListenerEventType

Step = Callable[[Writers, ElementContext], Failure | None]

_JOB_EVENT_TYPE = {
    ExecutionListenerEventType.START: JobListenerEventType.START,
    ExecutionListenerEventType.END: JobListenerEventType.END,
}


class ExecutionListenerBehavior:
    def __init__(self, jobs: JobBehavior) -> None:
        self._jobs = jobs

    @staticmethod
    def listeners(
        context: ElementContext, event_type: ExecutionListenerEventType
    ) -> tuple[ExecutionListener, ...]:
        element = context.element
        declared = element.execution_listeners
        if context.value.bpmn_element_type is BpmnElementType.MULTI_INSTANCE_BODY:
            multi_instance = element.multi_instance
            declared = multi_instance.execution_listeners if multi_instance is not None else ()
        if not declared:
            return ()
        return tuple(listener for listener in declared if listener.event_type is event_type)

    def next_or(
        self,
        writers: Writers,
        context: ElementContext,
        event_type: ExecutionListenerEventType,
        index: int,
        finish: Step,
    ) -> Failure | None:
        """Create the job of listener ``index`` of ``event_type``, or ``finish`` the step when
        every listener is done."""
        listeners = self.listeners(context, event_type)
        if index >= len(listeners):
            return finish(writers, context)
        return self._jobs.create(
            writers,
            context,
            listeners[index].job,
            context.element.task_headers,
            kind=JobKind.EXECUTION_LISTENER,
            listener_event_type=_JOB_EVENT_TYPE[event_type],
        )
