"""The stored form of an element instance, apart from the state class that keeps it.

A msgspec struct is configured by its class keywords (``array_like``, ``frozen``), which a module
compiled with mypyc would drop; so structs live in modules that stay interpreted (setup.py leaves out
every module that defines one) and the logic around them can be compiled.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.intents import ProcessInstanceIntent
from strom.protocol.values.process_instance import ProcessInstanceRecordValue

__all__ = [
    "COMPLETION_CONDITION_FULFILLED",
    "ElementInstance",
    "decode_element_instance",
    "encode_element_instance",
]

COMPLETION_CONDITION_FULFILLED = "completionConditionFulfilled"
"""The key in ``ElementInstance.extra`` marking an ad-hoc sub-process's completion condition fulfilled."""


class ElementInstance(msgspec.Struct, array_like=True, kw_only=True, frozen=True):
    """What the engine remembers of one element instance between commands.

    ``state`` is the last lifecycle event applied (an ``ProcessInstanceIntent`` event code).
    New fields go last, with defaults: the encoding is positional.
    """

    key: int
    state: int
    value: ProcessInstanceRecordValue
    parent_key: int = -1
    active_children: int = 0
    active_flows: int = 0
    job_key: int = -1
    multi_instance_loop_counter: int = 0
    interrupting_event_key: int = -1
    called_child_instance_key: int = -1
    user_task_key: int = -1
    activated_children: int = 0
    completed_children: int = 0
    terminated_children: int = 0
    extra: dict[str, Any] = {}
    execution_listener_index: int = 0
    """Execution listeners of the current phase (start or end) whose jobs completed."""

    @property
    def completion_condition_fulfilled(self) -> bool:
        """An ad-hoc sub-process whose completion condition a job worker said is fulfilled
        (AD_HOC_SUB_PROCESS_INSTRUCTION COMPLETED): it completes once nothing runs in it. Kept in
        ``extra`` (key ``COMPLETION_CONDITION_FULFILLED``), so instances without it are stored as
        before."""
        return bool(self.extra.get(COMPLETION_CONDITION_FULFILLED, False))

    @property
    def is_active(self) -> bool:
        return self.state == ProcessInstanceIntent.ELEMENT_ACTIVATED

    @property
    def is_terminating(self) -> bool:
        return self.state == ProcessInstanceIntent.ELEMENT_TERMINATING

    @property
    def is_completing(self) -> bool:
        return self.state == ProcessInstanceIntent.ELEMENT_COMPLETING

    @property
    def can_complete_scope(self) -> bool:
        """No child is active and no token is on its way to one."""
        return self.active_children == 0 and self.active_flows == 0


encode_element_instance = msgspec.msgpack.Encoder().encode
decode_element_instance = msgspec.msgpack.Decoder(ElementInstance).decode
