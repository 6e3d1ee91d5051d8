"""TIMER values."""

from __future__ import annotations

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID


class TimerRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A timer that triggers ``target_element_id`` at ``due_date`` (epoch ms).

    ``repetitions`` counts the remaining cycles (-1 forever). ``target_element_id`` is the event
    that handles the trigger, e.g. the boundary event rather than the task it is attached to.
    Start event timers have no element or process instance (-1).
    """

    element_instance_key: int = -1
    process_instance_key: int = -1
    due_date: int = -1
    target_element_id: str = ""
    repetitions: int = -1
    process_definition_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID
