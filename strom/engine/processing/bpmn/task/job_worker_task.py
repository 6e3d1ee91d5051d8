"""Tasks done by a job worker: service tasks, and send / script / business rule / user tasks
configured with a zeebe:taskDefinition. The job's completion completes the task."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.values.enums import ErrorType


class JobWorkerTaskProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._transitions = behaviors.state_transitions
        self._leaving = behaviors.leaving
        self._mappings = behaviors.variable_mappings
        self._jobs = behaviors.jobs
        self._events = behaviors.event_subscriptions

    def on_activate(self, writers: Writers, context: ElementContext) -> Failure | None:
        element = context.element
        if element.job is None:
            return Failure(
                f"Expected element '{element.id}' to have a job definition "
                "(zeebe:taskDefinition), but it has none",
                ErrorType.UNKNOWN,
            )
        return self._mappings.apply_inputs(writers, context)

    def finalize_activation(self, writers: Writers, context: ElementContext) -> Failure | None:
        element = context.element
        assert element.job is not None  # checked in on_activate
        job = self._jobs.prepare(context, element.job, element.task_headers)
        if isinstance(job, Failure):
            return job
        failure = self._events.subscribe(writers, context)
        if failure is not None:
            return failure
        self._jobs.write(writers, job)
        self._transitions.activated(writers, context)
        return None

    def on_complete(self, writers: Writers, context: ElementContext) -> Failure | None:
        return self._mappings.apply_outputs(writers, context)

    def finalize_completion(self, writers: Writers, context: ElementContext) -> Failure | None:
        self._leaving.leave_completed(writers, context)
        return None

    def on_terminate(self, writers: Writers, context: ElementContext) -> None:
        self._leaving.leave_terminated(writers, context)
