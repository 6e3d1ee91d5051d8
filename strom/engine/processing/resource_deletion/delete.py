"""RESOURCE_DELETION DELETE: delete a deployed process definition, decision requirements graph
(DRG) or form by its key.

As in Zeebe 8.8, the step writes RESOURCE_DELETION DELETING, the events of the deleted resource and
RESOURCE_DELETION DELETED, and answers with the DELETING event; a key that is none of them is
rejected as NOT_FOUND. The resource's events:

- a process definition: PROCESS DELETING and DELETED. A definition that still has running
  instances is not deleted (INVALID_STATE). The start events of the deleted version (message,
  timer, signal) are closed and those of the version before it opened, if it was the latest. The
  PROCESS events carry no resource bytes and no checksum (Zeebe leaves them out so a deletion
  never exceeds a batch).
- a DRG: DECISION DELETED for each of its decisions (by decision key), then DECISION_REQUIREMENTS
  DELETED (with its DMN bytes, as in Zeebe). Decisions are evaluated, not run, so nothing stops it.
- a form: FORM DELETED. User tasks that link the form keep its key (Zeebe changes no user task);
  a user task created later links the latest version left, or raises a FORM_NOT_FOUND incident.

Deleting the latest version makes the version before it the latest (of the process id, the DRG
id, each decision id, the form id); version numbers are never reused.

With several partitions every partition holds every deployed resource (the same keys), so the
deletion is distributed as in Zeebe: the deployment partition (1, where the router sends it)
deletes the resource, answers the client at once with DELETING and distributes the command with
the key of its DELETING event (``CommandDistributionBehavior``). Each other partition deletes the
same resource (writing DELETING and DELETED with that key; version 2 of the DELETED applier
remembers it) without scheduling the timer start events of the version before (only the
deployment partition has timers) and acknowledges. A distributed deletion is rejected there and:

- acknowledged again when the partition deleted the resource already (a repeated delivery);
- not acknowledged, so that it is sent again later, while instances of the process definition
  still run on that partition (as in Zeebe) or while the resource's deployment has not reached it
  yet (Strom has no distribution queue that orders the deletion after its deployment).
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.process import DeployedProcess
from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import (
    DecisionIntent,
    DecisionRequirementsIntent,
    FormIntent,
    MessageStartEventSubscriptionIntent,
    ProcessIntent,
    ResourceDeletionIntent,
    SignalSubscriptionIntent,
    TimerIntent,
)
from strom.protocol.record import Record
from strom.protocol.values.decision import DecisionRequirementsRecordValue
from strom.protocol.values.form import FormRecordValue
from strom.protocol.values.process import ProcessRecordValue
from strom.stream.key_generator import KeyGenerator

Resource = DeployedProcess | DecisionRequirementsRecordValue | FormRecordValue
"""A deletable resource as the state holds it."""


class ResourceDeletionDeleteProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors, keys: KeyGenerator) -> None:
        self._processes = state.processes
        self._decisions = state.decisions
        self._forms = state.forms
        self._element_instances = state.element_instances
        self._message_starts = state.message_start_subscriptions
        self._timers = state.timers
        self._signals = state.signal_subscriptions
        self._start_events = behaviors.start_events
        self._distribution = behaviors.distribution
        self._distributions = state.distributions
        self._keys = keys

    def process(self, command: Record[Any], writers: Writers) -> None:
        if self._distribution.is_distributed(command):
            self._process_distributed(command, writers, self._distribution)
            return
        resource_key = command.value.resource_key
        resource = self._find(resource_key)
        if resource is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to delete resource but no resource found with key `{resource_key}`",
            )
            return
        if isinstance(resource, DeployedProcess) and self._element_instances.has_process_instances(
            resource_key
        ):
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to delete resource with key `{resource_key}` but there are still running "
                "instances",
            )
            return
        event_key = self._keys.next_key()
        deletion = command.value
        deleting = writers.append_event(event_key, ResourceDeletionIntent.DELETING, deletion)
        self._delete(writers, resource, timers=True)
        writers.append_event(event_key, ResourceDeletionIntent.DELETED, deletion)
        writers.respond(deleting)
        self._distribution.distribute(
            writers, event_key, ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETE, deletion
        )

    def _process_distributed(
        self, command: Record[Any], writers: Writers, distribution: CommandDistributionBehavior
    ) -> None:
        """The deletion the deployment partition made, distributed here (``command.key`` is the key
        of its DELETING event)."""
        resource_key = command.value.resource_key
        if self._distributions.was_received(command.key):
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to delete the resource with key `{resource_key}` (the distributed deletion "
                f"'{command.key}'), but this partition deleted it already (a repeated delivery)",
            )
            distribution.acknowledge(writers, command)
            return
        resource = self._find(resource_key)
        if resource is None:
            writers.reject(
                command,
                RejectionType.NOT_FOUND,
                f"Expected to delete the resource with key `{resource_key}` (the distributed deletion "
                f"'{command.key}'), but its deployment has not reached this partition yet; the "
                "deletion is sent again until it has",
            )
            return
        if isinstance(resource, DeployedProcess) and self._element_instances.has_process_instances(
            resource_key
        ):
            writers.reject(
                command,
                RejectionType.INVALID_STATE,
                f"Expected to delete resource with key `{resource_key}` but there are still running "
                "instances on this partition; the deletion is sent again until they ended",
            )
            return
        deletion = command.value
        writers.append_event(command.key, ResourceDeletionIntent.DELETING, deletion)
        self._delete(writers, resource, timers=False)
        writers.append_event(command.key, ResourceDeletionIntent.DELETED, deletion)
        distribution.acknowledge(writers, command)

    def _find(self, key: int) -> Resource | None:
        """The process definition, DRG or form with ``key`` (Zeebe looks in this order)."""
        if key <= 0:
            return None
        return (
            self._processes.by_key(key) or self._decisions.requirements_by_key(key) or self._forms.by_key(key)
        )

    def _delete(self, writers: Writers, resource: Resource, timers: bool) -> None:
        """The events of the deleted resource (between DELETING and DELETED)."""
        if isinstance(resource, DeployedProcess):
            self._delete_process(writers, resource, timers)
        elif isinstance(resource, DecisionRequirementsRecordValue):
            self._delete_requirements(writers, resource)
        else:
            writers.append_event(self._keys.next_key(), FormIntent.DELETED, resource)

    def _delete_requirements(self, writers: Writers, drg: DecisionRequirementsRecordValue) -> None:
        """DECISION DELETED for each decision of the DRG, then DECISION_REQUIREMENTS DELETED."""
        for decision in self._decisions.decisions_of_requirements(drg.decision_requirements_key):
            writers.append_event(self._keys.next_key(), DecisionIntent.DELETED, decision)
        writers.append_event(self._keys.next_key(), DecisionRequirementsIntent.DELETED, drg)

    def _delete_process(self, writers: Writers, process: DeployedProcess, timers: bool) -> None:
        """PROCESS DELETING and DELETED; if it is the latest version, its start events are closed
        and those of the version before opened (its timers only with ``timers``)."""
        record = _without_resource(process)
        writers.append_event(self._keys.next_key(), ProcessIntent.DELETING, record)
        tenant_id = process.tenant_id
        if self._processes.latest_version(tenant_id, process.bpmn_process_id) == process.version:
            self._close_start_events(writers, process.key)
            previous = self._processes.by_id_and_version(
                tenant_id,
                process.bpmn_process_id,
                self._processes.version_before(tenant_id, process.bpmn_process_id, process.version),
            )
            if previous is not None:
                self._start_events.open(writers, previous, timers)
        writers.append_event(self._keys.next_key(), ProcessIntent.DELETED, record)

    def _close_start_events(self, writers: Writers, process_definition_key: int) -> None:
        for message in list(self._message_starts.of_process(process_definition_key)):
            writers.append_event(message.key, MessageStartEventSubscriptionIntent.DELETED, message.record)
        for timer_key, timer in list(self._timers.of_start_events(process_definition_key)):
            writers.append_event(timer_key, TimerIntent.CANCELED, timer)
        for signal in list(self._signals.of_subscriber(process_definition_key)):
            if signal.is_start_event:
                writers.append_event(signal.key, SignalSubscriptionIntent.DELETED, signal.record)


def _without_resource(process: DeployedProcess) -> ProcessRecordValue:
    stored = process.record
    return ProcessRecordValue(
        bpmn_process_id=stored.bpmn_process_id,
        version=stored.version,
        version_tag=stored.version_tag,
        process_definition_key=stored.process_definition_key,
        resource_name=stored.resource_name,
        deployment_key=stored.deployment_key,
        tenant_id=stored.tenant_id,
    )
