"""ERROR values."""

from __future__ import annotations

import msgspec


class ErrorRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """An unexpected failure while processing the record at ``error_event_position``.

    Written so the failure is visible on the log; the process instance involved (if any) is banned
    from further processing.
    """

    exception_message: str = ""
    stacktrace: str = ""
    error_event_position: int = -1
    process_instance_key: int = -1
