"""SIGNAL BROADCAST: a signal reaches every subscription of its name.

Signal start events start a new process instance each; waiting catch events (intermediate,
boundary, event subprocess start) are triggered with the signal's variables if their element
instance still takes events. With several partitions the partition that got the broadcast
distributes it to the others, where it triggers the waiting catch events only: the instances a
signal starts are started once, by the partition that got it (as in Zeebe). A repeated delivery
is only acknowledged again.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.model import FlowNode
from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import SignalIntent
from strom.protocol.record import Record
from strom.stream.key_generator import KeyGenerator


class SignalBroadcastProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._subscriptions = state.signal_subscriptions
        self._instances = state.element_instances
        self._processes = state.processes
        self._triggers = behaviors.event_triggers
        self._keys = keys
        self._distribution = behaviors.distribution
        self._distributions = state.distributions

    def process(self, command: Record[Any], writers: Writers) -> None:
        signal = command.value
        distribution = self._distribution
        distributed = distribution.is_distributed(command)
        if distributed:
            if self._distributions.was_received(command.key):
                writers.reject(
                    command,
                    RejectionType.ALREADY_EXISTS,
                    f"Expected to broadcast the distributed signal with key '{command.key}', but "
                    "this partition broadcast it already (a repeated delivery)",
                )
            else:
                writers.append_event(command.key, SignalIntent.BROADCASTED, signal)
                self._trigger(writers, signal, start_instances=False)
            distribution.acknowledge(writers, command)
            return
        key = self._keys.next_key()
        writers.respond(writers.append_event(key, SignalIntent.BROADCASTED, signal))
        self._trigger(writers, signal, start_instances=True)
        distribution.distribute(writers, key, ValueType.SIGNAL, SignalIntent.BROADCAST, signal)

    def _trigger(self, writers: Writers, signal: Any, start_instances: bool) -> None:
        for subscription in self._subscriptions.by_name(signal.tenant_id, signal.signal_name):
            record = subscription.record
            process = self._processes.by_key(record.process_definition_key)
            if process is None:
                continue
            if subscription.is_start_event:
                if not start_instances:
                    continue
                self._triggers.start_process(
                    writers, process, self._keys.next_key(), record.catch_event_id, signal.variables
                )
                continue
            instance = self._instances.get(record.catch_event_instance_key)
            catch_event = process.executable.elements.get(record.catch_event_id)
            if (
                instance is not None
                and isinstance(catch_event, FlowNode)
                and self._triggers.can_trigger(instance, catch_event.id, process)
            ):
                self._triggers.trigger(writers, instance, catch_event, process, signal.variables)
