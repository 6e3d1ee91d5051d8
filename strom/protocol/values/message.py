"""MESSAGE and its subscription, correlation and batch values.

A message lives on the partition its correlation key hashes to; a process instance waits for it
through a MESSAGE_SUBSCRIPTION on that partition and a PROCESS_MESSAGE_SUBSCRIPTION on its own,
which is why both exist and mirror each other.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID


class MessageRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A published message; ``time_to_live`` is in milliseconds, ``deadline`` in epoch ms (-1 unset).

    A non-empty ``message_id`` makes the message unique among live messages of the same name and
    correlation key.
    """

    name: str = ""
    correlation_key: str = ""
    message_id: str = ""
    time_to_live: int = -1
    deadline: int = -1
    variables: dict[str, Any] = {}
    tenant_id: str = DEFAULT_TENANT_ID


class MessageSubscriptionRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """A catch event waiting for a message, as the message's partition knows it."""

    process_instance_key: int = -1
    element_instance_key: int = -1
    process_definition_key: int = -1
    bpmn_process_id: str = ""
    message_name: str = ""
    correlation_key: str = ""
    message_key: int = -1
    interrupting: bool = True
    variables: dict[str, Any] = {}
    tenant_id: str = DEFAULT_TENANT_ID


class ProcessMessageSubscriptionRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """A catch event waiting for a message, as the process instance's partition knows it."""

    process_instance_key: int = -1
    element_instance_key: int = -1
    process_definition_key: int = -1
    bpmn_process_id: str = ""
    message_key: int = -1
    message_name: str = ""
    correlation_key: str = ""
    element_id: str = ""
    interrupting: bool = True
    variables: dict[str, Any] = {}
    tenant_id: str = DEFAULT_TENANT_ID


class MessageStartEventSubscriptionRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """A message start event of the latest process version; the correlation fields are set on
    CORRELATED only."""

    process_definition_key: int = -1
    bpmn_process_id: str = ""
    start_event_id: str = ""
    message_name: str = ""
    process_instance_key: int = -1
    correlation_key: str = ""
    message_key: int = -1
    variables: dict[str, Any] = {}
    tenant_id: str = DEFAULT_TENANT_ID


class MessageCorrelationRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """A correlate-message request that answers with the instance it reached.

    The request ids of the original command travel in the value because the answer is written while
    processing a later command on the message's partition.
    """

    name: str = ""
    correlation_key: str = ""
    message_key: int = -1
    request_id: int = -1
    request_stream_id: int = -1
    process_instance_key: int = -1
    variables: dict[str, Any] = {}
    tenant_id: str = DEFAULT_TENANT_ID


class MessageBatchRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """Messages to expire in one command, so TTL clean-up costs one record per batch."""

    message_keys: list[int] = []
