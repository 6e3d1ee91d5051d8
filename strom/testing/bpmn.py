"""A fluent builder of BPMN processes for tests.

    process("pay").start_event().service_task("charge", job_type="charge").end_event().to_xml()

Each element is connected to the one added before it (the *current* element); ``move_to(id)``
continues from another element and ``connect(source, target, condition=...)`` adds a flow
explicitly, which is enough for branches and joins. ``condition("= x > 1")``, ``default_flow()``
and ``flow_id("f")`` describe the *next* flow leaving the current element.

Modifiers change the current element: event definitions (``message``, ``timer_duration``,
``timer_date``, ``timer_cycle``, ``signal``, ``error``, ``escalation``, ``terminate``, ``link``,
``compensation``, ``conditional``), ``non_interrupting()``, ``multi_instance(...)``,
``inputs``/``outputs``/``headers``, ``execution_listener``, ``task_listener``, ``named``,
``documentation``, ``properties``, ``extension_elements``. The root elements the events
reference (``bpmn:message``, ``bpmn:signal``, ``bpmn:error``, ``bpmn:escalation``) are declared
automatically, once per name (and correlation key) or code.

Containers: ``sub_process("id") ... end_sub_process()``, ``event_sub_process("id") ...
end_sub_process()`` and ``ad_hoc_sub_process("id") ... end_sub_process()`` put what is added in
between inside the subprocess (or pass a finished builder as ``content=``).
``boundary_event("id", attached_to=...)`` attaches to the current element by default; what
follows is connected from the boundary event (``compensation_handler`` adds the handler of a
compensation boundary event). ``extension`` and ``body`` take raw XML for anything the
shortcuts do not cover.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'id="definitions" targetNamespace="http://strom.test/bpmn">\n'
)

_THROW_EVENTS = frozenset({"intermediateThrowEvent", "endEvent"})
_EVENTS = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent", *_THROW_EVENTS})
_NOT_NCNAME = re.compile(r"[^A-Za-z0-9_.\-]")


@dataclass
class _Element:
    tag: str
    id: str
    attributes: dict[str, str] = field(default_factory=dict)
    extension: str = ""
    body: str = ""
    scope: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    extension_tail: str = ""
    loop: str = ""
    definition: str = ""
    documentation: str = ""
    after_children: str = ""
    """XML after the children (an ad-hoc subprocess's completion condition)."""
    execution_listeners: list[str] = field(default_factory=list)
    task_listeners: list[str] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    condition: str | None = None
    scope: str | None = None


@dataclass
class _OpenScope:
    container: str
    restore: str | None
    """The current element after ``end_sub_process`` (the subprocess itself, or for an event
    subprocess the element that was current before it)."""


class ProcessBuilder:
    def __init__(self, process_id: str, name: str | None = None) -> None:
        self.process_id = process_id
        self._name = name
        self._elements: list[_Element] = []
        self._by_id: dict[str, _Element] = {}
        self._flows: list[_Flow] = []
        self._defaults: dict[str, str] = {}
        self._root: list[str] = []
        self._declared: dict[tuple[str, ...], tuple[str, str]] = {}
        """(kind, name/code[, correlation key]) -> (id, XML) of automatically declared roots."""
        self._current: str | None = None
        self._counter = 0
        self._scopes: list[_OpenScope] = []
        self._last_gateway: str | None = None
        self._next_condition: str | None = None
        self._next_default = False
        self._next_flow_id: str | None = None
        self._process_listeners: list[str] = []
        self._version_tag: str | None = None

    # -- generic ---------------------------------------------------------------------------------

    def element(
        self,
        tag: str,
        element_id: str | None = None,
        *,
        extension: str = "",
        body: str = "",
        connect: bool = True,
        condition: str | None = None,
        **attributes: str,
    ) -> ProcessBuilder:
        """Add any flow node (``tag`` without prefix, e.g. ``"task"``), connected from the current one."""
        element_id = element_id or self._next_id(tag)
        element = _Element(
            tag,
            element_id,
            {k: str(v) for k, v in attributes.items()},
            extension,
            body,
            scope=self._scope,
        )
        self._elements.append(element)
        self._by_id[element_id] = element
        opened = self._scopes[-1].container if self._scopes else None
        if connect and self._current is not None and self._current != opened:
            self.connect(
                self._current,
                element_id,
                condition=condition if condition is not None else self._next_condition,
                default=self._next_default,
                flow_id=self._next_flow_id,
            )
        self._next_condition, self._next_default, self._next_flow_id = None, False, None
        self._current = element_id
        if tag.endswith("Gateway"):
            self._last_gateway = element_id
        return self

    def connect(
        self,
        source: str,
        target: str,
        *,
        condition: str | None = None,
        default: bool = False,
        flow_id: str | None = None,
    ) -> ProcessBuilder:
        source_element = self._by_id.get(source)
        scope = source_element.scope if source_element is not None else self._scope
        flow = _Flow(flow_id or f"flow_{source}_{target}", source, target, condition, scope)
        self._flows.append(flow)
        if default:
            self._defaults[source] = flow.id
        return self

    def move_to(self, element_id: str) -> ProcessBuilder:
        """Continue building from ``element_id`` (to add another branch)."""
        self._current = element_id
        return self

    def move_to_last_gateway(self) -> ProcessBuilder:
        """Continue from the gateway added last (the next branch of a split)."""
        if self._last_gateway is None:
            raise ValueError("no gateway was added yet")
        return self.move_to(self._last_gateway)

    def root_element(self, xml: str) -> ProcessBuilder:
        """A definitions-level element (message, error, signal, escalation) as raw XML."""
        self._root.append(xml)
        return self

    # -- the next flow -----------------------------------------------------------------------------

    def condition(self, expression: str) -> ProcessBuilder:
        """The condition of the next flow leaving the current element (``"= amount > 100"``)."""
        self._next_condition = expression
        return self

    def default_flow(self) -> ProcessBuilder:
        """Make the next flow leaving the current element (a gateway) its default flow."""
        self._next_default = True
        return self

    def flow_id(self, flow_id: str) -> ProcessBuilder:
        """The id of the next flow leaving the current element."""
        self._next_flow_id = flow_id
        return self

    # -- events ------------------------------------------------------------------------------------

    def start_event(
        self,
        element_id: str | None = None,
        *,
        extension: str = "",
        body: str = "",
        interrupting: bool = True,
        form_id: str | None = None,
        form_key: str | None = None,
    ) -> ProcessBuilder:
        """A start event (not connected from anything). Its id defaults to ``"start"`` for the
        first one of the process, a generated one after that; ``interrupting=False`` is for the
        start event of an event subprocess; ``form_id`` links a deployed Camunda Form (the start
        form a user fills in to start an instance)."""
        if element_id is None:
            element_id = "start" if "start" not in self._by_id else self._next_id("start")
        attributes = {} if interrupting else {"isInterrupting": "false"}
        if form_id is not None or form_key is not None:
            extension += "<zeebe:formDefinition" + _attributes(formId=form_id, formKey=form_key) + "/>"
        return self.element(
            "startEvent", element_id, extension=extension, body=body, connect=False, **attributes
        )

    def end_event(self, element_id: str | None = None, *, body: str = "") -> ProcessBuilder:
        return self.element("endEvent", element_id or self._next_id("end"), body=body)

    def intermediate_throw_event(self, element_id: str | None = None) -> ProcessBuilder:
        return self.element("intermediateThrowEvent", element_id)

    def intermediate_catch_event(self, element_id: str | None = None) -> ProcessBuilder:
        """Waits for what a modifier says: ``.message(...)``, ``.timer_duration(...)``, ``.signal(...)``."""
        return self.element("intermediateCatchEvent", element_id)

    def boundary_event(
        self, element_id: str | None = None, *, attached_to: str | None = None, interrupting: bool = True
    ) -> ProcessBuilder:
        """A boundary event on ``attached_to`` (default: the current element); what follows is
        connected from it. Give it a definition with a modifier (``.timer_duration("PT1H")``)."""
        host_id = attached_to or self._current
        if host_id is None or host_id not in self._by_id:
            raise ValueError("a boundary event needs an activity to attach to")
        host = self._by_id[host_id]
        attributes = {"attachedToRef": host_id}
        if not interrupting:
            attributes["cancelActivity"] = "false"
        self.element("boundaryEvent", element_id, connect=False, **attributes)
        self._by_id[self._require_current()].scope = host.scope
        return self

    # -- event definitions (modifiers of the current event) ----------------------------------------

    def message(
        self, name: str | None, correlation_key: str | None = None, *, job_type: str | None = None
    ) -> ProcessBuilder:
        """A message event (or receive task) on the current element.

        Catching (start, intermediate catch, boundary, receive task): subscribes to ``name``;
        ``correlation_key`` is an expression (``"= orderId"``), needed except on start events.
        Throwing (intermediate throw, end): a job of ``job_type`` for a worker that publishes it
        (as in Zeebe); ``name=None`` leaves the message to the worker (no ``messageRef``).
        """
        element = self._target()
        if element.tag in _THROW_EVENTS:
            if job_type is None:
                raise ValueError("a message throw event is a job: give it a job_type")
            element.extension_tail += f"<zeebe:taskDefinition type={quoteattr(job_type)}/>"
            if name is None:
                element.definition = "<bpmn:messageEventDefinition/>"
                return self
            message_id = self._declare_message(name, None)
            element.definition = f"<bpmn:messageEventDefinition messageRef={quoteattr(message_id)}/>"
            return self
        if name is None:
            raise ValueError("a message catch event needs the message name")
        message_id = self._declare_message(name, correlation_key)
        if element.tag == "receiveTask":
            element.attributes["messageRef"] = message_id
        else:
            element.definition = f"<bpmn:messageEventDefinition messageRef={quoteattr(message_id)}/>"
        return self

    def timer_duration(self, duration: str) -> ProcessBuilder:
        """``PT15M`` or an expression (``"= delay"``)."""
        return self._timer("timeDuration", duration)

    def timer_date(self, date: str) -> ProcessBuilder:
        """``2026-01-01T10:00:00Z`` or an expression."""
        return self._timer("timeDate", date)

    def timer_cycle(self, cycle: str) -> ProcessBuilder:
        """``R3/PT10S``, a cron expression, or an expression."""
        return self._timer("timeCycle", cycle)

    def signal(self, name: str) -> ProcessBuilder:
        """Catch (start, intermediate, boundary) or broadcast (throw, end) the signal ``name``."""
        signal_id = self._declare("signal", (name,), f"<bpmn:signal id=%s name={quoteattr(name)}/>", name)
        self._target().definition = f"<bpmn:signalEventDefinition signalRef={quoteattr(signal_id)}/>"
        return self

    def error(self, code: str | None = None) -> ProcessBuilder:
        """Throw (end event) the error ``code``, or catch it (boundary, event subprocess start);
        a catch event without a code catches every error."""
        element = self._target()
        if code is None:
            if element.tag in _THROW_EVENTS:
                raise ValueError("an error end event needs an error code")
            element.definition = "<bpmn:errorEventDefinition/>"
            return self
        error_id = self._declare("error", (code,), f"<bpmn:error id=%s errorCode={quoteattr(code)}/>", code)
        element.definition = f"<bpmn:errorEventDefinition errorRef={quoteattr(error_id)}/>"
        return self

    def escalation(self, code: str | None = None) -> ProcessBuilder:
        """Throw (intermediate throw, end event) the escalation ``code``, or catch it (boundary,
        event subprocess start); a catch event without a code catches every escalation."""
        element = self._target()
        if code is None:
            if element.tag in _THROW_EVENTS:
                raise ValueError("an escalation throw event needs an escalation code")
            element.definition = "<bpmn:escalationEventDefinition/>"
            return self
        escalation_id = self._declare(
            "escalation", (code,), f"<bpmn:escalation id=%s escalationCode={quoteattr(code)}/>", code
        )
        element.definition = f"<bpmn:escalationEventDefinition escalationRef={quoteattr(escalation_id)}/>"
        return self

    def terminate(self) -> ProcessBuilder:
        """Make the current end event a terminate end event."""
        self._target().definition = "<bpmn:terminateEventDefinition/>"
        return self

    def link(self, name: str) -> ProcessBuilder:
        """A link event (intermediate throw jumps to the intermediate catch of the same name)."""
        self._target().definition = f"<bpmn:linkEventDefinition name={quoteattr(name)}/>"
        return self

    def compensation(self, activity: str | None = None) -> ProcessBuilder:
        """A compensation event: on a boundary event it marks the activity as compensable (add
        its handler with ``compensation_handler``); on a throw or end event it compensates the
        completed activities of its scope, or only ``activity``."""
        reference = f" activityRef={quoteattr(activity)}" if activity is not None else ""
        self._target().definition = f"<bpmn:compensateEventDefinition{reference}/>"
        return self

    def compensation_handler(self, element_id: str, *, job_type: str) -> ProcessBuilder:
        """The handler of the current compensation boundary event: a service task of
        ``job_type`` marked ``isForCompensation``, associated (not connected) with the event.
        The builder continues from the handler; ``move_to`` the activity to go on."""
        boundary = self._target()
        if boundary.tag != "boundaryEvent" or "compensateEventDefinition" not in boundary.definition:
            raise ValueError("a compensation handler belongs to a compensation boundary event")
        self.service_task(element_id, job_type=job_type)
        handler = self._target()
        handler.attributes["isForCompensation"] = "true"
        handler.scope = boundary.scope
        self._flows = [f for f in self._flows if not (f.source == boundary.id and f.target == element_id)]
        association = _Element(
            "association",
            f"{boundary.id}_association",
            {"sourceRef": boundary.id, "targetRef": element_id},
            scope=boundary.scope,
        )
        self._elements.append(association)
        self._by_id[association.id] = association
        return self

    def conditional(
        self,
        condition: str,
        *,
        variable_names: str | Iterable[str] | None = None,
        variable_events: str | Iterable[str] | None = None,
    ) -> ProcessBuilder:
        """A conditional event on the current element: it happens when ``condition`` (an
        expression) becomes true; ``variable_names``/``variable_events`` (``"create"``,
        ``"update"``) narrow which variable changes re-evaluate it."""
        element = self._target()
        element.definition = (
            '<bpmn:conditionalEventDefinition><bpmn:condition xsi:type="bpmn:tFormalExpression">'
            f"{escape(condition)}</bpmn:condition></bpmn:conditionalEventDefinition>"
        )
        if variable_names is not None or variable_events is not None:
            element.extension_tail += (
                "<zeebe:conditionVariable"
                + _attributes(variableNames=_csv(variable_names), variableEvents=_csv(variable_events))
                + "/>"
            )
        return self

    def non_interrupting(self) -> ProcessBuilder:
        """Make the current boundary event or event subprocess start event non-interrupting."""
        element = self._target()
        if element.tag == "boundaryEvent":
            element.attributes["cancelActivity"] = "false"
        elif element.tag == "startEvent":
            element.attributes["isInterrupting"] = "false"
        else:
            raise ValueError(f"{element.tag} {element.id!r} cannot be non-interrupting")
        return self

    # -- tasks -------------------------------------------------------------------------------------

    def task(
        self,
        element_id: str | None = None,
        *,
        inputs: Mapping[str, str] | None = None,
        outputs: Mapping[str, str] | None = None,
    ) -> ProcessBuilder:
        self.element("task", element_id)
        return self._mappings(inputs, outputs)

    def manual_task(self, element_id: str | None = None) -> ProcessBuilder:
        return self.element("manualTask", element_id)

    def service_task(
        self,
        element_id: str | None = None,
        *,
        job_type: str,
        retries: int | str | None = None,
        headers: Mapping[str, str] | None = None,
        inputs: Mapping[str, str] | None = None,
        outputs: Mapping[str, str] | None = None,
        condition: str | None = None,
        tag: str = "serviceTask",
    ) -> ProcessBuilder:
        """A job worker task; ``inputs``/``outputs`` map target -> source (``{"total": "=a + b"}``)."""
        retries_attribute = f" retries={quoteattr(str(retries))}" if retries is not None else ""
        extension = f"<zeebe:taskDefinition type={quoteattr(job_type)}{retries_attribute}/>"
        self.element(tag, element_id, extension=extension, condition=condition)
        self._mappings(inputs, outputs)
        return self.headers(headers) if headers else self

    def user_task(
        self,
        element_id: str | None = None,
        *,
        assignee: str | None = None,
        candidate_groups: str | Iterable[str] | None = None,
        candidate_users: str | Iterable[str] | None = None,
        form_key: str | None = None,
        form_id: str | None = None,
        due_date: str | None = None,
        follow_up_date: str | None = None,
        priority: int | str | None = None,
        job_worker: bool = False,
        inputs: Mapping[str, str] | None = None,
        outputs: Mapping[str, str] | None = None,
    ) -> ProcessBuilder:
        """A Camunda user task (``zeebe:userTask``); ``job_worker=True`` makes it the older kind
        that a job worker of type ``io.camunda.zeebe:userTask`` handles."""
        extension = "" if job_worker else "<zeebe:userTask/>"
        if form_key is not None or form_id is not None:
            extension += "<zeebe:formDefinition" + _attributes(formKey=form_key, formId=form_id) + "/>"
        if assignee is not None or candidate_groups is not None or candidate_users is not None:
            extension += (
                "<zeebe:assignmentDefinition"
                + _attributes(
                    assignee=assignee,
                    candidateGroups=_csv(candidate_groups),
                    candidateUsers=_csv(candidate_users),
                )
                + "/>"
            )
        if due_date is not None or follow_up_date is not None:
            extension += (
                "<zeebe:taskSchedule" + _attributes(dueDate=due_date, followUpDate=follow_up_date) + "/>"
            )
        if priority is not None:
            extension += f"<zeebe:priorityDefinition priority={quoteattr(str(priority))}/>"
        self.element("userTask", element_id, extension=extension)
        return self._mappings(inputs, outputs)

    def script_task(
        self,
        element_id: str | None = None,
        *,
        expression: str,
        result_variable: str,
        inputs: Mapping[str, str] | None = None,
        outputs: Mapping[str, str] | None = None,
    ) -> ProcessBuilder:
        """A FEEL script task: ``script_task("sum", expression="= a + b", result_variable="s")``."""
        extension = (
            f"<zeebe:script expression={quoteattr(expression)} resultVariable={quoteattr(result_variable)}/>"
        )
        self.element("scriptTask", element_id, extension=extension)
        return self._mappings(inputs, outputs)

    def business_rule_task(
        self,
        element_id: str | None = None,
        *,
        decision_id: str,
        result_variable: str,
        binding_type: str | None = None,
        version_tag: str | None = None,
    ) -> ProcessBuilder:
        """Evaluates the deployed DMN decision ``decision_id`` into ``result_variable``
        (``binding_type``: ``"latest"``, ``"deployment"`` or ``"versionTag"`` with ``version_tag``)."""
        extension = (
            f"<zeebe:calledDecision decisionId={quoteattr(decision_id)} "
            f"resultVariable={quoteattr(result_variable)}"
            + _attributes(bindingType=binding_type, versionTag=version_tag)
            + "/>"
        )
        return self.element("businessRuleTask", element_id, extension=extension)

    def receive_task(
        self, element_id: str | None = None, *, message: str, correlation_key: str
    ) -> ProcessBuilder:
        """Waits for the message ``message`` correlated by ``correlation_key`` (an expression)."""
        self.element("receiveTask", element_id)
        return self.message(message, correlation_key)

    def call_activity(
        self,
        element_id: str | None = None,
        *,
        called_process_id: str,
        propagate_all_child_variables: bool | None = None,
        propagate_all_parent_variables: bool | None = None,
        binding_type: str | None = None,
        version_tag: str | None = None,
        inputs: Mapping[str, str] | None = None,
        outputs: Mapping[str, str] | None = None,
    ) -> ProcessBuilder:
        """Starts an instance of ``called_process_id`` (or an expression) and waits for it.

        By default the child sees all the parent's variables and the parent gets all the child's
        back; ``propagate_all_child_variables=False`` keeps only the ``outputs``."""
        extension = (
            f"<zeebe:calledElement processId={quoteattr(called_process_id)}"
            + _attributes(
                propagateAllChildVariables=_bool(propagate_all_child_variables),
                propagateAllParentVariables=_bool(propagate_all_parent_variables),
                bindingType=binding_type,
                versionTag=version_tag,
            )
            + "/>"
        )
        self.element("callActivity", element_id, extension=extension)
        return self._mappings(inputs, outputs)

    # -- gateways ----------------------------------------------------------------------------------

    def exclusive_gateway(
        self, element_id: str | None = None, condition: str | None = None
    ) -> ProcessBuilder:
        return self.element("exclusiveGateway", element_id, condition=condition)

    def parallel_gateway(self, element_id: str | None = None) -> ProcessBuilder:
        return self.element("parallelGateway", element_id)

    def inclusive_gateway(self, element_id: str | None = None) -> ProcessBuilder:
        return self.element("inclusiveGateway", element_id)

    def event_based_gateway(self, element_id: str | None = None) -> ProcessBuilder:
        """Followed by intermediate catch events; the first one that happens wins."""
        return self.element("eventBasedGateway", element_id)

    # -- subprocesses ------------------------------------------------------------------------------

    def sub_process(
        self,
        element_id: str | None = None,
        *,
        content: ProcessBuilder | None = None,
        inputs: Mapping[str, str] | None = None,
        outputs: Mapping[str, str] | None = None,
    ) -> ProcessBuilder:
        """An embedded subprocess, connected from the current element. Without ``content`` what is
        added until ``end_sub_process()`` goes inside it (start with ``start_event("...")``); with
        ``content`` (a builder whose elements become the children) it is closed at once."""
        self.element("subProcess", element_id)
        container = self._require_current()
        self._mappings(inputs, outputs)
        self._scopes.append(_OpenScope(container, container))
        if content is not None:
            self._adopt(content)
            self.end_sub_process()
        return self

    def event_sub_process(
        self, element_id: str | None = None, *, content: ProcessBuilder | None = None
    ) -> ProcessBuilder:
        """An event subprocess (not connected); its start event says what triggers it
        (``.start_event("s").message(...)`` / ``.timer_...`` / ``.error(...)`` / ``.escalation(...)``
        / ``.signal(...)``, ``interrupting=False`` or ``.non_interrupting()``). After
        ``end_sub_process()`` the builder continues from where it was before."""
        before = self._current
        self.element("subProcess", element_id, connect=False, triggeredByEvent="true")
        self._scopes.append(_OpenScope(self._require_current(), before))
        if content is not None:
            self._adopt(content)
            self.end_sub_process()
        return self

    def end_sub_process(self) -> ProcessBuilder:
        """Close the innermost open (event) subprocess."""
        if not self._scopes:
            raise ValueError("no subprocess is open")
        scope = self._scopes.pop()
        self._current = scope.restore
        return self

    end_event_sub_process = end_sub_process

    def ad_hoc_sub_process(
        self,
        element_id: str | None = None,
        *,
        active_elements_collection: str | None = None,
        completion_condition: str | None = None,
        cancel_remaining_instances: bool | None = None,
        output_collection: str | None = None,
        output_element: str | None = None,
        job_type: str | None = None,
        retries: int | str | None = None,
        content: ProcessBuilder | None = None,
        inputs: Mapping[str, str] | None = None,
        outputs: Mapping[str, str] | None = None,
    ) -> ProcessBuilder:
        """An ad-hoc subprocess, connected from the current element: its inner elements (added
        until ``end_sub_process()``, unconnected unless you chain them; ``move_to`` the
        subprocess's id to add another unconnected one) run when activated by name —
        ``active_elements_collection`` (an expression) at the start, or, with ``job_type``, a job
        worker deciding (Camunda 8.8's AI-agent pattern)."""
        self.element("adHocSubProcess", element_id)
        element = self._target()
        if cancel_remaining_instances is not None:
            element.attributes["cancelRemainingInstances"] = _bool(cancel_remaining_instances) or ""
        settings = _attributes(
            activeElementsCollection=active_elements_collection,
            outputCollection=output_collection,
            outputElement=output_element,
        )
        if settings:
            element.extension_tail += f"<zeebe:adHoc{settings}/>"
        if job_type is not None:
            retries_attribute = f" retries={quoteattr(str(retries))}" if retries is not None else ""
            element.extension_tail += f"<zeebe:taskDefinition type={quoteattr(job_type)}{retries_attribute}/>"
        if completion_condition is not None:
            element.after_children = (
                '<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">'
                f"{escape(completion_condition)}</bpmn:completionCondition>"
            )
        self._mappings(inputs, outputs)
        self._scopes.append(_OpenScope(element.id, element.id))
        if content is not None:
            self._adopt(content)
            self.end_sub_process()
        return self

    # -- activity modifiers ------------------------------------------------------------------------

    def multi_instance(
        self,
        input_collection: str,
        input_element: str | None = None,
        *,
        sequential: bool = False,
        output_collection: str | None = None,
        output_element: str | None = None,
        completion_condition: str | None = None,
    ) -> ProcessBuilder:
        """Run the current activity once per item of ``input_collection`` (an expression), in
        parallel or ``sequential``; ``output_element`` of each goes into ``output_collection``."""
        element = self._target()
        condition = ""
        if completion_condition is not None:
            condition = (
                '<bpmn:completionCondition xsi:type="bpmn:tFormalExpression">'
                f"{escape(completion_condition)}</bpmn:completionCondition>"
            )
        element.loop = (
            f'<bpmn:multiInstanceLoopCharacteristics isSequential="{_bool(sequential)}">'
            "<bpmn:extensionElements><zeebe:loopCharacteristics"
            + _attributes(
                inputCollection=input_collection,
                inputElement=input_element,
                outputCollection=output_collection,
                outputElement=output_element,
            )
            + f"/></bpmn:extensionElements>{condition}</bpmn:multiInstanceLoopCharacteristics>"
        )
        return self

    def inputs(self, mappings: Mapping[str, str]) -> ProcessBuilder:
        """Input mappings of the current element, target -> source (``{"x": "= order.total"}``)."""
        self._target().inputs.update(mappings)
        return self

    def outputs(self, mappings: Mapping[str, str]) -> ProcessBuilder:
        """Output mappings of the current element, target -> source."""
        self._target().outputs.update(mappings)
        return self

    def headers(self, headers: Mapping[str, str]) -> ProcessBuilder:
        """Task headers of the current (job worker) element."""
        self._target().headers.update(headers)
        return self

    def execution_listener(
        self, event_type: str, job_type: str, *, retries: int | str | None = None
    ) -> ProcessBuilder:
        """An execution listener of the current element: a job of ``job_type`` that runs at its
        ``"start"`` or ``"end"`` before the element goes on. Several run in the order added."""
        self._target().execution_listeners.append(
            _listener("executionListener", event_type, job_type, retries)
        )
        return self

    def version_tag(self, tag: str) -> ProcessBuilder:
        """The process's ``zeebe:versionTag`` (what a call activity bound by ``versionTag`` finds)."""
        self._version_tag = tag
        return self

    def process_execution_listener(
        self, event_type: str, job_type: str, *, retries: int | str | None = None
    ) -> ProcessBuilder:
        """An execution listener of the process itself (at its ``"start"`` or ``"end"``)."""
        self._process_listeners.append(_listener("executionListener", event_type, job_type, retries))
        return self

    def task_listener(
        self, event_type: str, job_type: str, *, retries: int | str | None = None
    ) -> ProcessBuilder:
        """A task listener of the current user task: a job of ``job_type`` that holds the task's
        ``"creating"``, ``"assigning"``, ``"updating"``, ``"completing"`` or ``"canceling"``
        transition until it is done. Several run in the order added."""
        element = self._target()
        if element.tag != "userTask":
            raise ValueError(f"task listeners belong to user tasks, not {element.tag} {element.id!r}")
        element.task_listeners.append(_listener("taskListener", event_type, job_type, retries))
        return self

    def documentation(self, text: str) -> ProcessBuilder:
        """The ``bpmn:documentation`` of the current element."""
        self._target().documentation = text
        return self

    def properties(self, properties: Mapping[str, str]) -> ProcessBuilder:
        """``zeebe:properties`` of the current element (name -> value)."""
        self._target().properties.update(properties)
        return self

    def named(self, name: str) -> ProcessBuilder:
        """The ``name`` of the current element."""
        self._target().attributes["name"] = name
        return self

    def extension_elements(self, xml: str) -> ProcessBuilder:
        """Raw ``zeebe:`` XML added to the current element's extension elements."""
        self._target().extension_tail += xml
        return self

    # -- output ------------------------------------------------------------------------------------

    def to_xml(self) -> str:
        if self._scopes:
            raise ValueError(f"subprocess {self._scopes[-1].container!r} is not closed (end_sub_process)")
        incoming: dict[str, list[str]] = {}
        outgoing: dict[str, list[str]] = {}
        for flow in self._flows:
            outgoing.setdefault(flow.source, []).append(flow.id)
            incoming.setdefault(flow.target, []).append(flow.id)
        parts = [_HEADER, *self._root, *(f"{xml}\n" for _, xml in self._declared.values())]
        name = f" name={quoteattr(self._name)}" if self._name else ""
        parts.append(f'<bpmn:process id={quoteattr(self.process_id)}{name} isExecutable="true">')
        process_extension = _wrap("executionListeners", self._process_listeners)
        if self._version_tag is not None:
            process_extension += f"<zeebe:versionTag value={quoteattr(self._version_tag)}/>"
        if process_extension:
            parts.append(f"<bpmn:extensionElements>{process_extension}</bpmn:extensionElements>")
        parts.append("\n")
        self._render_scope(None, "  ", incoming, outgoing, parts)
        parts.append("</bpmn:process>\n</bpmn:definitions>\n")
        return "".join(parts)

    def done(self) -> ProcessBuilder:
        return self

    # -- internals ---------------------------------------------------------------------------------

    def _render_scope(
        self,
        scope: str | None,
        indent: str,
        incoming: Mapping[str, list[str]],
        outgoing: Mapping[str, list[str]],
        parts: list[str],
    ) -> None:
        for element in self._elements:
            if element.scope != scope:
                continue
            attributes = "".join(f" {k}={quoteattr(v)}" for k, v in element.attributes.items())
            if element.id in self._defaults:
                attributes += f" default={quoteattr(self._defaults[element.id])}"
            extension = (
                element.extension
                + io_mapping(element.inputs, element.outputs)
                + _task_headers(element.headers)
                + element.extension_tail
                + _wrap("executionListeners", element.execution_listeners)
                + _wrap("taskListeners", element.task_listeners)
                + _properties(element.properties)
            )
            inner = (
                f"<bpmn:documentation>{escape(element.documentation)}</bpmn:documentation>"
                if element.documentation
                else ""
            )
            inner += f"<bpmn:extensionElements>{extension}</bpmn:extensionElements>" if extension else ""
            inner += "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming.get(element.id, ()))
            inner += "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(element.id, ()))
            inner += element.body + element.loop + element.definition
            children: list[str] = []
            self._render_scope(element.id, indent + "  ", incoming, outgoing, children)
            if children:
                inner += "\n" + "".join(children) + indent
            inner += element.after_children
            parts.append(
                f"{indent}<bpmn:{element.tag} id={quoteattr(element.id)}{attributes}>{inner}"
                f"</bpmn:{element.tag}>\n"
            )
        for flow in self._flows:
            if flow.scope != scope:
                continue
            condition = ""
            if flow.condition is not None:
                condition = (
                    f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                    f"{escape(flow.condition)}</bpmn:conditionExpression>"
                )
            parts.append(
                f"{indent}<bpmn:sequenceFlow id={quoteattr(flow.id)} sourceRef={quoteattr(flow.source)} "
                f"targetRef={quoteattr(flow.target)}>{condition}</bpmn:sequenceFlow>\n"
            )

    @property
    def _scope(self) -> str | None:
        return self._scopes[-1].container if self._scopes else None

    def _require_current(self) -> str:
        if self._current is None:
            raise ValueError("no current element: add one first (or move_to one)")
        return self._current

    def _target(self) -> _Element:
        element = self._by_id.get(self._require_current())
        if element is None:
            raise ValueError(f"the current element {self._current!r} was not added by this builder")
        return element

    def _mappings(
        self, inputs: Mapping[str, str] | None, outputs: Mapping[str, str] | None
    ) -> ProcessBuilder:
        if inputs:
            self.inputs(inputs)
        if outputs:
            self.outputs(outputs)
        return self

    def _timer(self, kind: str, value: str) -> ProcessBuilder:
        self._target().definition = (
            f'<bpmn:timerEventDefinition><bpmn:{kind} xsi:type="bpmn:tFormalExpression">'
            f"{escape(value)}</bpmn:{kind}></bpmn:timerEventDefinition>"
        )
        return self

    def _declare_message(self, name: str, correlation_key: str | None) -> str:
        subscription = (
            "<bpmn:extensionElements>"
            f"<zeebe:subscription correlationKey={quoteattr(correlation_key)}/>"
            "</bpmn:extensionElements>"
            if correlation_key is not None
            else ""
        )
        return self._declare(
            "message",
            (name, correlation_key or ""),
            f"<bpmn:message id=%s name={quoteattr(name)}>{subscription}</bpmn:message>",
            name,
        )

    def _declare(self, kind: str, key: tuple[str, ...], template: str, label: str) -> str:
        """The id of the root element ``kind`` for ``key``, declaring it on first use."""
        found = self._declared.get((kind, *key))
        if found is not None:
            return found[0]
        taken = {declared_id for declared_id, _ in self._declared.values()} | set(self._by_id)
        base = f"{kind}_{_NOT_NCNAME.sub('_', label)}"
        root_id, suffix = base, 1
        while root_id in taken:
            suffix += 1
            root_id = f"{base}_{suffix}"
        self._declared[(kind, *key)] = (root_id, template.replace("%s", quoteattr(root_id), 1))
        return root_id

    def _adopt(self, content: ProcessBuilder) -> None:
        """Move the elements and flows of ``content`` into the open subprocess."""
        if content._scopes:
            raise ValueError("the content builder has an open subprocess")
        container = self._require_current()
        for element in content._elements:
            if element.id in self._by_id:
                raise ValueError(f"an element with id {element.id!r} was already added")
            adopted = _Element(**{**element.__dict__, "scope": element.scope or container})
            self._elements.append(adopted)
            self._by_id[adopted.id] = adopted
        for flow in content._flows:
            self._flows.append(_Flow(**{**flow.__dict__, "scope": flow.scope or container}))
        self._defaults.update(content._defaults)
        self._root.extend(content._root)
        for key, (root_id, xml) in content._declared.items():
            mine = self._declared.get(key)
            if mine is None:
                if any(root_id == existing for existing, _ in self._declared.values()):
                    raise ValueError(f"root element id {root_id!r} is declared twice for different things")
                self._declared[key] = (root_id, xml)
            elif mine[0] != root_id:
                raise ValueError(f"{key[0]} {key[1]!r} has different ids in the two builders")

    def _next_id(self, tag: str) -> str:
        self._counter += 1
        return f"{tag}_{self._counter}"


def _attributes(**attributes: str | None) -> str:
    return "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items() if value is not None)


def _csv(value: str | Iterable[str] | None) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return ",".join(value)


def _bool(value: bool | None) -> str | None:
    return None if value is None else str(value).lower()


def _listener(tag: str, event_type: str, job_type: str, retries: int | str | None) -> str:
    return (
        f"<zeebe:{tag} eventType={quoteattr(event_type)} type={quoteattr(job_type)}"
        + _attributes(retries=None if retries is None else str(retries))
        + "/>"
    )


def _wrap(tag: str, items: list[str]) -> str:
    return f"<zeebe:{tag}>{''.join(items)}</zeebe:{tag}>" if items else ""


def _properties(properties: Mapping[str, str]) -> str:
    if not properties:
        return ""
    return (
        "<zeebe:properties>"
        + "".join(
            f"<zeebe:property name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in properties.items()
        )
        + "</zeebe:properties>"
    )


def _task_headers(headers: Mapping[str, str]) -> str:
    if not headers:
        return ""
    return (
        "<zeebe:taskHeaders>"
        + "".join(f"<zeebe:header key={quoteattr(k)} value={quoteattr(v)}/>" for k, v in headers.items())
        + "</zeebe:taskHeaders>"
    )


def io_mapping(inputs: Mapping[str, str] | None = None, outputs: Mapping[str, str] | None = None) -> str:
    """``<zeebe:ioMapping>`` XML; each mapping is target -> source."""
    if not inputs and not outputs:
        return ""
    xml = "<zeebe:ioMapping>"
    xml += "".join(
        f"<zeebe:input source={quoteattr(s)} target={quoteattr(t)}/>" for t, s in (inputs or {}).items()
    )
    xml += "".join(
        f"<zeebe:output source={quoteattr(s)} target={quoteattr(t)}/>" for t, s in (outputs or {}).items()
    )
    return xml + "</zeebe:ioMapping>"


def process(process_id: str, name: str | None = None) -> ProcessBuilder:
    return ProcessBuilder(process_id, name)
