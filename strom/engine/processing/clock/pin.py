"""CLOCK PIN / RESET: fix every partition's clock at a time, or let it follow the system clock.

As in Zeebe, the command is processed on the partition that got it and distributed to the others;
each writes PINNED (RESETTED), whose applier keeps the time in state, and pins its live clock as a
side effect once the event is durable (records of the same step still carry the old time). A
repeated delivery is only acknowledged again. Whether the API may pin the clock at all is the
gateway's question (``clock_controlled``): the engine obeys the command it is given.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import ClockIntent
from strom.protocol.record import Record
from strom.stream.clock import PinnableClock
from strom.stream.key_generator import KeyGenerator


class ClockProcessor:
    """PIN (``pins``) or RESET: the same steps, another event and clock change."""

    def __init__(
        self,
        state: ProcessingState,
        distribution: CommandDistributionBehavior,
        keys: KeyGenerator,
        clock: PinnableClock,
        *,
        pins: bool,
    ) -> None:
        self._distributions = state.distributions
        self._distribution = distribution
        self._keys = keys
        self._clock = clock
        self._pins = pins
        self._event = ClockIntent.PINNED if pins else ClockIntent.RESETTED
        self._command = ClockIntent.PIN if pins else ClockIntent.RESET
        self._verb = "pin" if pins else "reset"

    def process(self, command: Record[Any], writers: Writers) -> None:
        value = command.value
        if self._pins and value.time < 0:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"Expected to pin the clock at a time of at least 0 ms since the epoch, but it was "
                f"'{value.time}'",
            )
            return
        change = self._change(value.time)
        if self._distribution.is_distributed(command):
            if self._distributions.was_received(command.key):
                writers.reject(
                    command,
                    RejectionType.ALREADY_EXISTS,
                    f"Expected to {self._verb} the clock with key '{command.key}', but this partition "
                    f"did it already (a repeated delivery)",
                )
            else:
                writers.append_event(command.key, self._event, value)
                writers.side_effect(change)
            self._distribution.acknowledge(writers, command)
            return
        key = self._keys.next_key()
        writers.respond(writers.append_event(key, self._event, value))
        writers.side_effect(change)
        self._distribution.distribute(writers, key, ValueType.CLOCK, self._command, value)

    def _change(self, millis: int) -> Callable[[], None]:
        clock = self._clock
        if not self._pins:
            return clock.reset
        return lambda: clock.pin(millis)
