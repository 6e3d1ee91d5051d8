"""Rules for tasks, call activities and multi-instance: which Zeebe extension elements they need."""

from __future__ import annotations

from strom.model import kinds
from strom.model.reader import Node
from strom.model.validation._context import ValidationContext
from strom.model.validation._rules import rule
from strom.model.validation.events import reference


def _exactly_one(context: ValidationContext, node: Node, extension: str) -> None:
    if len(node.ext(extension)) != 1:
        context.report(node, f"Must have exactly one 'zeebe:{extension}' extension element")


def _one_of(context: ValidationContext, node: Node, first: str, second: str) -> list[Node]:
    a, b = node.ext(first), node.ext(second)
    if not ((len(a) == 1 and not b) or (not a and len(b) == 1)):
        context.report(
            node, f"Must have either one 'zeebe:{first}' or one 'zeebe:{second}' extension element"
        )
    return a


@rule("serviceTask")
def service_task(context: ValidationContext, task: Node) -> None:
    _exactly_one(context, task, "taskDefinition")


@rule("callActivity")
def call_activity(context: ValidationContext, activity: Node) -> None:
    _exactly_one(context, activity, "calledElement")


@rule("multiInstanceLoopCharacteristics")
def multi_instance(context: ValidationContext, loop: Node) -> None:
    _exactly_one(context, loop, "loopCharacteristics")


@rule("scriptTask")
def script_task(context: ValidationContext, task: Node) -> None:
    _one_of(context, task, "script", "taskDefinition")


@rule("businessRuleTask")
def business_rule_task(context: ValidationContext, task: Node) -> None:
    _one_of(context, task, "calledDecision", "taskDefinition")


@rule("sendTask")
def send_task(context: ValidationContext, task: Node) -> None:
    publish = _one_of(context, task, "publishMessage", "taskDefinition")
    message = reference(context, task, "messageRef", "message")
    if publish and message is None and not task.get("messageRef"):
        context.report(task, "Must reference a message")
    if task.ext("jobPriorityDefinition") and not task.ext("taskDefinition"):
        context.report(
            task, "'zeebe:jobPriorityDefinition' is only allowed in job-worker mode ('zeebe:taskDefinition')"
        )


@rule("receiveTask")
def receive_task(context: ValidationContext, task: Node) -> None:
    message = reference(context, task, "messageRef", "message")
    if message is None:
        if not task.get("messageRef"):
            context.report(task, "Must reference a message")
        return
    for boundary in context.boundary_events_of(task):
        for definition in boundary.all("messageEventDefinition"):
            other = context.resolve(definition.get("messageRef"), "message")
            if other is not None and other.name and other.name == message.name:
                context.report(task, "Cannot reference the same message name as a boundary event")
                return


_COMPENSATION_HANDLERS = frozenset(
    {"serviceTask", "userTask", "sendTask", "scriptTask", "manualTask", "task"}
)


@rule(kinds.ACTIVITIES)
def compensation_handler(context: ValidationContext, activity: Node) -> None:
    if not kinds.boolean(activity, "isForCompensation", False):
        return
    if activity.tag not in _COMPENSATION_HANDLERS:
        context.report(
            activity,
            "Compensation task must be one of: service task, user task, send task, script task, "
            "manual task, or undefined task.",
        )
    if context.incoming_of(activity):
        context.report(activity, "A compensation handler should have no incoming sequence flows")
    if context.outgoing_of(activity):
        context.report(activity, "A compensation handler should have no outgoing sequence flows")
    if context.boundary_events_of(activity):
        context.report(activity, "A compensation handler should have no boundary events")


_SINGLE_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "process": ("versionTag",),
    "serviceTask": ("taskHeaders", "linkedResources"),
    "sendTask": ("taskHeaders", "linkedResources"),
    "userTask": (
        "userTask",
        "assignmentDefinition",
        "formDefinition",
        "taskHeaders",
        "taskSchedule",
        "priorityDefinition",
        "taskListeners",
    ),
    "businessRuleTask": ("taskDefinition", "taskHeaders", "calledDecision"),
    "scriptTask": ("script", "taskDefinition", "taskHeaders"),
    "adHocSubProcess": ("adHoc",),
    "endEvent": ("taskDefinition",),
    "intermediateThrowEvent": ("taskDefinition",),
}
_FLOW_NODE_SINGLE = ("ioMapping", "executionListeners")


@rule("process", kinds.FLOW_NODES)
def single_extensions(context: ValidationContext, node: Node) -> None:
    names = _SINGLE_EXTENSIONS.get(node.tag, ())
    if node.tag != "process":
        names = _FLOW_NODE_SINGLE + names
    for name in names:
        if len(node.ext(name)) > 1:
            context.report(
                node.ext(name)[1],
                f"Must have exactly one 'zeebe:{name}' extension element when exists. "
                "Please check process definition XML and retain only one extension element.",
            )
