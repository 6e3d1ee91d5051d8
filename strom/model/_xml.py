"""Loading BPMN resources: the shared safe loader (``strom.safe_xml``: no network, no DTD, no
entities, a size limit), then the root a BPMN 2.0 document must have."""

from __future__ import annotations

from lxml import etree

from strom.model.errors import BpmnValidationError, Problem
from strom.safe_xml import UnsafeXmlError
from strom.safe_xml import load_document as load_safely

DEFAULT_MAX_SIZE = 10 * 1024 * 1024
"""Default upper bound for a BPMN resource in bytes (10 MiB)."""

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def load_document(data: bytes, resource_name: str, max_size: int) -> etree._Element:
    """Parse ``data`` into the root ``bpmn:definitions`` element, or raise ``BpmnValidationError``."""
    try:
        root = load_safely(data, resource_name, max_size, "BPMN", "BPMN 2.0 XML")
    except UnsafeXmlError as error:
        raise BpmnValidationError([error.problem]) from None
    if root.tag != f"{{{BPMN_NS}}}definitions":
        found = etree.QName(root)
        message = (
            f"Expected a BPMN 2.0 'definitions' root element in namespace '{BPMN_NS}', "
            f"found '{found.localname}' in namespace '{found.namespace or ''}'"
        )
        raise BpmnValidationError([Problem(resource_name, root.sourceline or 0, "", message)])
    return root
