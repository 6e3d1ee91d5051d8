"""What CANCEL, SUSPEND and RESUME of a batch operation share (Zeebe 8.8's checks and texts): the
operation's own partition checks the command, writes the event and distributes the command to
every other partition, which applies it to its part (or ignores it when its part is done)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strom.engine.processing.authorization import AuthorizationCheck
from strom.engine.processing.batch_operation._auth import authorized
from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.batch_operation import BatchOperationProgress
from strom.protocol.enums import RejectionType, ValueType
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
        distribution: CommandDistributionBehavior,
        verb: str,
        event: int,
        allowed: frozenset[str],
        then: Callable[[], None] | None = None,
    ) -> None:
        self._operations = state.batch_operations
        self._distributions = state.distributions
        self._distribution = distribution
        self._authorization = authorization
        self._keys = keys
        self._verb = verb
        self._event = event
        self._allowed = allowed
        self._then = then

    def process(self, command: Record[Any], writers: Writers) -> None:
        if self._distribution.is_distributed(command):
            self._receive(command, writers)
            return
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
        event_key = self._keys.next_key()
        event = writers.append_event(event_key, self._event, command.value)
        writers.respond(event)
        if self._then is not None:
            writers.side_effect(self._then)
        self._distribution.distribute(
            writers, event_key, ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT, command.intent, command.value
        )

    def _receive(self, command: Record[Any], writers: Writers) -> None:
        key = command.value.batch_operation_key
        if self._distributions.was_received(command.key):
            writers.reject(
                command,
                RejectionType.ALREADY_EXISTS,
                f"Expected to {self._verb} the batch operation with key '{key}' once, but this "
                "partition did it already (a repeated delivery)",
            )
        else:
            progress = self._operations.progress(key)
            if progress is not None and status_of(progress) in self._allowed:
                writers.append_event(command.key, self._event, command.value)
                if self._then is not None:
                    writers.side_effect(self._then)
            else:  # this partition's part is over (or in another state): nothing to change here
                writers.reject(
                    command,
                    RejectionType.INVALID_STATE,
                    f"Expected to {self._verb} the batch operation with key '{key}' on this partition, "
                    "but its part here is "
                    + ("over" if progress is None else f"in state '{status_of(progress)}'"),
                )
        self._distribution.acknowledge(writers, command)


def status_of(progress: BatchOperationProgress) -> str:
    """Zeebe's name of the operation's status in the partition's state."""
    return "SUSPENDED" if progress.suspended else "CREATED"
