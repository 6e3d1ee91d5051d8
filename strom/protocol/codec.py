"""Bytes for the log and JSON for exporters.

One msgpack ``Encoder`` and one ``Decoder`` over ``AnyRecord``, both built at import: the decoder
reads the ``valueType`` tag and decodes straight into the right envelope and value struct, so
dispatch costs nothing. The bytes :func:`encode` returns are the bytes the log stores and every
reader decodes; nothing is encoded twice.

:func:`to_json` renders a record the way Zeebe exports it: ``valueType``, ``recordType``,
``intent`` and ``rejectionType`` by name, bytes (resource contents, checksums) as base64, every
other field as on the wire.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgspec

from strom.protocol.intents import intent_name
from strom.protocol.record import Record
from strom.protocol.records import AnyRecord
from strom.protocol.values import CommandDistributionRecordValue

_ENCODER = msgspec.msgpack.Encoder()
_DECODER = msgspec.msgpack.Decoder(AnyRecord)
_JSON_ENCODER = msgspec.json.Encoder()


def encode(record: Record[Any]) -> bytes:
    """The msgpack bytes of ``record``, as appended to the log."""
    return _ENCODER.encode(record)


def encode_into(record: Record[Any], buffer: bytearray, offset: int = 0) -> int:
    """Write ``record`` into ``buffer`` from ``offset`` on (-1 appends), for framing without copies.

    The buffer is resized to end right after the record.

    Returns:
        The end of the record in ``buffer``, i.e. ``len(buffer)``.
    """
    _ENCODER.encode_into(record, buffer, offset)
    return len(buffer)


def decode(data: bytes | bytearray | memoryview) -> AnyRecord:
    """The record encoded in ``data``, as an instance of its value type's envelope class.

    Raises:
        msgspec.DecodeError: ``data`` is not a complete record of a known value type
            (``msgspec.ValidationError``, a subclass, when it is msgpack of the wrong shape).
    """
    return _DECODER.decode(data)


def decoder() -> Callable[[bytes | bytearray | memoryview], AnyRecord]:
    """:func:`decode` itself (the decoder's bound method), for a loop over many records (replay),
    which then saves a Python call per record."""
    return _DECODER.decode


def to_json_dict(record: Record[Any]) -> dict[str, Any]:
    """The record as Zeebe's exported JSON object: codes rendered as names, bytes as base64."""
    rendered: dict[str, Any] = _render(record)
    value_type = record.value_type
    rendered["valueType"] = value_type.name
    rendered["recordType"] = record.record_type.name
    rendered["intent"] = intent_name(value_type, record.intent)
    rendered["rejectionType"] = record.rejection_type.name
    if isinstance(record.value, CommandDistributionRecordValue):
        distributed = record.value.value_type
        rendered["value"]["valueType"] = distributed.name
        rendered["value"]["intent"] = intent_name(distributed, record.value.intent)
    return rendered


def to_json(record: Record[Any]) -> bytes:
    """One JSON object (no newline) for the JSON-lines exporter; see :func:`to_json_dict`."""
    return _JSON_ENCODER.encode(to_json_dict(record))


__all__ = ["decode", "decoder", "encode", "encode_into", "to_json", "to_json_dict"]


_FIELDS: dict[type, tuple[tuple[str, str], ...]] = {}


def _render(value: Any) -> Any:
    """JSON-ready builtins with every field present: the log leaves defaults out
    (``omit_defaults``), Zeebe's exported JSON always has them."""
    if isinstance(value, msgspec.Struct):
        cls = value.__class__
        fields = _FIELDS.get(cls)
        if fields is None:
            fields = _FIELDS[cls] = tuple(
                (field.name, field.encode_name) for field in msgspec.structs.fields(cls)
            )
        rendered = {encode_name: _render(getattr(value, name)) for name, encode_name in fields}
        tag_field = cls.__struct_config__.tag_field
        if tag_field is not None:
            rendered[tag_field] = cls.__struct_config__.tag
        return rendered
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], msgspec.Struct):
            return [_render(item) for item in value]
        return value  # plain data: the JSON encoder writes it as it is, however deep
    if isinstance(value, dict):
        return value  # variables and other documents hold plain data only (bytes become base64)
    return msgspec.to_builtins(value)
