"""BPMN model: parse, validate and compile BPMN 2.0 XML with Zeebe extensions.

``parse_bpmn(data, resource_name=...)`` turns a deployed resource into ``BpmnDefinitions``: its
executable processes as immutable ``ExecutableProcess`` objects that the engine walks without
touching XML again. A resource Zeebe would refuse raises ``BpmnValidationError`` carrying every
``Problem`` (resource, line, element id, message) at once. This package is the only place BPMN
is parsed, and it depends on nothing of the engine.
"""

from strom.model._xml import DEFAULT_MAX_SIZE
from strom.model.deployment import check_deployment_bindings
from strom.model.elements import (
    AdHoc,
    BindingType,
    BpmnDefinitions,
    CalledDecision,
    CalledElement,
    Compensation,
    Conditional,
    Container,
    ErrorReference,
    EscalationReference,
    ExecutableElement,
    ExecutableProcess,
    ExecutionListener,
    ExecutionListenerEventType,
    FlowNode,
    Form,
    IoMappings,
    JobDefinition,
    Lane,
    LinkedResource,
    MessageSubscription,
    MultiInstance,
    Participant,
    PublishMessage,
    RootError,
    RootEscalation,
    RootMessage,
    RootSignal,
    Script,
    SequenceFlow,
    SignalReference,
    TaskListener,
    TaskListenerEventType,
    TimerDefinition,
    UserTaskDefinition,
    VariableMapping,
)
from strom.model.errors import BpmnValidationError, ModelError, Problem
from strom.model.expressions import Expression
from strom.model.parse import check_bpmn, parse_bpmn
from strom.model.timers import CronSchedule, Interval, RepeatingInterval, TimerKind

__all__ = [
    "DEFAULT_MAX_SIZE",
    "AdHoc",
    "BindingType",
    "BpmnDefinitions",
    "BpmnValidationError",
    "CalledDecision",
    "CalledElement",
    "Compensation",
    "Conditional",
    "Container",
    "CronSchedule",
    "ErrorReference",
    "EscalationReference",
    "ExecutableElement",
    "ExecutableProcess",
    "ExecutionListener",
    "ExecutionListenerEventType",
    "Expression",
    "FlowNode",
    "Form",
    "Interval",
    "IoMappings",
    "JobDefinition",
    "Lane",
    "LinkedResource",
    "MessageSubscription",
    "ModelError",
    "MultiInstance",
    "Participant",
    "Problem",
    "PublishMessage",
    "RepeatingInterval",
    "RootError",
    "RootEscalation",
    "RootMessage",
    "RootSignal",
    "Script",
    "SequenceFlow",
    "SignalReference",
    "TaskListener",
    "TaskListenerEventType",
    "TimerDefinition",
    "TimerKind",
    "UserTaskDefinition",
    "VariableMapping",
    "check_bpmn",
    "check_deployment_bindings",
    "parse_bpmn",
]
