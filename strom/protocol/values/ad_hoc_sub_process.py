"""AD_HOC_SUB_PROCESS_INSTRUCTION values: what to do with a running ad-hoc sub-process."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID


class AdHocSubProcessActivateElementInstructionValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """An element of the ad-hoc sub-process to activate, with the variables its inner instance gets."""

    element_id: str = ""
    variables: dict[str, Any] = {}


class AdHocSubProcessInstructionRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """ACTIVATE: start ``activate_elements``, each in a new inner instance. COMPLETE: the
    completion condition is fulfilled (``completion_condition_fulfilled``); the sub-process
    completes once nothing runs in it, terminating what runs first when
    ``cancel_remaining_instances``. Written by a job worker's result or a client's request."""

    ad_hoc_sub_process_instance_key: int = -1
    activate_elements: list[AdHocSubProcessActivateElementInstructionValue] = []
    cancel_remaining_instances: bool = False
    tenant_id: str = DEFAULT_TENANT_ID
    completion_condition_fulfilled: bool = False
