"""Camunda user tasks (``zeebe:userTask``): evaluating their properties, creating, assigning and
canceling them (USER_TASK events), as Zeebe does.

A task is created with CREATING (the assignee set) and CREATED (the assignee not yet set); when
the model names an assignee, ASSIGNING and ASSIGNED follow after the element is ACTIVATED. Dates
are ISO 8601 texts in Java's ``ZonedDateTime`` form. A linked form (``formId``) is looked up by
its binding; a missing one is a FORM_NOT_FOUND incident.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import msgspec

from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior, _feel_type
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.form import FormState
from strom.engine.state.user_task import LifecycleState, UserTaskState
from strom.model import BindingType, Expression, UserTaskDefinition
from strom.protocol.intents import UserTaskIntent
from strom.protocol.values.enums import ErrorType
from strom.protocol.values.user_task import UserTaskRecordValue
from strom.stream.key_generator import KeyGenerator

_replace = msgspec.structs.replace
DEFAULT_PRIORITY = 50
ASSIGNEE = "assignee"


class UserTaskProperties(msgspec.Struct, kw_only=True):
    assignee: str = ""
    candidate_groups: list[str] = []
    candidate_users: list[str] = []
    due_date: str = ""
    follow_up_date: str = ""
    form_key: int = -1
    external_form_reference: str = ""
    priority: int = DEFAULT_PRIORITY


def java_date_time(value: datetime) -> str:
    """``value`` as Java's ``ZonedDateTime.toString()`` writes it (``2026-01-01T12:00Z``,
    seconds only when not zero, ``[Europe/Berlin]`` for a region)."""
    local = value.replace(tzinfo=None)
    clock = f"{local:%H:%M}"
    if local.second or local.microsecond:
        clock += f":{local.second:02d}"
        if local.microsecond:
            fraction = f"{local.microsecond:06d}"
            clock += "." + (fraction[:3] if fraction.endswith("000") else fraction)
    text = f"{local:%Y-%m-%d}T{clock}"
    offset = value.utcoffset()
    if offset is None or offset == timedelta(0):
        text += "Z"
    else:
        minutes = int(offset.total_seconds()) // 60
        sign = "+" if minutes >= 0 else "-"
        text += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    key = getattr(value.tzinfo, "key", None)
    if key:
        text += f"[{key}]"
    return text


class UserTaskBehavior:
    def __init__(
        self,
        user_tasks: UserTaskState,
        forms: FormState,
        expressions: ExpressionBehavior,
        keys: KeyGenerator,
    ) -> None:
        self._user_tasks = user_tasks
        self._forms = forms
        self._expressions = expressions
        self._keys = keys

    # -- properties --------------------------------------------------------------------------------

    def evaluate(
        self, context: ElementContext, definition: UserTaskDefinition
    ) -> UserTaskProperties | Failure:
        scope = context.key
        props = UserTaskProperties()
        expressions = self._expressions
        if definition.assignee is not None:
            assignee = expressions.evaluate_string(definition.assignee, scope, "assignee")
            if isinstance(assignee, Failure):
                return assignee
            props.assignee = assignee
        for attribute in ("candidate_groups", "candidate_users"):
            expression = getattr(definition, attribute)
            if expression is not None:
                items = self._strings(expression, scope)
                if isinstance(items, Failure):
                    return items
                setattr(props, attribute, items)
        for attribute in ("due_date", "follow_up_date"):
            expression = getattr(definition, attribute)
            if expression is not None:
                text = self._date_time(expression, scope)
                if isinstance(text, Failure):
                    return text
                setattr(props, attribute, text)
        form = definition.form
        if form is not None:
            if form.form_id is not None:
                form_key = self._form_key(context, form.form_id, form.binding_type, form.version_tag)
                if isinstance(form_key, Failure):
                    return form_key
                props.form_key = form_key
            if form.external_reference is not None:
                reference = expressions.evaluate_string(form.external_reference, scope, "form reference")
                if isinstance(reference, Failure):
                    return reference
                props.external_form_reference = reference
        if definition.priority is not None:
            priority = expressions.evaluate_int(definition.priority, scope, "priority")
            if isinstance(priority, Failure):
                return priority
            if not 0 <= priority <= 100:
                return Failure(
                    f"Expected priority to be in the range [0,100] but was '{priority}'.",
                    ErrorType.EXTRACT_VALUE_ERROR,
                    scope,
                )
            props.priority = priority
        return props

    def _strings(self, expression: Expression, scope: int) -> list[str] | Failure:
        value = self._expressions.evaluate(expression, scope)
        if isinstance(value, Failure):
            return value
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return list(value)
        return Failure(
            f"Expected result of the expression '{expression.source}' to be 'ARRAY' containing "
            f"'STRING' items, but was '{_feel_type(value)}'.",
            ErrorType.EXTRACT_VALUE_ERROR,
            scope,
        )

    def _date_time(self, expression: Expression, scope: int) -> str | Failure:
        value: Any = self._expressions.evaluate(expression, scope)
        if isinstance(value, Failure):
            return value
        if value is None:
            return ""
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                value = None
        if isinstance(value, datetime) and value.tzinfo is not None:
            return java_date_time(value)
        kind = "DATE" if isinstance(value, date) and not isinstance(value, datetime) else _feel_type(value)
        if isinstance(value, (time, timedelta)):
            kind = type(value).__name__.upper()
        return Failure(
            f"Expected result of the expression '{expression.source}' to be one of '[DATE_TIME, STRING]', "
            f"but was '{kind}'",
            ErrorType.EXTRACT_VALUE_ERROR,
            scope,
        )

    def _form_key(
        self,
        context: ElementContext,
        form_id_expression: Expression,
        binding: BindingType,
        version_tag: str | None,
    ) -> int | Failure:
        form_id = self._expressions.evaluate_string(form_id_expression, context.key, "form id")
        if isinstance(form_id, Failure):
            return form_id
        tenant_id = context.value.tenant_id  # a linked form is of the process instance's tenant
        if binding is BindingType.DEPLOYMENT:
            deployment_key = context.process.record.deployment_key
            form = self._walk(tenant_id, form_id, lambda f: f.deployment_key == deployment_key)
            if form is None:
                return Failure(
                    f"Expected to use a form with id '{form_id}' with binding type 'deployment', but no "
                    f"such form found in the deployment with key {deployment_key} which contained the "
                    "current process. To resolve this incident, migrate the process instance to a "
                    "process definition that is deployed together with the intended form to use.",
                    ErrorType.FORM_NOT_FOUND,
                    context.key,
                )
            return form.form_key
        if binding is BindingType.VERSION_TAG:
            form = self._walk(tenant_id, form_id, lambda f: f.version_tag == version_tag)
            if form is None:
                return Failure(
                    f"Expected to use a form with id '{form_id}' and version tag '{version_tag}', but no "
                    "such form found. To resolve the incident, deploy a form with the given id and "
                    "version tag.",
                    ErrorType.FORM_NOT_FOUND,
                    context.key,
                )
            return form.form_key
        latest = self._forms.latest(tenant_id, form_id)
        if latest is None:
            return Failure(
                f"Expected to find a form with id '{form_id}', but no form with this id is found, at "
                "least a form with this id should be available. To resolve the Incident please deploy "
                "a form with the same id",
                ErrorType.FORM_NOT_FOUND,
                context.key,
            )
        return latest.form_key

    def _walk(self, tenant_id: str, form_id: str, matches: Any) -> Any:
        version = self._forms.latest_version(tenant_id, form_id)
        while version > 0:
            form = self._forms.by_id_and_version(tenant_id, form_id, version)
            if form is not None and matches(form):
                return form
            version -= 1
        return None

    # -- lifecycle ---------------------------------------------------------------------------------

    def create(
        self, writers: Writers, context: ElementContext, props: UserTaskProperties
    ) -> tuple[int, UserTaskRecordValue]:
        """USER_TASK CREATING (with the assignee) and CREATED (without: it is assigned after)."""
        key, task = self.creating(writers, context, props)
        return key, self.created(writers, key, task)

    def created(self, writers: Writers, key: int, task: UserTaskRecordValue) -> UserTaskRecordValue:
        """USER_TASK CREATED: ``task`` (as CREATING showed it) without its assignee, which is
        assigned after."""
        created = _replace(task, assignee="")
        writers.append_event(key, UserTaskIntent.CREATED, created)
        return created

    def creating(
        self, writers: Writers, context: ElementContext, props: UserTaskProperties
    ) -> tuple[int, UserTaskRecordValue]:
        """USER_TASK CREATING, with the assignee: the task exists, its creation is under way."""
        key = self._keys.next_key()
        value = context.value
        task = UserTaskRecordValue(
            user_task_key=key,
            assignee=props.assignee,
            candidate_groups_list=props.candidate_groups,
            candidate_users_list=props.candidate_users,
            due_date=props.due_date,
            follow_up_date=props.follow_up_date,
            form_key=props.form_key,
            external_form_reference=props.external_form_reference,
            custom_headers=dict(context.element.task_headers),
            creation_timestamp=writers.timestamp,
            element_id=value.element_id,
            element_instance_key=context.key,
            bpmn_process_id=value.bpmn_process_id,
            process_definition_version=value.version,
            process_definition_key=value.process_definition_key,
            process_instance_key=value.process_instance_key,
            priority=props.priority,
            tenant_id=value.tenant_id,
        )
        writers.append_event(key, UserTaskIntent.CREATING, task)
        return key, task

    def assign(
        self, writers: Writers, key: int, task: UserTaskRecordValue, assignee: str
    ) -> UserTaskRecordValue:
        """ASSIGNING and ASSIGNED (``changedAttributes`` names the assignee when it changes)."""
        changed = [ASSIGNEE] if task.assignee != assignee else []
        assigning = _replace(task, assignee=assignee, changed_attributes=changed)
        writers.append_event(key, UserTaskIntent.ASSIGNING, assigning)
        writers.append_event(key, UserTaskIntent.ASSIGNED, assigning)
        return assigning

    def cancel(self, writers: Writers, user_task_key: int) -> None:
        """CANCELING and CANCELED for the task of a terminating element (if it still has one)."""
        if user_task_key <= 0:
            return
        lifecycle = self._user_tasks.lifecycle(user_task_key)
        if lifecycle in (LifecycleState.NOT_FOUND, LifecycleState.CANCELING):
            return
        task = self._user_tasks.get(user_task_key)
        if task is None:
            return
        writers.append_event(user_task_key, UserTaskIntent.CANCELING, task)
        writers.append_event(user_task_key, UserTaskIntent.CANCELED, task)
