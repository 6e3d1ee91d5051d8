"""What the read model needs from a deployed BPMN resource: names and the start form.

Records carry element ids only; Operate-style views show names, so the exporter reads them once per
process definition from the resource on its PROCESS record (lxml, no model building: the search
layer must not depend on ``strom.model``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

_ZEEBE = "http://camunda.org/schema/zeebe/1.0"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


@dataclass(frozen=True)
class ProcessInfo:
    """A process definition as the exporter denormalises it into instance rows."""

    name: str | None = None
    version: int = -1
    version_tag: str | None = None
    start_form: str | None = None
    element_names: dict[str, str] = field(default_factory=dict)


def _local(tag: object) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def read_process(resource: bytes, bpmn_process_id: str) -> tuple[str | None, str | None, dict[str, str]]:
    """(process name, start form key or id, {element id: name}) of one process of a BPMN file.

    An unreadable resource yields no names rather than an error: the engine accepted it, and a
    missing name must never stop the exporter.
    """
    try:
        root = etree.fromstring(resource, _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None, None, {}
    process = None
    for element in root.iter():
        if _local(element.tag) == "process" and element.get("id") == bpmn_process_id:
            process = element
            break
    if process is None:
        return None, None, {}
    names: dict[str, str] = {}
    for element in process.iter():
        element_id = element.get("id")
        name = element.get("name")
        if element_id and name:
            names[element_id] = name
    start_form = None
    for child in process:
        if _local(child.tag) != "startEvent":
            continue
        for form in child.iter(f"{{{_ZEEBE}}}formDefinition"):
            start_form = form.get("formKey") or form.get("formId") or form.get("externalReference")
            if start_form:
                break
    return process.get("name"), start_form, names
