"""``parse_bpmn``: bytes of a BPMN resource in, executable model (or all its problems) out."""

from __future__ import annotations

from strom.model._xml import DEFAULT_MAX_SIZE, load_document
from strom.model.compiler import compile_definitions
from strom.model.elements import BpmnDefinitions
from strom.model.errors import BpmnValidationError, Problem
from strom.model.reader import read
from strom.model.validation import validate


def parse_bpmn(
    data: bytes, *, resource_name: str = "<resource>", max_size: int = DEFAULT_MAX_SIZE
) -> BpmnDefinitions:
    """Parse, validate and compile a BPMN resource.

    Raises ``BpmnValidationError`` listing every problem of the resource when Zeebe would reject
    it; any other failure to read it (size, well-formedness, DOCTYPE) is reported the same way.
    """
    document = read(load_document(data, resource_name, max_size))
    problems = validate(document, resource_name)
    if problems:
        raise BpmnValidationError(problems)
    return compile_definitions(document)


def check_bpmn(
    data: bytes, *, resource_name: str = "<resource>", max_size: int = DEFAULT_MAX_SIZE
) -> list[Problem]:
    """The problems of a BPMN resource; an empty list means it would deploy."""
    try:
        parse_bpmn(data, resource_name=resource_name, max_size=max_size)
    except BpmnValidationError as error:
        return list(error.problems)
    return []
