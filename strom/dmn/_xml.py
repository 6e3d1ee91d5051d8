"""Safe XML loading for DMN resources.

Deployed resources come from outside, so the parser never touches the network, never loads or
applies a DTD and never expands entities; a document declaring a DOCTYPE is refused (DMN never
needs one; it is how entity bombs and external-entity reads get in). A size limit bounds memory
and time before parsing starts, and libxml2's default depth limit bounds nesting (and with it the
recursion of the reader). ``strom.model`` has its own loader for BPMN; the package layering keeps
``dmn`` from importing ``model``, and the two checks differ only in the root they expect.
"""

from __future__ import annotations

from lxml import etree

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

_NO_DTD = "DOCTYPE declarations (and the entities they define) are not allowed in DMN resources"


class _RefuseExternal(etree.Resolver):
    """Every external resource a document names (a DTD's system id, an external entity) is answered
    with nothing, before anything is opened: the parser never reads a file or URL, wherever the
    DOCTYPE hides; the document is then refused for declaring a DOCTYPE."""

    def resolve(self, url: str, public_id: str, context: object) -> object:
        return self.resolve_string("", context)


def _parser() -> etree.XMLParser:
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_RefuseExternal())
    return parser


def _reject(resource_name: str, line: int, message: str) -> DmnValidationError:
    return DmnValidationError([Problem(resource_name, line, "", message)])


def load_document(data: bytes, resource_name: str, max_size: int = DEFAULT_MAX_SIZE) -> etree._Element:
    """Parse ``data`` into the root ``definitions`` element, or raise ``DmnValidationError``."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"expected the resource as bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_size:
        raise _reject(
            resource_name, 0, f"Resource is {len(data)} bytes, larger than the limit of {max_size} bytes"
        )
    if not data.strip():
        raise _reject(resource_name, 0, "Resource is empty; expected DMN XML")
    prolog = _prolog(data)
    if b"<!DOCTYPE" in prolog:
        raise _reject(resource_name, prolog.count(b"\n", 0, prolog.find(b"<!DOCTYPE")) + 1, _NO_DTD)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise _reject(resource_name, error.lineno or 0, f"Not well-formed XML: {error.msg}") from None
    except (etree.LxmlError, ValueError) as error:
        raise _reject(resource_name, 0, f"Not readable as XML: {error}") from None
    if root is None:
        raise _reject(resource_name, 0, "Resource holds no XML element")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _reject(resource_name, 1, _NO_DTD)
    found = etree.QName(root)
    if found.localname != "definitions" or found.namespace not in DMN_NAMESPACES:
        known = ", ".join(f"'{ns}' (DMN {v})" for ns, v in DMN_NAMESPACES.items())
        raise _reject(
            resource_name,
            root.sourceline or 0,
            f"Expected a DMN 'definitions' root element in one of the namespaces {known}, "
            f"found '{found.localname}' in namespace '{found.namespace or ''}'",
        )
    return root


def _prolog(data: bytes) -> bytes:
    """What comes before the root element, comments and processing instructions skipped whole (a
    ``<`` inside a comment is not the root), up to and including a DOCTYPE's ``<!DOCTYPE``."""
    position = 0
    while True:
        start = data.find(b"<", position)
        if start < 0:
            return data
        if data.startswith(b"<!--", start):
            end = data.find(b"-->", start + 4)
            position = end + 3 if end >= 0 else len(data)
        elif data.startswith(b"<?", start):
            end = data.find(b"?>", start + 2)
            position = end + 2 if end >= 0 else len(data)
        elif data.startswith(b"<!DOCTYPE", start):
            return data[: start + len(b"<!DOCTYPE")]
        else:
            return data[:start]
