"""COMMAND_DISTRIBUTION ACKNOWLEDGE: a target partition processed a distributed command.

The target's entry stops being pending (ACKNOWLEDGED); once no target is pending the distribution
is FINISHED. A repeated acknowledgement (the command was delivered twice) is rejected: nothing is
pending for that target any more.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType
from strom.protocol.intents import CommandDistributionIntent
from strom.protocol.record import Record


class CommandDistributionAcknowledgeProcessor:
    def __init__(self, state: ProcessingState) -> None:
        self._distributions = state.distributions

    def process(self, command: Record[Any], writers: Writers) -> None:
        key = command.key
        target = command.value.partition_id
        pending = self._distributions.pending_for(key, target)
        if pending is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to acknowledge the distribution with key '{key}' for partition {target}, "
                "but it is not pending for that partition",
            )
            return
        writers.append_event(key, CommandDistributionIntent.ACKNOWLEDGED, pending)
        if next(self._distributions.pending(key), None) is None:
            writers.append_event(key, CommandDistributionIntent.FINISHED, pending)
