"""User tasks (Camunda user tasks, ``zeebe:userTask``): the record and its lifecycle state.

The lifecycle follows Zeebe's ``UserTaskState.LifecycleState``: a task is CREATING until it is
CREATED, and passes through ASSIGNING / CLAIMING / UPDATING / COMPLETING / CANCELING while a
command on it is under way. Variables of a completion are not kept.

While an assignment, claim or update waits for its task listeners, the task as it was before
is kept too (``before_transition``): a listener that denies the transition puts it back. The
request of a command its listeners hold (``held_request``) is answered when the transition ends.
An update started by variables set on the task's scope keeps that document
(``pending_variables``) until its updating listeners are done: it is written only then.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack_long
from strom.engine.state import column_families as cf
from strom.protocol.values.user_task import UserTaskRecordValue
from strom.protocol.values.variable import VariableDocumentRecordValue

_encode = msgspec.msgpack.Encoder().encode
_decode = msgspec.msgpack.Decoder(UserTaskRecordValue).decode


class HeldRequest(msgspec.Struct, array_like=True, frozen=True):
    """Whom to answer when the transition a command started ends: its request and intent."""

    request_stream_id: int
    request_id: int
    intent: int


_encode_request = msgspec.msgpack.Encoder().encode
_decode_request = msgspec.msgpack.Decoder(HeldRequest).decode


class PendingVariables(msgspec.Struct, array_like=True, frozen=True):
    """The VARIABLE_DOCUMENT UPDATING (its key and value) whose update of the task waits for the
    task's updating listeners: its variables are written, or dropped, when they are done."""

    document_key: int
    document: VariableDocumentRecordValue


_encode_pending = msgspec.msgpack.Encoder().encode
_decode_pending = msgspec.msgpack.Decoder(PendingVariables).decode


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
    def before_transition(self, key: int) -> UserTaskRecordValue | None: ...
    def held_request(self, key: int) -> HeldRequest | None: ...
    def pending_variables(self, key: int) -> PendingVariables | None: ...


class MutableUserTaskState(UserTaskState, Protocol):
    def put(self, key: int, task: UserTaskRecordValue, lifecycle: LifecycleState) -> None: ...
    def remove(self, key: int) -> None: ...
    def put_before_transition(self, key: int, task: UserTaskRecordValue) -> None: ...
    def remove_before_transition(self, key: int) -> None: ...
    def put_held_request(self, key: int, request: HeldRequest) -> None: ...
    def put_pending_variables(self, key: int, pending: PendingVariables) -> None: ...


class DbUserTaskState:
    def __init__(self, db: Database) -> None:
        self._tasks = db.column_family(cf.USER_TASKS)
        self._states = db.column_family(cf.USER_TASK_STATES)
        self._before = db.column_family(cf.USER_TASKS_BEFORE_TRANSITION)
        self._requests = db.column_family(cf.USER_TASK_REQUESTS)
        self._documents = db.column_family(cf.USER_TASK_VARIABLE_DOCUMENTS)

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
        self._before.delete(pack_long(key))
        self._requests.delete(pack_long(key))
        self._documents.delete(pack_long(key))

    def before_transition(self, key: int) -> UserTaskRecordValue | None:
        """The task as it was before the assignment / claim / update under way."""
        raw = self._before.get(pack_long(key))
        return None if raw is None else _decode(raw)

    def put_before_transition(self, key: int, task: UserTaskRecordValue) -> None:
        self._before.put(pack_long(key), _encode(task))

    def remove_before_transition(self, key: int) -> None:
        """The transition ended: the task before it, the request it held and the variables it
        was to write are dropped."""
        self._before.delete(pack_long(key))
        self._requests.delete(pack_long(key))
        self._documents.delete(pack_long(key))

    def held_request(self, key: int) -> HeldRequest | None:
        raw = self._requests.get(pack_long(key))
        return None if raw is None else _decode_request(raw)

    def put_held_request(self, key: int, request: HeldRequest) -> None:
        self._requests.put(pack_long(key), _encode_request(request))

    def pending_variables(self, key: int) -> PendingVariables | None:
        """The variable document whose update of the task its updating listeners hold."""
        raw = self._documents.get(pack_long(key))
        return None if raw is None else _decode_pending(raw)

    def put_pending_variables(self, key: int, pending: PendingVariables) -> None:
        self._documents.put(pack_long(key), _encode_pending(pending))
