"""Which permission each client command needs (the checks Zeebe 8.8's processors make).

One function per command, reading state only to find the resource the command is about (the
process of an instance, job or user task; the decision evaluated; the entity changed). A function
answers ``None`` when the command's target does not exist: the processor then rejects it with
NOT_FOUND, as it does without authorization, so the check never hides a clearer answer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strom.engine.processing.authorization.check import PermissionRequest
from strom.engine.state import ProcessingState
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    AdHocSubProcessInstructionIntent,
    AuthorizationIntent,
    DecisionEvaluationIntent,
    DeploymentIntent,
    GroupIntent,
    IncidentIntent,
    JobIntent,
    MappingRuleIntent,
    MessageCorrelationIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessInstanceModificationIntent,
    ResourceDeletionIntent,
    RoleIntent,
    SignalIntent,
    TenantIntent,
    UserIntent,
    UserTaskIntent,
    VariableDocumentIntent,
)
from strom.protocol.record import Record
from strom.protocol.values.identity import AuthorizationResourceType as Resource
from strom.protocol.values.identity import PermissionType as Permission

Requirement = Callable[[Record[Any], ProcessingState], "PermissionRequest | list[PermissionRequest] | None"]
"""What a command needs, given the command and the state it is processed against: one permission,
several (all needed; the first one's tenant is checked), or none."""


def _process_of_instance(state: ProcessingState, element_instance_key: int) -> tuple[str, str] | None:
    """(tenant, BPMN process id) of the instance an element instance belongs to."""
    instance = state.element_instances.get(element_instance_key)
    return None if instance is None else (instance.value.tenant_id, instance.value.bpmn_process_id)


def _create_instance(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
    value = command.value
    process_id: str = value.bpmn_process_id
    if not process_id and value.process_definition_key > 0:
        process = state.processes.by_key(value.process_definition_key)
        if process is None:
            return None
        process_id = process.bpmn_process_id
    return PermissionRequest(
        Resource.PROCESS_DEFINITION,
        Permission.CREATE_PROCESS_INSTANCE,
        process_id,
        value.tenant_id,
        new_resource=True,
    )


def _on_instance(permission: Permission) -> Requirement:
    def requirement(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
        key = command.value.process_instance_key if command.value.process_instance_key > 0 else command.key
        found = _process_of_instance(state, key)
        if found is None:
            return None
        return PermissionRequest(Resource.PROCESS_DEFINITION, permission, found[1], found[0])

    return requirement


def _set_variables(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
    found = _process_of_instance(state, command.value.scope_key)
    if found is None:
        return None
    return PermissionRequest(
        Resource.PROCESS_DEFINITION, Permission.UPDATE_PROCESS_INSTANCE, found[1], found[0]
    )


def _on_ad_hoc_sub_process(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
    found = _process_of_instance(state, command.value.ad_hoc_sub_process_instance_key)
    if found is None:
        return None
    return PermissionRequest(
        Resource.PROCESS_DEFINITION, Permission.UPDATE_PROCESS_INSTANCE, found[1], found[0]
    )


def _on_job(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
    job = state.jobs.get(command.key)
    if job is None:
        return None
    return PermissionRequest(
        Resource.PROCESS_DEFINITION, Permission.UPDATE_PROCESS_INSTANCE, job.bpmn_process_id, job.tenant_id
    )


def _on_user_task(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
    task = state.user_tasks.get(command.key)
    if task is None:
        return None
    return PermissionRequest(
        Resource.PROCESS_DEFINITION, Permission.UPDATE_USER_TASK, task.bpmn_process_id, task.tenant_id
    )


def _resolve_incident(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
    incident = state.incidents.get(command.key)
    if incident is None:
        return None
    return PermissionRequest(
        Resource.PROCESS_DEFINITION,
        Permission.UPDATE_PROCESS_INSTANCE,
        incident.bpmn_process_id,
        incident.tenant_id,
    )


def _evaluate_decision(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
    decision_id: str = command.value.decision_id
    if not decision_id and command.value.decision_key > 0:
        decision = state.decisions.decision_by_key(command.value.decision_key)
        if decision is None:
            return None
        decision_id = decision.decision_id
    return PermissionRequest(
        Resource.DECISION_DEFINITION,
        Permission.CREATE_DECISION_INSTANCE,
        decision_id,
        command.value.tenant_id,
        new_resource=True,
    )


def _delete_resource(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
    key = command.value.resource_key
    process = state.processes.by_key(key)
    if process is not None:
        return PermissionRequest(
            Resource.RESOURCE, Permission.DELETE_PROCESS, process.bpmn_process_id, process.tenant_id
        )
    requirements = state.decisions.requirements_by_key(key)
    if requirements is not None:
        return PermissionRequest(
            Resource.RESOURCE,
            Permission.DELETE_DRD,
            requirements.decision_requirements_id,
            requirements.tenant_id,
        )
    form = state.forms.by_key(key)
    if form is not None:
        return PermissionRequest(Resource.RESOURCE, Permission.DELETE_FORM, form.form_id, form.tenant_id)
    return None


def _broadcast_signal(command: Record[Any], state: ProcessingState) -> list[PermissionRequest]:
    """As Zeebe 8.8: the caller is assigned to the signal's tenant, and may create instances of the
    processes whose signal start events it triggers and update those whose catch events it does."""
    tenant_id: str = command.value.tenant_id
    tenant = PermissionRequest(
        Resource.PROCESS_DEFINITION,
        None,
        "",
        tenant_id,
        new_resource=True,
        tenant_message=(
            f"Expected to broadcast signal for tenant '{tenant_id}', but user is not assigned to this tenant."
        ),
    )
    needed = [tenant]
    for subscription in state.signal_subscriptions.by_name(tenant_id, command.value.signal_name):
        permission = (
            Permission.CREATE_PROCESS_INSTANCE
            if subscription.is_start_event
            else Permission.UPDATE_PROCESS_INSTANCE
        )
        needed.append(
            PermissionRequest(Resource.PROCESS_DEFINITION, permission, subscription.record.bpmn_process_id)
        )
    return needed


def _initial_admin(command: Record[Any], state: ProcessingState) -> list[PermissionRequest]:
    """As Zeebe: creating the first admin needs USER CREATE and ROLE UPDATE (when a caller is
    named at all: ``/v2/setup/user`` sends none)."""
    return [
        PermissionRequest(Resource.USER, Permission.CREATE),
        PermissionRequest(Resource.ROLE, Permission.UPDATE),
    ]


def _every(resource: Resource, permission: Permission) -> Requirement:
    """A permission only ``*`` grants (creating an identity entity)."""
    request = PermissionRequest(resource, permission)

    def requirement(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
        return request

    return requirement


def _new_in_tenant(resource: Resource, permission: Permission | None) -> Requirement:
    """Something new in the command's tenant (a deployment, a message, a signal): a permission only
    ``*`` grants (``None``: none, only the tenant is checked)."""

    def requirement(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
        return PermissionRequest(resource, permission, "", command.value.tenant_id, new_resource=True)

    return requirement


def _named(resource: Resource, permission: Permission, field: str) -> Requirement:
    """A permission on the entity the command names in ``field`` (a username, a group id …)."""

    def requirement(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
        return PermissionRequest(resource, permission, str(getattr(command.value, field)))

    return requirement


def _on_authorization(permission: Permission) -> Requirement:
    def requirement(command: Record[Any], state: ProcessingState) -> PermissionRequest | None:
        if command.key <= 0 and command.value.authorization_key > 0:
            return PermissionRequest(Resource.AUTHORIZATION, permission, str(command.value.authorization_key))
        return PermissionRequest(
            Resource.AUTHORIZATION, permission, str(command.key) if command.key > 0 else ""
        )

    return requirement


def _entity_requirements(
    resource: Resource, intents: type[GroupIntent] | type[RoleIntent] | type[TenantIntent], field: str
) -> dict[int, Requirement]:
    return {
        intents.CREATE: _every(resource, Permission.CREATE),
        intents.UPDATE: _named(resource, Permission.UPDATE, field),
        intents.DELETE: _named(resource, Permission.DELETE, field),
        intents.ADD_ENTITY: _named(resource, Permission.UPDATE, field),
        intents.REMOVE_ENTITY: _named(resource, Permission.UPDATE, field),
    }


def _table() -> dict[int, Requirement]:
    by_type: dict[ValueType, dict[int, Requirement]] = {
        ValueType.PROCESS_INSTANCE_CREATION: {
            ProcessInstanceCreationIntent.CREATE: _create_instance,
            ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT: _create_instance,
        },
        ValueType.PROCESS_INSTANCE: {
            ProcessInstanceIntent.CANCEL: _on_instance(Permission.CANCEL_PROCESS_INSTANCE),
        },
        ValueType.PROCESS_INSTANCE_MODIFICATION: {
            ProcessInstanceModificationIntent.MODIFY: _on_instance(Permission.MODIFY_PROCESS_INSTANCE),
        },
        ValueType.PROCESS_INSTANCE_MIGRATION: {
            ProcessInstanceMigrationIntent.MIGRATE: _on_instance(Permission.UPDATE_PROCESS_INSTANCE),
        },
        ValueType.VARIABLE_DOCUMENT: {VariableDocumentIntent.UPDATE: _set_variables},
        ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION: {
            AdHocSubProcessInstructionIntent.ACTIVATE: _on_ad_hoc_sub_process,
            AdHocSubProcessInstructionIntent.COMPLETE: _on_ad_hoc_sub_process,
        },
        ValueType.INCIDENT: {IncidentIntent.RESOLVE: _resolve_incident},
        ValueType.JOB: {
            JobIntent.COMPLETE: _on_job,
            JobIntent.FAIL: _on_job,
            JobIntent.THROW_ERROR: _on_job,
            JobIntent.UPDATE_RETRIES: _on_job,
            JobIntent.UPDATE_TIMEOUT: _on_job,
            JobIntent.UPDATE: _on_job,
        },
        ValueType.USER_TASK: {
            UserTaskIntent.COMPLETE: _on_user_task,
            UserTaskIntent.ASSIGN: _on_user_task,
            UserTaskIntent.CLAIM: _on_user_task,
            UserTaskIntent.UPDATE: _on_user_task,
        },
        ValueType.DEPLOYMENT: {DeploymentIntent.CREATE: _new_in_tenant(Resource.RESOURCE, Permission.CREATE)},
        ValueType.RESOURCE_DELETION: {ResourceDeletionIntent.DELETE: _delete_resource},
        ValueType.MESSAGE: {MessageIntent.PUBLISH: _new_in_tenant(Resource.MESSAGE, Permission.CREATE)},
        ValueType.MESSAGE_CORRELATION: {
            MessageCorrelationIntent.CORRELATE: _new_in_tenant(Resource.MESSAGE, Permission.CREATE)
        },
        ValueType.SIGNAL: {SignalIntent.BROADCAST: _broadcast_signal},
        ValueType.DECISION_EVALUATION: {DecisionEvaluationIntent.EVALUATE: _evaluate_decision},
        ValueType.USER: {
            UserIntent.CREATE: _every(Resource.USER, Permission.CREATE),
            UserIntent.CREATE_INITIAL_ADMIN: _initial_admin,
            UserIntent.UPDATE: _named(Resource.USER, Permission.UPDATE, "username"),
            UserIntent.DELETE: _named(Resource.USER, Permission.DELETE, "username"),
        },
        ValueType.GROUP: _entity_requirements(Resource.GROUP, GroupIntent, "group_id"),
        ValueType.ROLE: _entity_requirements(Resource.ROLE, RoleIntent, "role_id"),
        ValueType.TENANT: _entity_requirements(Resource.TENANT, TenantIntent, "tenant_id"),
        ValueType.MAPPING_RULE: {
            MappingRuleIntent.CREATE: _every(Resource.MAPPING_RULE, Permission.CREATE),
            MappingRuleIntent.UPDATE: _named(Resource.MAPPING_RULE, Permission.UPDATE, "mapping_rule_id"),
            MappingRuleIntent.DELETE: _named(Resource.MAPPING_RULE, Permission.DELETE, "mapping_rule_id"),
        },
        ValueType.AUTHORIZATION: {
            AuthorizationIntent.CREATE: _every(Resource.AUTHORIZATION, Permission.CREATE),
            AuthorizationIntent.UPDATE: _on_authorization(Permission.UPDATE),
            AuthorizationIntent.DELETE: _on_authorization(Permission.DELETE),
        },
    }
    return {
        value_type << 8 | intent: requirement
        for value_type, requirements in by_type.items()
        for intent, requirement in requirements.items()
    }


REQUIREMENTS: dict[int, Requirement] = _table()
"""The permission a client command needs, by ``value_type << 8 | intent`` (the processors' key).
Commands not listed need none (internal commands, and job activation, which is filtered instead:
a worker is given only jobs of processes it may update)."""
