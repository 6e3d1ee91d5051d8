"""A small fluent builder of BPMN processes for tests.

    process("pay").start_event().service_task("charge", job_type="charge").end_event().to_xml()

Each element is connected to the one added before it; ``move_to(id)`` continues from another
element and ``connect(source, target, condition=...)`` adds a flow explicitly, which is enough for
branches and joins. ``extension`` takes raw ``zeebe:`` XML for anything the shortcuts do not cover.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

_HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'id="definitions" targetNamespace="http://strom.test/bpmn">\n'
)


@dataclass
class _Element:
    tag: str
    id: str
    attributes: dict[str, str] = field(default_factory=dict)
    extension: str = ""
    body: str = ""


@dataclass
class _Flow:
    id: str
    source: str
    target: str
    condition: str | None = None


class ProcessBuilder:
    def __init__(self, process_id: str, name: str | None = None) -> None:
        self.process_id = process_id
        self._name = name
        self._elements: list[_Element] = []
        self._flows: list[_Flow] = []
        self._defaults: dict[str, str] = {}
        self._root: list[str] = []
        self._current: str | None = None
        self._counter = 0

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
        """Add any flow node (``tag`` without prefix, e.g. ``"task"``), connected from the last one."""
        element_id = element_id or self._next_id(tag)
        self._elements.append(
            _Element(tag, element_id, {k: str(v) for k, v in attributes.items()}, extension, body)
        )
        if connect and self._current is not None:
            self.connect(self._current, element_id, condition=condition)
        self._current = element_id
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
        flow = _Flow(flow_id or f"flow_{source}_{target}", source, target, condition)
        self._flows.append(flow)
        if default:
            self._defaults[source] = flow.id
        return self

    def move_to(self, element_id: str) -> ProcessBuilder:
        """Continue building from ``element_id`` (to add another branch)."""
        self._current = element_id
        return self

    def root_element(self, xml: str) -> ProcessBuilder:
        """A definitions-level element (message, error, signal, escalation) as raw XML."""
        self._root.append(xml)
        return self

    # -- shortcuts ---------------------------------------------------------------------------------

    def start_event(
        self, element_id: str = "start", *, extension: str = "", body: str = ""
    ) -> ProcessBuilder:
        return self.element("startEvent", element_id, extension=extension, body=body, connect=False)

    def end_event(self, element_id: str | None = None, *, body: str = "") -> ProcessBuilder:
        return self.element("endEvent", element_id or self._next_id("end"), body=body)

    def task(
        self,
        element_id: str | None = None,
        *,
        inputs: Mapping[str, str] | None = None,
        outputs: Mapping[str, str] | None = None,
    ) -> ProcessBuilder:
        return self.element("task", element_id, extension=io_mapping(inputs, outputs))

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
        extension += io_mapping(inputs, outputs)
        if headers:
            extension += (
                "<zeebe:taskHeaders>"
                + "".join(
                    f"<zeebe:header key={quoteattr(k)} value={quoteattr(v)}/>" for k, v in headers.items()
                )
                + "</zeebe:taskHeaders>"
            )
        return self.element(tag, element_id, extension=extension, condition=condition)

    def exclusive_gateway(
        self, element_id: str | None = None, condition: str | None = None
    ) -> ProcessBuilder:
        return self.element("exclusiveGateway", element_id, condition=condition)

    def parallel_gateway(self, element_id: str | None = None) -> ProcessBuilder:
        return self.element("parallelGateway", element_id)

    def intermediate_throw_event(self, element_id: str | None = None) -> ProcessBuilder:
        return self.element("intermediateThrowEvent", element_id)

    # -- output ------------------------------------------------------------------------------------

    def to_xml(self) -> str:
        incoming: dict[str, list[str]] = {}
        outgoing: dict[str, list[str]] = {}
        for flow in self._flows:
            outgoing.setdefault(flow.source, []).append(flow.id)
            incoming.setdefault(flow.target, []).append(flow.id)
        parts = [_HEADER, *self._root]
        name = f" name={quoteattr(self._name)}" if self._name else ""
        parts.append(f'<bpmn:process id={quoteattr(self.process_id)}{name} isExecutable="true">\n')
        for element in self._elements:
            attributes = "".join(f" {k}={quoteattr(v)}" for k, v in element.attributes.items())
            if element.id in self._defaults:
                attributes += f" default={quoteattr(self._defaults[element.id])}"
            inner = (
                f"<bpmn:extensionElements>{element.extension}</bpmn:extensionElements>"
                if element.extension
                else ""
            )
            inner += "".join(f"<bpmn:incoming>{f}</bpmn:incoming>" for f in incoming.get(element.id, ()))
            inner += "".join(f"<bpmn:outgoing>{f}</bpmn:outgoing>" for f in outgoing.get(element.id, ()))
            inner += element.body
            parts.append(
                f"  <bpmn:{element.tag} id={quoteattr(element.id)}{attributes}>{inner}</bpmn:{element.tag}>\n"
            )
        for flow in self._flows:
            condition = ""
            if flow.condition is not None:
                condition = (
                    f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
                    f"{escape(flow.condition)}</bpmn:conditionExpression>"
                )
            parts.append(
                f"  <bpmn:sequenceFlow id={quoteattr(flow.id)} sourceRef={quoteattr(flow.source)} "
                f"targetRef={quoteattr(flow.target)}>{condition}</bpmn:sequenceFlow>\n"
            )
        parts.append("</bpmn:process>\n</bpmn:definitions>\n")
        return "".join(parts)

    def done(self) -> ProcessBuilder:
        return self

    def _next_id(self, tag: str) -> str:
        self._counter += 1
        return f"{tag}_{self._counter}"


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
