"""Loading DMN resources: the shared safe loader (``strom.safe_xml``: no network, no DTD, no
entities, a size limit), then the root a DMN document of a version this package reads must have."""

from __future__ import annotations

from lxml import etree

from strom.safe_xml import UnsafeXmlError
from strom.safe_xml import load_document as load_safely

from .errors import DmnValidationError, Problem

__all__ = ["DEFAULT_MAX_SIZE", "DMN_NAMESPACES", "load_document"]

DEFAULT_MAX_SIZE = 10 * 1024 * 1024
"""Default upper bound for a DMN resource in bytes (10 MiB)."""

DMN_NAMESPACES: dict[str, str] = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "1.3",
    "https://www.omg.org/spec/DMN/20211108/MODEL/": "1.4",
    "https://www.omg.org/spec/DMN/20230324/MODEL/": "1.5",
}
"""Model namespace -> DMN version, for every version this package reads."""


def load_document(data: bytes, resource_name: str, max_size: int = DEFAULT_MAX_SIZE) -> etree._Element:
    """Parse ``data`` into the root ``definitions`` element, or raise ``DmnValidationError``."""
    try:
        root = load_safely(data, resource_name, max_size, "DMN", "DMN XML")
    except UnsafeXmlError as error:
        raise DmnValidationError([error.problem]) from None
    found = etree.QName(root)
    if found.localname != "definitions" or found.namespace not in DMN_NAMESPACES:
        known = ", ".join(f"'{ns}' (DMN {v})" for ns, v in DMN_NAMESPACES.items())
        message = (
            f"Expected a DMN 'definitions' root element in one of the namespaces {known}, "
            f"found '{found.localname}' in namespace '{found.namespace or ''}'"
        )
        raise DmnValidationError([Problem(resource_name, root.sourceline or 0, "", message)])
    return root
