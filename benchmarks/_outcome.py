"""What a fault campaign's log says about what its clients were told: lost, doubled, unfinished.

Shared by ``chaos.py`` (one broker SIGKILLed) and ``cluster_campaign.py`` (cluster brokers and NATS
servers SIGKILLed): both count the one-task instance creations and job completions their clients
got an answer for, then read every record of the log(s) back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import JobIntent, ProcessInstanceCreationIntent, ProcessInstanceIntent


@dataclass(frozen=True)
class Outcome:
    created_on_log: int
    """Distinct instances the log says were created."""
    lost: int
    """Acknowledged creations and completions that are not on the log."""
    doubled: int
    """Creations and completions on the log more than once."""
    unfinished: int
    """Instances created on the log that never completed."""


def outcome(records: Iterable[Any], created: set[int], completed: set[int]) -> Outcome:
    """Compare the acknowledged ``created`` instance keys and ``completed`` job keys with ``records``."""
    events = [r for r in records if r.record_type is RecordType.EVENT]
    created_on_log = [
        r.value.process_instance_key
        for r in events
        if r.value_type is ValueType.PROCESS_INSTANCE_CREATION
        and r.intent == ProcessInstanceCreationIntent.CREATED
    ]
    completed_on_log = [
        r.key for r in events if r.value_type is ValueType.JOB and r.intent == JobIntent.COMPLETED
    ]
    finished = {
        r.key
        for r in events
        if r.value_type is ValueType.PROCESS_INSTANCE
        and r.intent == ProcessInstanceIntent.ELEMENT_COMPLETED
        and r.value.bpmn_element_type is BpmnElementType.PROCESS
    }
    doubled = (len(created_on_log) - len(set(created_on_log))) + (
        len(completed_on_log) - len(set(completed_on_log))
    )
    lost = len(created - set(created_on_log)) + len(completed - set(completed_on_log))
    return Outcome(len(set(created_on_log)), lost, doubled, len(set(created_on_log) - finished))
