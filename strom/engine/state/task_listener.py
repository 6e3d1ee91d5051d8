"""Where an element instance counts the completed user task listeners of each event type.

Kept in the instance's ``extra`` map, so instances without listeners are stored as before; the
processors read it, the JOB COMPLETED (v3) and USER_TASK appliers write it.
"""

from __future__ import annotations

from typing import Any


def index_key(event_type: str) -> str:
    """The ``extra`` key counting completed listeners of ``event_type`` (a JobListenerEventType value)."""
    return f"TASK_LISTENER_INDEX_{event_type}"


def without_index(extra: dict[str, Any], event_type: str) -> dict[str, Any]:
    return {name: value for name, value in extra.items() if name != index_key(event_type)}
