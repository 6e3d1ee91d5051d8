"""The client's one exception type."""

from __future__ import annotations

from typing import Any

from strom.protocol.enums import RejectionType
from strom.protocol.record import Record


class ClientError(Exception):
    """The engine rejected a command, or no answer came in time.

    ``rejection_type`` is Zeebe's rejection type (``NOT_FOUND``, ``INVALID_STATE``, …) and the
    message is the engine's reason; ``rejection`` is the rejection record when there is one.
    """

    def __init__(
        self, message: str, rejection_type: RejectionType | None = None, rejection: Record[Any] | None = None
    ) -> None:
        super().__init__(message)
        self.rejection_type = rejection_type
        self.rejection = rejection
