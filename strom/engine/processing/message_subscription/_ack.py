"""The PROCESS_MESSAGE_SUBSCRIPTION commands the message's partition answers with."""

from __future__ import annotations

from strom.protocol.values.message import (
    MessageSubscriptionRecordValue,
    ProcessMessageSubscriptionRecordValue,
)


def open_acknowledgement(record: MessageSubscriptionRecordValue) -> ProcessMessageSubscriptionRecordValue:
    return ProcessMessageSubscriptionRecordValue(
        process_instance_key=record.process_instance_key,
        element_instance_key=record.element_instance_key,
        process_definition_key=record.process_definition_key,
        bpmn_process_id=record.bpmn_process_id,
        message_name=record.message_name,
        correlation_key=record.correlation_key,
        interrupting=record.interrupting,
        tenant_id=record.tenant_id,
    )
