"""The engine's face of a processing step's result: events are applied to state as they are written.

One ``Writers`` object serves the whole partition; the engine binds it to each step's result
builder before calling a processor, which receives it per call. Events are written with the latest
applier version, the one that changes state here; replay later applies the version on the record.
An event without an applier is an error (``MissingApplierError``) before anything is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strom.engine.state.appliers import Applier, EventAppliers, NoStateChange
from strom.protocol.enums import RecordType, RejectionType
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.stream.result import ResultBuilder


class Writers:
    __slots__ = ("_appliers", "_events", "_result")

    def __init__(self, appliers: EventAppliers) -> None:
        self._appliers = appliers
        self._result: ResultBuilder = None  # type: ignore[assignment]
        # (value class, intent) -> (envelope class, applier version, applier or None for an event
        # that changes no state): resolved once.
        self._events: dict[tuple[type, int], tuple[type[Record[Any]], int, Applier | None]] = {}

    def bind(self, result: ResultBuilder) -> Writers:
        self._result = result
        return self

    @property
    def timestamp(self) -> int:
        """The processing time of the current step: the engine's "now" while deciding."""
        return self._result.timestamp

    def append_event(
        self, key: int, intent: int, value: Any, request: Record[Any] | None = None
    ) -> Record[Any]:
        """Write an event and apply it to state at once, so what follows sees it.

        Raises:
            MissingApplierError: the event has no applier (nothing is written).
        """
        slot = self._events.get((value.__class__, intent))
        if slot is None:
            record_class = RECORD_CLASS_FOR_VALUE[value.__class__]
            version, latest = self._appliers.latest(record_class.value_type, intent)
            slot = self._events[(value.__class__, intent)] = (
                record_class,
                version,
                None if isinstance(latest, NoStateChange) else latest,
            )
        record_class, version, applier = slot
        if request is None:
            record = self._result.append_record(record_class, RecordType.EVENT, key, intent, value, version)
        else:
            record = self._result.append_event(key, intent, value, version, request)
        if applier is not None:
            applier(record)
        return record

    def append_command(
        self,
        key: int,
        intent: int,
        value: Any,
        authorizations: dict[str, Any] | None = None,
        batch_operation_reference: int = -1,
    ) -> Record[Any]:
        """Write a follow-up command; it is processed after the current one. A batch operation's
        item command names the operation and carries its creator's ``authorizations``."""
        return self._result.append_command(key, intent, value, authorizations, batch_operation_reference)

    def reject(self, command: Record[Any], rejection_type: RejectionType, reason: str) -> Record[Any]:
        """Reject ``command`` and answer its request (if any) with the rejection."""
        rejection = self._result.append_rejection(command, rejection_type, reason)
        self._result.respond(rejection)
        return rejection

    def respond(self, record: Record[Any]) -> None:
        """Answer the current command's request with ``record`` once the step is durable."""
        self._result.respond(record)

    def respond_to(self, request_stream_id: int, request_id: int, record: Record[Any]) -> None:
        """Answer another, earlier request (one that waited for this moment)."""
        self._result.respond_to(request_stream_id, request_id, record)

    def side_effect(self, effect: Callable[[], None]) -> None:
        """Run ``effect`` after the step is durable; it may be lost on a crash."""
        self._result.side_effect(effect)
