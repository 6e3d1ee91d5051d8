"""COMMAND_DISTRIBUTION values: a command sent to other partitions until each acknowledges it."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.enums import ValueType


class CommandDistributionRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """The distributed command (``value_type``, ``intent``, ``command_value``) and its target.

    ``command_value`` is the command's value in wire form (camelCase keys): build it with
    ``msgspec.to_builtins(value)`` and read it back with
    ``msgspec.convert(command_value, VALUE_CLASSES[value_type])``. Distributions with the same
    non-empty ``queue_id`` are delivered one after another, in order.
    """

    partition_id: int = -1
    queue_id: str = ""
    value_type: ValueType = ValueType.DEPLOYMENT
    intent: int = -1
    command_value: dict[str, Any] = {}
