"""Compiler: a validated document becomes the executable model (Zeebe's transformers).

It runs only on documents without problems, so it may rely on every rule of ``validation``:
references resolve, required attributes are present, static values have their shape.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType
from typing import Any

from strom.model import _feel, kinds, timers
from strom.model.elements import (
    AD_HOC_INNER_INSTANCE_SUFFIX,
    DEFAULT_JOB_RETRIES,
    USER_TASK_FORM_KEY_HEADER,
    USER_TASK_JOB_TYPE,
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
from strom.model.expressions import Expression, parse_csv, parse_expression, parse_int, static
from strom.model.reader import Document, Node
from strom.model.validation.extensions import TASK_LISTENER_EVENTS
from strom.protocol.bpmn import BpmnElementType, BpmnEventType

_TIMER_KINDS = {
    "timeDate": timers.TimerKind.DATE,
    "timeDuration": timers.TimerKind.DURATION,
    "timeCycle": timers.TimerKind.CYCLE,
}


def compile_definitions(document: Document) -> BpmnDefinitions:
    """The executable model of a document that passed validation."""
    root = document.root
    processes = tuple(
        _ProcessCompiler(document, node).compile()
        for node in root.children
        if kinds.is_executable_process(node)
    )
    return BpmnDefinitions(
        id=root.id,
        processes=processes,
        messages=_frozen({m.id: RootMessage(m.id, _optional(m.name)) for m in _with_id(root, "message")}),
        signals=_frozen({s.id: RootSignal(s.id, _optional(s.name)) for s in _with_id(root, "signal")}),
        errors=_frozen(
            {e.id: RootError(e.id, e.name, _optional(e.get("errorCode"))) for e in _with_id(root, "error")}
        ),
        escalations=_frozen(
            {
                e.id: RootEscalation(e.id, e.name, _optional(e.get("escalationCode")))
                for e in _with_id(root, "escalation")
            }
        ),
        participants=tuple(
            Participant(p.id or "", p.name, _local(p.get("processRef")))
            for collaboration in root.all("collaboration")
            for p in collaboration.all("participant")
        ),
    )


def _with_id(root: Node, tag: str) -> list[Any]:
    return [node for node in root.all(tag) if node.id]


def _frozen(mapping: dict[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(mapping)


def _optional(text: str | None) -> Expression | None:
    return parse_expression(text) if text else None


def _local(reference: str | None) -> str | None:
    if reference and ":" in reference:
        return reference.rsplit(":", 1)[1]
    return reference


class _ProcessCompiler:
    def __init__(self, document: Document, process: Node) -> None:
        self.document = document
        self.process = process
        self.flows: dict[str, SequenceFlow] = {}
        self.outgoing: dict[str, list[SequenceFlow]] = defaultdict(list)
        self.incoming: dict[str, list[SequenceFlow]] = defaultdict(list)
        self.boundaries: dict[str, list[str]] = defaultdict(list)
        self.compensation_handlers: dict[str, str] = {}

    def resolve(self, reference: str | None) -> Node | None:
        return self.document.resolve(reference)

    def compile(self) -> ExecutableProcess:
        nodes = list(self.process.walk())
        for node in nodes:
            if node.tag == "sequenceFlow":
                self._sequence_flow(node)
            elif node.tag == "boundaryEvent":
                attached = self.resolve(node.get("attachedToRef"))
                if attached is not None and attached.id and node.id:
                    self.boundaries[attached.id].append(node.id)
            elif node.tag == "association":
                source, target = self.resolve(node.get("sourceRef")), self.resolve(node.get("targetRef"))
                if source is not None and target is not None and source.id and target.id:
                    self.compensation_handlers[source.id] = target.id
        elements: dict[str, ExecutableElement] = {}
        elements.update(self.flows)
        for node in nodes:
            if node.id and (node.tag in kinds.FLOW_NODES or node.tag == "process"):
                flow_node = self._flow_node(node)
                elements[node.id] = flow_node
                if flow_node.ad_hoc is not None:
                    inner = _ad_hoc_inner_instance(flow_node)
                    elements[inner.id] = inner
        process = self.process
        return ExecutableProcess(
            id=process.id or "",
            name=process.name,
            version_tag=_attribute(process.one_ext("versionTag"), "value"),
            elements=MappingProxyType(elements),
            documentation=_documentation(process),
            lanes=tuple(_lanes(process)),
            user_task_forms=MappingProxyType(
                {form.get("id") or "": form.text for form in process.ext("userTaskForm") if form.get("id")}
            ),
        )

    def _sequence_flow(self, node: Node) -> None:
        source = self.resolve(node.get("sourceRef"))
        target = self.resolve(node.get("targetRef"))
        assert source is not None and target is not None and node.id
        condition = node.first("conditionExpression")
        flow = SequenceFlow(
            id=node.id,
            source_id=source.id or "",
            target_id=target.id or "",
            name=node.name,
            condition=parse_expression(condition.text) if condition is not None else None,
            is_default=self.resolve(source.get("default")) is node,
            flow_scope_id=_scope_id(node),
            line=node.line,
        )
        self.flows[flow.id] = flow
        self.outgoing[flow.source_id].append(flow)
        self.incoming[flow.target_id].append(flow)

    def _flow_node(self, node: Node) -> FlowNode:
        node_id = node.id or ""
        tag = node.tag
        fields: dict[str, Any] = {
            "id": node_id,
            "element_type": _element_type(node),
            "event_type": _event_type(node),
            "name": node.name,
            "documentation": _documentation(node),
            "flow_scope_id": _scope_id(node) if tag != "process" else None,
            "line": node.line,
            "incoming": tuple(self.incoming.get(node_id, ())),
            "outgoing": tuple(self.outgoing.get(node_id, ())),
            "io_mappings": _io_mappings(node),
            "execution_listeners": _execution_listeners(node),
            "properties": _properties(node),
        }
        if tag in ("exclusiveGateway", "inclusiveGateway") and node.get("default"):
            fields["default_flow_id"] = _local(node.get("default"))
        if tag in kinds.ACTIVITIES:
            fields["boundary_event_ids"] = tuple(self.boundaries.get(node_id, ()))
            fields["is_for_compensation"] = kinds.boolean(node, "isForCompensation", False)
            loop = node.first("multiInstanceLoopCharacteristics")
            if loop is not None:
                fields["multi_instance"] = _multi_instance(loop)
        if tag == "boundaryEvent":
            fields["attached_to_id"] = _local(node.get("attachedToRef"))
        if tag in ("boundaryEvent", "startEvent"):
            fields["interrupting"] = kinds.is_interrupting(node)
        if tag in kinds.EVENTS or tag == "receiveTask":
            self._event_definition(node, fields)
        publish = node.one_ext("publishMessage")
        if tag == "sendTask" and publish is not None:
            fields["publish_message"] = self._publish(node.get("messageRef"), publish)
        job = _job(node)
        if job is not None:
            fields["job"] = job
            fields["task_headers"] = _headers(node)
            fields["linked_resources"] = _linked_resources(node)
        if tag == "callActivity":
            fields["called_element"] = _called_element(node)
        if tag == "businessRuleTask" and node.one_ext("calledDecision") is not None:
            fields["called_decision"] = _called_decision(node)
        if tag == "scriptTask" and node.one_ext("script") is not None:
            fields["script"] = _script(node)
        if tag == "userTask":
            self._user_task(node, fields)
        if tag == "adHocSubProcess":
            fields["ad_hoc"] = _ad_hoc(node, self.incoming)
        if tag in kinds.CONTAINERS:
            fields["container"] = _container(node)
        return FlowNode(**fields)

    def _event_definition(self, node: Node, fields: dict[str, Any]) -> None:
        if node.tag == "receiveTask":
            message = self.resolve(node.get("messageRef"))
            if message is not None:
                fields["message"] = _subscription(message)
            return
        definitions = node.event_definitions
        if not definitions:
            return
        definition = definitions[0]
        tag = definition.tag
        throws = node.tag in kinds.THROW_EVENTS
        if tag == "timerEventDefinition":
            fields["timer"] = _timer(definition)
        elif tag == "messageEventDefinition":
            message = self.resolve(definition.get("messageRef"))
            if throws:
                publish = definition.one_ext("publishMessage") or node.one_ext("publishMessage")
                if publish is not None:
                    fields["publish_message"] = self._publish(definition.get("messageRef"), publish)
            elif message is not None:
                subscription = _subscription(message)
                if _is_process_start(node):
                    subscription = replace(subscription, name=_constant_name(subscription.name))
                fields["message"] = subscription
        elif tag == "signalEventDefinition":
            signal = self.resolve(definition.get("signalRef"))
            if signal is not None and signal.id:
                name = parse_expression(signal.name or "")
                fields["signal"] = SignalReference(
                    signal.id, _constant_name(name) if _is_process_start(node) else name
                )
        elif tag == "errorEventDefinition":
            error = self.resolve(definition.get("errorRef"))
            fields["error"] = ErrorReference(
                error.id if error is not None else None,
                _optional(error.get("errorCode")) if error is not None else None,
                error.name if error is not None else None,
            )
        elif tag == "escalationEventDefinition":
            escalation = self.resolve(definition.get("escalationRef"))
            fields["escalation"] = EscalationReference(
                escalation.id if escalation is not None else None,
                _optional(escalation.get("escalationCode")) if escalation is not None else None,
                escalation.name if escalation is not None else None,
            )
        elif tag == "linkEventDefinition":
            fields["link_name"] = definition.get("name")
        elif tag == "compensateEventDefinition":
            fields["compensation"] = Compensation(
                activity_ref=_local(definition.get("activityRef")),
                wait_for_completion=kinds.boolean(definition, "waitForCompletion", True),
                handler_id=self.compensation_handlers.get(node.id or "")
                if node.tag == "boundaryEvent"
                else None,
            )
        elif tag == "conditionalEventDefinition":
            fields["conditional"] = _conditional(node, definition)

    def _publish(self, message_reference: str | None, publish: Node) -> PublishMessage:
        message = self.resolve(message_reference)
        assert message is not None
        return PublishMessage(
            message_id=message.id or "",
            name=parse_expression(message.name or ""),
            correlation_key=parse_expression(publish.get("correlationKey") or ""),
            message_id_expression=_optional(publish.get("messageId")),
            time_to_live=_optional(publish.get("timeToLive")),
        )

    def _user_task(self, node: Node, fields: dict[str, Any]) -> None:
        is_zeebe = node.one_ext("userTask") is not None
        assignment = node.one_ext("assignmentDefinition")
        schedule = node.one_ext("taskSchedule")
        form_node = node.one_ext("formDefinition")
        form = _form(form_node) if form_node is not None else None
        priority = node.one_ext("priorityDefinition")
        definition = UserTaskDefinition(
            is_zeebe_user_task=is_zeebe,
            assignee=_assignee(_attribute(assignment, "assignee")),
            candidate_groups=_csv(_attribute(assignment, "candidateGroups")),
            candidate_users=_csv(_attribute(assignment, "candidateUsers")),
            due_date=_date(_attribute(schedule, "dueDate")),
            follow_up_date=_date(_attribute(schedule, "followUpDate")),
            priority=_int_expression(_attribute(priority, "priority")) if is_zeebe else None,
            form=form,
            task_listeners=_task_listeners(node) if is_zeebe else (),
        )
        fields["user_task"] = definition
        headers = dict(_headers(node))
        if not is_zeebe:
            if form is not None and form.form_key is not None:
                headers[USER_TASK_FORM_KEY_HEADER] = form.form_key
            fields["job"] = JobDefinition(static(USER_TASK_JOB_TYPE), static(1, "1"))
        fields["task_headers"] = MappingProxyType(headers)


def _is_process_start(node: Node) -> bool:
    return node.tag == "startEvent" and node.parent is not None and node.parent.tag == "process"


def _constant_name(name: Expression) -> Expression:
    """A process start event's message or signal name, evaluated once (validation ensured it is
    a constant string), so the engine can subscribe without evaluating FEEL."""
    if name.is_static or not _feel.checks_at_deployment():
        return name
    value = _feel.evaluate_constant(name.source)
    return static(value, value)


def _element_type(node: Node) -> BpmnElementType:
    if kinds.is_event_subprocess(node):
        return BpmnElementType.EVENT_SUB_PROCESS
    return kinds.ELEMENT_TYPES[node.tag]


def _event_type(node: Node) -> BpmnEventType:
    if node.tag in kinds.EVENTS:
        return kinds.event_type_of(node)
    if node.tag == "receiveTask":
        return BpmnEventType.MESSAGE
    return BpmnEventType.UNSPECIFIED


def _scope_id(node: Node) -> str | None:
    parent = node.parent
    while parent is not None and parent.tag not in kinds.CONTAINERS:
        parent = parent.parent
    return parent.id if parent is not None else None


def _documentation(node: Node) -> str | None:
    documentation = node.first("documentation")
    return documentation.text if documentation is not None and documentation.text else None


def _attribute(node: Node | None, attribute: str) -> str | None:
    return node.get(attribute) if node is not None else None


def _lanes(process: Node) -> list[Lane]:
    lanes = []
    stack = list(process.all("laneSet"))
    while stack:
        lane_set = stack.pop(0)
        for lane in lane_set.all("lane"):
            refs = tuple(_local(ref.text) or "" for ref in lane.all("flowNodeRef") if ref.text)
            lanes.append(Lane(lane.id or "", lane.name, refs))
            stack.extend(lane.all("childLaneSet"))
    return lanes


def _io_mappings(node: Node) -> IoMappings:
    mapping = node.one_ext("ioMapping")
    if mapping is None:
        return IoMappings()
    inputs = tuple(
        VariableMapping(
            static(None, "null")
            if child.get("source") is None
            else parse_expression(child.get("source") or ""),
            child.get("target") or "",
        )
        for child in mapping.children
        if child.tag == "input"
    )
    outputs = tuple(
        VariableMapping(parse_expression(child.get("source") or ""), child.get("target") or "")
        for child in mapping.children
        if child.tag == "output"
    )
    return IoMappings(inputs, outputs)


def _retries(text: str | None) -> Expression:
    expression = parse_expression(text if text is not None else DEFAULT_JOB_RETRIES)
    if expression.is_static:
        return static(parse_int(expression.source), expression.source)
    return expression


def _int_expression(text: str | None) -> Expression | None:
    if not text:
        return None
    expression = parse_expression(text.strip())
    if expression.is_static:
        return static(parse_int(expression.source), expression.source)
    return expression


_JOB_WORKER_TAGS = frozenset({"serviceTask", "sendTask", "scriptTask", "businessRuleTask", "adHocSubProcess"})


def _is_job_worker(node: Node) -> bool:
    """Elements Zeebe hands to job workers when they carry a ``zeebe:taskDefinition``."""
    if node.tag in _JOB_WORKER_TAGS:
        return True
    is_throw = node.tag in ("intermediateThrowEvent", "endEvent")
    return is_throw and node.first("messageEventDefinition") is not None


def _job(node: Node) -> JobDefinition | None:
    definition = node.one_ext("taskDefinition")
    if definition is None or not _is_job_worker(node):
        return None
    priority = node.one_ext("jobPriorityDefinition")
    return JobDefinition(
        type=parse_expression(definition.get("type") or ""),
        retries=_retries(definition.get("retries")),
        priority=_int_expression(_attribute(priority, "priority")),
    )


def _headers(node: Node) -> Mapping[str, str]:
    headers = {}
    for group in node.ext("taskHeaders"):
        for header in group.children:
            key, value = header.get("key"), header.get("value")
            if header.tag == "header" and key and value:
                headers[key] = value
    return MappingProxyType(headers)


def _properties(node: Node) -> Mapping[str, str]:
    properties = {
        prop.get("name") or "": prop.get("value") or ""
        for group in node.ext("properties")
        for prop in group.children
        if prop.tag == "property" and prop.get("name")
    }
    return MappingProxyType(properties)


def _binding(node: Node) -> BindingType:
    return BindingType(node.get("bindingType") or BindingType.LATEST.value)


def _linked_resources(node: Node) -> tuple[LinkedResource, ...]:
    return tuple(
        LinkedResource(
            resource_id=resource.get("resourceId") or "",
            resource_type=resource.get("resourceType") or "",
            link_name=resource.get("linkName"),
            binding_type=_binding(resource),
            version_tag=resource.get("versionTag"),
        )
        for group in node.ext("linkedResources")
        for resource in group.children
        if resource.tag == "linkedResource"
    )


def _multi_instance(loop: Node) -> MultiInstance:
    characteristics = loop.one_ext("loopCharacteristics")
    assert characteristics is not None
    condition = loop.first("completionCondition")
    return MultiInstance(
        is_sequential=kinds.boolean(loop, "isSequential", False),
        input_collection=parse_expression(characteristics.get("inputCollection") or ""),
        input_element=characteristics.get("inputElement") or None,
        output_collection=characteristics.get("outputCollection") or None,
        output_element=_optional(characteristics.get("outputElement")),
        completion_condition=_optional(condition.text) if condition is not None else None,
        execution_listeners=_execution_listeners(loop),
    )


def _timer(definition: Node) -> TimerDefinition | None:
    for child in definition.children:
        kind = _TIMER_KINDS.get(child.tag)
        if kind is None:
            continue
        expression = parse_expression(child.text)
        if expression.is_static:
            expression = static(timers.parse_timer(kind, child.text), child.text)
        return TimerDefinition(kind, expression)
    return None


def _subscription(message: Node) -> MessageSubscription:
    subscription = message.one_ext("subscription")
    key = subscription.get("correlationKey") if subscription is not None else None
    return MessageSubscription(message.id or "", parse_expression(message.name or ""), _optional(key))


def _conditional(event: Node, definition: Node) -> Conditional:
    condition = definition.first("condition")
    variable = definition.one_ext("conditionVariable") or event.one_ext("conditionVariable")
    names = _attribute(variable, "variableNames") or ""
    events = _attribute(variable, "variableEvents") or ""
    return Conditional(
        condition=parse_expression(condition.text if condition is not None else ""),
        variable_names=tuple(n.strip() for n in names.split(",") if n.strip()),
        variable_events=tuple(e.strip() for e in events.split(",") if e.strip()),
    )


def _called_element(node: Node) -> CalledElement:
    called = node.one_ext("calledElement")
    assert called is not None
    return CalledElement(
        process_id=parse_expression(called.get("processId") or ""),
        binding_type=_binding(called),
        version_tag=called.get("versionTag"),
        propagate_all_child_variables=kinds.boolean(called, "propagateAllChildVariables", True),
        propagate_all_parent_variables=kinds.boolean(called, "propagateAllParentVariables", True),
    )


def _called_decision(node: Node) -> CalledDecision:
    decision = node.one_ext("calledDecision")
    assert decision is not None
    return CalledDecision(
        decision_id=parse_expression(decision.get("decisionId") or ""),
        result_variable=decision.get("resultVariable") or "",
        binding_type=_binding(decision),
        version_tag=decision.get("versionTag"),
    )


def _script(node: Node) -> Script:
    script = node.one_ext("script")
    assert script is not None
    return Script(parse_expression(script.get("expression") or ""), script.get("resultVariable") or "")


def _assignee(text: str | None) -> Expression | None:
    return parse_expression(text) if text and text.strip() else None


def _csv(text: str | None) -> Expression | None:
    if not text or not text.strip():
        return None
    expression = parse_expression(text)
    if expression.is_static:
        return static(parse_csv(text) or [], text)
    return expression


def _date(text: str | None) -> Expression | None:
    if not text or not text.strip():
        return None
    expression = parse_expression(text)
    if expression.is_static:
        return static(timers.parse_date_time(text), text)
    return expression


def _form(node: Node) -> Form:
    return Form(
        form_key=node.get("formKey") or None,
        form_id=_optional(node.get("formId")),
        external_reference=_optional(node.get("externalReference")),
        binding_type=_binding(node),
        version_tag=node.get("versionTag"),
    )


def _listener_job(listener: Node) -> JobDefinition:
    return JobDefinition(parse_expression(listener.get("type") or ""), _retries(listener.get("retries")))


def _task_listeners(node: Node) -> tuple[TaskListener, ...]:
    return tuple(
        TaskListener(
            TaskListenerEventType(TASK_LISTENER_EVENTS[listener.get("eventType") or ""]),
            _listener_job(listener),
        )
        for group in node.ext("taskListeners")
        for listener in group.children
        if listener.tag == "taskListener"
    )


def _execution_listeners(node: Node) -> tuple[ExecutionListener, ...]:
    return tuple(
        ExecutionListener(
            ExecutionListenerEventType(listener.get("eventType") or ""), _listener_job(listener)
        )
        for group in node.ext("executionListeners")
        for listener in group.children
        if listener.tag == "executionListener"
    )


def _ad_hoc(node: Node, incoming: Mapping[str, list[SequenceFlow]]) -> AdHoc:
    settings = node.one_ext("adHoc")
    condition = node.first("completionCondition")
    activities = tuple(
        child.id or ""
        for child in node.children
        if child.tag in kinds.FLOW_NODES
        and child.tag != "boundaryEvent"
        and not kinds.is_event_subprocess(child)
        and child.id
        and not incoming.get(child.id)
    )
    return AdHoc(
        activity_ids=activities,
        active_elements_collection=_optional(_attribute(settings, "activeElementsCollection")),
        completion_condition=_optional(condition.text) if condition is not None else None,
        cancel_remaining_instances=kinds.boolean(node, "cancelRemainingInstances", True),
        output_collection=_attribute(settings, "outputCollection") or None,
        output_element=_optional(_attribute(settings, "outputElement")),
        inner_instance_id=(node.id or "") + AD_HOC_INNER_INSTANCE_SUFFIX,
    )


def _ad_hoc_inner_instance(ad_hoc_subprocess: FlowNode) -> FlowNode:
    """The element an ad-hoc subprocess's inner instances run as: a scope inside the subprocess
    holding one activation of an inner element (Zeebe's ``…#innerInstance``)."""
    assert ad_hoc_subprocess.ad_hoc is not None
    return FlowNode(
        id=ad_hoc_subprocess.ad_hoc.inner_instance_id,
        element_type=BpmnElementType.AD_HOC_SUB_PROCESS_INNER_INSTANCE,
        flow_scope_id=ad_hoc_subprocess.id,
        line=ad_hoc_subprocess.line,
    )


def _container(node: Node) -> Container:
    children = []
    none_start = None
    starts = []
    event_subprocesses = []
    for child in node.children:
        if not child.id or child.tag not in kinds.FLOW_NODES | {"sequenceFlow"}:
            continue
        children.append(child.id)
        if child.tag == "startEvent":
            if child.event_definitions:
                starts.append(child.id)
            elif none_start is None:
                none_start = child.id
        elif kinds.is_event_subprocess(child):
            event_subprocesses.append(child.id)
    return Container(tuple(children), none_start, tuple(starts), tuple(event_subprocesses))
