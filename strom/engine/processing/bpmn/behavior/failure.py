"""Expected process errors travel as values, not exceptions: they become incidents."""

from __future__ import annotations

from strom.protocol.values.enums import ErrorType


class Failure:
    """Why an element could not go on (an expression failed, a variable is missing, …).

    ``scope_key`` is the variable scope the user should fix (for an incident's ``variableScopeKey``).
    """

    __slots__ = ("error_type", "message", "scope_key")

    def __init__(
        self, message: str, error_type: ErrorType = ErrorType.EXTRACT_VALUE_ERROR, scope_key: int = -1
    ) -> None:
        self.message = message
        self.error_type = error_type
        self.scope_key = scope_key

    def __repr__(self) -> str:
        return f"Failure({self.error_type}: {self.message})"
