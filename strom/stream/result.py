"""What processing one command produces, gathered before anything reaches the log.

A processor appends events (applied to state at once by the engine's state writer, so later steps
of the same command see them), follow-up commands, a rejection, a response and side effects. The
stream processor then appends every record as one log batch, commits the state changes as one
write batch, and only after the batch is durable sends the response and runs the side effects.

Records are encoded once, when appended, so the batch size is known while processing goes on and
the bytes on the log are exactly the bytes exporters read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from strom.protocol import codec
from strom.protocol.enums import RecordType, RejectionType
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE

SideEffect = Callable[[], None]
_encode = codec.encode


class Response:
    """The answer to a client request: the record it is answered with, and whom to send it to."""

    __slots__ = ("record", "request_id", "request_stream_id")

    def __init__(self, record: Record[Any], request_stream_id: int, request_id: int) -> None:
        self.record = record
        self.request_stream_id = request_stream_id
        self.request_id = request_id


class Mark:
    """Where the builder stood before a command was processed, to undo that command alone."""

    __slots__ = ("follow_ups", "position", "records", "response", "responses", "side_effects", "size")

    def __init__(self, builder: ResultBuilder) -> None:
        self.records = len(builder.records)
        self.follow_ups = len(builder._follow_ups)
        self.size = builder._size
        self.side_effects = len(builder.side_effects)
        self.responses = len(builder.responses)
        self.response = builder._response
        self.position = builder._next_position


class ResultBuilder:
    """Collects the records of one processing step (a command and its batch-processed follow-ups).

    Positions are assigned here, consecutively from the log's next position: the stream processor
    is the log's single writer, so it knows them before appending. Every record produced while a
    command is processed has that command's position as its source position.
    """

    __slots__ = (
        "_batch_operation_reference",
        "_command",
        "_follow_ups",
        "_next_position",
        "_operation_reference",
        "_partition_id",
        "_response",
        "_size",
        "_source",
        "_timestamp",
        "encoded",
        "records",
        "responses",
        "side_effects",
    )

    def __init__(self, first_position: int, partition_id: int, timestamp: int) -> None:
        self._next_position = first_position
        self._partition_id = partition_id
        self._timestamp = timestamp
        self._command: Record[Any] | None = None
        self._source = -1
        self._operation_reference = -1
        self._batch_operation_reference = -1
        self._response: Response | None = None
        self._follow_ups: list[Record[Any]] = []
        self._size = 0
        self.records: list[Record[Any]] = []
        self.encoded: list[bytes] = []
        self.responses: list[Response] = []
        self.side_effects: list[SideEffect] = []

    # -- used by the stream processor -------------------------------------------------------------

    @property
    def timestamp(self) -> int:
        """The processing time of this step (milliseconds since the epoch); every record carries it."""
        return self._timestamp

    @property
    def size(self) -> int:
        """Bytes of all records appended so far."""
        return self._size

    @property
    def next_position(self) -> int:
        return self._next_position

    def begin(self, command: Record[Any]) -> None:
        """Start collecting the results of ``command``."""
        self._command = command
        self._source = command.position
        self._operation_reference = command.operation_reference
        self._batch_operation_reference = command.batch_operation_reference
        self._response = None

    def end(self) -> None:
        """Finish ``command``: its response (if any) joins the step's responses."""
        if self._response is not None:
            self.responses.append(self._response)
            self._response = None
        self._command = None

    def write(self, record: Record[Any]) -> Record[Any]:
        """Append a ready record, stamping position and timestamp (a client command enters so)."""
        return self._add(
            msgspec.structs.replace(
                record,
                position=self._next_position,
                timestamp=self._timestamp,
                partition_id=self._partition_id,
            )
        )

    def mark(self) -> Mark:
        return Mark(self)

    def reset_to(self, mark: Mark) -> None:
        """Forget what was appended after ``mark``: the command that produced it is rolled back."""
        del self.records[mark.records :]
        del self.encoded[mark.records :]
        del self._follow_ups[mark.follow_ups :]
        del self.side_effects[mark.side_effects :]
        del self.responses[mark.responses :]
        self._size = mark.size
        self._response = mark.response
        self._next_position = mark.position

    def take_follow_ups(self) -> list[Record[Any]]:
        """The follow-up commands appended since the last call, in position order."""
        follow_ups = self._follow_ups
        self._follow_ups = []
        return follow_ups

    # -- used by processors (through the engine's writers) -----------------------------------------

    def append_event(
        self, key: int, intent: int, value: Any, record_version: int = 1, request: Record[Any] | None = None
    ) -> Record[Any]:
        """Append an event. The caller (the engine's state writer) applies it to state.

        ``request``: copy that command's request ids onto the event, for state that must remember
        whom to answer later (a request waiting for a process instance's result).
        """
        return self._append(RecordType.EVENT, key, intent, value, record_version, request)

    def append_command(
        self,
        key: int,
        intent: int,
        value: Any,
        authorizations: dict[str, Any] | None = None,
        batch_operation_reference: int = -1,
    ) -> Record[Any]:
        """Append a follow-up command; the stream processor processes it after the current one.

        ``authorizations`` / ``batch_operation_reference``: a batch operation's item command, sent
        on behalf of the operation's creator (checked as the creator's own command would be).
        """
        if authorizations is None and batch_operation_reference < 0:
            record = self.append_record(
                RECORD_CLASS_FOR_VALUE[value.__class__], RecordType.COMMAND, key, intent, value
            )
        else:
            record = self._add(
                RECORD_CLASS_FOR_VALUE[value.__class__](
                    position=self._next_position,
                    source_record_position=self._source,
                    key=key,
                    timestamp=self._timestamp,
                    partition_id=self._partition_id,
                    record_type=RecordType.COMMAND,
                    intent=intent,
                    operation_reference=self._operation_reference,
                    batch_operation_reference=(
                        batch_operation_reference
                        if batch_operation_reference >= 0
                        else self._batch_operation_reference
                    ),
                    authorizations=authorizations or {},
                    value=value,
                )
            )
        self._follow_ups.append(record)
        return record

    def append_record(
        self,
        record_class: type[Record[Any]],
        record_type: RecordType,
        key: int,
        intent: int,
        value: Any,
        record_version: int = 1,
    ) -> Record[Any]:
        """Append a record whose envelope class the caller already knows (the hot path).

        A follow-up command appended this way must also go through ``append_command``'s
        bookkeeping; use ``append_command`` for commands.
        """
        record = record_class(
            position=self._next_position,
            source_record_position=self._source,
            key=key,
            timestamp=self._timestamp,
            partition_id=self._partition_id,
            record_type=record_type,
            intent=intent,
            record_version=record_version,
            operation_reference=self._operation_reference,
            batch_operation_reference=self._batch_operation_reference,
            value=value,
        )
        data = _encode(record)
        self.records.append(record)
        self.encoded.append(data)
        self._size += len(data)
        self._next_position += 1
        return record

    def append_rejection(
        self, command: Record[Any], rejection_type: RejectionType, reason: str
    ) -> Record[Any]:
        """Reject ``command``: a COMMAND_REJECTION record with the command's key, intent and value."""
        record = command.__class__(
            position=self._next_position,
            source_record_position=command.position,
            key=command.key,
            timestamp=self._timestamp,
            partition_id=self._partition_id,
            record_type=RecordType.COMMAND_REJECTION,
            intent=command.intent,
            rejection_type=rejection_type,
            rejection_reason=reason,
            request_id=command.request_id,
            request_stream_id=command.request_stream_id,
            operation_reference=command.operation_reference,
            batch_operation_reference=command.batch_operation_reference,
            value=command.value,
        )
        return self._add(record)

    def respond(self, record: Record[Any]) -> None:
        """Answer the current command's request (if it has one) with ``record`` once durable."""
        command = self._command
        if command is not None and command.request_id >= 0:
            self._response = Response(record, command.request_stream_id, command.request_id)

    def respond_to(self, request_stream_id: int, request_id: int, record: Record[Any]) -> None:
        """Answer a request other than the current command's (e.g. one waiting for a result)."""
        self.responses.append(Response(record, request_stream_id, request_id))

    def side_effect(self, effect: SideEffect) -> None:
        """Run ``effect`` after the batch is durable. It may be lost on a crash: nothing that must
        happen belongs here."""
        self.side_effects.append(effect)

    # -- internals -------------------------------------------------------------------------------

    def _append(
        self,
        record_type: RecordType,
        key: int,
        intent: int,
        value: Any,
        record_version: int,
        request: Record[Any] | None = None,
    ) -> Record[Any]:
        command = self._command
        record = RECORD_CLASS_FOR_VALUE[value.__class__](
            position=self._next_position,
            source_record_position=command.position if command is not None else -1,
            key=key,
            timestamp=self._timestamp,
            partition_id=self._partition_id,
            record_type=record_type,
            intent=intent,
            record_version=record_version,
            operation_reference=command.operation_reference if command is not None else -1,
            batch_operation_reference=command.batch_operation_reference if command is not None else -1,
            request_id=request.request_id if request is not None else -1,
            request_stream_id=request.request_stream_id if request is not None else -1,
            value=value,
        )
        return self._add(record)

    def _add(self, record: Record[Any]) -> Record[Any]:
        data = _encode(record)
        self.records.append(record)
        self.encoded.append(data)
        self._size += len(data)
        self._next_position += 1
        return record
