"""DEPLOYMENT CREATE: validate every resource, version every process, decision requirements
graph, decision and form, reject the whole deployment if any resource is invalid (a deployment is
atomic).

A process whose resource (same name, same content) equals the latest version of its id is a
duplicate: it keeps that version and key, and no PROCESS CREATED is written for it. DMN (``.dmn``)
and form (``.form``) resources follow the same rule (see ``_decisions`` and ``_forms``).

With several partitions, a deployment is created on the partition a client sent it to (the
router's deployment partition, 1) and distributed to the others (``CommandDistributionBehavior``):
each creates the same resources with the same keys and versions — the keys come with the
distributed command — opens its own message and signal start event subscriptions (a message may
start an instance on any partition) and acknowledges. Timer start events are scheduled on the
deployment partition only, or every partition would start an instance per tick. A repeated
delivery is only acknowledged again.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.bpmn.behavior.start_event_subscriptions import StartEventSubscriptionBehavior
from strom.engine.processing.deployment._decisions import DMN_EXTENSIONS, DecisionResources, ParsedDmn
from strom.engine.processing.deployment._forms import FORM_EXTENSIONS, FormResources, ParsedForm
from strom.engine.processing.deployment._keys import KeySource
from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.processing.writers import Writers
from strom.engine.state import ProcessingState
from strom.engine.state.process import checksum_of
from strom.model import BpmnDefinitions, ModelError, check_deployment_bindings
from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import DeploymentIntent, ProcessIntent
from strom.protocol.record import Record
from strom.protocol.values.deployment import DeploymentRecordValue
from strom.protocol.values.process import ProcessMetadataValue, ProcessRecordValue
from strom.stream.key_generator import KeyGenerator

BPMN_EXTENSIONS = (".bpmn", ".xml")


class DeploymentCreateProcessor:
    def __init__(
        self,
        state: ProcessingState,
        keys: KeyGenerator,
        start_events: StartEventSubscriptionBehavior | None = None,
        distribution: CommandDistributionBehavior | None = None,
    ) -> None:
        self._processes = state.processes
        self._decisions = state.decisions
        self._form_state = state.forms
        self._distributions = state.distributions
        self._keys = keys
        self._start_events = start_events
        self._distribution = distribution
        self._dmn = DecisionResources(state.decisions, keys)
        self._forms = FormResources(state.forms, keys)

    def process(self, command: Record[Any], writers: Writers) -> None:
        distribution = self._distribution
        if distribution is not None and distribution.is_distributed(command):
            if self._distributions.was_received(command.key):
                writers.reject(
                    command,
                    RejectionType.ALREADY_EXISTS,
                    f"Expected to create the distributed deployment with key '{command.key}', but "
                    "this partition created it already (a repeated delivery)",
                )
            else:
                self._create(command, writers, _DistributedKeys(command.value))
            distribution.acknowledge(writers, command)
            return
        self._create(command, writers, self._keys)

    def _create(self, command: Record[Any], writers: Writers, keys: KeySource) -> None:
        distributed = keys is not self._keys
        dmn_resources = DecisionResources(self._decisions, keys) if distributed else self._dmn
        form_resources = FormResources(self._form_state, keys) if distributed else self._forms
        resources = command.value.resources
        if not resources:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                "Expected to deploy at least one resource, but none given",
            )
            return
        errors: list[str] = []
        parsed: list[tuple[str, bytes, BpmnDefinitions]] = []
        dmn: list[ParsedDmn] = []
        forms: list[ParsedForm] = []
        for resource in resources:
            name = resource.resource_name
            lower = name.lower()
            if lower.endswith(DMN_EXTENSIONS) or lower.endswith(FORM_EXTENSIONS):
                item = (
                    dmn_resources.parse(name, resource.resource)
                    if lower.endswith(DMN_EXTENSIONS)
                    else form_resources.parse(name, resource.resource)
                )
                if isinstance(item, str):
                    errors.append(item)
                elif isinstance(item, ParsedDmn):
                    dmn.append(item)
                else:
                    forms.append(item)
                continue
            if not lower.endswith(BPMN_EXTENSIONS):
                errors.append(
                    f"'{name}': unsupported resource type; expected a BPMN (.bpmn, .xml), DMN (.dmn) "
                    "or form (.form) file"
                )
                continue
            try:
                parsed.append((name, resource.resource, self._processes.parse(name, resource.resource)))
            except ModelError as error:
                errors.append(f"'{name}':\n{error}")
        if not errors:
            errors.extend(_duplicate_ids(parsed))
            errors.extend(dmn_resources.duplicate_ids(dmn))
            errors.extend(form_resources.duplicate_ids(forms))
            errors.extend(_binding_problems(parsed, dmn, forms))
        if errors:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                "Expected to deploy new resources, but encountered the following errors:\n"
                + "\n".join(errors),
            )
            return
        deployment_key = keys.next_key()
        tenant_id = command.value.tenant_id
        metadata: list[ProcessMetadataValue] = []
        created_processes: list[ProcessRecordValue] = []
        next_versions: dict[str, int] = {}
        for name, data, definitions in parsed:
            checksum = checksum_of(data)
            for executable in definitions.processes:
                process_id = executable.id
                latest = self._processes.latest(tenant_id, process_id)
                if (
                    latest is not None
                    and latest.record.checksum == checksum
                    and latest.record.resource_name == name
                ):
                    metadata.append(_metadata(latest.record, duplicate=True))
                    continue
                highest = self._processes.highest_version(tenant_id, process_id)
                version = next_versions.get(process_id, highest) + 1
                next_versions[process_id] = version
                record = ProcessRecordValue(
                    bpmn_process_id=process_id,
                    version=version,
                    version_tag=executable.version_tag or "",
                    process_definition_key=keys.next_key(),
                    resource_name=name,
                    checksum=checksum,
                    deployment_key=deployment_key,
                    resource=data,
                    tenant_id=tenant_id,
                )
                writers.append_event(record.process_definition_key, ProcessIntent.CREATED, record)
                metadata.append(_metadata(record, duplicate=False))
                created_processes.append(record)
        drg_metadata, decision_metadata = dmn_resources.create(writers, deployment_key, tenant_id, dmn)
        form_metadata = form_resources.create(writers, deployment_key, tenant_id, forms)
        created = DeploymentRecordValue(
            resources=list(resources),
            processes_metadata=metadata,
            decisions_metadata=decision_metadata,
            decision_requirements_metadata=drg_metadata,
            form_metadata=form_metadata,
            deployment_key=deployment_key,
            tenant_id=tenant_id,
        )
        event = writers.append_event(deployment_key, DeploymentIntent.CREATED, created)
        if not distributed:
            writers.respond(event)
        if self._start_events is not None:
            # a new latest version takes over the message, timer and signal start events
            self._start_events.on_deployed(writers, created_processes, timers=not distributed)
        if not distributed and self._distribution is not None:
            self._distribution.distribute(
                writers, deployment_key, ValueType.DEPLOYMENT, DeploymentIntent.CREATE, created
            )


class _DistributedKeys:
    """The keys the deployment partition gave a deployment, in the order creating it asks for them."""

    def __init__(self, deployment: DeploymentRecordValue) -> None:
        keys = [deployment.deployment_key]
        keys.extend(p.process_definition_key for p in deployment.processes_metadata if not p.duplicate)
        for drg in deployment.decision_requirements_metadata:
            if drg.duplicate:
                continue
            keys.append(drg.decision_requirements_key)
            keys.extend(
                decision.decision_key
                for decision in deployment.decisions_metadata
                if decision.decision_requirements_key == drg.decision_requirements_key
                and not decision.duplicate
            )
        keys.extend(f.form_key for f in deployment.form_metadata if not f.duplicate)
        self._keys = iter(keys)

    def next_key(self) -> int:
        return next(self._keys)


def _metadata(record: ProcessRecordValue, duplicate: bool) -> ProcessMetadataValue:
    return ProcessMetadataValue(
        bpmn_process_id=record.bpmn_process_id,
        version=record.version,
        version_tag=record.version_tag,
        process_definition_key=record.process_definition_key,
        resource_name=record.resource_name,
        checksum=record.checksum,
        duplicate=duplicate,
        deployment_key=record.deployment_key,
        tenant_id=record.tenant_id,
    )


def _duplicate_ids(parsed: list[tuple[str, bytes, BpmnDefinitions]]) -> list[str]:
    seen: dict[str, str] = {}
    errors = []
    for name, _, definitions in parsed:
        for process in definitions.processes:
            if process.id in seen:
                errors.append(
                    f"Expected the process ids to be unique within a deployment but found a "
                    f"duplicated id '{process.id}' in the resources '{seen[process.id]}' "
                    f"and '{name}'."
                )
            else:
                seen[process.id] = name
    return errors


def _binding_problems(
    parsed: list[tuple[str, bytes, BpmnDefinitions]], dmn: list[ParsedDmn], forms: list[ParsedForm]
) -> list[str]:
    """References bound to the deployment (``bindingType="deployment"``) must find their process,
    decision or form among the resources deployed together (Zeebe compares the id as written, so
    an expression never matches)."""
    if not parsed:
        return []
    problems = check_deployment_bindings(
        {name: definitions for name, _, definitions in parsed},
        decision_ids={decision.id for item in dmn for decision in item.graph.decisions},
        form_ids={form.form_id for form in forms},
    )
    return [f"'{problem.resource_name}':\n{problem}" for problem in problems]
