"""Safe XML loading: the one place deployed resource bytes meet an XML parser (BPMN and DMN).

Deployed resources come from outside, so the parser never touches the network, never loads or
applies a DTD and never expands entities; a document declaring a DOCTYPE is refused outright
(neither BPMN nor DMN needs one, and it is the vehicle of entity bombs and external-entity reads),
wherever it hides — after comments or processing instructions too. A size limit bounds memory and
time before parsing starts; libxml2's default depth limit (256) bounds nesting, which also bounds
the recursion of the readers above. ``strom.model`` and ``strom.dmn`` check the root element they
expect and wrap a ``Problem`` into their own validation errors.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

__all__ = ["Problem", "UnsafeXmlError", "load_document"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One reason a resource is rejected, located by line and the id of the element it concerns.

    ``line`` is 0 and ``element_id`` empty when the problem has no better location (e.g. the
    resource is too large to be read at all). ``str()`` gives the ``FILE:LINE: element-id: message``
    form of ``strom check``.
    """

    resource_name: str
    line: int
    element_id: str
    message: str

    def __str__(self) -> str:
        if self.element_id:
            return f"{self.resource_name}:{self.line}: {self.element_id}: {self.message}"
        return f"{self.resource_name}:{self.line}: {self.message}"


class UnsafeXmlError(Exception):
    """The bytes are not a document the loader reads: too large, empty, not well-formed, or
    declaring a DOCTYPE. ``problem`` says which, and where."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


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


def load_document(data: bytes, resource_name: str, max_size: int, kind: str, expected: str) -> etree._Element:
    """Parse ``data`` (a ``kind`` resource, "BPMN" or "DMN", that should hold ``expected``, e.g.
    "BPMN 2.0 XML") into its root element.

    Raises:
        UnsafeXmlError: larger than ``max_size`` bytes, empty, not well-formed, or with a DOCTYPE.
        TypeError: ``data`` is not bytes.
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(f"expected the resource as bytes, got {type(data).__name__}")
    size = memoryview(data).nbytes
    if size > max_size:
        raise _rejected(
            resource_name, 0, f"Resource is {size} bytes, larger than the limit of {max_size} bytes"
        )
    data = bytes(data)
    if not data.strip():
        raise _rejected(resource_name, 0, f"Resource is empty; expected {expected}")
    no_dtd = f"DOCTYPE declarations (and the entities they define) are not allowed in {kind} resources"
    prolog = _prolog(data)
    if b"<!DOCTYPE" in prolog:
        raise _rejected(resource_name, prolog.count(b"\n", 0, prolog.find(b"<!DOCTYPE")) + 1, no_dtd)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as error:
        raise _rejected(resource_name, error.lineno or 0, f"Not well-formed XML: {error.msg}") from None
    except (etree.LxmlError, ValueError) as error:
        raise _rejected(resource_name, 0, f"Not readable as XML: {error}") from None
    if root is None:
        raise _rejected(resource_name, 0, "Resource holds no XML element")
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _rejected(resource_name, 1, no_dtd)
    return root


def _rejected(resource_name: str, line: int, message: str) -> UnsafeXmlError:
    return UnsafeXmlError(Problem(resource_name, line, "", message))


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
