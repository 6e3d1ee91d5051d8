"""PROCESS_INSTANCE_MIGRATION MIGRATE: move a running process instance to another process
definition, element instance by element instance (Zeebe's ``ProcessInstanceMigrationMigrateProcessor``).

The mapping instructions name, for each active element, the element of the target definition it
becomes (the process itself is mapped implicitly). Every element instance is checked first, from
the process instance down (breadth first, as Zeebe walks them), with Zeebe 8.8's preconditions and
rejection texts (``_preconditions``); only then is anything written, so a rejected migration leaves
the instance as it was. Per element instance, in Zeebe's order:

* PROCESS_INSTANCE ELEMENT_MIGRATED with the target's process definition key, process id, version
  and element id (nothing else: the element keeps its key, state and variables);
* its job JOB MIGRATED (same key and job type: the job is not recreated, expressions are not
  evaluated again), its incidents INCIDENT MIGRATED, its user task USER_TASK MIGRATED, each local
  variable VARIABLE MIGRATED;
* its catch events, unless it is still activating: a subscription whose catch event is mapped is
  migrated (TIMER MIGRATED keeps the due date; PROCESS_MESSAGE_SUBSCRIPTION MIGRATED here and
  MESSAGE_SUBSCRIPTION MIGRATE to the message's partition; SIGNAL_SUBSCRIPTION MIGRATED), one
  whose catch event is not mapped is closed, and a catch event of the target element that no
  instruction maps to is subscribed anew.

Then PROCESS_INSTANCE_MIGRATION MIGRATED answers the request. A called process instance is not
changed (migrate it on its own).
"""

from __future__ import annotations

from collections import deque
from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.behavior.event_subscription import catch_events_of
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.process_instance_migration._preconditions import (
    MigrationRejected,
    instance_not_found,
    require_catch_events_stay_attached,
    require_mapping,
    require_no_concurrent_command,
    require_no_duplicate_sources,
    require_no_merged_catch_events,
    require_no_subscription_for_message,
    require_referred_elements,
    require_same_catch_event_types,
    require_same_loop_characteristics,
    require_same_type,
    require_same_user_task_implementation,
    require_supported_type,
    require_target,
    require_unchanged_flow_scope,
)
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.element_instance import ElementInstance
from strom.engine.state.process import DeployedProcess
from strom.model import FlowNode
from strom.protocol.bpmn import BpmnElementType as E
from strom.protocol.enums import RejectionType
from strom.protocol.intents import (
    IncidentIntent,
    JobIntent,
    ProcessInstanceMigrationIntent,
    ProcessMessageSubscriptionIntent,
    SignalSubscriptionIntent,
    TimerIntent,
    UserTaskIntent,
    VariableIntent,
)
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.record import Record
from strom.protocol.values.message import MessageSubscriptionRecordValue
from strom.protocol.values.variable import VariableRecordValue

_replace = msgspec.structs.replace
_OWN_EVENTS = frozenset({E.INTERMEDIATE_CATCH_EVENT, E.RECEIVE_TASK})
_CONTAINERS = frozenset({E.PROCESS, E.SUB_PROCESS, E.EVENT_SUB_PROCESS})


class _Step:
    """One element instance to migrate, as validated."""

    __slots__ = ("instance", "source", "subscribe", "target", "target_context")

    def __init__(
        self,
        instance: ElementInstance,
        source: FlowNode,
        target: FlowNode,
        target_context: ElementContext,
        subscribe: frozenset[str],
    ) -> None:
        self.instance = instance
        self.source = source
        self.target = target
        self.target_context = target_context
        self.subscribe = subscribe


class ProcessInstanceMigrationMigrateProcessor:
    def __init__(self, state: ProcessingState, behaviors: Behaviors) -> None:
        self._instances = state.element_instances
        self._processes = state.processes
        self._jobs = state.jobs
        self._user_tasks = state.user_tasks
        self._incidents = state.incidents
        self._variables = state.variables
        self._event_scopes = state.event_scopes
        self._timers = state.timers
        self._process_messages = state.process_message_subscriptions
        self._signals = state.signal_subscriptions
        self._subscriptions = behaviors.event_subscriptions
        self._commands = behaviors.subscription_commands

    def process(self, command: Record[Any], writers: Writers) -> None:
        request = command.value
        instance_key = request.process_instance_key
        instance = self._instances.get(instance_key)
        source = self._processes.by_key(instance.value.process_definition_key) if instance else None
        if instance is None or source is None or instance.value.bpmn_element_type is not E.PROCESS:
            writers.reject(command, RejectionType.NOT_FOUND, instance_not_found(instance_key))
            return
        try:
            target, steps = self._validate(writers, request, instance, source)
        except MigrationRejected as rejected:
            writers.reject(command, rejected.rejection_type, rejected.reason)
            return
        mapping = _mapping(request, source, target)
        for step in steps:
            self._migrate(writers, step, target, mapping)
        writers.respond(writers.append_event(instance_key, ProcessInstanceMigrationIntent.MIGRATED, request))

    # -- validation (nothing written yet) ----------------------------------------------------------

    def _validate(
        self, writers: Writers, request: Any, instance: ElementInstance, source: DeployedProcess
    ) -> tuple[DeployedProcess, list[_Step]]:
        instance_key = instance.key
        instructions = request.mapping_instructions
        require_no_duplicate_sources([i.source_element_id for i in instructions], instance_key)
        target = require_target(
            self._processes.by_key(request.target_process_definition_key),
            request.target_process_definition_key,
        )
        require_referred_elements(
            source, target, [(i.source_element_id, i.target_element_id) for i in instructions], instance_key
        )
        mapping = _mapping(request, source, target)
        steps: list[_Step] = []
        queue: deque[ElementInstance] = deque([instance])
        while queue:
            current = queue.popleft()
            steps.append(self._check(writers, current, source, target, mapping))
            queue.extend(
                child
                for child in self._instances.children(current.key)
                if child.value.process_instance_key == instance_key
            )
        return target, steps

    def _check(
        self,
        writers: Writers,
        instance: ElementInstance,
        source: DeployedProcess,
        target: DeployedProcess,
        mapping: dict[str, str],
    ) -> _Step:
        value = instance.value
        instance_key = value.process_instance_key
        element_id = value.element_id
        source_element = source.executable.flow_node(element_id)
        require_supported_type(instance, source_element, source, instance_key)
        target_id = require_mapping(mapping.get(element_id), instance_key, element_id)
        target_element = require_same_type(instance, target.executable.elements[target_id], instance_key)
        require_same_user_task_implementation(instance, target_element, instance_key)
        require_same_loop_characteristics(source_element, target_element, instance, instance_key)
        flow_scope = self._instances.get(value.flow_scope_key) if value.flow_scope_key > 0 else None
        require_unchanged_flow_scope(
            instance,
            None if flow_scope is None else mapping.get(flow_scope.value.element_id, ""),
            target_element,
            instance_key,
        )
        source_events = _catch_events(source_element, source)
        require_catch_events_stay_attached(
            instance_key, element_id, target_id, source_events, _catch_events(target_element, target), mapping
        )
        require_no_merged_catch_events(instance_key, element_id, source_events, mapping)
        require_same_catch_event_types(instance_key, element_id, source_events, target, mapping)
        require_no_concurrent_command(
            self._event_scopes.peek_trigger(instance.key) is not None, instance, instance_key
        )

        migrated = _migrated_value(value, target, target_id)
        context = ElementContext(instance.key, migrated, target_element, target)
        subscribe: frozenset[str] = frozenset()
        if instance.state != PI.ELEMENT_ACTIVATING:
            # An element still activating has not subscribed yet (Zeebe: camunda/camunda#19212).
            mapped_targets = set(mapping.values())
            subscribe = frozenset(
                event.id for event in catch_events_of(context) if event.id not in mapped_targets
            )
        if subscribe:
            names = self._subscriptions.message_names(writers, context, subscribe)
            if isinstance(names, Failure):
                raise MigrationRejected(RejectionType.INVALID_STATE, names.message)
            for event_id, name in names.items():
                require_no_subscription_for_message(
                    self._process_messages.get(instance.key, name) is not None, instance, name, event_id
                )
        return _Step(instance, source_element, target_element, context, subscribe)

    # -- writing -----------------------------------------------------------------------------------

    def _migrate(
        self, writers: Writers, step: _Step, target: DeployedProcess, mapping: dict[str, str]
    ) -> None:
        instance = step.instance
        key = instance.key
        migrated = step.target_context.value
        writers.append_event(key, PI.ELEMENT_MIGRATED, migrated)
        job_key = instance.job_key
        job = self._jobs.get(job_key) if job_key > 0 else None
        if job is not None:
            writers.append_event(
                job_key,
                JobIntent.MIGRATED,
                _replace(
                    job,
                    process_definition_key=target.key,
                    process_definition_version=target.version,
                    bpmn_process_id=target.bpmn_process_id,
                    element_id=migrated.element_id,
                ),
            )
        for incident_key in (
            self._incidents.for_element(key),
            self._incidents.for_job(job_key) if job_key > 0 else None,
        ):
            incident = self._incidents.get(incident_key) if incident_key is not None else None
            if incident_key is not None and incident is not None:
                writers.append_event(
                    incident_key,
                    IncidentIntent.MIGRATED,
                    _replace(
                        incident,
                        process_definition_key=target.key,
                        bpmn_process_id=target.bpmn_process_id,
                        element_id=migrated.element_id,
                    ),
                )
        task = self._user_tasks.get(instance.user_task_key) if instance.user_task_key > 0 else None
        if task is not None:
            writers.append_event(
                instance.user_task_key,
                UserTaskIntent.MIGRATED,
                _replace(
                    task,
                    process_definition_key=target.key,
                    process_definition_version=target.version,
                    bpmn_process_id=target.bpmn_process_id,
                    element_id=migrated.element_id,
                    variables={},
                ),
            )
        for variable in list(self._variables.local_variables(key)):
            writers.append_event(
                variable.key,
                VariableIntent.MIGRATED,
                VariableRecordValue(
                    name=variable.name,
                    # Zeebe leaves the value out (nil); Strom's search exporter upserts the variable
                    # from this record, so it carries the unchanged value.
                    value=variable.json.decode(),
                    scope_key=key,
                    process_instance_key=migrated.process_instance_key,
                    process_definition_key=target.key,
                    bpmn_process_id=target.bpmn_process_id,
                    tenant_id=migrated.tenant_id,
                ),
            )
        if instance.state != PI.ELEMENT_ACTIVATING:
            self._migrate_subscriptions(writers, step, target, mapping)

    def _migrate_subscriptions(
        self, writers: Writers, step: _Step, target: DeployedProcess, mapping: dict[str, str]
    ) -> None:
        key = step.instance.key
        closing: set[str] = set()
        for timer_key, timer in list(self._timers.of_element(key)):
            mapped = mapping.get(timer.target_element_id)
            if mapped is None:
                closing.add(timer.target_element_id)
                continue
            writers.append_event(
                timer_key,
                TimerIntent.MIGRATED,
                _replace(timer, target_element_id=mapped, process_definition_key=target.key),
            )
        for subscription in list(self._process_messages.of_element(key)):
            record = subscription.record
            if subscription.is_closing:
                continue
            mapped = mapping.get(record.element_id)
            if mapped is None:
                closing.add(record.element_id)
                continue
            event = target.executable.flow_node(mapped)
            migrated = _replace(
                record,
                process_definition_key=target.key,
                bpmn_process_id=target.bpmn_process_id,
                element_id=mapped,
                interrupting=event.interrupting,
            )
            writers.append_event(subscription.key, ProcessMessageSubscriptionIntent.MIGRATED, migrated)
            self._commands.migrate_message_subscription(
                writers,
                MessageSubscriptionRecordValue(
                    process_instance_key=migrated.process_instance_key,
                    element_instance_key=migrated.element_instance_key,
                    process_definition_key=migrated.process_definition_key,
                    bpmn_process_id=migrated.bpmn_process_id,
                    message_name=migrated.message_name,
                    correlation_key=migrated.correlation_key,
                    interrupting=migrated.interrupting,
                    tenant_id=migrated.tenant_id,
                ),
            )
        for signal in list(self._signals.of_subscriber(key)):
            subscribed = signal.record
            mapped = mapping.get(subscribed.catch_event_id)
            if mapped is None:
                closing.add(subscribed.catch_event_id)
                continue
            writers.append_event(
                signal.key,
                SignalSubscriptionIntent.MIGRATED,
                _replace(
                    subscribed,
                    process_definition_key=target.key,
                    bpmn_process_id=target.bpmn_process_id,
                    catch_event_id=mapped,
                ),
            )
        self._subscriptions.unsubscribe_events(writers, key, closing)
        if step.subscribe:
            failure = self._subscriptions.subscribe(writers, step.target_context, step.subscribe)
            assert failure is None, "evaluated before anything was written"


def _mapping(request: Any, source: DeployedProcess, target: DeployedProcess) -> dict[str, str]:
    """Source element id → target element id; the process is mapped without an instruction."""
    mapping = {i.source_element_id: i.target_element_id for i in request.mapping_instructions}
    mapping[source.bpmn_process_id] = target.bpmn_process_id
    return mapping


def _migrated_value(value: Any, target: DeployedProcess, target_id: str) -> Any:
    return _replace(
        value,
        process_definition_key=target.key,
        bpmn_process_id=target.bpmn_process_id,
        version=target.version,
        element_id=target_id,
    )


def _catch_events(element: FlowNode, process: DeployedProcess) -> list[FlowNode]:
    """The catch events belonging to an element (Zeebe's ``ExecutableCatchEventSupplier``): its
    boundary events, itself when it is one, the start events of its event subprocesses, the events
    after an event-based gateway."""
    executable = process.executable
    events: list[FlowNode] = []
    if element.element_type in _OWN_EVENTS:
        events.append(element)
    elif element.element_type is E.EVENT_BASED_GATEWAY:
        events.extend(executable.flow_node(flow.target_id) for flow in element.outgoing)
    events.extend(executable.flow_node(event_id) for event_id in element.boundary_event_ids)
    container = element.container
    if container is not None and element.element_type in _CONTAINERS:
        for subprocess_id in container.event_subprocess_ids:
            subprocess = executable.flow_node(subprocess_id).container
            if subprocess is not None:
                events.extend(executable.flow_node(start) for start in subprocess.start_event_ids)
    return events
