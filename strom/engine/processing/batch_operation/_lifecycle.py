"""What CANCEL, SUSPEND and RESUME of a batch operation share (Zeebe 8.8's checks and texts)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strom.engine.processing.authorization import AuthorizationCheck
from strom.engine.processing.batch_operation._auth import authorized
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.batch_operation import BatchOperationProgress
from strom.protocol.enums import RejectionType
from strom.protocol.record import Record
from strom.protocol.values.identity import PermissionType
from strom.stream.key_generator import KeyGenerator


class LifecycleCommand:
    """Checks a lifecycle command (BATCH UPDATE, the operation in progress, its status allows the
    change) and writes the event under a new key, answering with it; ``then`` runs once it is
    durable (a resumed operation wakes the scheduler)."""

    def __init__(
        self,
        state: ProcessingState,
        authorization: AuthorizationCheck,
        keys: KeyGenerator,
        verb: str,
        event: int,
        allowed: frozenset[str],
        then: Callable[[], None] | None = None,
    ) -> None:
        self._operations = state.batch_operations
        self._authorization = authorization
        self._keys = keys
        self._verb = verb
        self._event = event
        self._allowed = allowed
        self._then = then

    def process(self, command: Record[Any], writers: Writers) -> None:
        if not authorized(self._authorization, command, writers, PermissionType.UPDATE):
            return
        key = command.value.batch_operation_key
        prefix = f"Expected to {self._verb} a batch operation with key '{key}', but "
        progress = self._operations.progress(key)
        if progress is None:
            writers.reject(command, RejectionType.NOT_FOUND, prefix + "no such batch operation was found")
            return
        status = status_of(progress)
        if status not in self._allowed:
            writers.reject(
                command, RejectionType.INVALID_STATE, prefix + f"it has an invalid state '{status}'."
            )
            return
        event = writers.append_event(self._keys.next_key(), self._event, command.value)
        writers.respond(event)
        if self._then is not None:
            writers.side_effect(self._then)


def status_of(progress: BatchOperationProgress) -> str:
    """Zeebe's name of the operation's status in the partition's state."""
    return "SUSPENDED" if progress.suspended else "CREATED"
