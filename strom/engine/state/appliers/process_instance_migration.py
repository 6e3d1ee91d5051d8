"""Appliers of the events a process instance migration writes (PROCESS_INSTANCE_MIGRATION MIGRATE).

Each one moves one entity to the target process definition and keeps everything else: the
element instance, its job, incident, user task and subscriptions keep their keys and states.
"""

from __future__ import annotations

from typing import Any

import msgspec

from strom.engine.state import MutableProcessingState
from strom.engine.state.appliers import EventAppliers, NoStateChange
from strom.engine.state.signal_subscription import SignalSubscription
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    IncidentIntent,
    JobIntent,
    MessageSubscriptionIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessMessageSubscriptionIntent,
    SignalSubscriptionIntent,
    TimerIntent,
    UserTaskIntent,
    VariableIntent,
)
from strom.protocol.record import Record

_replace = msgspec.structs.replace


class ElementMigratedV1:
    """The element instance takes the record of the target definition (a process instance also
    moves in the index of instances by definition)."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._instances = state.element_instances

    def __call__(self, record: Record[Any]) -> None:
        instance = self._instances.get(record.key)
        if instance is not None:
            self._instances.migrate(_replace(instance, value=record.value))


class JobMigratedV1:
    """The job takes the target's definition and element; its status and type stay."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._jobs = state.jobs

    def __call__(self, record: Record[Any]) -> None:
        stored = self._jobs.get(record.key)
        if stored is None:
            return
        job = record.value
        self._jobs.update(
            record.key,
            _replace(
                stored,
                process_definition_key=job.process_definition_key,
                process_definition_version=job.process_definition_version,
                bpmn_process_id=job.bpmn_process_id,
                element_id=job.element_id,
            ),
        )


class IncidentMigratedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._incidents = state.incidents

    def __call__(self, record: Record[Any]) -> None:
        if self._incidents.get(record.key) is not None:
            self._incidents.create(record.key, record.value)


class UserTaskMigratedV1:
    """The user task takes the target's definition and element; lifecycle, assignee and the rest stay."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._tasks = state.user_tasks

    def __call__(self, record: Record[Any]) -> None:
        stored = self._tasks.get(record.key)
        if stored is None:
            return
        task = record.value
        migrated = _replace(
            stored,
            process_definition_key=task.process_definition_key,
            process_definition_version=task.process_definition_version,
            bpmn_process_id=task.bpmn_process_id,
            element_id=task.element_id,
        )
        self._tasks.put(record.key, migrated, self._tasks.lifecycle(record.key))


class TimerMigratedV1:
    """The timer targets the mapped catch event; due date and repetitions stay."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._timers = state.timers

    def __call__(self, record: Record[Any]) -> None:
        if self._timers.get(record.key) is not None:
            self._timers.put(record.key, record.value)


class ProcessMessageSubscriptionMigratedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.process_message_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        stored = self._subscriptions.get(value.element_instance_key, value.message_name)
        if stored is not None:
            self._subscriptions.put(_replace(stored, record=value))


class MessageSubscriptionMigratedV1:
    def __init__(self, state: MutableProcessingState) -> None:
        self._subscriptions = state.message_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        stored = self._subscriptions.get(value.element_instance_key, value.message_name)
        if stored is not None:
            self._subscriptions.put(_replace(stored, record=value))


class SignalSubscriptionMigratedV1:
    """The subscription (stored under its catch event id) moves to the mapped catch event."""

    def __init__(self, state: MutableProcessingState) -> None:
        self._signals = state.signal_subscriptions

    def __call__(self, record: Record[Any]) -> None:
        value = record.value
        for stored in list(self._signals.of_subscriber(value.catch_event_instance_key)):
            if stored.key == record.key:
                self._signals.remove(stored.record)
                self._signals.put(SignalSubscription(record.key, value))
                return


def register(appliers: EventAppliers, state: MutableProcessingState) -> None:
    unchanged = "the migration is recorded by its events"
    appliers.register(
        ValueType.PROCESS_INSTANCE_MIGRATION,
        ProcessInstanceMigrationIntent.MIGRATED,
        NoStateChange(unchanged),
    )
    appliers.register(
        ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ELEMENT_MIGRATED, ElementMigratedV1(state)
    )
    appliers.register(ValueType.JOB, JobIntent.MIGRATED, JobMigratedV1(state))
    appliers.register(ValueType.INCIDENT, IncidentIntent.MIGRATED, IncidentMigratedV1(state))
    appliers.register(ValueType.USER_TASK, UserTaskIntent.MIGRATED, UserTaskMigratedV1(state))
    appliers.register(
        ValueType.VARIABLE,
        VariableIntent.MIGRATED,
        NoStateChange("variables are stored by scope, without their process definition"),
    )
    appliers.register(ValueType.TIMER, TimerIntent.MIGRATED, TimerMigratedV1(state))
    appliers.register(
        ValueType.PROCESS_MESSAGE_SUBSCRIPTION,
        ProcessMessageSubscriptionIntent.MIGRATED,
        ProcessMessageSubscriptionMigratedV1(state),
    )
    appliers.register(
        ValueType.MESSAGE_SUBSCRIPTION,
        MessageSubscriptionIntent.MIGRATED,
        MessageSubscriptionMigratedV1(state),
    )
    appliers.register(
        ValueType.SIGNAL_SUBSCRIPTION, SignalSubscriptionIntent.MIGRATED, SignalSubscriptionMigratedV1(state)
    )
