"""The record envelope: the unit of everything on the log.

One envelope class per value type (``JobRecord``, ``ProcessInstanceRecord`` … in
``strom.protocol.records``), all subclasses of the generic ``Record``. msgspec tags them with the
``valueType`` field itself, so one decoder reads any record in a single pass and the envelope never
carries the value type twice.

Field names are Zeebe's exported JSON names (camelCase on the wire). ``intent`` is stored as its
numeric code; compare it with the intent enums (``JobIntent.CREATED``), which are ``IntEnum``\\ s.
"""

from __future__ import annotations

from typing import Any, ClassVar, Generic, TypeVar

import msgspec

from strom.protocol.enums import RecordType, RejectionType, ValueType

BROKER_VERSION = "8.8.0"
"""The Zeebe version whose protocol Strom speaks; reported to clients and written on records."""

V = TypeVar("V")

AUTHORIZED_USERNAME = "authorized_username"
"""Key of a command's ``authorizations``: the username of the caller (Zeebe's name)."""
AUTHORIZED_CLIENT_ID = "authorized_client_id"
"""Key of a command's ``authorizations``: the OIDC client id of the caller (Zeebe's name)."""
USER_TOKEN_CLAIMS = "user_token_claims"
"""Key of a command's ``authorizations``: the claims of the caller's verified token, which the
engine matches against its mapping rules (Zeebe's name)."""


class Record(
    msgspec.Struct,
    Generic[V],
    frozen=True,
    kw_only=True,
    rename="camel",
    omit_defaults=True,
    tag_field="valueType",
):
    """A command, event or command rejection on a partition's log.

    ``position`` is assigned by the partition's single writer just before the record is appended;
    ``source_record_position`` is the position of the command whose processing produced this record
    (-1 for commands from clients), which is how a reader reconstructs *why* something happened.
    ``record_version`` names the applier version that wrote an event, so replay uses the same one.
    """

    value_type: ClassVar[ValueType]

    position: int = -1
    source_record_position: int = -1
    key: int = -1
    timestamp: int = -1
    partition_id: int = 1
    record_type: RecordType = RecordType.COMMAND
    intent: int
    record_version: int = 1
    rejection_type: RejectionType = RejectionType.NULL_VAL
    rejection_reason: str = ""
    request_id: int = -1
    request_stream_id: int = -1
    operation_reference: int = -1
    batch_operation_reference: int = -1
    """The key of the batch operation whose item this record is about (Zeebe's
    ``batchOperationReference``): set on an item's command and carried by every record its
    processing writes, so secondary storage can tell the item's outcome."""
    broker_version: str = BROKER_VERSION
    authorizations: dict[str, Any] = msgspec.field(default_factory=dict)
    """Who sent the command, as its gateway authenticated it (``AUTHORIZED_USERNAME`` …): the
    engine checks that caller's permissions before processing. Empty for a command of the engine
    itself, and for every command while the gateways run without authentication."""
    value: V

    @property
    def is_command(self) -> bool:
        return self.record_type is RecordType.COMMAND

    @property
    def is_event(self) -> bool:
        return self.record_type is RecordType.EVENT

    @property
    def is_rejection(self) -> bool:
        return self.record_type is RecordType.COMMAND_REJECTION
