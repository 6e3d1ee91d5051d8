"""Correlating messages on the message's partition (Zeebe's ``MessageCorrelateBehavior`` and
``MessageCorrelator``).

A message correlates at most once per process (by BPMN process id): to the first waiting
subscription of each process with its name and correlation key, and to the message start events
of processes it did not reach that way. A message start event starts a new instance unless the
correlation key is set and an instance the process started by a message with that key is still
active: then the message stays buffered and starts the next instance when that one ends.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from strom.engine.processing.bpmn.behavior.event_trigger import EventTriggerBehavior
from strom.engine.processing.bpmn.behavior.subscription_commands import SubscriptionCommands, process_side
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.message import StartLock
from strom.engine.state.start_event_subscription import MessageStartEventSubscription
from strom.protocol.intents import MessageStartEventSubscriptionIntent, MessageSubscriptionIntent
from strom.protocol.values.message import (
    MessageRecordValue,
    MessageSubscriptionRecordValue,
)
from strom.stream.key_generator import KeyGenerator

_replace = msgspec.structs.replace


class MessageCorrelationBehavior:
    def __init__(
        self,
        state: ProcessingState,
        keys: KeyGenerator,
        triggers: EventTriggerBehavior,
        commands: SubscriptionCommands,
    ) -> None:
        self._messages = state.messages
        self._subscriptions = state.message_subscriptions
        self._start_subscriptions = state.message_start_subscriptions
        self._processes = state.processes
        self._keys = keys
        self._triggers = triggers
        self._commands = commands

    # -- a published message ----------------------------------------------------------------------

    def correlate_published(
        self, writers: Writers, message_key: int, message: MessageRecordValue
    ) -> list[int]:
        """Correlate a new message to its waiting subscriptions and message start events; returns
        the keys of the process instances it reached (subscriptions first, then started ones)."""
        correlated: list[MessageSubscriptionRecordValue] = []
        reached: list[int] = []
        process_ids: set[str] = set()
        for subscription in self._subscriptions.matching(
            message.tenant_id, message.name, message.correlation_key
        ):
            record = subscription.record
            if subscription.correlating or record.bpmn_process_id in process_ids:
                continue
            correlating = _replace(record, message_key=message_key, variables=message.variables)
            writers.append_event(subscription.key, MessageSubscriptionIntent.CORRELATING, correlating)
            correlated.append(correlating)
            reached.append(record.process_instance_key)
            process_ids.add(record.bpmn_process_id)
        for start in self._start_subscriptions.by_message_name(message.tenant_id, message.name):
            if start.record.bpmn_process_id in process_ids:
                continue
            if self._start_blocked(message, start):
                continue
            reached.append(self.start_instance(writers, start, message_key, message))
            process_ids.add(start.record.bpmn_process_id)
        for record in correlated:
            self._send_correlate(writers, record)
        return reached

    def would_correlate(self, message: MessageRecordValue) -> bool:
        """Whether ``correlate_published`` would reach any instance, without writing anything."""
        for subscription in self._subscriptions.matching(
            message.tenant_id, message.name, message.correlation_key
        ):
            if not subscription.correlating:
                return True
        return any(
            not self._start_blocked(message, start)
            for start in self._start_subscriptions.by_message_name(message.tenant_id, message.name)
        )

    def _start_blocked(self, message: MessageRecordValue, start: MessageStartEventSubscription) -> bool:
        return bool(message.correlation_key) and self._messages.has_active_start(
            message.tenant_id, start.record.bpmn_process_id, message.correlation_key
        )

    def start_instance(
        self,
        writers: Writers,
        start: MessageStartEventSubscription,
        message_key: int,
        message: MessageRecordValue,
    ) -> int:
        """The message starts an instance at the start event; returns its key."""
        process = self._processes.by_key(start.record.process_definition_key)
        if process is None:
            return -1
        process_instance_key = self._keys.next_key()
        writers.append_event(
            start.key,
            MessageStartEventSubscriptionIntent.CORRELATED,
            _replace(
                start.record,
                process_instance_key=process_instance_key,
                correlation_key=message.correlation_key,
                message_key=message_key,
                message_name=message.name,
                variables=message.variables,
            ),
        )
        self._triggers.start_process(
            writers, process, process_instance_key, start.record.start_event_id, message.variables
        )
        return process_instance_key

    def _send_correlate(self, writers: Writers, record: MessageSubscriptionRecordValue) -> None:
        self._commands.correlate(writers, process_side(record))

    # -- a subscription looking into the buffer ---------------------------------------------------

    def correlate_next_message(
        self, writers: Writers, subscription_key: int, record: MessageSubscriptionRecordValue
    ) -> bool:
        """Correlate the oldest live buffered message not yet correlated to the subscription's
        process; False if there is none."""
        now = writers.timestamp
        for message_key, message in self._messages.buffered(
            record.tenant_id, record.message_name, record.correlation_key
        ):
            if message.deadline <= now or self._messages.is_correlated(message_key, record.bpmn_process_id):
                continue
            correlating = _replace(record, message_key=message_key, variables=message.variables)
            writers.append_event(subscription_key, MessageSubscriptionIntent.CORRELATING, correlating)
            self._send_correlate(writers, correlating)
            return True
        return False

    def retry_correlation(self, writers: Writers, rejected: MessageSubscriptionRecordValue) -> bool:
        """The process instance rejected the message: offer it to another waiting subscription of
        the same process (Zeebe's reject processor)."""
        message = self._messages.get(rejected.message_key)
        if message is None:
            return False
        for subscription in self._subscriptions.matching(
            rejected.tenant_id, rejected.message_name, rejected.correlation_key
        ):
            record = subscription.record
            if record.bpmn_process_id != rejected.bpmn_process_id or subscription.correlating:
                continue
            correlating = _replace(record, message_key=rejected.message_key, variables=message.variables)
            writers.append_event(subscription.key, MessageSubscriptionIntent.CORRELATING, correlating)
            self._send_correlate(writers, correlating)
            return True
        return False

    # -- an instance started by a message ended ---------------------------------------------------

    def correlate_buffered_start(self, writers: Writers, lock: StartLock) -> None:
        """The instance holding ``lock`` ended: the oldest buffered message with that correlation
        key for one of the process's message start events starts the next instance."""
        process = self._processes.latest(lock.tenant_id, lock.bpmn_process_id)
        if process is None:
            return
        now = writers.timestamp
        for start in self._start_subscriptions.of_process(process.key):
            for message_key, message in self._buffered(lock, start.record.message_name):
                if message.deadline <= now or self._messages.is_correlated(message_key, lock.bpmn_process_id):
                    continue
                self.start_instance(writers, start, message_key, message)
                return

    def _buffered(self, lock: StartLock, name: str) -> Iterable[tuple[int, MessageRecordValue]]:
        return self._messages.buffered(lock.tenant_id, name, lock.correlation_key)
