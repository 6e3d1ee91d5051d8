"""Event appliers: the only code that changes state, one per (value type, intent, version).

A released applier never changes: new behaviour is a new version, registered next to the old one,
and replay applies each event with the version recorded on it. The registry refuses duplicates and
command intents when the engine starts, and names the missing pair when a record has none.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strom.protocol.enums import ValueType
from strom.protocol.intents import intent_name, is_event_code
from strom.protocol.record import Record

Applier = Callable[[Record[Any]], None]


class MissingApplierError(LookupError):
    """No applier for a record's (value type, intent, version): a bug or a log from a newer Strom."""


class EventAppliers:
    def __init__(self) -> None:
        self._appliers: dict[int, dict[int, Applier]] = {}
        self._latest: dict[int, int] = {}

    def register(self, value_type: ValueType, intent: int, applier: Applier, version: int = 1) -> None:
        if not is_event_code(value_type, intent):
            raise ValueError(f"{value_type.name} {intent_name(value_type, intent)} is not an event intent")
        slot = value_type << 8 | intent
        versions = self._appliers.setdefault(slot, {})
        if version in versions:
            raise ValueError(
                f"an applier for {value_type.name} {intent_name(value_type, intent)} version {version} "
                "is already registered"
            )
        versions[version] = applier
        self._latest[slot] = max(version, self._latest.get(slot, 0))

    def latest_version(self, value_type: ValueType, intent: int) -> int:
        """The version new events of this kind are written with (1 if they change no state)."""
        return self._latest.get(value_type << 8 | intent, 1)

    def latest(self, value_type: ValueType, intent: int) -> tuple[int, Applier | None]:
        """The version new events of this kind are written with, and its applier (None: the
        event changes no state)."""
        slot = value_type << 8 | intent
        version = self._latest.get(slot, 1)
        versions = self._appliers.get(slot)
        return version, None if versions is None else versions[version]

    def apply(self, record: Record[Any]) -> None:
        slot = record.value_type << 8 | record.intent
        versions = self._appliers.get(slot)
        if versions is None:
            return  # events that change no state (e.g. DEPLOYMENT CREATED, JOB_BATCH of nothing)
        applier = versions.get(record.record_version)
        if applier is None:
            raise MissingApplierError(
                f"no applier for {record.value_type.name} "
                f"{intent_name(record.value_type, record.intent)} version {record.record_version}; "
                f"the latest known version is {self._latest.get(slot)}"
            )
        applier(record)

    def has(self, value_type: ValueType, intent: int) -> bool:
        return (value_type << 8 | intent) in self._appliers


def all_appliers(state: Any) -> EventAppliers:
    """The registry with every applier of the engine, bound to ``state`` (a MutableProcessingState)."""
    from strom.engine.state.appliers import (
        compensation,
        decision,
        deployment,
        incident,
        job,
        message,
        process_event,
        process_instance,
        resource_deletion,
        signal,
        timer,
        user_task,
        variable,
    )

    appliers = EventAppliers()
    for module in (deployment, process_instance, job, variable, incident, resource_deletion):
        module.register(appliers, state)
    for module in (process_event, timer, message, signal, compensation):
        module.register(appliers, state)
    for module in (decision, user_task):
        module.register(appliers, state)
    return appliers
