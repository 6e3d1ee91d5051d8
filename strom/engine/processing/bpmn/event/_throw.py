"""What throw and end events share: the job of a message throw event, the thrown codes, the
link target, the compensation they trigger."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.model import Expression, FlowNode
from strom.protocol.bpmn import BpmnElementType, BpmnEventType
from strom.protocol.values.enums import ErrorType


class ThrowSupport:
    def __init__(self, behaviors: Behaviors) -> None:
        self._expressions = behaviors.expressions
        self._jobs = behaviors.jobs
        self._compensation = behaviors.compensation

    # -- message throw events are done by a job worker ----------------------------------------------

    def create_job(self, writers: Writers, context: ElementContext) -> Failure | None:
        element = context.element
        if element.job is None:
            return Failure(
                f"Expected message event '{element.id}' to have a job definition (zeebe:taskDefinition), "
                "but it has none; publishing messages from events (zeebe:publishMessage) is not supported "
                "by this version of Strom",
                ErrorType.UNKNOWN,
            )
        job = self._jobs.prepare(context, element.job, element.task_headers)
        if isinstance(job, Failure):
            return job
        self._jobs.write(writers, job)
        return None

    # -- error and escalation codes ---------------------------------------------------------------

    def code(self, expression: Expression | None, context: ElementContext, what: str) -> str | Failure:
        if expression is None:
            return Failure(f"Expected {what} '{context.element_id}' to have a code, but it has none")
        if expression.is_static:
            return str(expression.value)
        return self._expressions.evaluate_string(expression, context.key, what)

    # -- link and compensation --------------------------------------------------------------------

    @staticmethod
    def link_target(context: ElementContext) -> FlowNode | None:
        """The link catch event of the same name in the throw event's flow scope."""
        executable = context.process.executable
        scope_id = context.element.flow_scope_id
        if scope_id is None:
            return None
        for node in executable.children_of(scope_id):
            if (
                isinstance(node, FlowNode)
                and node.element_type is BpmnElementType.INTERMEDIATE_CATCH_EVENT
                and node.event_type is BpmnEventType.LINK
                and node.link_name == context.element.link_name
            ):
                return node
        return None

    def compensate(self, writers: Writers, context: ElementContext) -> bool:
        """Trigger the compensation the event throws; True if handlers run (the event waits)."""
        compensation = context.element.compensation
        if compensation is not None and compensation.activity_ref:
            return self._compensation.trigger_for_activity(writers, context, compensation.activity_ref)
        return self._compensation.trigger(writers, context)
