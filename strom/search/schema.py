"""The relational read model (Camunda 8.8's "secondary storage"), as SQLAlchemy Core tables.

One definition serves SQLite and PostgreSQL: only portable types (BigInteger keys, Text, Boolean),
dates as epoch milliseconds (BigInteger; the query layer renders Camunda's ISO text), JSON as text.

Migrations are versioned by the ``schema_version`` table: ``create_schema`` creates what is missing
(``metadata.create_all`` is idempotent) and records ``SCHEMA_VERSION``; a later change to the schema
bumps the number and adds a migration step from the stored version (Alembic is not needed yet).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

SCHEMA_VERSION = 4
"""The version of the tables below; stored in ``schema_version`` when they are created.

2: instances are indexed by (process id, start date), so "the newest instances of a process"
reads one index range instead of sorting every instance of the process.
4: batch operations and their items."""

VALUE_PREVIEW_LENGTH = 8191
"""Variable values longer than this are truncated in ``variable.value`` (``is_truncated``)."""

VALUE_INDEX_PREFIX = 256
"""The variable (name, value) index covers this many leading characters of the value: a whole
8 KiB preview would break PostgreSQL's B-tree entry limit (~2.7 KB)."""

metadata = sa.MetaData()


def _key(name: str = "key", **kwargs: Any) -> sa.Column[Any]:
    return sa.Column(name, sa.BigInteger, **kwargs)


def _pk() -> sa.Column[Any]:
    return sa.Column("key", sa.BigInteger, primary_key=True, autoincrement=False)


def _text(name: str, **kwargs: Any) -> sa.Column[Any]:
    return sa.Column(name, sa.Text, **kwargs)


def _date(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.BigInteger)


def _tenant() -> sa.Column[Any]:
    return sa.Column("tenant_id", sa.Text, nullable=False, server_default="<default>")


process_definition = sa.Table(
    "process_definition",
    metadata,
    _pk(),
    _text("bpmn_process_id", nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    _text("version_tag"),
    _text("name"),
    _text("resource_name"),
    _text("bpmn_xml"),
    _text("form_key"),
    _key("deployment_key"),
    _tenant(),
    sa.Index("ix_process_definition_id_version", "bpmn_process_id", "version"),
)

process_instance = sa.Table(
    "process_instance",
    metadata,
    _pk(),
    _key("process_definition_key"),
    _text("bpmn_process_id", nullable=False),
    _text("process_definition_name"),
    sa.Column("version", sa.Integer),
    _text("version_tag"),
    _text("state", nullable=False),
    _date("start_date"),
    _date("end_date"),
    _key("parent_process_instance_key"),
    _key("parent_element_instance_key"),
    _key("root_process_instance_key"),
    sa.Column("has_incident", sa.Boolean, nullable=False, server_default=sa.false()),
    _text("tree_path"),
    _tenant(),
    sa.Column("partition_id", sa.Integer),
    sa.Index("ix_process_instance_process_start", "bpmn_process_id", "start_date"),
    sa.Index("ix_process_instance_state", "state"),
    sa.Index("ix_process_instance_start_date", "start_date"),
    sa.Index("ix_process_instance_definition", "process_definition_key"),
    sa.Index("ix_process_instance_parent", "parent_process_instance_key"),
)

element_instance = sa.Table(
    "element_instance",
    metadata,
    _pk(),
    _key("process_instance_key", nullable=False),
    _key("root_process_instance_key"),
    _key("process_definition_key"),
    _text("bpmn_process_id"),
    _text("element_id", nullable=False),
    _text("element_name"),
    _text("type", nullable=False),
    _text("state", nullable=False),
    _date("start_date"),
    _date("end_date"),
    sa.Column("has_incident", sa.Boolean, nullable=False, server_default=sa.false()),
    _key("incident_key"),
    _key("flow_scope_key"),
    _text("tree_path"),
    _tenant(),
    sa.Index("ix_element_instance_process_instance", "process_instance_key", "element_id"),
    sa.Index("ix_element_instance_state", "state"),
    # the diagram's badge counts per element of a definition, read from the index alone
    sa.Index(
        "ix_element_instance_definition_element",
        "process_definition_key",
        "element_id",
        "state",
        "has_incident",
    ),
)

sequence_flow = sa.Table(
    "sequence_flow",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _key("process_instance_key", nullable=False),
    _key("root_process_instance_key"),
    _key("process_definition_key"),
    _text("bpmn_process_id"),
    _text("element_id", nullable=False),
    _tenant(),
    sa.Index("ix_sequence_flow_process_instance", "process_instance_key"),
)

variable = sa.Table(
    "variable",
    metadata,
    _pk(),
    _text("name", nullable=False),
    _text("value", nullable=False),
    _text("full_value", nullable=False),
    sa.Column("is_truncated", sa.Boolean, nullable=False, server_default=sa.false()),
    _key("scope_key", nullable=False),
    _key("process_instance_key", nullable=False),
    _key("root_process_instance_key"),
    _key("process_definition_key"),
    _text("bpmn_process_id"),
    _tenant(),
    sa.Index("ix_variable_process_instance_name", "process_instance_key", "name"),
    sa.Index("ix_variable_scope", "scope_key"),
)
sa.Index(
    "ix_variable_name_value",
    variable.c.name,
    sa.func.substr(variable.c.value, sa.literal_column("1"), sa.literal_column(str(VALUE_INDEX_PREFIX))),
)

incident = sa.Table(
    "incident",
    metadata,
    _pk(),
    _key("process_definition_key"),
    _text("bpmn_process_id"),
    _key("process_instance_key", nullable=False),
    _key("root_process_instance_key"),
    _text("element_id"),
    _key("element_instance_key"),
    _text("error_type", nullable=False),
    _text("error_message"),
    _text("state", nullable=False),
    _date("creation_time"),
    _key("job_key"),
    _text("tree_path"),
    _tenant(),
    sa.Index("ix_incident_state", "state"),
    sa.Index("ix_incident_process_instance", "process_instance_key"),
    sa.Index("ix_incident_element_instance", "element_instance_key"),
)

job = sa.Table(
    "job",
    metadata,
    _pk(),
    _text("type", nullable=False),
    _text("worker"),
    _text("state", nullable=False),
    _text("kind"),
    _text("listener_event_type"),
    sa.Column("retries", sa.Integer),
    _date("deadline"),
    _text("error_message"),
    _text("error_code"),
    _text("custom_headers"),
    _key("process_instance_key"),
    _key("root_process_instance_key"),
    _key("element_instance_key"),
    _text("element_id"),
    _key("process_definition_key"),
    _text("bpmn_process_id"),
    _date("end_time"),
    _date("creation_time"),
    _date("last_update_time"),
    sa.Column("has_failed_with_retries_left", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("is_denied", sa.Boolean),
    _text("denied_reason"),
    _tenant(),
    sa.Index("ix_job_type_state", "type", "state"),
    sa.Index("ix_job_state", "state"),
    sa.Index("ix_job_process_instance", "process_instance_key"),
)

user_task = sa.Table(
    "user_task",
    metadata,
    _pk(),
    _text("element_id", nullable=False),
    _text("name"),
    _key("process_instance_key"),
    _key("root_process_instance_key"),
    _key("element_instance_key"),
    _key("process_definition_key"),
    _text("bpmn_process_id"),
    sa.Column("process_definition_version", sa.Integer),
    _text("process_name"),
    _text("state", nullable=False),
    _text("assignee"),
    _text("candidate_users"),
    _text("candidate_groups"),
    _date("due_date"),
    _date("follow_up_date"),
    sa.Column("priority", sa.Integer),
    _key("form_key"),
    _text("external_form_reference"),
    _text("custom_headers"),
    _date("creation_date"),
    _date("completion_date"),
    _tenant(),
    sa.Index("ix_user_task_assignee", "assignee"),
    sa.Index("ix_user_task_state", "state"),
    sa.Index("ix_user_task_process_instance", "process_instance_key"),
)

decision_requirements = sa.Table(
    "decision_requirements",
    metadata,
    _pk(),
    _text("decision_requirements_id", nullable=False),
    _text("name"),
    sa.Column("version", sa.Integer, nullable=False),
    _text("resource_name"),
    _text("xml"),
    _tenant(),
    sa.Index("ix_decision_requirements_id_version", "decision_requirements_id", "version"),
)

decision_definition = sa.Table(
    "decision_definition",
    metadata,
    _pk(),
    _text("decision_id", nullable=False),
    _text("name"),
    sa.Column("version", sa.Integer, nullable=False),
    _text("version_tag"),
    _text("decision_requirements_id"),
    _key("decision_requirements_key"),
    _text("decision_requirements_name"),
    sa.Column("decision_requirements_version", sa.Integer),
    _tenant(),
    sa.Index("ix_decision_definition_id_version", "decision_id", "version"),
)

decision_instance = sa.Table(
    "decision_instance",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    _key("evaluation_key", nullable=False),
    sa.Column("decision_index", sa.Integer, nullable=False),
    _key("decision_definition_key"),
    _text("decision_id"),
    _text("decision_name"),
    sa.Column("decision_version", sa.Integer),
    _text("decision_type"),
    _text("state", nullable=False),
    _date("evaluation_date"),
    _text("evaluation_failure"),
    _text("result"),
    _text("evaluated_inputs"),
    _text("matched_rules"),
    _key("process_definition_key"),
    _key("process_instance_key"),
    _key("root_process_instance_key"),
    _key("element_instance_key"),
    _key("root_decision_definition_key"),
    _key("decision_requirements_key"),
    _text("decision_requirements_id"),
    _tenant(),
    sa.Index("ix_decision_instance_evaluation", "evaluation_key", "decision_index"),
    sa.Index("ix_decision_instance_process_instance", "process_instance_key"),
    sa.Index("ix_decision_instance_definition", "decision_definition_key"),
)

form = sa.Table(
    "form",
    metadata,
    _pk(),
    _text("form_id", nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    _text("version_tag"),
    _text("schema"),
    _text("resource_name"),
    _tenant(),
    sa.Index("ix_form_id_version", "form_id", "version"),
)

message_subscription = sa.Table(
    "message_subscription",
    metadata,
    _pk(),
    _key("process_instance_key"),
    _key("root_process_instance_key"),
    _key("element_instance_key"),
    _text("element_id"),
    _key("process_definition_key"),
    _text("bpmn_process_id"),
    _text("process_definition_name"),
    sa.Column("process_definition_version", sa.Integer),
    _text("message_name", nullable=False),
    _text("correlation_key"),
    _text("state", nullable=False),
    _text("type", nullable=False),
    _date("last_updated_date"),
    _tenant(),
    sa.Index("ix_message_subscription_process_instance", "process_instance_key"),
    sa.Index("ix_message_subscription_name", "message_name", "correlation_key"),
)

# -- identity (Camunda 8.8's gateways read users, groups, roles, tenants, mapping rules and
# authorizations from secondary storage, not from partition state; see strom.search.identity).
# New tables need no schema version: ``create_all`` adds them to an existing read model. --------------

identity_user = sa.Table(
    "identity_user",
    metadata,
    _pk(),
    _text("username", nullable=False, unique=True),
    _text("name"),
    _text("email"),
    _text("password_hash", nullable=False),
)

identity_group = sa.Table(
    "identity_group",
    metadata,
    _pk(),
    _text("group_id", nullable=False, unique=True),
    _text("name"),
    _text("description"),
)

identity_role = sa.Table(
    "identity_role",
    metadata,
    _pk(),
    _text("role_id", nullable=False, unique=True),
    _text("name"),
    _text("description"),
)

identity_tenant = sa.Table(
    "identity_tenant",
    metadata,
    _pk(),
    _text("tenant_id", nullable=False, unique=True),
    _text("name"),
    _text("description"),
)

identity_membership = sa.Table(
    "identity_membership",
    metadata,
    sa.Column("relation_type", sa.Text, primary_key=True),
    sa.Column("relation_id", sa.Text, primary_key=True),
    sa.Column("entity_type", sa.Text, primary_key=True),
    sa.Column("entity_id", sa.Text, primary_key=True),
    sa.Index("ix_identity_membership_entity", "entity_type", "entity_id"),
)
"""Who belongs to which group, role or tenant: ``relation_type`` is GROUP, ROLE or TENANT, the
entity a USER, CLIENT, MAPPING_RULE, GROUP or ROLE named by its id."""

identity_mapping_rule = sa.Table(
    "identity_mapping_rule",
    metadata,
    _pk(),
    _text("mapping_rule_id", nullable=False, unique=True),
    _text("claim_name", nullable=False),
    _text("claim_value", nullable=False),
    _text("name"),
    sa.Index("ix_identity_mapping_rule_claim", "claim_name", "claim_value"),
)

identity_authorization = sa.Table(
    "identity_authorization",
    metadata,
    _pk(),
    _text("owner_id", nullable=False),
    _text("owner_type", nullable=False),
    _text("resource_matcher", nullable=False),
    _text("resource_type", nullable=False),
    _text("resource_id", nullable=False),
    _text("permission_types", nullable=False),
    sa.Index("ix_identity_authorization_owner", "owner_type", "owner_id"),
)
"""``permission_types`` is a JSON list of permission type names."""

batch_operation = sa.Table(
    "batch_operation",
    metadata,
    _pk(),
    _text("operation_type", nullable=False),
    _text("state", nullable=False),
    _date("start_date"),
    _date("end_date"),
    _text("actor_type"),
    _text("actor_id"),
    sa.Column("operations_total_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("operations_failed_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("operations_completed_count", sa.Integer, nullable=False, server_default="0"),
    _text("errors"),
    sa.Index("ix_batch_operation_state", "state"),
)
"""A batch operation (version 4). ``errors`` is a JSON list of {partitionId, type, message}; the
counts are those of its items, recomputed when they change."""

batch_operation_item = sa.Table(
    "batch_operation_item",
    metadata,
    sa.Column("batch_operation_key", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("item_key", sa.BigInteger, primary_key=True, autoincrement=False),
    _key("process_instance_key"),
    _text("operation_type", nullable=False),
    _text("state", nullable=False),
    _date("processed_date"),
    _text("error_message"),
    sa.Index("ix_batch_operation_item_instance", "process_instance_key"),
)
"""One item of a batch operation (version 4): ACTIVE until the engine's answer to its command is
exported (COMPLETED or FAILED with the rejection), CANCELED when the operation is canceled first."""

exporter_position = sa.Table(
    "exporter_position",
    metadata,
    sa.Column("partition_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("position", sa.BigInteger, nullable=False),
)

schema_version = sa.Table(
    "schema_version",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("version", sa.Integer, nullable=False),
)


class SchemaVersionError(RuntimeError):
    """The database holds a schema version this code does not know how to use or migrate."""


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    # WAL: the REST layer reads while the exporter writes; NORMAL sync is durable enough for a read
    # model that the exporter can rebuild from the log. LIKE is case-sensitive as on PostgreSQL.
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA case_sensitive_like=ON")
    finally:
        cursor.close()


def create_engine(url: str) -> Engine:
    """An engine for ``url`` with the connection settings every user of the read model needs."""
    parsed = sa.engine.make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise ValueError(f"the read model supports SQLite and PostgreSQL, not {backend!r}")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")  # the driver Strom installs, not psycopg2
    engine = sa.create_engine(parsed)
    if backend == "sqlite":
        sa.event.listen(engine, "connect", _on_sqlite_connect)
    return engine


def create_schema(engine: Engine) -> None:
    """Create the tables that are missing and check (or record) the schema version."""
    metadata.create_all(engine)
    with engine.begin() as connection:
        stored = connection.execute(
            sa.select(schema_version.c.version).where(schema_version.c.id == 1)
        ).scalar_one_or_none()
        if stored is None:
            connection.execute(schema_version.insert().values(id=1, version=SCHEMA_VERSION))
            return
        for version in range(stored + 1, SCHEMA_VERSION + 1):
            step = _MIGRATIONS.get(version)
            if step is None:
                break
            step(connection)
            connection.execute(
                schema_version.update().where(schema_version.c.id == 1).values(version=version)
            )
            stored = version
        if stored != SCHEMA_VERSION:
            raise SchemaVersionError(
                f"the read model at {engine.url!r} has schema version {stored}; this Strom uses "
                f"version {SCHEMA_VERSION} and has no migration from it"
            )


def _to_version_2(connection: sa.Connection) -> None:
    # create_all adds no index to a table that exists already
    connection.execute(sa.text("DROP INDEX IF EXISTS ix_process_instance_bpmn_process_id"))
    connection.execute(
        sa.text(
            "CREATE INDEX IF NOT EXISTS ix_process_instance_process_start "
            "ON process_instance (bpmn_process_id, start_date)"
        )
    )


def _to_version_3(connection: sa.Connection) -> None:
    connection.execute(
        sa.text(
            "CREATE INDEX IF NOT EXISTS ix_element_instance_definition_element "
            "ON element_instance (process_definition_key, element_id, state, has_incident)"
        )
    )


def _to_version_4(connection: sa.Connection) -> None:
    # create_all made the tables already; this names the step and makes it safe to run alone
    batch_operation.create(connection, checkfirst=True)
    batch_operation_item.create(connection, checkfirst=True)


_MIGRATIONS: dict[int, Callable[[sa.Connection], None]] = {
    2: _to_version_2,
    3: _to_version_3,
    4: _to_version_4,
}
"""version -> the step that brings a read model of the version before up to it."""
