"""Safe XML loading: the one place resource bytes meet an XML parser.

Deployed resources come from outside, so the parser never touches the network, never loads or
applies a DTD and never expands entities; documents declaring a DOCTYPE are refused outright
(BPMN never needs one, and it is the vehicle of entity bombs and external-entity reads). A size
limit bounds memory and time before parsing starts; libxml2's default depth limit (256) bounds
nesting, which also bounds the recursion of the reader.
"""

from __future__ import annotations

from lxml import etree

from strom.model.errors import BpmnValidationError, Problem

DEFAULT_MAX_SIZE = 10 * 1024 * 1024
"""Default upper bound for a BPMN resource in bytes (10 MiB)."""

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"

_NO_DTD = "DOCTYPE declarations (and the entities they define) are not allowed in BPMN resources"


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


def _reject(resource_name: str, line: int, message: str) -> BpmnValidationError:
    return BpmnValidationError([Problem(resource_name, line, "", message)])


def load_document(data: bytes, resource_name: str, max_size: int) -> etree._Element:
    """Parse ``data`` into the root ``bpmn:definitions`` element, or raise ``BpmnValidationError``."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"expected the resource as bytes, got {type(data).__name__}")
    size = memoryview(data).nbytes
    if size > max_size:
        message = f"Resource is {size} bytes, larger than the limit of {max_size} bytes"
        raise _reject(resource_name, 0, message)
    data = bytes(data)
    if not data.strip():
        raise _reject(resource_name, 0, "Resource is empty; expected BPMN 2.0 XML")
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
    if root.tag != f"{{{BPMN_NS}}}definitions":
        found = etree.QName(root)
        raise _reject(
            resource_name,
            root.sourceline or 0,
            f"Expected a BPMN 2.0 'definitions' root element in namespace '{BPMN_NS}', "
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
