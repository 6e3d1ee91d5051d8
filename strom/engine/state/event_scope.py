"""Event scopes and event triggers: what a caught event left for the element it activates.

When an event is caught (a message correlated, a timer due, an error thrown, …) the engine writes
PROCESS_EVENT TRIGGERING on the *event scope*: the element instance that owns the catch event
(the activity of a boundary event, the container of an event subprocess, the catch event or
event-based gateway itself) or, for a process start event, the process definition. The applier
stores an ``EventTrigger`` (target element and the event's variables) under that scope, and the
activation of the target consumes it (PROCESS_EVENT TRIGGERED).

The scope also remembers whether an interrupting event already hit it (Zeebe's
``EventScopeInstance``): after an interrupting event only boundary events may still trigger, and
after an interrupting boundary event nothing may. A scope's row exists only once something
triggered it; both rows go away with the element instance (``remove``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import msgspec

from strom.db import Database
from strom.db.keys import pack, pack_long, prefix
from strom.engine.state import column_families as cf
from strom.engine.state.state_records import EventScope, EventTrigger

NO_EVENT_SCOPE = EventScope()

_encode = msgspec.msgpack.Encoder().encode
_decode_trigger = msgspec.msgpack.Decoder(EventTrigger).decode
_decode_scope = msgspec.msgpack.Decoder(EventScope).decode


class EventScopeState(Protocol):
    def scope(self, scope_key: int) -> EventScope: ...
    def peek_trigger(self, scope_key: int) -> EventTrigger | None: ...
    def triggers(self, scope_key: int) -> Iterator[EventTrigger]: ...


class MutableEventScopeState(EventScopeState, Protocol):
    def put_scope(self, scope_key: int, scope: EventScope) -> None: ...
    def put_trigger(self, scope_key: int, trigger: EventTrigger) -> None: ...
    def delete_trigger(self, scope_key: int, event_key: int) -> None: ...
    def remove(self, scope_key: int) -> None: ...


class DbEventScopeState:
    """Scope flags by scope key; triggers by (scope key, event key), oldest first."""

    def __init__(self, db: Database) -> None:
        self._scopes = db.column_family(cf.EVENT_SCOPES).keyed_by_entity()
        self._triggers = db.column_family(cf.EVENT_TRIGGERS)

    def scope(self, scope_key: int) -> EventScope:
        raw = self._scopes.get(pack_long(scope_key))
        return NO_EVENT_SCOPE if raw is None else _decode_scope(raw)

    def peek_trigger(self, scope_key: int) -> EventTrigger | None:
        for _, raw in self._triggers.iterate(prefix(scope_key)):
            return _decode_trigger(raw)
        return None

    def triggers(self, scope_key: int) -> Iterator[EventTrigger]:
        for _, raw in self._triggers.iterate(prefix(scope_key)):
            yield _decode_trigger(raw)

    # -- mutations (appliers only) ---------------------------------------------------------------

    def put_scope(self, scope_key: int, scope: EventScope) -> None:
        self._scopes.put(pack_long(scope_key), _encode(scope))

    def put_trigger(self, scope_key: int, trigger: EventTrigger) -> None:
        self._triggers.put(pack(scope_key, trigger.event_key), _encode(trigger))

    def delete_trigger(self, scope_key: int, event_key: int) -> None:
        self._triggers.delete(pack(scope_key, event_key))

    def remove(self, scope_key: int) -> None:
        """Forget the scope and its unconsumed triggers (its element instance is gone).

        Every trigger writes the scope row, so a scope without one has nothing to delete and
        costs a single lookup.
        """
        packed = pack_long(scope_key)
        if self._scopes.get(packed) is None:
            return
        self._scopes.delete(packed)
        for key, _ in list(self._triggers.iterate(prefix(scope_key))):
            self._triggers.delete(key)
