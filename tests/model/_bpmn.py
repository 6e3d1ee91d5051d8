"""Small builders for BPMN test documents, so each test shows only the elements it is about."""

from __future__ import annotations

from itertools import pairwise

from strom.model import BpmnDefinitions, Problem, check_bpmn, parse_bpmn

NAMESPACES = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
)


def definitions(*content: str) -> bytes:
    body = "\n".join(content)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions {NAMESPACES} id="defs" targetNamespace="http://example.com/test">\n'
        f"{body}\n</bpmn:definitions>\n"
    ).encode()


def process(*content: str, process_id: str = "p", executable: bool = True, extra: str = "") -> str:
    flag = "true" if executable else "false"
    body = "\n".join(content)
    return f'<bpmn:process id="{process_id}" isExecutable="{flag}"{extra}>\n{body}\n</bpmn:process>'


def document(*content: str) -> bytes:
    """One executable process ``p`` holding ``content``."""
    return definitions(process(*content))


def ext(*content: str) -> str:
    return "<bpmn:extensionElements>" + "".join(content) + "</bpmn:extensionElements>"


def start(element_id: str = "start", body: str = "") -> str:
    return f'<bpmn:startEvent id="{element_id}">{body}</bpmn:startEvent>'


def end(element_id: str = "end", body: str = "") -> str:
    return f'<bpmn:endEvent id="{element_id}">{body}</bpmn:endEvent>'


def service(element_id: str = "task", job_type: str = "work", body: str = "", attrs: str = "") -> str:
    definition = ext(f'<zeebe:taskDefinition type="{job_type}" />')
    return f'<bpmn:serviceTask id="{element_id}"{attrs}>{definition}{body}</bpmn:serviceTask>'


def flow(source: str, target: str, flow_id: str | None = None, condition: str | None = None) -> str:
    flow_id = flow_id or f"{source}-{target}"
    if condition is None:
        return f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}" />'
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}'
        "</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )


def chain(*ids: str) -> list[str]:
    """Sequence flows connecting ``ids`` in order."""
    return [flow(a, b) for a, b in pairwise(ids)]


def around(*elements: str, ids: tuple[str, ...] = ("task",)) -> bytes:
    """A process ``start -> ids... -> end`` with ``elements`` defining the ids in the middle."""
    return document(start(), *elements, end(), *chain("start", *ids, "end"))


def problems(data: bytes) -> list[Problem]:
    return check_bpmn(data, resource_name="test.bpmn")


def messages(data: bytes) -> list[tuple[str, str]]:
    """(element id, message) of every problem."""
    return [(p.element_id, p.message) for p in problems(data)]


def accepted(data: bytes) -> BpmnDefinitions:
    return parse_bpmn(data, resource_name="test.bpmn")


def rejected_with(data: bytes, element_id: str, fragment: str) -> None:
    """Assert a problem on ``element_id`` whose message contains ``fragment``."""
    found = messages(data)
    assert any(eid == element_id and fragment in message for eid, message in found), found
