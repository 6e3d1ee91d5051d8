"""The searchable entities: their tables, REST field names, filters and item shapes.

Item shapes follow Camunda's REST API v2 (the models of the ``camunda-orchestration-sdk`` client):
every field its models require is present (null when Strom does not know it), keys are strings,
dates are ISO text with milliseconds and ``Z``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.elements import ColumnElement

from strom.search import schema
from strom.search._dates import format_millis as _date
from strom.search._filters import Field, Kind, condition, convert, invalid

Item = dict[str, Any]
SpecialFilter = Callable[[str, Any], ColumnElement[bool]]


@dataclass(frozen=True)
class Entity:
    """One searchable entity.

    ``fields`` serve filters and sorts by REST name; ``filters`` are filter-only names that need
    more than a column (subqueries, JSON lists) and take precedence over ``fields``. ``order`` is
    the unique tie-break (the primary key), also the default sort.
    """

    name: str
    table: sa.Table
    key: ColumnElement[Any]
    key_kind: Kind
    fields: Mapping[str, Field]
    order: tuple[ColumnElement[Any], ...]
    item: Callable[[RowMapping], Item]
    full_item: Callable[[RowMapping], Item] | None = None
    filters: Mapping[str, SpecialFilter] = field(default_factory=dict)


def _k(value: int | None) -> str | None:
    return None if value is None else str(value)


def _f(expr: ColumnElement[Any], kind: Kind) -> Field:
    return Field(expr, kind)


def _const(kind: Kind, value: Any = None) -> Field:
    return Field(None, kind, value)


def _json(text: str | None, default: Any) -> Any:
    if not text:
        return default
    try:
        return json.loads(text)
    except ValueError:
        return default


# -- special filters ------------------------------------------------------------------------------


def _variable_value(name: str, value: Any, column: ColumnElement[Any]) -> ColumnElement[bool]:
    """Match a variable's JSON text; an equality also tests the indexed prefix of the preview."""
    preview = schema.variable.c.value
    prefix = sa.func.substr(
        preview, sa.literal_column("1"), sa.literal_column(str(schema.VALUE_INDEX_PREFIX))
    )
    equal = value if not isinstance(value, dict) else value.get("$eq") if len(value) == 1 else None
    clause = condition(name, Field(column, "str"), value)
    if isinstance(equal, str):
        clause = sa.and_(prefix == equal[: schema.VALUE_INDEX_PREFIX], clause)
    return clause


def _variables_exist(
    name: str, value: Any, scope: Callable[[sa.Table], ColumnElement[bool]]
) -> ColumnElement[bool]:
    """``[{"name": ..., "value": ...}]``: rows having every one of these variables (``scope`` ties
    the variable to the row, as ``variable column == row column``).

    Written as ``row column IN (SELECT variable column WHERE name, value)`` rather than a correlated
    EXISTS: the database then finds the few variables by their (name, value) index and the rows by
    key, instead of probing the variables once per row (seconds at a million instances)."""
    link = scope(schema.variable)
    inner_column, outer_column = link.left, link.right
    if not isinstance(value, list):
        raise invalid(f"filter field '{name}': expected a list of {{name, value}} objects")
    variable = schema.variable
    clauses: list[ColumnElement[bool]] = []
    for entry in value:
        if not isinstance(entry, dict) or "name" not in entry:
            raise invalid(f"filter field '{name}': each entry needs a 'name' (and usually a 'value')")
        unknown = set(entry) - {"name", "value"}
        if unknown:
            raise invalid(f"filter field '{name}': unknown entry field(s) {sorted(unknown)}")
        where = [condition(f"{name}.name", Field(variable.c.name, "str"), entry["name"])]
        if entry.get("value") is not None:
            where.append(_variable_value(f"{name}.value", entry["value"], variable.c.full_value))
        clauses.append(outer_column.in_(sa.select(inner_column).where(*where)))
    return sa.and_(*clauses)


def _exists_in(
    table: sa.Table, link: Callable[[sa.Table], ColumnElement[bool]], column: str, kind: Kind
) -> SpecialFilter:
    """A filter matching rows with at least one related ``table`` row whose ``column`` matches."""

    def build(name: str, value: Any) -> ColumnElement[bool]:
        match = condition(name, Field(table.c[column], kind), value)
        return sa.select(sa.literal(1)).where(link(table), match).exists()

    return build


def _json_list_contains(column: ColumnElement[Any]) -> SpecialFilter:
    """Filter a JSON-array text column by one member (``$eq``/``$in``/``$neq``/``$notIn``/``$exists``)."""

    def member(item: Any, name: str) -> ColumnElement[bool]:
        text = json.dumps(convert(name, "str", item))
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return column.like(f"%{escaped}%", escape="\\")

    def build(name: str, value: Any) -> ColumnElement[bool]:
        if not isinstance(value, dict):
            return member(value, name)
        clauses: list[ColumnElement[bool]] = []
        for operator, operand in value.items():
            items = operand if isinstance(operand, list) else [operand]
            if operator == "$eq":
                clauses.append(member(operand, name))
            elif operator == "$neq":
                clauses.append(sa.not_(member(operand, name)))
            elif operator == "$in":
                clauses.append(sa.or_(sa.false(), *(member(item, name) for item in items)))
            elif operator == "$notIn":
                clauses.append(sa.and_(sa.true(), *(sa.not_(member(item, name)) for item in items)))
            elif operator == "$exists":
                present = sa.and_(column.is_not(None), column != "[]")
                clauses.append(present if convert(name, "bool", operand) else sa.not_(present))
            else:
                raise invalid(f"filter field '{name}': operator '{operator}' is not supported here")
        return sa.and_(*clauses)

    return build


def _unsupported(reason: str) -> SpecialFilter:
    def build(name: str, value: Any) -> ColumnElement[bool]:
        raise invalid(f"filter field '{name}' is not supported: {reason}")

    return build


def _no_tags(name: str, value: Any) -> ColumnElement[bool]:
    if not isinstance(value, list):
        raise invalid(f"filter field '{name}': expected a list of tags")
    return sa.false() if value else sa.true()


def _latest_version(table: sa.Table, id_column: str) -> SpecialFilter:
    """``isLatestVersion``: the highest version of the same id and tenant."""

    def build(name: str, value: Any) -> ColumnElement[bool]:
        other = table.alias("latest")
        latest = (
            sa.select(sa.func.max(other.c.version))
            .where(other.c[id_column] == table.c[id_column], other.c.tenant_id == table.c.tenant_id)
            .scalar_subquery()
        )
        is_latest = table.c.version == latest
        return is_latest if convert(name, "bool", value) else sa.not_(is_latest)

    return build


# -- process definitions ----------------------------------------------------------------------------

_pd = schema.process_definition


def _process_definition(row: RowMapping) -> Item:
    return {
        "processDefinitionKey": str(row["key"]),
        "processDefinitionId": row["bpmn_process_id"],
        "name": row["name"],
        "resourceName": row["resource_name"] or "",
        "version": row["version"],
        "versionTag": row["version_tag"],
        "tenantId": row["tenant_id"],
        "hasStartForm": row["form_key"] is not None,
        "state": "ACTIVE",
    }


PROCESS_DEFINITION = Entity(
    "processDefinition",
    _pd,
    _pd.c.key,
    "key",
    {
        "processDefinitionKey": _f(_pd.c.key, "key"),
        "processDefinitionId": _f(_pd.c.bpmn_process_id, "str"),
        "name": _f(_pd.c.name, "str"),
        "resourceName": _f(_pd.c.resource_name, "str"),
        "version": _f(_pd.c.version, "int"),
        "versionTag": _f(_pd.c.version_tag, "str"),
        "tenantId": _f(_pd.c.tenant_id, "str"),
        "hasStartForm": _f(_pd.c.form_key.is_not(None), "bool"),
        "state": _const("str", "ACTIVE"),
    },
    (_pd.c.key,),
    _process_definition,
    filters={"isLatestVersion": _latest_version(_pd, "bpmn_process_id")},
)

# -- process instances ------------------------------------------------------------------------------

_pi = schema.process_instance


def _process_instance(row: RowMapping) -> Item:
    return {
        "processInstanceKey": str(row["key"]),
        "processDefinitionId": row["bpmn_process_id"],
        "processDefinitionName": row["process_definition_name"],
        "processDefinitionVersion": row["version"],
        "processDefinitionVersionTag": row["version_tag"],
        "processDefinitionKey": _k(row["process_definition_key"]),
        "parentProcessInstanceKey": _k(row["parent_process_instance_key"]),
        "parentElementInstanceKey": _k(row["parent_element_instance_key"]),
        "rootProcessInstanceKey": _k(row["root_process_instance_key"]),
        "startDate": _date(row["start_date"]),
        "endDate": _date(row["end_date"]),
        "state": row["state"],
        "hasIncident": bool(row["has_incident"]),
        "tenantId": row["tenant_id"],
        "suspendedDate": None,
        "tags": [],
        "businessId": None,
    }


def _of_instance(table: sa.Table) -> ColumnElement[bool]:
    return table.c.process_instance_key == _pi.c.key


PROCESS_INSTANCE = Entity(
    "processInstance",
    _pi,
    _pi.c.key,
    "key",
    {
        "processInstanceKey": _f(_pi.c.key, "key"),
        "processDefinitionId": _f(_pi.c.bpmn_process_id, "str"),
        "processDefinitionName": _f(_pi.c.process_definition_name, "str"),
        "processDefinitionVersion": _f(_pi.c.version, "int"),
        "processDefinitionVersionTag": _f(_pi.c.version_tag, "str"),
        "processDefinitionKey": _f(_pi.c.process_definition_key, "key"),
        "parentProcessInstanceKey": _f(_pi.c.parent_process_instance_key, "key"),
        "parentElementInstanceKey": _f(_pi.c.parent_element_instance_key, "key"),
        "rootProcessInstanceKey": _f(_pi.c.root_process_instance_key, "key"),
        "startDate": _f(_pi.c.start_date, "date"),
        "endDate": _f(_pi.c.end_date, "date"),
        "state": _f(_pi.c.state, "str"),
        "hasIncident": _f(_pi.c.has_incident, "bool"),
        "tenantId": _f(_pi.c.tenant_id, "str"),
        "suspendedDate": _const("date"),
        "businessId": _const("str"),
    },
    (_pi.c.key,),
    _process_instance,
    filters={
        "variables": lambda name, value: _variables_exist(name, value, _of_instance),
        "errorMessage": lambda name, value: _exists_in(
            schema.incident,
            lambda t: sa.and_(_of_instance(t), t.c.state == "ACTIVE"),
            "error_message",
            "str",
        )(name, value),
        "elementId": _exists_in(schema.element_instance, _of_instance, "element_id", "str"),
        "elementInstanceState": _exists_in(schema.element_instance, _of_instance, "state", "str"),
        "hasElementInstanceIncident": _exists_in(
            schema.element_instance, _of_instance, "has_incident", "bool"
        ),
        "hasRetriesLeft": _exists_in(schema.job, _of_instance, "has_failed_with_retries_left", "bool"),
        "tags": _no_tags,
        "incidentErrorHashCode": _unsupported("incident error hash codes are not stored"),
        "batchOperationId": _unsupported("batch operations are not recorded"),
        "batchOperationKey": _unsupported("batch operations are not recorded"),
    },
)

# -- element instances ------------------------------------------------------------------------------

_ei = schema.element_instance


def _element_instance(row: RowMapping) -> Item:
    return {
        "elementInstanceKey": str(row["key"]),
        "processInstanceKey": str(row["process_instance_key"]),
        "rootProcessInstanceKey": _k(row["root_process_instance_key"]),
        "processDefinitionKey": _k(row["process_definition_key"]),
        "processDefinitionId": row["bpmn_process_id"],
        "elementId": row["element_id"],
        "elementName": row["element_name"] or row["element_id"],
        "type": row["type"],
        "state": row["state"],
        "startDate": _date(row["start_date"]),
        "endDate": _date(row["end_date"]),
        "hasIncident": bool(row["has_incident"]),
        "incidentKey": _k(row["incident_key"]),
        "tenantId": row["tenant_id"],
    }


ELEMENT_INSTANCE = Entity(
    "elementInstance",
    _ei,
    _ei.c.key,
    "key",
    {
        "elementInstanceKey": _f(_ei.c.key, "key"),
        "processInstanceKey": _f(_ei.c.process_instance_key, "key"),
        "rootProcessInstanceKey": _f(_ei.c.root_process_instance_key, "key"),
        "processDefinitionKey": _f(_ei.c.process_definition_key, "key"),
        "processDefinitionId": _f(_ei.c.bpmn_process_id, "str"),
        "elementId": _f(_ei.c.element_id, "str"),
        "elementName": _f(sa.func.coalesce(_ei.c.element_name, _ei.c.element_id), "str"),
        "type": _f(_ei.c.type, "str"),
        "state": _f(_ei.c.state, "str"),
        "startDate": _f(_ei.c.start_date, "date"),
        "endDate": _f(_ei.c.end_date, "date"),
        "hasIncident": _f(_ei.c.has_incident, "bool"),
        "incidentKey": _f(_ei.c.incident_key, "key"),
        "tenantId": _f(_ei.c.tenant_id, "str"),
        "elementInstanceScopeKey": _f(_ei.c.flow_scope_key, "key"),
    },
    (_ei.c.key,),
    _element_instance,
)

# -- sequence flows ---------------------------------------------------------------------------------

_sf = schema.sequence_flow


def _sequence_flow(row: RowMapping) -> Item:
    return {
        "sequenceFlowId": row["id"],
        "processInstanceKey": str(row["process_instance_key"]),
        "rootProcessInstanceKey": _k(row["root_process_instance_key"]),
        "processDefinitionKey": _k(row["process_definition_key"]),
        "processDefinitionId": row["bpmn_process_id"],
        "elementId": row["element_id"],
        "tenantId": row["tenant_id"],
    }


SEQUENCE_FLOW = Entity(
    "sequenceFlow",
    _sf,
    _sf.c.id,
    "str",
    {
        "sequenceFlowId": _f(_sf.c.id, "str"),
        "processInstanceKey": _f(_sf.c.process_instance_key, "key"),
        "rootProcessInstanceKey": _f(_sf.c.root_process_instance_key, "key"),
        "processDefinitionKey": _f(_sf.c.process_definition_key, "key"),
        "processDefinitionId": _f(_sf.c.bpmn_process_id, "str"),
        "elementId": _f(_sf.c.element_id, "str"),
        "tenantId": _f(_sf.c.tenant_id, "str"),
    },
    (_sf.c.id,),
    _sequence_flow,
)

# -- variables --------------------------------------------------------------------------------------

_var = schema.variable


def _variable(row: RowMapping) -> Item:
    return {
        "variableKey": str(row["key"]),
        "name": row["name"],
        "value": row["value"],
        "isTruncated": bool(row["is_truncated"]),
        "scopeKey": str(row["scope_key"]),
        "processInstanceKey": str(row["process_instance_key"]),
        "rootProcessInstanceKey": _k(row["root_process_instance_key"]),
        "tenantId": row["tenant_id"],
    }


def _full_variable(row: RowMapping) -> Item:
    item = _variable(row)
    item["value"] = row["full_value"]
    del item["isTruncated"]
    return item


VARIABLE = Entity(
    "variable",
    _var,
    _var.c.key,
    "key",
    {
        "variableKey": _f(_var.c.key, "key"),
        "name": _f(_var.c.name, "str"),
        "value": _f(_var.c.value, "str"),
        "isTruncated": _f(_var.c.is_truncated, "bool"),
        "scopeKey": _f(_var.c.scope_key, "key"),
        "processInstanceKey": _f(_var.c.process_instance_key, "key"),
        "rootProcessInstanceKey": _f(_var.c.root_process_instance_key, "key"),
        "tenantId": _f(_var.c.tenant_id, "str"),
    },
    (_var.c.key,),
    _variable,
    full_item=_full_variable,
    filters={"value": lambda name, value: _variable_value(name, value, _var.c.full_value)},
)

# -- incidents --------------------------------------------------------------------------------------

_inc = schema.incident


def _incident(row: RowMapping) -> Item:
    return {
        "incidentKey": str(row["key"]),
        "processDefinitionKey": _k(row["process_definition_key"]) or "",
        "processDefinitionId": row["bpmn_process_id"] or "",
        "processInstanceKey": str(row["process_instance_key"]),
        "rootProcessInstanceKey": _k(row["root_process_instance_key"]),
        "errorType": row["error_type"],
        "errorMessage": row["error_message"] or "",
        "elementId": row["element_id"] or "",
        "elementInstanceKey": _k(row["element_instance_key"]) or "",
        "creationTime": _date(row["creation_time"]),
        "state": row["state"],
        "jobKey": _k(row["job_key"]),
        "tenantId": row["tenant_id"],
    }


INCIDENT = Entity(
    "incident",
    _inc,
    _inc.c.key,
    "key",
    {
        "incidentKey": _f(_inc.c.key, "key"),
        "processDefinitionKey": _f(_inc.c.process_definition_key, "key"),
        "processDefinitionId": _f(_inc.c.bpmn_process_id, "str"),
        "processInstanceKey": _f(_inc.c.process_instance_key, "key"),
        "rootProcessInstanceKey": _f(_inc.c.root_process_instance_key, "key"),
        "errorType": _f(_inc.c.error_type, "str"),
        "errorMessage": _f(_inc.c.error_message, "str"),
        "elementId": _f(_inc.c.element_id, "str"),
        "elementInstanceKey": _f(_inc.c.element_instance_key, "key"),
        "creationTime": _f(_inc.c.creation_time, "date"),
        "state": _f(_inc.c.state, "str"),
        "jobKey": _f(_inc.c.job_key, "key"),
        "tenantId": _f(_inc.c.tenant_id, "str"),
    },
    (_inc.c.key,),
    _incident,
)

# -- jobs -------------------------------------------------------------------------------------------

_job = schema.job


def _job_item(row: RowMapping) -> Item:
    return {
        "jobKey": str(row["key"]),
        "type": row["type"],
        "worker": row["worker"] or "",
        "state": row["state"],
        "kind": row["kind"] or "BPMN_ELEMENT",
        "listenerEventType": row["listener_event_type"] or "UNSPECIFIED",
        "retries": row["retries"],
        "deadline": _date(row["deadline"]),
        "errorCode": row["error_code"],
        "errorMessage": row["error_message"],
        "customHeaders": _json(row["custom_headers"], {}),
        "processInstanceKey": _k(row["process_instance_key"]) or "",
        "rootProcessInstanceKey": _k(row["root_process_instance_key"]),
        "elementInstanceKey": _k(row["element_instance_key"]) or "",
        "elementId": row["element_id"],
        "processDefinitionKey": _k(row["process_definition_key"]),
        "processDefinitionId": row["bpmn_process_id"],
        "tenantId": row["tenant_id"],
        "endTime": _date(row["end_time"]),
        "creationTime": _date(row["creation_time"]),
        "lastUpdateTime": _date(row["last_update_time"]),
        "hasFailedWithRetriesLeft": bool(row["has_failed_with_retries_left"]),
        "isDenied": row["is_denied"],
        "deniedReason": row["denied_reason"],
        "priority": 0,
        "businessId": None,
    }


JOB = Entity(
    "job",
    _job,
    _job.c.key,
    "key",
    {
        "jobKey": _f(_job.c.key, "key"),
        "type": _f(_job.c.type, "str"),
        "worker": _f(_job.c.worker, "str"),
        "state": _f(_job.c.state, "str"),
        "kind": _f(_job.c.kind, "str"),
        "listenerEventType": _f(_job.c.listener_event_type, "str"),
        "retries": _f(_job.c.retries, "int"),
        "deadline": _f(_job.c.deadline, "date"),
        "errorCode": _f(_job.c.error_code, "str"),
        "errorMessage": _f(_job.c.error_message, "str"),
        "processInstanceKey": _f(_job.c.process_instance_key, "key"),
        "rootProcessInstanceKey": _f(_job.c.root_process_instance_key, "key"),
        "elementInstanceKey": _f(_job.c.element_instance_key, "key"),
        "elementId": _f(_job.c.element_id, "str"),
        "processDefinitionKey": _f(_job.c.process_definition_key, "key"),
        "processDefinitionId": _f(_job.c.bpmn_process_id, "str"),
        "tenantId": _f(_job.c.tenant_id, "str"),
        "endTime": _f(_job.c.end_time, "date"),
        "creationTime": _f(_job.c.creation_time, "date"),
        "lastUpdateTime": _f(_job.c.last_update_time, "date"),
        "hasFailedWithRetriesLeft": _f(_job.c.has_failed_with_retries_left, "bool"),
        "isDenied": _f(_job.c.is_denied, "bool"),
        "deniedReason": _f(_job.c.denied_reason, "str"),
        "priority": _const("int", 0),
        "businessId": _const("str"),
    },
    (_job.c.key,),
    _job_item,
)

# -- user tasks -------------------------------------------------------------------------------------

_ut = schema.user_task


def _user_task(row: RowMapping) -> Item:
    return {
        "userTaskKey": str(row["key"]),
        "name": row["name"] or row["element_id"],
        "state": row["state"],
        "assignee": row["assignee"],
        "elementId": row["element_id"],
        "candidateGroups": _json(row["candidate_groups"], []),
        "candidateUsers": _json(row["candidate_users"], []),
        "processDefinitionId": row["bpmn_process_id"] or "",
        "processDefinitionKey": _k(row["process_definition_key"]) or "",
        "processDefinitionVersion": row["process_definition_version"],
        "processName": row["process_name"],
        "processInstanceKey": _k(row["process_instance_key"]) or "",
        "rootProcessInstanceKey": _k(row["root_process_instance_key"]),
        "elementInstanceKey": _k(row["element_instance_key"]) or "",
        "creationDate": _date(row["creation_date"]),
        "completionDate": _date(row["completion_date"]),
        "dueDate": _date(row["due_date"]),
        "followUpDate": _date(row["follow_up_date"]),
        "priority": row["priority"] if row["priority"] is not None else 50,
        "formKey": _k(row["form_key"]),
        "externalFormReference": row["external_form_reference"],
        "customHeaders": _json(row["custom_headers"], {}),
        "tenantId": row["tenant_id"],
        "businessId": None,
        "tags": [],
    }


def _of_task_instance(table: sa.Table) -> ColumnElement[bool]:
    return table.c.scope_key == _ut.c.process_instance_key


def _of_task_element(table: sa.Table) -> ColumnElement[bool]:
    return table.c.scope_key == _ut.c.element_instance_key


USER_TASK = Entity(
    "userTask",
    _ut,
    _ut.c.key,
    "key",
    {
        "userTaskKey": _f(_ut.c.key, "key"),
        "name": _f(sa.func.coalesce(_ut.c.name, _ut.c.element_id), "str"),
        "state": _f(_ut.c.state, "str"),
        "assignee": _f(_ut.c.assignee, "str"),
        "elementId": _f(_ut.c.element_id, "str"),
        "processDefinitionId": _f(_ut.c.bpmn_process_id, "str"),
        "processDefinitionKey": _f(_ut.c.process_definition_key, "key"),
        "processDefinitionVersion": _f(_ut.c.process_definition_version, "int"),
        "processName": _f(_ut.c.process_name, "str"),
        "processInstanceKey": _f(_ut.c.process_instance_key, "key"),
        "rootProcessInstanceKey": _f(_ut.c.root_process_instance_key, "key"),
        "elementInstanceKey": _f(_ut.c.element_instance_key, "key"),
        "creationDate": _f(_ut.c.creation_date, "date"),
        "completionDate": _f(_ut.c.completion_date, "date"),
        "dueDate": _f(_ut.c.due_date, "date"),
        "followUpDate": _f(_ut.c.follow_up_date, "date"),
        "priority": _f(_ut.c.priority, "int"),
        "formKey": _f(_ut.c.form_key, "key"),
        "externalFormReference": _f(_ut.c.external_form_reference, "str"),
        "tenantId": _f(_ut.c.tenant_id, "str"),
        "businessId": _const("str"),
    },
    (_ut.c.key,),
    _user_task,
    filters={
        "candidateGroup": _json_list_contains(_ut.c.candidate_groups),
        "candidateUser": _json_list_contains(_ut.c.candidate_users),
        "processInstanceVariables": lambda name, value: _variables_exist(name, value, _of_task_instance),
        "localVariables": lambda name, value: _variables_exist(name, value, _of_task_element),
        "tags": _no_tags,
    },
)

# -- decisions --------------------------------------------------------------------------------------

_dd = schema.decision_definition


def _decision_definition(row: RowMapping) -> Item:
    return {
        "decisionDefinitionKey": str(row["key"]),
        "decisionDefinitionId": row["decision_id"],
        "name": row["name"] or row["decision_id"],
        "version": row["version"],
        "versionTag": row["version_tag"],
        "decisionRequirementsId": row["decision_requirements_id"] or "",
        "decisionRequirementsKey": _k(row["decision_requirements_key"]) or "",
        "decisionRequirementsName": row["decision_requirements_name"] or "",
        "decisionRequirementsVersion": row["decision_requirements_version"],
        "tenantId": row["tenant_id"],
    }


DECISION_DEFINITION = Entity(
    "decisionDefinition",
    _dd,
    _dd.c.key,
    "key",
    {
        "decisionDefinitionKey": _f(_dd.c.key, "key"),
        "decisionDefinitionId": _f(_dd.c.decision_id, "str"),
        "name": _f(_dd.c.name, "str"),
        "version": _f(_dd.c.version, "int"),
        "versionTag": _f(_dd.c.version_tag, "str"),
        "decisionRequirementsId": _f(_dd.c.decision_requirements_id, "str"),
        "decisionRequirementsKey": _f(_dd.c.decision_requirements_key, "key"),
        "decisionRequirementsName": _f(_dd.c.decision_requirements_name, "str"),
        "decisionRequirementsVersion": _f(_dd.c.decision_requirements_version, "int"),
        "tenantId": _f(_dd.c.tenant_id, "str"),
    },
    (_dd.c.key,),
    _decision_definition,
    filters={"isLatestVersion": _latest_version(_dd, "decision_id")},
)

_drg = schema.decision_requirements


def _decision_requirements(row: RowMapping) -> Item:
    return {
        "decisionRequirementsKey": str(row["key"]),
        "decisionRequirementsId": row["decision_requirements_id"],
        "decisionRequirementsName": row["name"] or row["decision_requirements_id"],
        "version": row["version"],
        "resourceName": row["resource_name"] or "",
        "tenantId": row["tenant_id"],
    }


DECISION_REQUIREMENTS = Entity(
    "decisionRequirements",
    _drg,
    _drg.c.key,
    "key",
    {
        "decisionRequirementsKey": _f(_drg.c.key, "key"),
        "decisionRequirementsId": _f(_drg.c.decision_requirements_id, "str"),
        "decisionRequirementsName": _f(_drg.c.name, "str"),
        "version": _f(_drg.c.version, "int"),
        "resourceName": _f(_drg.c.resource_name, "str"),
        "tenantId": _f(_drg.c.tenant_id, "str"),
    },
    (_drg.c.key,),
    _decision_requirements,
)

_di = schema.decision_instance
_DECISION_TYPES = frozenset({"DECISION_TABLE", "LITERAL_EXPRESSION"})


def _decision_instance(row: RowMapping) -> Item:
    decision_type = row["decision_type"]
    return {
        "decisionEvaluationInstanceKey": row["id"],
        "decisionEvaluationKey": str(row["evaluation_key"]),
        "decisionDefinitionKey": _k(row["decision_definition_key"]) or "",
        "decisionDefinitionId": row["decision_id"] or "",
        "decisionDefinitionName": row["decision_name"] or row["decision_id"] or "",
        "decisionDefinitionVersion": row["decision_version"],
        "decisionDefinitionType": decision_type if decision_type in _DECISION_TYPES else "UNKNOWN",
        "state": row["state"],
        "evaluationDate": _date(row["evaluation_date"]),
        "evaluationFailure": row["evaluation_failure"],
        "result": row["result"] if row["result"] is not None else "null",
        "processDefinitionKey": _k(row["process_definition_key"]),
        "processInstanceKey": _k(row["process_instance_key"]),
        "rootProcessInstanceKey": _k(row["root_process_instance_key"]),
        "elementInstanceKey": _k(row["element_instance_key"]),
        "rootDecisionDefinitionKey": _k(row["root_decision_definition_key"]) or "",
        "decisionRequirementsKey": _k(row["decision_requirements_key"]),
        "tenantId": row["tenant_id"],
        "businessId": None,
    }


def _full_decision_instance(row: RowMapping) -> Item:
    item = _decision_instance(row)
    item["evaluatedInputs"] = _json(row["evaluated_inputs"], [])
    item["matchedRules"] = _json(row["matched_rules"], [])
    return item


DECISION_INSTANCE = Entity(
    "decisionInstance",
    _di,
    _di.c.id,
    "str",
    {
        "decisionEvaluationInstanceKey": _f(_di.c.id, "str"),
        "decisionEvaluationKey": _f(_di.c.evaluation_key, "key"),
        "decisionDefinitionKey": _f(_di.c.decision_definition_key, "key"),
        "decisionDefinitionId": _f(_di.c.decision_id, "str"),
        "decisionDefinitionName": _f(_di.c.decision_name, "str"),
        "decisionDefinitionVersion": _f(_di.c.decision_version, "int"),
        "decisionDefinitionType": _f(_di.c.decision_type, "str"),
        "state": _f(_di.c.state, "str"),
        "evaluationDate": _f(_di.c.evaluation_date, "date"),
        "evaluationFailure": _f(_di.c.evaluation_failure, "str"),
        "processDefinitionKey": _f(_di.c.process_definition_key, "key"),
        "processInstanceKey": _f(_di.c.process_instance_key, "key"),
        "rootProcessInstanceKey": _f(_di.c.root_process_instance_key, "key"),
        "elementInstanceKey": _f(_di.c.element_instance_key, "key"),
        "rootDecisionDefinitionKey": _f(_di.c.root_decision_definition_key, "key"),
        "decisionRequirementsKey": _f(_di.c.decision_requirements_key, "key"),
        "tenantId": _f(_di.c.tenant_id, "str"),
        "businessId": _const("str"),
    },
    (_di.c.evaluation_key, _di.c.decision_index),
    _decision_instance,
    full_item=_full_decision_instance,
)

# -- forms and message subscriptions ----------------------------------------------------------------

_form = schema.form


def _form_item(row: RowMapping) -> Item:
    return {
        "formKey": str(row["key"]),
        "formId": row["form_id"],
        "version": row["version"],
        "versionTag": row["version_tag"],
        "schema": row["schema"] or "",
        "tenantId": row["tenant_id"],
    }


FORM = Entity(
    "form",
    _form,
    _form.c.key,
    "key",
    {
        "formKey": _f(_form.c.key, "key"),
        "formId": _f(_form.c.form_id, "str"),
        "version": _f(_form.c.version, "int"),
        "versionTag": _f(_form.c.version_tag, "str"),
        "tenantId": _f(_form.c.tenant_id, "str"),
    },
    (_form.c.key,),
    _form_item,
    filters={"isLatestVersion": _latest_version(_form, "form_id")},
)

_ms = schema.message_subscription


def _message_subscription(row: RowMapping) -> Item:
    return {
        "messageSubscriptionKey": str(row["key"]),
        "processDefinitionId": row["bpmn_process_id"] or "",
        "processDefinitionKey": _k(row["process_definition_key"]),
        "processDefinitionName": row["process_definition_name"],
        "processDefinitionVersion": row["process_definition_version"],
        "processInstanceKey": _k(row["process_instance_key"]),
        "rootProcessInstanceKey": _k(row["root_process_instance_key"]),
        "elementId": row["element_id"] or "",
        "elementInstanceKey": _k(row["element_instance_key"]),
        "messageSubscriptionState": row["state"],
        "messageSubscriptionType": row["type"],
        "lastUpdatedDate": _date(row["last_updated_date"]),
        "messageName": row["message_name"],
        "correlationKey": row["correlation_key"],
        "tenantId": row["tenant_id"],
        "toolProperties": {},
        "toolName": None,
        "inboundConnectorType": None,
        "businessId": None,
    }


MESSAGE_SUBSCRIPTION = Entity(
    "messageSubscription",
    _ms,
    _ms.c.key,
    "key",
    {
        "messageSubscriptionKey": _f(_ms.c.key, "key"),
        "processDefinitionId": _f(_ms.c.bpmn_process_id, "str"),
        "processDefinitionKey": _f(_ms.c.process_definition_key, "key"),
        "processDefinitionName": _f(_ms.c.process_definition_name, "str"),
        "processDefinitionVersion": _f(_ms.c.process_definition_version, "int"),
        "processInstanceKey": _f(_ms.c.process_instance_key, "key"),
        "rootProcessInstanceKey": _f(_ms.c.root_process_instance_key, "key"),
        "elementId": _f(_ms.c.element_id, "str"),
        "elementInstanceKey": _f(_ms.c.element_instance_key, "key"),
        "messageSubscriptionState": _f(_ms.c.state, "str"),
        "messageSubscriptionType": _f(_ms.c.type, "str"),
        "lastUpdatedDate": _f(_ms.c.last_updated_date, "date"),
        "messageName": _f(_ms.c.message_name, "str"),
        "correlationKey": _f(_ms.c.correlation_key, "str"),
        "tenantId": _f(_ms.c.tenant_id, "str"),
        "toolName": _const("str"),
        "inboundConnectorType": _const("str"),
        "businessId": _const("str"),
    },
    (_ms.c.key,),
    _message_subscription,
)

ENTITIES: dict[str, Entity] = {
    entity.name: entity
    for entity in (
        PROCESS_DEFINITION,
        PROCESS_INSTANCE,
        ELEMENT_INSTANCE,
        SEQUENCE_FLOW,
        VARIABLE,
        INCIDENT,
        JOB,
        USER_TASK,
        DECISION_DEFINITION,
        DECISION_REQUIREMENTS,
        DECISION_INSTANCE,
        MESSAGE_SUBSCRIPTION,
        FORM,
    )
}
"""Every searchable entity by its name in ``SearchStore.search``."""
