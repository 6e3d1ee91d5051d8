"""The msgspec structs that state classes store, apart from those classes.

A msgspec struct is configured by its class keywords (``array_like``, ``frozen``), which a module
compiled with mypyc would drop; so the structs live here, interpreted (setup.py leaves out every
module that defines one), and the state classes that replay runs (variables, event scopes, awaited
results, messages) are compiled. Each state module re-exports its structs.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["AwaitedResult", "EventScope", "EventTrigger", "StartLock", "Variable"]

_json_decode = msgspec.json.decode


class Variable(msgspec.Struct, frozen=True):
    key: int
    scope_key: int
    name: str
    json: bytes

    @property
    def value(self) -> Any:
        return _json_decode(self.json)


class EventTrigger(msgspec.Struct, frozen=True, array_like=True):
    """A caught event waiting to activate ``element_id`` (with ``variables``)."""

    event_key: int
    element_id: str
    variables: dict[str, Any] = {}
    process_instance_key: int = -1


class EventScope(msgspec.Struct, frozen=True, array_like=True):
    """How an element instance reacts to further events after one triggered it.

    ``interrupted_by`` is the id of the interrupting event that hit the scope ("" if none);
    ``accepting`` is False once an interrupting boundary event triggered.
    """

    interrupted_by: str = ""
    accepting: bool = True

    @property
    def is_interrupted(self) -> bool:
        return bool(self.interrupted_by)


class AwaitedResult(msgspec.Struct, array_like=True, frozen=True):
    request_stream_id: int
    request_id: int
    fetch_variables: list[str] = []


class StartLock(msgspec.Struct, frozen=True, array_like=True):
    tenant_id: str
    bpmn_process_id: str
    correlation_key: str
