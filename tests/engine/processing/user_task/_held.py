"""USER_TASK commands whose answer comes later: task listeners hold ASSIGN, CLAIM, UPDATE and
COMPLETE, and the request is answered when the transition ends (as in Zeebe 8.8)."""

from __future__ import annotations

from typing import Any

from strom.protocol.enums import RecordType
from strom.protocol.record import Record
from strom.protocol.records import UserTaskRecord
from strom.protocol.values.user_task import UserTaskRecordValue
from strom.testing import TestEngine


def submit(engine: TestEngine, intent: int, key: int, **fields: Any) -> list[Record[Any]]:
    """Send the command without waiting for its answer; the list fills when it comes."""
    answers: list[Record[Any]] = []
    command = UserTaskRecord(
        key=key,
        record_type=RecordType.COMMAND,
        intent=intent,
        value=UserTaskRecordValue(**fields),
        authorizations=dict(engine.client.caller),
    )
    engine.partition.submit(command, answers.append)
    engine.run()
    return answers
