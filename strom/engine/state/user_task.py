"""User tasks (Camunda user tasks, ``zeebe:userTask``): the record and its lifecycle state.

The lifecycle follows Zeebe's ``UserTaskState.LifecycleState``: a task is CREATING until it is
CREATED, and passes through ASSIGNING / CLAIMING / UPDATING / COMPLETING / CANCELING while a
command on it is under way. Variables of a completion are not kept.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack_long
from strom.engine.state import column_families as cf
from strom.protocol.values.user_task import UserTaskRecordValue

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(UserTaskRecordValue).decode


class LifecycleState(IntEnum):
    """Zeebe's names, used in rejection reasons."""

    NOT_FOUND = 0
    CREATING = 1
    CREATED = 2
    COMPLETING = 3
    CANCELING = 4
    ASSIGNING = 5
    CLAIMING = 6
    UPDATING = 7


class UserTaskState(Protocol):
    def get(self, key: int) -> UserTaskRecordValue | None: ...
    def lifecycle(self, key: int) -> LifecycleState: ...


class MutableUserTaskState(UserTaskState, Protocol):
    def put(self, key: int, task: UserTaskRecordValue, lifecycle: LifecycleState) -> None: ...
    def remove(self, key: int) -> None: ...


class DbUserTaskState:
    def __init__(self, db: Database) -> None:
        self._tasks = db.column_family(cf.USER_TASKS)
        self._states = db.column_family(cf.USER_TASK_STATES)

    def get(self, key: int) -> UserTaskRecordValue | None:
        raw = self._tasks.get(pack_long(key))
        return None if raw is None else _decode(raw)

    def lifecycle(self, key: int) -> LifecycleState:
        raw = self._states.get(pack_long(key))
        return LifecycleState.NOT_FOUND if raw is None else LifecycleState(raw[0])

    def put(self, key: int, task: UserTaskRecordValue, lifecycle: LifecycleState) -> None:
        self._tasks.put(pack_long(key), _encode(task))
        self._states.put(pack_long(key), bytes((lifecycle,)))

    def remove(self, key: int) -> None:
        self._tasks.delete(pack_long(key))
        self._states.delete(pack_long(key))
