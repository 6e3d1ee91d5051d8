"""The applier registry: which applier applies an event of (value type, intent, version).

Its own module (not the package's ``__init__``) so that it is compiled with the engine: replay
looks an applier up once per event.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from strom.protocol.enums import ValueType
from strom.protocol.intents import EVENT_INTENTS, intent_name, is_event_code
from strom.protocol.record import Record

_MAX_VERSION = 0xFF
"""Versions are kept in 8 bits of the lookup key."""

Applier = Callable[[Record[Any]], None]


class MissingApplierError(LookupError):
    """No applier for a record's (value type, intent, version): a bug or a log from a newer Strom."""


class NoStateChange:
    """The applier of an event that changes no state (it is written for exporters, responses and
    the record of what happened). Registering it says so explicitly, so that a missing applier
    is never mistaken for an event that needs none."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __call__(self, record: Record[Any]) -> None:
        pass

    def __repr__(self) -> str:
        return f"NoStateChange({self.reason!r})"


def _describe(value_type: ValueType, intent: int) -> str:
    return f"{value_type.name} {intent_name(value_type, intent)}"


class EventAppliers:
    def __init__(self) -> None:
        self._appliers: dict[int, dict[int, Applier]] = {}
        self._latest: dict[int, int] = {}
        # ``slot << 8 | version`` -> applier: the one lookup replay makes per event.
        self._by_version: dict[int, Applier] = {}

    def register(self, value_type: ValueType, intent: int, applier: Applier, version: int = 1) -> None:
        """Register ``applier`` for events of (``value_type``, ``intent``) written with ``version``;
        a :class:`NoStateChange` for an event that changes no state.

        Raises:
            ValueError: ``intent`` is a command, the version is already registered or not in 1..255.
        """
        if not is_event_code(value_type, intent):
            raise ValueError(f"{_describe(value_type, intent)} is not an event intent")
        if not 0 < version <= _MAX_VERSION:
            raise ValueError(f"an applier version must be in 1..{_MAX_VERSION}, got {version}")
        slot = value_type << 8 | intent
        versions = self._appliers.setdefault(slot, {})
        if version in versions:
            raise ValueError(
                f"an applier for {_describe(value_type, intent)} version {version} is already registered"
            )
        versions[version] = applier
        self._by_version[slot << 8 | version] = applier
        self._latest[slot] = max(version, self._latest.get(slot, 0))

    def check_complete(self, not_written: Mapping[tuple[ValueType, int], str] | None = None) -> None:
        """Every event intent has an applier or is listed in ``not_written``, and none is both.

        ``not_written`` defaults to :data:`strom.engine.state.appliers.NOT_WRITTEN`.

        Raises:
            MissingApplierError: naming the event intents that have neither.
            ValueError: naming the event intents that have an applier and are listed as not written.
        """
        if not_written is None:
            from strom.engine.state.appliers import NOT_WRITTEN

            not_written = NOT_WRITTEN
        missing: list[str] = []
        listed: list[str] = []
        for value_type, intents in EVENT_INTENTS.items():
            for intent in sorted(intents):
                registered = (value_type << 8 | intent) in self._appliers
                if (value_type, intent) in not_written:
                    if registered:
                        listed.append(_describe(value_type, intent))
                elif not registered:
                    missing.append(_describe(value_type, intent))
        if missing:
            raise MissingApplierError(
                "no applier for the event intents "
                + ", ".join(missing)
                + ": register one (NoStateChange if the event changes no state), or list the intent "
                "in strom.engine.state.appliers.NOT_WRITTEN with the reason the engine never writes it"
            )
        if listed:
            raise ValueError(
                "the event intents "
                + ", ".join(listed)
                + " have appliers but are listed in strom.engine.state.appliers.NOT_WRITTEN"
            )

    def latest_version(self, value_type: ValueType, intent: int) -> int:
        """The version new events of this kind are written with.

        Raises:
            MissingApplierError: the event has no applier.
        """
        return self.latest(value_type, intent)[0]

    def latest(self, value_type: ValueType, intent: int) -> tuple[int, Applier]:
        """The version new events of this kind are written with, and its applier.

        Raises:
            MissingApplierError: the event has no applier (the engine must not write it).
        """
        slot = value_type << 8 | intent
        versions = self._appliers.get(slot)
        if versions is None:
            raise MissingApplierError(
                f"no applier for {_describe(value_type, intent)}: register one (NoStateChange if it "
                "changes no state) before writing it"
            )
        version = self._latest[slot]
        return version, versions[version]

    def apply(self, record: Record[Any]) -> None:
        """Apply ``record`` with the applier of the version it was written with.

        Raises:
            MissingApplierError: no applier for its (value type, intent, version).
        """
        version = record.record_version
        applier = (
            self._by_version.get((record.value_type << 8 | record.intent) << 8 | version)
            if 0 < version <= _MAX_VERSION
            else None
        )
        if applier is None:
            raise self._missing(record)
        applier(record)

    def _missing(self, record: Record[Any]) -> MissingApplierError:
        versions = self._appliers.get(record.value_type << 8 | record.intent)
        known = "none" if versions is None else ", ".join(map(str, sorted(versions)))
        return MissingApplierError(
            f"no applier for {_describe(record.value_type, record.intent)} version "
            f"{record.record_version} (record at position {record.position}); "
            f"known versions: {known}"
        )

    def has(self, value_type: ValueType, intent: int) -> bool:
        return (value_type << 8 | intent) in self._appliers

    def registered(self) -> Iterable[tuple[ValueType, int, int, Applier]]:
        """Every registration as ``(value type, intent, version, applier)``, in slot order."""
        for slot in sorted(self._appliers):
            for version, applier in sorted(self._appliers[slot].items()):
                yield ValueType(slot >> 8), slot & 0xFF, version, applier
