"""USER_TASK values (Camunda user tasks, not job-based ones)."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID


class UserTaskRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A user task and its attributes.

    ``due_date`` and ``follow_up_date`` are ISO 8601 texts as the model or API gave them.
    ``changed_attributes`` names the attributes an UPDATE/ASSIGN/CORRECTED record changed, and
    ``action`` is the caller's label for the transition (``"complete"``, ``"assign"``, custom …).
    A form is either deployed (``form_key``) or external (``external_form_reference``).
    ``creation_timestamp`` is epoch ms. ``denied_reason`` is a task listener's reason for denying
    a transition (DENY_TASK_LISTENER and the *_DENIED events).
    """

    user_task_key: int = -1
    assignee: str = ""
    candidate_groups_list: list[str] = []
    candidate_users_list: list[str] = []
    due_date: str = ""
    follow_up_date: str = ""
    form_key: int = -1
    changed_attributes: list[str] = []
    action: str = ""
    external_form_reference: str = ""
    custom_headers: dict[str, str] = {}
    creation_timestamp: int = -1
    element_id: str = ""
    element_instance_key: int = -1
    bpmn_process_id: str = ""
    process_definition_version: int = -1
    process_definition_key: int = -1
    process_instance_key: int = -1
    priority: int = 50
    variables: dict[str, Any] = {}
    tenant_id: str = DEFAULT_TENANT_ID
    denied_reason: str = ""
