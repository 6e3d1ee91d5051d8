"""The executable model: what the engine walks instead of XML.

Built once per deployment, immutable afterwards (frozen, slotted dataclasses; mappings are
read-only views). One ``FlowNode`` class serves every flow node kind: its ``element_type`` and
``event_type`` say what it is, and kind-specific behaviour hangs off optional components
(``job``, ``timer``, ``message``, ``multi_instance``, ...), so the engine dispatches on the type
and reads the component it needs. Elements refer to each other by id; ``ExecutableProcess.elements``
resolves ids, which keeps the graph free of reference cycles.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from strom.model.expressions import Expression
from strom.model.timers import TimerKind, TimerValue
from strom.protocol.bpmn import BpmnElementType, BpmnEventType

EMPTY_MAPPING: Mapping[str, Any] = MappingProxyType({})


def _no_entries() -> Mapping[str, Any]:
    return EMPTY_MAPPING


USER_TASK_JOB_TYPE = "io.camunda.zeebe:userTask"
"""Job type of job-based user tasks (no ``zeebe:userTask`` marker), as in Zeebe."""

USER_TASK_FORM_KEY_HEADER = "io.camunda.zeebe:formKey"
"""Task header that carries the form key of a job-based user task."""

DEFAULT_JOB_RETRIES = "3"
"""Zeebe's default for ``zeebe:taskDefinition retries`` (and listener retries)."""


class BindingType(StrEnum):
    """Which version of a called process, decision or form to use."""

    LATEST = "latest"
    DEPLOYMENT = "deployment"
    VERSION_TAG = "versionTag"


class ExecutionListenerEventType(StrEnum):
    START = "start"
    END = "end"


class TaskListenerEventType(StrEnum):
    """User task lifecycle points; Zeebe's deprecated names (``complete``, ...) map onto these."""

    CREATING = "creating"
    ASSIGNING = "assigning"
    UPDATING = "updating"
    COMPLETING = "completing"
    CANCELING = "canceling"


@dataclass(frozen=True, slots=True)
class VariableMapping:
    """One ``zeebe:input`` / ``zeebe:output``: evaluate ``source``, write it to ``target``.

    A static input source is a string literal (as in Zeebe); ``target_path`` is ``target`` split
    at dots, for writing nested context entries.
    """

    source: Expression
    target: str

    @property
    def target_path(self) -> tuple[str, ...]:
        return tuple(self.target.split("."))


@dataclass(frozen=True, slots=True)
class IoMappings:
    inputs: tuple[VariableMapping, ...] = ()
    outputs: tuple[VariableMapping, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.inputs or self.outputs)


NO_IO_MAPPINGS = IoMappings()


@dataclass(frozen=True, slots=True)
class JobDefinition:
    """What a job worker sees: ``type`` and ``retries`` (default ``3``), optional ``priority``."""

    type: Expression
    retries: Expression
    priority: Expression | None = None


@dataclass(frozen=True, slots=True)
class MultiInstance:
    """``multiInstanceLoopCharacteristics`` + ``zeebe:loopCharacteristics``.

    The engine runs a multi-instance activity as a ``MULTI_INSTANCE_BODY`` element (same id)
    whose children are the instances of the activity.
    """

    is_sequential: bool
    input_collection: Expression
    input_element: str | None = None
    output_collection: str | None = None
    output_element: Expression | None = None
    completion_condition: Expression | None = None
    execution_listeners: tuple[ExecutionListener, ...] = ()
    """Listeners of the multi-instance body (declared on the loop characteristics)."""

    @property
    def body_element_type(self) -> BpmnElementType:
        return BpmnElementType.MULTI_INSTANCE_BODY


@dataclass(frozen=True, slots=True)
class TimerDefinition:
    """A timer: ``value`` is the parsed static value (None when ``expression`` is FEEL)."""

    kind: TimerKind
    expression: Expression

    @property
    def value(self) -> TimerValue | None:
        return self.expression.value if self.expression.is_static else None


@dataclass(frozen=True, slots=True)
class MessageSubscription:
    """A message catch: receive task, message catch/boundary/start event."""

    message_id: str
    name: Expression
    correlation_key: Expression | None = None


@dataclass(frozen=True, slots=True)
class PublishMessage:
    """A message thrown by a send task or throw event with ``zeebe:publishMessage``."""

    message_id: str
    name: Expression
    correlation_key: Expression
    message_id_expression: Expression | None = None
    time_to_live: Expression | None = None


@dataclass(frozen=True, slots=True)
class SignalReference:
    signal_id: str
    name: Expression


@dataclass(frozen=True, slots=True)
class ErrorReference:
    """A thrown error, or a caught one; ``code`` None catches every error."""

    error_id: str | None
    code: Expression | None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class EscalationReference:
    """A thrown escalation, or a caught one; ``code`` None catches every escalation."""

    escalation_id: str | None
    code: Expression | None
    name: str | None = None


@dataclass(frozen=True, slots=True)
class Compensation:
    """A compensation throw (``activity_ref``, ``wait_for_completion``) or boundary (``handler_id``)."""

    activity_ref: str | None = None
    wait_for_completion: bool = True
    handler_id: str | None = None


@dataclass(frozen=True, slots=True)
class Conditional:
    """A conditional event: fires when ``condition`` turns true."""

    condition: Expression
    variable_names: tuple[str, ...] = ()
    variable_events: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CalledElement:
    process_id: Expression
    binding_type: BindingType = BindingType.LATEST
    version_tag: str | None = None
    propagate_all_child_variables: bool = True
    propagate_all_parent_variables: bool = True


@dataclass(frozen=True, slots=True)
class CalledDecision:
    decision_id: Expression
    result_variable: str
    binding_type: BindingType = BindingType.LATEST
    version_tag: str | None = None


@dataclass(frozen=True, slots=True)
class Script:
    """A FEEL script task: evaluate ``expression``, store it in ``result_variable``."""

    expression: Expression
    result_variable: str


@dataclass(frozen=True, slots=True)
class Form:
    """``zeebe:formDefinition``: a form key (job-based), a linked form id, or an external reference."""

    form_key: str | None = None
    form_id: Expression | None = None
    external_reference: Expression | None = None
    binding_type: BindingType = BindingType.LATEST
    version_tag: str | None = None


@dataclass(frozen=True, slots=True)
class TaskListener:
    event_type: TaskListenerEventType
    job: JobDefinition


@dataclass(frozen=True, slots=True)
class ExecutionListener:
    event_type: ExecutionListenerEventType
    job: JobDefinition


@dataclass(frozen=True, slots=True)
class UserTaskDefinition:
    """A user task. ``is_zeebe_user_task`` marks a Camunda user task (``zeebe:userTask``);
    otherwise the task is job-based and the node also carries a ``job``."""

    is_zeebe_user_task: bool
    assignee: Expression | None = None
    candidate_groups: Expression | None = None
    candidate_users: Expression | None = None
    due_date: Expression | None = None
    follow_up_date: Expression | None = None
    priority: Expression | None = None
    form: Form | None = None
    task_listeners: tuple[TaskListener, ...] = ()


AD_HOC_INNER_INSTANCE_SUFFIX = "#innerInstance"
"""Appended to an ad-hoc subprocess's id to name its inner instances (Zeebe's element id for them)."""


@dataclass(frozen=True, slots=True)
class AdHoc:
    """An ad-hoc subprocess: which inner elements may be activated and when it completes.

    ``activity_ids``: the inner elements that may be activated (no incoming sequence flow, not a
    boundary event or event subprocess). Each activation runs in its own inner instance (an
    ``AD_HOC_SUB_PROCESS_INNER_INSTANCE`` element with the id ``inner_instance_id``), as in Zeebe;
    ``output_element`` is evaluated there when it completes and appended to ``output_collection``.
    """

    activity_ids: tuple[str, ...]
    active_elements_collection: Expression | None = None
    completion_condition: Expression | None = None
    cancel_remaining_instances: bool = True
    output_collection: str | None = None
    output_element: Expression | None = None
    inner_instance_id: str = ""


@dataclass(frozen=True, slots=True)
class LinkedResource:
    resource_id: str
    resource_type: str
    link_name: str | None = None
    binding_type: BindingType = BindingType.LATEST
    version_tag: str | None = None


@dataclass(frozen=True, slots=True)
class Container:
    """Children of a process or (event / ad-hoc) subprocess.

    ``children`` are the ids of the direct flow nodes and sequence flows; ``start_event_ids``
    the start events other than the none start event (message/timer/signal/conditional at
    process level; the single start event of an event subprocess).
    """

    children: tuple[str, ...] = ()
    none_start_event_id: str | None = None
    start_event_ids: tuple[str, ...] = ()
    event_subprocess_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SequenceFlow:
    """A sequence flow; ``condition`` only on flows leaving exclusive or inclusive gateways."""

    id: str
    source_id: str
    target_id: str
    name: str | None = None
    condition: Expression | None = None
    is_default: bool = False
    flow_scope_id: str | None = None
    line: int = 0
    element_type: BpmnElementType = BpmnElementType.SEQUENCE_FLOW
    event_type: BpmnEventType = BpmnEventType.UNSPECIFIED


@dataclass(frozen=True, slots=True, repr=False)
class FlowNode:
    """Every executable element other than a sequence flow, including the process itself."""

    id: str
    element_type: BpmnElementType
    event_type: BpmnEventType = BpmnEventType.UNSPECIFIED
    name: str | None = None
    documentation: str | None = None
    flow_scope_id: str | None = None
    line: int = 0
    incoming: tuple[SequenceFlow, ...] = ()
    outgoing: tuple[SequenceFlow, ...] = ()
    default_flow_id: str | None = None
    boundary_event_ids: tuple[str, ...] = ()
    attached_to_id: str | None = None
    interrupting: bool = True
    is_for_compensation: bool = False
    io_mappings: IoMappings = NO_IO_MAPPINGS
    job: JobDefinition | None = None
    task_headers: Mapping[str, str] = field(default_factory=_no_entries)
    multi_instance: MultiInstance | None = None
    timer: TimerDefinition | None = None
    message: MessageSubscription | None = None
    publish_message: PublishMessage | None = None
    signal: SignalReference | None = None
    error: ErrorReference | None = None
    escalation: EscalationReference | None = None
    link_name: str | None = None
    compensation: Compensation | None = None
    conditional: Conditional | None = None
    called_element: CalledElement | None = None
    called_decision: CalledDecision | None = None
    script: Script | None = None
    user_task: UserTaskDefinition | None = None
    ad_hoc: AdHoc | None = None
    container: Container | None = None
    execution_listeners: tuple[ExecutionListener, ...] = ()
    properties: Mapping[str, str] = field(default_factory=_no_entries)
    linked_resources: tuple[LinkedResource, ...] = ()

    @property
    def is_container(self) -> bool:
        return self.container is not None

    def __repr__(self) -> str:
        """Only the fields that differ from their defaults: nodes have many optional parts."""
        parts = [repr(self.id), self.element_type.value]
        for item in fields(self)[2:]:
            value = getattr(self, item.name)
            default = item.default_factory() if item.default_factory is not MISSING else item.default
            if value != default:
                shown = [flow.id for flow in value] if item.name in ("incoming", "outgoing") else value
                parts.append(f"{item.name}={shown!r}")
        return f"FlowNode({', '.join(parts)})"

    def execution_listeners_for(
        self, event_type: ExecutionListenerEventType
    ) -> tuple[ExecutionListener, ...]:
        return tuple(listener for listener in self.execution_listeners if listener.event_type is event_type)


ExecutableElement = FlowNode | SequenceFlow


@dataclass(frozen=True, slots=True)
class Lane:
    """A lane of a process (metadata only: lanes do not change execution)."""

    id: str
    name: str | None
    flow_node_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ExecutableProcess:
    """An executable process: every element by id, the process itself included (``root``)."""

    id: str
    name: str | None
    version_tag: str | None
    elements: Mapping[str, ExecutableElement]
    documentation: str | None = None
    lanes: tuple[Lane, ...] = ()
    user_task_forms: Mapping[str, str] = field(default_factory=_no_entries)

    @property
    def root(self) -> FlowNode:
        """The process as a flow element (``element_type`` PROCESS), holding its ``container``."""
        return self.flow_node(self.id)

    @property
    def container(self) -> Container:
        container = self.root.container
        assert container is not None
        return container

    @property
    def none_start_event(self) -> FlowNode | None:
        start = self.container.none_start_event_id
        return self.flow_node(start) if start else None

    @property
    def start_events(self) -> tuple[FlowNode, ...]:
        """Process-level start events other than the none start event."""
        return tuple(self.flow_node(i) for i in self.container.start_event_ids)

    @property
    def event_subprocesses(self) -> tuple[FlowNode, ...]:
        return tuple(self.flow_node(i) for i in self.container.event_subprocess_ids)

    def flow_node(self, element_id: str) -> FlowNode:
        element = self.elements[element_id]
        if not isinstance(element, FlowNode):
            raise KeyError(f"'{element_id}' is a sequence flow, not a flow node")
        return element

    def sequence_flow(self, element_id: str) -> SequenceFlow:
        element = self.elements[element_id]
        if not isinstance(element, SequenceFlow):
            raise KeyError(f"'{element_id}' is a flow node, not a sequence flow")
        return element

    def children_of(self, container_id: str) -> tuple[ExecutableElement, ...]:
        container = self.flow_node(container_id).container
        if container is None:
            return ()
        return tuple(self.elements[i] for i in container.children)


@dataclass(frozen=True, slots=True)
class RootMessage:
    id: str
    name: Expression | None


@dataclass(frozen=True, slots=True)
class RootSignal:
    id: str
    name: Expression | None


@dataclass(frozen=True, slots=True)
class RootError:
    id: str
    name: str | None
    code: Expression | None


@dataclass(frozen=True, slots=True)
class RootEscalation:
    id: str
    name: str | None
    code: Expression | None


@dataclass(frozen=True, slots=True)
class Participant:
    """A pool of a collaboration (metadata)."""

    id: str
    name: str | None
    process_id: str | None


@dataclass(frozen=True, slots=True)
class BpmnDefinitions:
    """A parsed, validated BPMN resource: its executable processes and root elements."""

    id: str | None
    processes: tuple[ExecutableProcess, ...]
    messages: Mapping[str, RootMessage] = field(default_factory=_no_entries)
    signals: Mapping[str, RootSignal] = field(default_factory=_no_entries)
    errors: Mapping[str, RootError] = field(default_factory=_no_entries)
    escalations: Mapping[str, RootEscalation] = field(default_factory=_no_entries)
    participants: tuple[Participant, ...] = ()

    def process(self, process_id: str) -> ExecutableProcess:
        for process in self.processes:
            if process.id == process_id:
                return process
        raise KeyError(process_id)
