"""The element context: everything a BPMN element processor needs about one element instance."""

from __future__ import annotations

import msgspec

from strom.engine.state.process import DeployedProcess
from strom.model import FlowNode
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.values.process_instance import ProcessInstanceRecordValue


class ElementContext:
    """One element instance being processed: its key, its record value, its model element."""

    __slots__ = ("element", "key", "process", "value")

    def __init__(
        self, key: int, value: ProcessInstanceRecordValue, element: FlowNode, process: DeployedProcess
    ) -> None:
        self.key = key
        self.value = value
        self.element = element
        self.process = process

    @property
    def element_id(self) -> str:
        return self.value.element_id

    @property
    def flow_scope_key(self) -> int:
        return self.value.flow_scope_key

    @property
    def process_instance_key(self) -> int:
        return self.value.process_instance_key

    @property
    def process_definition_key(self) -> int:
        return self.value.process_definition_key

    @property
    def is_multi_instance_inner(self) -> bool:
        """An instance of a multi-instance activity inside its body (not the body itself)."""
        return (
            self.element.multi_instance is not None
            and self.value.bpmn_element_type is not BpmnElementType.MULTI_INSTANCE_BODY
        )

    def child(
        self, key: int, element: FlowNode, flow_scope_key: int | None = None, *, inner: bool = False
    ) -> ElementContext:
        """The context of a new instance of ``element`` inside this one (or the given flow scope).

        A multi-instance activity is entered as its ``MULTI_INSTANCE_BODY``; ``inner`` asks for
        an instance of the activity itself (the body creates those).
        """
        element_type = element.element_type
        if element.multi_instance is not None and not inner:
            element_type = BpmnElementType.MULTI_INSTANCE_BODY
        value = msgspec.structs.replace(
            self.value,
            element_id=element.id,
            bpmn_element_type=element_type,
            bpmn_event_type=element.event_type,
            flow_scope_key=self.key if flow_scope_key is None else flow_scope_key,
        )
        return ElementContext(key, value, element, self.process)

    def __repr__(self) -> str:
        return f"<ElementContext {self.value.bpmn_element_type} '{self.element_id}' key={self.key}>"
