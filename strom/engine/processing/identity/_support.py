"""What every identity processor does around its decision: repeated deliveries, rejections,
writing the events, answering, distributing to the other partitions and acknowledging.

A processor only decides: from the command's value and the state it returns ``Rejected`` or
``Accepted`` (the main event, and the events of a cascade written before it). Identity records
are global (Zeebe's ``DistributedTypedRecordProcessor``): partition 1 decides and distributes the
main event's value as the command for the others, which decide again on their own state, write
the same events, and acknowledge. On a receiving partition the main event's key is the
distribution's key (Zeebe writes ``command.getKey()`` there too); the entity's own key is in the
value. A creation is distributed under the new entity's key, every other command under a new key.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.record import Record
from strom.stream.key_generator import KeyGenerator

ID_PATTERN: Final = "^[a-zA-Z0-9_~@.+-]+$"
"""What a username or a group, role, tenant or mapping rule id may hold (Zeebe's identifier rule)."""
ID_MAX_LENGTH: Final = 256
_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True, slots=True)
class Rejected:
    type: RejectionType
    reason: str


@dataclass(frozen=True, slots=True)
class Accepted:
    """The main event (key on partition 1, intent, value) and what happens before it."""

    key: int
    intent: int
    value: Any
    cascade: tuple[tuple[int, int, Any], ...] = ()


Decision = Rejected | Accepted
Decide = Callable[[Any, bool], Decision]
"""``decide(value, distributed)``: ``distributed`` is True on a partition that received the
command from partition 1 (its value is the event partition 1 wrote: take it as it is)."""


class IdentityCommands:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._distribution = behaviors.distribution
        self._received = state.distributions
        self._keys = keys

    def next_key(self) -> int:
        return self._keys.next_key()

    def process(self, command: Record[Any], writers: Writers, decide: Decide, *, creates: bool) -> None:
        """Decide ``command`` and write what was decided (see the module's docstring)."""
        distribution = self._distribution
        distributed = distribution.is_distributed(command)
        if distributed and self._received.was_received(command.key):
            writers.reject(
                command,
                RejectionType.ALREADY_EXISTS,
                f"Expected to process the distributed command with key '{command.key}', but this "
                "partition processed it already (a repeated delivery)",
            )
            distribution.acknowledge(writers, command)
            return
        decision = decide(command.value, distributed)
        if isinstance(decision, Rejected):
            writers.reject(command, decision.type, decision.reason)
            if distributed:
                distribution.acknowledge(writers, command)
            return
        for key, intent, value in decision.cascade:
            writers.append_event(key, intent, value)
        if distributed:
            writers.append_event(command.key, decision.intent, decision.value)
            distribution.acknowledge(writers, command)
            return
        writers.respond(writers.append_event(decision.key, decision.intent, decision.value))
        if distribution.distributes:
            key = decision.key if creates else self._keys.next_key()
            distribution.distribute(writers, key, command.value_type, command.intent, decision.value)


def invalid_id(verb: str, entity: str, field: str, value: str) -> Rejected | None:
    """INVALID_ARGUMENT when ``value`` is not a valid identifier for ``field``, else None."""
    if not value:
        return Rejected(
            RejectionType.INVALID_ARGUMENT, f"Expected to {verb} {entity}, but no {field} was provided"
        )
    if len(value) > ID_MAX_LENGTH:
        return Rejected(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to {verb} {entity} with {field} '{value[:40]}...', but the {field} is longer "
            f"than {ID_MAX_LENGTH} characters",
        )
    if not _ID.match(value):
        return Rejected(
            RejectionType.INVALID_ARGUMENT,
            f"Expected to {verb} {entity} with {field} '{value}', but the {field} contains illegal "
            f"characters; it must match the pattern '{ID_PATTERN}'",
        )
    return None


def missing(verb: str, entity: str, field: str, value: str) -> Rejected | None:
    """INVALID_ARGUMENT when the required ``field`` is empty, else None."""
    if value:
        return None
    return Rejected(
        RejectionType.INVALID_ARGUMENT, f"Expected to {verb} {entity}, but no {field} was provided"
    )
