"""``SqlExporter``: keeps the relational read model (``strom.search.schema``) up to date from the log.

It runs in the broker's exporting thread and must keep up with the engine, so it never writes a row
per record: events are mapped to rows buffered per table and keyed by primary key (a later event
of the same entity merges into the buffered row), and a batch is written in one transaction with
executemany upserts. The same transaction stores the partition's exported position, and only after
the commit is the position acknowledged to the director. A restarted exporter reads that position
back and skips every record at or below it, so replayed records never double or drop a row.

Config: ``url`` (SQLAlchemy URL; the broker passes ``sqlite:///<data_dir>/secondary.db``),
``flush_every`` records (default 5000), ``flush_interval_ms`` (default 200), ``history_ttl_days``
(default 30, as Camunda; 0 keeps finished instances forever).
"""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine

from strom.exporter.api import Controller, ExporterConfigurationError, ExporterContext, ExporterError
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import (
    DecisionEvaluationIntent,
    DecisionIntent,
    DecisionRequirementsIntent,
    FormIntent,
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    MessageStartEventSubscriptionIntent,
    ProcessInstanceIntent,
    ProcessIntent,
    ProcessMessageSubscriptionIntent,
    UserTaskIntent,
    VariableIntent,
)
from strom.protocol.record import Record
from strom.protocol.values.enums import JobKind
from strom.search import schema
from strom.search._batch_export import BatchOperationExport
from strom.search._bpmn import ProcessInfo, read_process
from strom.search._dates import parse_iso_or_none
from strom.search._identity_export import IDENTITY_PARTITION, IdentityExport
from strom.search.retention import HistoryCleaner
from strom.search.storage_lock import lock_partition

_log = logging.getLogger(__name__)

_CACHE_LIMIT = 100_000
"""Entries per lookup cache (paths of live instances, definitions); beyond it the cache is
cleared and misses fall back to the buffer and the database."""

_LIKE_ESCAPE = "\\"


def _opt_key(value: int) -> int | None:
    return value if value > 0 else None


def _opt_text(value: str) -> str | None:
    return value or None


def _root_of(instance_path: str | None) -> int | None:
    """The root process instance key of a ``PI_1/FNI_5/PI_9`` tree path."""
    if not instance_path:
        return None
    head = instance_path.split("/", 1)[0]
    return int(head[3:]) if head.startswith("PI_") else None


class _Rows:
    """Buffered rows of one table, keyed by primary key, written as one batch.

    A row holding every column of ``required`` is upserted (insert, or update the columns it
    holds); a row without them only updates columns of an existing row (an event that changes
    part of an entity, e.g. an element instance completing). ``keep`` columns are set when the row
    is inserted and never overwritten afterwards (start and creation dates).
    """

    __slots__ = ("_statements", "deletes", "keep", "pk", "required", "rows", "table")

    def __init__(self, table: sa.Table, required: frozenset[str], keep: frozenset[str] = frozenset()) -> None:
        self.table = table
        self.pk: str = next(iter(table.primary_key.columns)).name
        self.required = required
        self.keep = keep
        self.rows: dict[Any, dict[str, Any]] = {}
        self.deletes: set[Any] = set()
        self._statements: dict[tuple[str, tuple[str, ...]], tuple[str, tuple[str, ...] | None]] = {}

    def put(self, row: dict[str, Any]) -> None:
        key = row[self.pk]
        existing = self.rows.get(key)
        if existing is None:
            self.rows[key] = row
            if self.deletes:
                self.deletes.discard(key)
            return
        if self.keep:
            kept = {column: existing[column] for column in self.keep if column in existing}
            existing.update(row)
            existing.update(kept)
        else:
            existing.update(row)

    def delete(self, key: Any) -> None:
        self.rows.pop(key, None)
        self.deletes.add(key)

    def buffered(self, key: Any, column: str) -> Any:
        row = self.rows.get(key)
        return None if row is None else row.get(column)

    def clear(self) -> None:
        self.rows.clear()
        self.deletes.clear()

    def write(self, connection: Connection, insert: Callable[[sa.Table], Any]) -> None:
        groups: dict[tuple[bool, tuple[str, ...]], list[dict[str, Any]]] = {}
        required = self.required
        for row in self.rows.values():
            full = required.issubset(row)
            if full:
                params = row
            else:
                params = {column: value for column, value in row.items() if column not in self.keep}
                params["_pk"] = params.pop(self.pk)
                if len(params) == 1:
                    continue
            groups.setdefault((full, tuple(sorted(params))), []).append(params)
        for (full, columns), batch in groups.items():
            sql, order = self._compiled(full, columns, insert, connection)
            if order is None:  # a named paramstyle (psycopg): the rows as they are
                connection.exec_driver_sql(sql, batch)
            else:  # a positional one (sqlite3's qmark): each row's values in the statement's order
                connection.exec_driver_sql(sql, [tuple([row[name] for name in order]) for row in batch])
        if self.deletes:
            column = self.table.c[self.pk]
            connection.execute(
                sa.delete(self.table).where(column == sa.bindparam("_pk")),
                [{"_pk": key} for key in self.deletes],
            )

    def _compiled(
        self, full: bool, columns: tuple[str, ...], insert: Callable[[sa.Table], Any], connection: Connection
    ) -> tuple[str, tuple[str, ...] | None]:
        """The statement's SQL for this database and, for a positional paramstyle, the order of its
        parameters: compiled once per shape of row, then executed by the driver directly (SQLAlchemy's
        per-row parameter processing cost as much as the rest of the export; the columns are plain
        integers, text and booleans, which both drivers take as they are)."""
        cache_key = ("upsert" if full else "update", columns)
        compiled = self._statements.get(cache_key)
        if compiled is None:
            done = self._statement(full, columns, insert).compile(
                dialect=connection.dialect, column_keys=[column for column in columns if column != "_pk"]
            )
            order = tuple(done.positiontup) if done.positional and done.positiontup is not None else None
            compiled = self._statements[cache_key] = (done.string, order)
        return compiled

    def _statement(self, full: bool, columns: tuple[str, ...], insert: Callable[[sa.Table], Any]) -> Any:
        if full:
            statement = insert(self.table)
            updates = {
                column: statement.excluded[column]
                for column in columns
                if column != self.pk and column not in self.keep
            }
            if updates:
                statement = statement.on_conflict_do_update(index_elements=[self.pk], set_=updates)
            else:
                statement = statement.on_conflict_do_nothing(index_elements=[self.pk])
        else:
            statement = sa.update(self.table).where(self.table.c[self.pk] == sa.bindparam("_pk"))
        return statement


_ELEMENT_STATES: dict[int, str] = {
    ProcessInstanceIntent.ELEMENT_COMPLETED: "COMPLETED",
    ProcessInstanceIntent.ELEMENT_TERMINATED: "TERMINATED",
}

_JOB_STATES: dict[int, str] = {
    JobIntent.CREATED: "CREATED",
    JobIntent.COMPLETED: "COMPLETED",
    JobIntent.TIMED_OUT: "TIMED_OUT",
    JobIntent.FAILED: "FAILED",
    JobIntent.RETRIES_UPDATED: "RETRIES_UPDATED",
    JobIntent.CANCELED: "CANCELED",
    JobIntent.ERROR_THROWN: "ERROR_THROWN",
    JobIntent.MIGRATED: "MIGRATED",
    JobIntent.TIMEOUT_UPDATED: "TIMEOUT_UPDATED",
    JobIntent.YIELDED: "CREATED",  # handed back: activatable again, as a created job
}
_JOB_ENDED = frozenset({JobIntent.COMPLETED, JobIntent.CANCELED, JobIntent.ERROR_THROWN})

# User task events that carry the task as it now is, and the state they leave it in.
_USER_TASK_SETTLED: dict[int, str] = {
    UserTaskIntent.CREATED: "CREATED",
    UserTaskIntent.ASSIGNED: "CREATED",
    UserTaskIntent.UPDATED: "CREATED",
    UserTaskIntent.MIGRATED: "CREATED",
    UserTaskIntent.COMPLETED: "COMPLETED",
    UserTaskIntent.CANCELED: "CANCELED",
    # a listener denied the transition: the task as it was before it (corrections undone)
    UserTaskIntent.COMPLETION_DENIED: "CREATED",
    UserTaskIntent.ASSIGNMENT_DENIED: "CREATED",
    UserTaskIntent.UPDATE_DENIED: "CREATED",
}
# Transitions in flight (listeners may still deny them): only the state changes.
_USER_TASK_TRANSIENT: dict[int, str] = {
    UserTaskIntent.ASSIGNING: "ASSIGNING",
    UserTaskIntent.CLAIMING: "ASSIGNING",
    UserTaskIntent.UPDATING: "UPDATING",
    UserTaskIntent.COMPLETING: "COMPLETING",
    UserTaskIntent.CANCELING: "CANCELING",
}

_SUBSCRIPTION_STATES: dict[int, str] = {
    ProcessMessageSubscriptionIntent.CREATING: "CREATED",
    ProcessMessageSubscriptionIntent.CREATED: "CREATED",
    ProcessMessageSubscriptionIntent.CORRELATED: "CORRELATED",
    ProcessMessageSubscriptionIntent.DELETING: "DELETED",
    ProcessMessageSubscriptionIntent.DELETED: "DELETED",
    ProcessMessageSubscriptionIntent.MIGRATED: "MIGRATED",
}
_START_SUBSCRIPTION_STATES: dict[int, str] = {
    MessageStartEventSubscriptionIntent.CREATED: "CREATED",
    MessageStartEventSubscriptionIntent.CORRELATED: "CORRELATED",
    MessageStartEventSubscriptionIntent.DELETED: "DELETED",
}


class SqlExporter:
    """Exports a partition's events into the read model; see the module docstring for config."""

    def __init__(self) -> None:
        self._url: str | None = None
        self._lock: Connection | None = None
        """The connection holding the partition's lock in PostgreSQL (``storage_lock``)."""
        self._flush_every = 5000
        self._flush_interval_s = 0.2
        self._history_ttl_ms = 30 * 86_400_000
        self._cleaner: HistoryCleaner | None = None
        self._partition_id = 1
        self._engine: Engine | None = None
        self._insert: Callable[[sa.Table], Any] = sqlite.insert
        self._controller: Controller | None = None
        self._stored = 0
        self._last_position = 0
        self._pending = 0
        self._last_flush = time.monotonic()
        self._definitions = _Rows(schema.process_definition, frozenset({"bpmn_process_id"}))
        self._instances = _Rows(schema.process_instance, frozenset({"tree_path"}), frozenset({"start_date"}))
        self._elements = _Rows(schema.element_instance, frozenset({"tree_path"}), frozenset({"start_date"}))
        self._flows = _Rows(schema.sequence_flow, frozenset({"element_id"}))
        self._variables = _Rows(schema.variable, frozenset({"name"}))
        self._incidents = _Rows(schema.incident, frozenset({"error_type"}), frozenset({"creation_time"}))
        self._jobs = _Rows(schema.job, frozenset({"type"}), frozenset({"creation_time"}))
        self._user_tasks = _Rows(schema.user_task, frozenset({"element_id"}), frozenset({"creation_date"}))
        self._drgs = _Rows(schema.decision_requirements, frozenset({"decision_requirements_id"}))
        self._decisions = _Rows(schema.decision_definition, frozenset({"decision_id"}))
        self._decision_instances = _Rows(schema.decision_instance, frozenset({"evaluation_key"}))
        self._forms = _Rows(schema.form, frozenset({"form_id"}))
        self._subscriptions = _Rows(schema.message_subscription, frozenset({"message_name"}))
        self._identity = IdentityExport()
        self._batch_operations = BatchOperationExport()
        self._tables = (
            self._definitions,
            self._drgs,
            self._decisions,
            self._forms,
            self._instances,
            self._elements,
            self._flows,
            self._variables,
            self._incidents,
            self._jobs,
            self._user_tasks,
            self._decision_instances,
            self._subscriptions,
        )
        # Incident flags to recompute at the next flush: process instances and element instances on
        # the path of an incident that was created or resolved.
        self._incident_instances: set[int] = set()
        self._incident_elements: set[int] = set()
        self._rootless: dict[_Rows, set[Any]] = {}
        # Lookups that records do not carry: definitions (names), tree paths of live instances.
        self._process_infos: dict[int, ProcessInfo] = {}
        self._drg_infos: dict[int, tuple[str | None, int | None]] = {}
        self._instance_paths: dict[int, str] = {}
        self._element_paths: dict[int, str] = {}
        self._handlers: dict[ValueType, Callable[[Record[Any]], None]] = {
            ValueType.PROCESS: self._process,
            ValueType.PROCESS_INSTANCE: self._process_instance,
            ValueType.VARIABLE: self._variable,
            ValueType.INCIDENT: self._incident,
            ValueType.JOB: self._job,
            ValueType.JOB_BATCH: self._job_batch,
            ValueType.USER_TASK: self._user_task,
            ValueType.DECISION_REQUIREMENTS: self._decision_requirements,
            ValueType.DECISION: self._decision,
            ValueType.DECISION_EVALUATION: self._decision_evaluation,
            ValueType.FORM: self._form,
            ValueType.PROCESS_MESSAGE_SUBSCRIPTION: self._process_message_subscription,
            ValueType.MESSAGE_START_EVENT_SUBSCRIPTION: self._start_event_subscription,
            **self._batch_operations.handlers,
        }

    # -- exporter API ------------------------------------------------------------------------------

    def configure(self, context: ExporterContext) -> None:
        config = context.config
        name = context.exporter_id
        url = config.get("url")
        if not isinstance(url, str) or not url:
            raise ExporterConfigurationError(
                f"exporter '{name}': the setting `url` (an SQLAlchemy database URL) is required"
            )
        flush_every = config.get("flush_every", 5000)
        if not isinstance(flush_every, int) or isinstance(flush_every, bool) or flush_every < 1:
            raise ExporterConfigurationError(
                f"exporter '{name}': `flush_every` must be a positive integer, got {flush_every!r}"
            )
        interval = config.get("flush_interval_ms", 200)
        if not isinstance(interval, int | float) or isinstance(interval, bool) or interval < 0:
            raise ExporterConfigurationError(
                f"exporter '{name}': `flush_interval_ms` must be a number >= 0, got {interval!r}"
            )
        try:
            backend = sa.engine.make_url(url).get_backend_name()
        except sa.exc.ArgumentError as error:
            raise ExporterConfigurationError(f"exporter '{name}': `url` is invalid: {error}") from error
        if backend not in ("sqlite", "postgresql"):
            raise ExporterConfigurationError(
                f"exporter '{name}': `url` must be an SQLite or PostgreSQL URL, got a {backend} one"
            )
        ttl_days = config.get("history_ttl_days", 30)
        if not isinstance(ttl_days, int | float) or isinstance(ttl_days, bool) or ttl_days < 0:
            raise ExporterConfigurationError(
                f"exporter '{name}': `history_ttl_days` must be a number of days >= 0 (0 keeps history "
                f"forever), got {ttl_days!r}"
            )
        self._history_ttl_ms = int(ttl_days * 86_400_000)
        self._url = url
        self._flush_every = flush_every
        self._flush_interval_s = interval / 1000
        self._partition_id = context.partition_id
        if context.partition_id == IDENTITY_PARTITION:
            self._handlers.update(self._identity.handlers)

    def open(self, controller: Controller) -> None:
        if self._url is None:
            raise ExporterConfigurationError("SqlExporter: configure() must be called before open()")
        engine = schema.create_engine(self._url)
        try:
            # one broker writes a partition of an external database (storage_lock)
            self._lock = lock_partition(engine, self._partition_id)
            schema.create_schema(engine)
        except sa.exc.OperationalError as error:
            self._release_lock()
            engine.dispose()
            raise ExporterError(
                f"SqlExporter: cannot open the secondary storage {engine.url.render_as_string()}:"
                f" {error.orig}"
            ) from error
        except BaseException:
            self._release_lock()
            engine.dispose()
            raise
        self._cleaner = HistoryCleaner(engine, self._history_ttl_ms) if self._history_ttl_ms else None
        self._engine = engine
        self._insert = postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
        with engine.connect() as connection:
            stored = connection.execute(
                sa.select(schema.exporter_position.c.position).where(
                    schema.exporter_position.c.partition_id == self._partition_id
                )
            ).scalar_one_or_none()
        self._stored = self._last_position = int(stored or 0)
        self._controller = controller
        acknowledged = controller.last_exported_position
        if self._stored > acknowledged:
            controller.update_last_exported_position(self._stored)
        elif self._stored < acknowledged:
            _log.warning(
                "read model at %s holds partition %d up to position %d, but the director acknowledged "
                "%d: records in between are not in the read model",
                engine.url,
                self._partition_id,
                self._stored,
                acknowledged,
            )
        self._last_flush = time.monotonic()

    def export(self, record: Record[Any]) -> None:
        position = record.position
        if position <= self._last_position:
            return  # stored before a restart, or buffered before a failed flush
        if record.record_type is RecordType.EVENT:
            handler = self._handlers.get(record.value_type)
            if handler is not None:
                handler(record)
        if record.batch_operation_reference > 0:
            self._batch_operations.outcome(record)  # an item's command answered (or rejected)
        self._last_position = position
        self._pending += 1
        if (
            self._pending >= self._flush_every
            or time.monotonic() - self._last_flush >= self._flush_interval_s
        ):
            self.flush()

    def flush(self) -> None:
        """Write the buffered rows and the position in one transaction, then acknowledge; forget
        history older than the retention time (at most once a minute)."""
        if self._cleaner is not None:
            self._cleaner.run_due()
        if self._engine is None or self._last_position <= self._stored:
            return
        position = self._last_position
        with self._engine.begin() as connection:
            for rows in self._tables:
                if rows.rows or rows.deletes:
                    rows.write(connection, self._insert)
            self._fill_roots(connection)
            self._recompute_incident_flags(connection)
            if self._identity.pending:
                self._identity.write(connection, self._insert)
            if self._batch_operations.pending:
                self._batch_operations.write(connection, self._insert)
            statement = self._insert(schema.exporter_position).values(
                partition_id=self._partition_id, position=position
            )
            connection.execute(
                statement.on_conflict_do_update(
                    index_elements=["partition_id"], set_={"position": statement.excluded.position}
                )
            )
        for rows in self._tables:
            rows.clear()
        self._identity.clear()
        self._batch_operations.clear()
        self._incident_instances.clear()
        self._incident_elements.clear()
        self._rootless.clear()
        self._stored = position
        self._pending = 0
        self._last_flush = time.monotonic()
        if self._controller is not None:
            self._controller.update_last_exported_position(position)

    def close(self) -> None:
        try:
            self.flush()
        finally:
            self._release_lock()
            if self._engine is not None:
                self._engine.dispose()
                self._engine = None

    def _release_lock(self) -> None:
        if self._lock is not None:
            with contextlib.suppress(Exception):  # a dead connection released it already
                self._lock.close()
            self._lock = None

    # -- lookups -----------------------------------------------------------------------------------

    def _select_one(self, statement: Any) -> Any:
        assert self._engine is not None
        with self._engine.connect() as connection:
            return connection.execute(statement).first()

    def _process_info(self, process_definition_key: int) -> ProcessInfo:
        info = self._process_infos.get(process_definition_key)
        if info is not None:
            return info
        if process_definition_key <= 0:
            return ProcessInfo()
        table = schema.process_definition
        row: Any
        buffered = self._definitions.rows.get(process_definition_key)
        if buffered is not None:  # deployed in this batch, but the cache was cleared since
            row = SimpleNamespace(**buffered)
        else:
            columns = (table.c.bpmn_process_id, table.c.version, table.c.version_tag, table.c.bpmn_xml)
            row = self._select_one(sa.select(*columns).where(table.c.key == process_definition_key))
        if row is None:
            info = ProcessInfo()
        else:
            name, start_form, names = read_process((row.bpmn_xml or "").encode(), row.bpmn_process_id)
            info = ProcessInfo(name, row.version, row.version_tag, start_form, names)
        self._remember(self._process_infos, process_definition_key, info)
        return info

    def _instance_path(self, process_instance_key: int) -> str | None:
        return self._tree_path(
            process_instance_key, self._instance_paths, self._instances, schema.process_instance
        )

    def _element_path(self, element_instance_key: int) -> str | None:
        return self._tree_path(
            element_instance_key, self._element_paths, self._elements, schema.element_instance
        )

    def _tree_path(self, key: int, cache: Any, buffer: Any, table: sa.Table) -> str | None:
        """An instance's tree path: remembered, buffered in this batch, or stored."""
        path: str | None = cache.get(key)
        if path is None:
            path = buffer.buffered(key, "tree_path")
        if path is None:
            row = self._select_one(sa.select(table.c.tree_path).where(table.c.key == key))
            path = row.tree_path if row is not None else None
        return path

    def _root(self, process_instance_key: int) -> int | None:
        if process_instance_key <= 0:
            return None
        path = self._instance_paths.get(process_instance_key)
        if path is None:
            path = self._instances.buffered(process_instance_key, "tree_path")
        return _root_of(path)

    def _put_rooted(self, rows: _Rows, process_instance_key: int, row: dict[str, Any]) -> None:
        """Buffer ``row`` with its root process instance; when the instance is not known yet (its
        variables come before it is activated) the root is filled in from it at the flush."""
        root = self._root(process_instance_key)
        if root is not None:
            row["root_process_instance_key"] = root
        elif process_instance_key > 0:
            self._rootless.setdefault(rows, set()).add(row[rows.pk])
        rows.put(row)

    @staticmethod
    def _remember(cache: dict[Any, Any], key: Any, value: Any) -> None:
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = value

    # -- mapping: definitions ----------------------------------------------------------------------

    def _process(self, record: Record[Any]) -> None:
        value = record.value
        key = value.process_definition_key
        if record.intent == ProcessIntent.CREATED:
            name, start_form, names = read_process(value.resource, value.bpmn_process_id)
            version_tag = _opt_text(value.version_tag)
            self._remember(
                self._process_infos, key, ProcessInfo(name, value.version, version_tag, start_form, names)
            )
            self._definitions.put(
                {
                    "key": key,
                    "bpmn_process_id": value.bpmn_process_id,
                    "version": value.version,
                    "version_tag": version_tag,
                    "name": name,
                    "resource_name": value.resource_name,
                    "bpmn_xml": value.resource.decode("utf-8", "replace"),
                    "form_key": start_form,
                    "deployment_key": _opt_key(value.deployment_key),
                    "tenant_id": value.tenant_id,
                }
            )
        elif record.intent == ProcessIntent.DELETED:
            self._definitions.delete(key)

    def _decision_requirements(self, record: Record[Any]) -> None:
        value = record.value
        key = value.decision_requirements_key
        if record.intent == DecisionRequirementsIntent.CREATED:
            self._remember(
                self._drg_infos,
                key,
                (value.decision_requirements_name, value.decision_requirements_version),
            )
            self._drgs.put(
                {
                    "key": key,
                    "decision_requirements_id": value.decision_requirements_id,
                    "name": value.decision_requirements_name,
                    "version": value.decision_requirements_version,
                    "resource_name": value.resource_name,
                    "xml": value.resource.decode("utf-8", "replace"),
                    "tenant_id": value.tenant_id,
                }
            )
        elif record.intent == DecisionRequirementsIntent.DELETED:
            self._drgs.delete(key)

    def _decision(self, record: Record[Any]) -> None:
        value = record.value
        if record.intent == DecisionIntent.CREATED:
            drg = self._drg_infos.get(value.decision_requirements_key)
            if drg is None:
                table = schema.decision_requirements
                row = self._select_one(
                    sa.select(table.c.name, table.c.version).where(
                        table.c.key == value.decision_requirements_key
                    )
                )
                drg = (row.name, row.version) if row is not None else (None, None)
            self._decisions.put(
                {
                    "key": value.decision_key,
                    "decision_id": value.decision_id,
                    "name": value.decision_name,
                    "version": value.version,
                    "version_tag": _opt_text(value.version_tag),
                    "decision_requirements_id": value.decision_requirements_id,
                    "decision_requirements_key": value.decision_requirements_key,
                    "decision_requirements_name": drg[0],
                    "decision_requirements_version": drg[1],
                    "tenant_id": value.tenant_id,
                }
            )
        elif record.intent == DecisionIntent.DELETED:
            self._decisions.delete(value.decision_key)

    def _form(self, record: Record[Any]) -> None:
        value = record.value
        if record.intent == FormIntent.CREATED:
            self._forms.put(
                {
                    "key": value.form_key,
                    "form_id": value.form_id,
                    "version": value.version,
                    "version_tag": _opt_text(value.version_tag),
                    "schema": value.resource.decode("utf-8", "replace"),
                    "resource_name": value.resource_name,
                    "tenant_id": value.tenant_id,
                }
            )
        elif record.intent == FormIntent.DELETED:
            self._forms.delete(value.form_key)

    # -- mapping: process instances ----------------------------------------------------------------

    def _process_instance(self, record: Record[Any]) -> None:
        intent = record.intent
        value = record.value
        if intent == ProcessInstanceIntent.SEQUENCE_FLOW_TAKEN:
            instance = value.process_instance_key
            self._put_rooted(
                self._flows,
                instance,
                {
                    "id": f"{instance}_{value.element_id}",
                    "process_instance_key": instance,
                    "process_definition_key": _opt_key(value.process_definition_key),
                    "bpmn_process_id": value.bpmn_process_id,
                    "element_id": value.element_id,
                    "tenant_id": value.tenant_id,
                },
            )
        elif value.bpmn_element_type is BpmnElementType.PROCESS:
            self._process_level(record)
        else:
            self._element_level(record)

    def _process_level(self, record: Record[Any]) -> None:
        intent = record.intent
        value = record.value
        key = record.key
        if intent == ProcessInstanceIntent.ELEMENT_ACTIVATING:
            parent = value.parent_process_instance_key
            if parent > 0:
                parent_path = self._instance_path(parent) or f"PI_{parent}"
                path = f"{parent_path}/FNI_{value.parent_element_instance_key}/PI_{key}"
            else:
                path = f"PI_{key}"
            self._remember(self._instance_paths, key, path)
            info = self._process_info(value.process_definition_key)
            self._instances.put(
                {
                    "key": key,
                    "process_definition_key": value.process_definition_key,
                    "bpmn_process_id": value.bpmn_process_id,
                    "process_definition_name": info.name,
                    "version": value.version,
                    "version_tag": info.version_tag,
                    "state": "ACTIVE",
                    "start_date": record.timestamp,
                    "end_date": None,
                    "parent_process_instance_key": _opt_key(parent),
                    "parent_element_instance_key": _opt_key(value.parent_element_instance_key),
                    "root_process_instance_key": _root_of(path),
                    "tree_path": path,
                    "tenant_id": value.tenant_id,
                    "partition_id": record.partition_id,
                }
            )
        elif intent in _ELEMENT_STATES:
            self._instances.put({"key": key, "state": _ELEMENT_STATES[intent], "end_date": record.timestamp})
            self._instance_paths.pop(key, None)
        elif intent == ProcessInstanceIntent.ELEMENT_MIGRATED:
            info = self._process_info(value.process_definition_key)
            self._instances.put(
                {
                    "key": key,
                    "process_definition_key": value.process_definition_key,
                    "bpmn_process_id": value.bpmn_process_id,
                    "process_definition_name": info.name,
                    "version": value.version,
                    "version_tag": info.version_tag,
                }
            )

    def _element_level(self, record: Record[Any]) -> None:
        intent = record.intent
        value = record.value
        key = record.key
        if intent == ProcessInstanceIntent.ELEMENT_ACTIVATING:
            instance = value.process_instance_key
            scope = value.flow_scope_key
            if scope == instance or scope <= 0:
                path = f"{instance}/{key}"
            else:
                path = f"{self._element_path(scope) or f'{instance}/{scope}'}/{key}"
            self._remember(self._element_paths, key, path)
            info = self._process_info(value.process_definition_key)
            self._put_rooted(
                self._elements,
                instance,
                {
                    "key": key,
                    "process_instance_key": instance,
                    "process_definition_key": value.process_definition_key,
                    "bpmn_process_id": value.bpmn_process_id,
                    "element_id": value.element_id,
                    "element_name": info.element_names.get(value.element_id),
                    "type": str(value.bpmn_element_type),
                    "state": "ACTIVE",
                    "start_date": record.timestamp,
                    "end_date": None,
                    "flow_scope_key": _opt_key(scope),
                    "tree_path": path,
                    "tenant_id": value.tenant_id,
                },
            )
        elif intent in _ELEMENT_STATES:
            self._elements.put({"key": key, "state": _ELEMENT_STATES[intent], "end_date": record.timestamp})
            self._element_paths.pop(key, None)
        elif intent == ProcessInstanceIntent.ELEMENT_MIGRATED:
            info = self._process_info(value.process_definition_key)
            self._elements.put(
                {
                    "key": key,
                    "process_definition_key": value.process_definition_key,
                    "bpmn_process_id": value.bpmn_process_id,
                    "element_id": value.element_id,
                    "element_name": info.element_names.get(value.element_id),
                }
            )

    def _variable(self, record: Record[Any]) -> None:
        if record.intent not in (VariableIntent.CREATED, VariableIntent.UPDATED, VariableIntent.MIGRATED):
            return
        value = record.value
        text: str = value.value
        preview = text[: schema.VALUE_PREVIEW_LENGTH]
        self._put_rooted(
            self._variables,
            value.process_instance_key,
            {
                "key": record.key,
                "name": value.name,
                "value": preview,
                "full_value": text,
                "is_truncated": len(preview) < len(text),
                "scope_key": value.scope_key,
                "process_instance_key": value.process_instance_key,
                "process_definition_key": _opt_key(value.process_definition_key),
                "bpmn_process_id": value.bpmn_process_id,
                "tenant_id": value.tenant_id,
            },
        )

    # -- mapping: incidents ------------------------------------------------------------------------

    def _incident_path(self, value: Any) -> str:
        instance = value.process_instance_key
        instance_path = self._instance_path(instance) or f"PI_{instance}"
        element = value.element_instance_key
        if element <= 0:
            return instance_path
        element_path = self._element_path(element)
        keys = element_path.split("/")[1:] if element_path else [str(element)]
        return "/".join([instance_path, *(f"FNI_{k}" for k in keys)])

    def _mark_incident_path(self, path: str) -> None:
        for part in path.split("/"):
            if part.startswith("PI_"):
                self._incident_instances.add(int(part[3:]))
            elif part.startswith("FNI_"):
                self._incident_elements.add(int(part[4:]))

    def _incident(self, record: Record[Any]) -> None:
        value = record.value
        key = record.key
        if record.intent == IncidentIntent.CREATED:
            path = self._incident_path(value)
            self._incidents.put(
                {
                    "key": key,
                    "process_definition_key": _opt_key(value.process_definition_key),
                    "bpmn_process_id": value.bpmn_process_id,
                    "process_instance_key": value.process_instance_key,
                    "root_process_instance_key": _root_of(path),
                    "element_id": value.element_id,
                    "element_instance_key": _opt_key(value.element_instance_key),
                    "error_type": str(value.error_type),
                    "error_message": value.error_message,
                    "state": "ACTIVE",
                    "creation_time": record.timestamp,
                    "job_key": _opt_key(value.job_key),
                    "tree_path": path,
                    "tenant_id": value.tenant_id,
                }
            )
            self._mark_incident_path(path)
        elif record.intent == IncidentIntent.RESOLVED:
            path = self._incidents.buffered(key, "tree_path")
            if path is None:
                path = self._incident_path(value)
            self._incidents.put({"key": key, "state": "RESOLVED"})
            self._mark_incident_path(path)

    def _fill_roots(self, connection: Connection) -> None:
        instances = schema.process_instance
        for rows, keys in self._rootless.items():
            table = rows.table
            root = (
                sa.select(instances.c.root_process_instance_key)
                .where(instances.c.key == table.c.process_instance_key)
                .scalar_subquery()
            )
            connection.execute(
                sa.update(table)
                .where(table.c[rows.pk] == sa.bindparam("_pk"), table.c.root_process_instance_key.is_(None))
                .values(root_process_instance_key=root),
                [{"_pk": key} for key in keys],
            )

    def _recompute_incident_flags(self, connection: Connection) -> None:
        """Set ``has_incident`` from the active incidents on each marked instance's path: resolving
        one incident must not clear the flag while another is still active."""
        if not self._incident_instances and not self._incident_elements:
            return
        incident = schema.incident
        on_path = (
            sa.select(sa.literal(1))
            .where(
                incident.c.state == "ACTIVE",
                sa.or_(
                    incident.c.tree_path.like(sa.bindparam("p_inner"), escape=_LIKE_ESCAPE),
                    incident.c.tree_path.like(sa.bindparam("p_end"), escape=_LIKE_ESCAPE),
                ),
            )
            .exists()
        )

        def params(keys: set[int]) -> list[dict[str, Any]]:
            return [{"_pk": k, "p_inner": f"%I\\_{k}/%", "p_end": f"%I\\_{k}"} for k in sorted(keys)]

        if self._incident_instances:
            table = schema.process_instance
            connection.execute(
                sa.update(table).where(table.c.key == sa.bindparam("_pk")).values(has_incident=on_path),
                params(self._incident_instances),
            )
        if self._incident_elements:
            table = schema.element_instance
            direct = (
                sa.select(sa.func.max(incident.c.key))
                .where(incident.c.state == "ACTIVE", incident.c.element_instance_key == sa.bindparam("_pk"))
                .scalar_subquery()
            )
            connection.execute(
                sa.update(table)
                .where(table.c.key == sa.bindparam("_pk"))
                .values(has_incident=on_path, incident_key=direct),
                params(self._incident_elements),
            )

    # -- mapping: jobs and user tasks --------------------------------------------------------------

    def _job(self, record: Record[Any]) -> None:
        intent = record.intent
        value = record.value
        if intent == JobIntent.UPDATED:
            state = "RETRIES_UPDATED" if "retries" in value.changed_attributes else "TIMEOUT_UPDATED"
        else:
            found = _JOB_STATES.get(intent)
            if found is None:
                return
            state = found
        result = value.result
        listener = value.job_kind is JobKind.TASK_LISTENER
        self._put_rooted(
            self._jobs,
            value.process_instance_key,
            {
                "key": record.key,
                "type": value.type,
                "worker": _opt_text(value.worker),
                "state": state,
                "kind": str(value.job_kind),
                "listener_event_type": str(value.job_listener_event_type),
                "retries": value.retries,
                "deadline": _opt_key(value.deadline),
                "error_message": _opt_text(value.error_message),
                "error_code": _opt_text(value.error_code),
                "custom_headers": json.dumps(value.custom_headers),
                "process_instance_key": _opt_key(value.process_instance_key),
                "element_instance_key": _opt_key(value.element_instance_key),
                "element_id": _opt_text(value.element_id),
                "process_definition_key": _opt_key(value.process_definition_key),
                "bpmn_process_id": _opt_text(value.bpmn_process_id),
                "end_time": record.timestamp if intent in _JOB_ENDED else None,
                "creation_time": record.timestamp,
                "last_update_time": record.timestamp,
                "has_failed_with_retries_left": intent == JobIntent.FAILED and value.retries > 0,
                "is_denied": result.denied if listener else None,
                "denied_reason": _opt_text(result.denied_reason) if listener else None,
                "tenant_id": value.tenant_id,
            },
        )

    def _job_batch(self, record: Record[Any]) -> None:
        if record.intent != JobBatchIntent.ACTIVATED:
            return
        value = record.value
        for key, job in zip(value.job_keys, value.jobs, strict=False):
            self._jobs.put(
                {
                    "key": key,
                    "worker": _opt_text(job.worker) or _opt_text(value.worker),
                    "deadline": _opt_key(job.deadline),
                    "last_update_time": record.timestamp,
                }
            )

    def _user_task(self, record: Record[Any]) -> None:
        intent = record.intent
        key = record.key
        transient = _USER_TASK_TRANSIENT.get(intent)
        if transient is not None:
            self._user_tasks.put({"key": key, "state": transient})
            return
        state = _USER_TASK_SETTLED.get(intent)
        if state is None and intent not in (UserTaskIntent.CREATING, UserTaskIntent.CORRECTED):
            return
        value = record.value
        info = self._process_info(value.process_definition_key)
        row: dict[str, Any] = {
            "key": key,
            "element_id": value.element_id,
            "name": info.element_names.get(value.element_id),
            "process_instance_key": _opt_key(value.process_instance_key),
            "element_instance_key": _opt_key(value.element_instance_key),
            "process_definition_key": _opt_key(value.process_definition_key),
            "bpmn_process_id": value.bpmn_process_id,
            "process_definition_version": value.process_definition_version,
            "process_name": info.name,
            "candidate_users": json.dumps(value.candidate_users_list),
            "candidate_groups": json.dumps(value.candidate_groups_list),
            "due_date": parse_iso_or_none(value.due_date),
            "follow_up_date": parse_iso_or_none(value.follow_up_date),
            "priority": value.priority,
            "form_key": _opt_key(value.form_key),
            "external_form_reference": _opt_text(value.external_form_reference),
            "custom_headers": json.dumps(value.custom_headers),
            "creation_date": value.creation_timestamp if value.creation_timestamp > 0 else record.timestamp,
            "tenant_id": value.tenant_id,
        }
        if intent == UserTaskIntent.CREATING:
            row["state"] = "CREATING"
            row["assignee"] = None  # the model's assignee is assigned after creation (ASSIGNED)
        else:
            row["assignee"] = _opt_text(value.assignee)
            if state is not None:  # CORRECTED keeps the state of the transition it corrects
                row["state"] = state
        if intent in (UserTaskIntent.COMPLETED, UserTaskIntent.CANCELED):
            row["completion_date"] = record.timestamp
        self._put_rooted(self._user_tasks, value.process_instance_key, row)

    # -- mapping: decisions and messages -----------------------------------------------------------

    def _decision_evaluation(self, record: Record[Any]) -> None:
        intent = record.intent
        if intent not in (DecisionEvaluationIntent.EVALUATED, DecisionEvaluationIntent.FAILED):
            return
        value = record.value
        failed = intent == DecisionEvaluationIntent.FAILED
        common = {
            "evaluation_key": record.key,
            "evaluation_date": record.timestamp,
            "process_definition_key": _opt_key(value.process_definition_key),
            "process_instance_key": _opt_key(value.process_instance_key),
            "element_instance_key": _opt_key(value.element_instance_key),
            "root_decision_definition_key": value.decision_key,
            "decision_requirements_key": _opt_key(value.decision_requirements_key),
            "decision_requirements_id": value.decision_requirements_id,
            "tenant_id": value.tenant_id,
        }
        failure_recorded = False
        index = 0
        for index, decision in enumerate(value.evaluated_decisions, start=1):
            is_failed = failed and decision.decision_id == value.failed_decision_id
            failure_recorded = failure_recorded or is_failed
            self._put_rooted(
                self._decision_instances,
                value.process_instance_key,
                {
                    **common,
                    "id": decision.decision_evaluation_instance_key or f"{record.key}-{index}",
                    "decision_index": index,
                    "decision_definition_key": _opt_key(decision.decision_key),
                    "decision_id": decision.decision_id,
                    "decision_name": decision.decision_name,
                    "decision_version": decision.decision_version,
                    "decision_type": decision.decision_type or "UNKNOWN",
                    "state": "FAILED" if is_failed else "EVALUATED",
                    "evaluation_failure": value.evaluation_failure_message if is_failed else None,
                    "result": decision.decision_output,
                    "evaluated_inputs": json.dumps(
                        [
                            {"inputId": i.input_id, "inputName": i.input_name, "inputValue": i.input_value}
                            for i in decision.evaluated_inputs
                        ]
                    ),
                    "matched_rules": json.dumps(
                        [
                            {
                                "ruleId": rule.rule_id,
                                "ruleIndex": rule.rule_index,
                                "evaluatedOutputs": [
                                    {
                                        "outputId": o.output_id,
                                        "outputName": o.output_name,
                                        "outputValue": o.output_value,
                                        "ruleId": rule.rule_id,
                                        "ruleIndex": rule.rule_index,
                                    }
                                    for o in rule.evaluated_outputs
                                ],
                            }
                            for rule in decision.matched_rules
                        ]
                    ),
                },
            )
        if failed and not failure_recorded:
            # The failing decision produced nothing to list: record the failure on the called one.
            index += 1
            self._put_rooted(
                self._decision_instances,
                value.process_instance_key,
                {
                    **common,
                    "id": f"{record.key}-{index}",
                    "decision_index": index,
                    "decision_definition_key": _opt_key(value.decision_key),
                    "decision_id": value.failed_decision_id or value.decision_id,
                    "decision_name": value.decision_name,
                    "decision_version": value.decision_version,
                    "decision_type": "UNKNOWN",
                    "state": "FAILED",
                    "evaluation_failure": value.evaluation_failure_message,
                    "result": "null",
                    "evaluated_inputs": "[]",
                    "matched_rules": "[]",
                },
            )

    def _process_message_subscription(self, record: Record[Any]) -> None:
        state = _SUBSCRIPTION_STATES.get(record.intent)
        if state is None:
            return
        value = record.value
        info = self._process_info(value.process_definition_key)
        self._put_rooted(
            self._subscriptions,
            value.process_instance_key,
            {
                "key": record.key,
                "process_instance_key": _opt_key(value.process_instance_key),
                "element_instance_key": _opt_key(value.element_instance_key),
                "element_id": value.element_id,
                "process_definition_key": _opt_key(value.process_definition_key),
                "bpmn_process_id": value.bpmn_process_id,
                "process_definition_name": info.name,
                "process_definition_version": info.version if info.version > 0 else None,
                "message_name": value.message_name,
                "correlation_key": value.correlation_key,
                "state": state,
                "type": "PROCESS_EVENT",
                "last_updated_date": record.timestamp,
                "tenant_id": value.tenant_id,
            },
        )

    def _start_event_subscription(self, record: Record[Any]) -> None:
        state = _START_SUBSCRIPTION_STATES.get(record.intent)
        if state is None:
            return
        value = record.value
        info = self._process_info(value.process_definition_key)
        row: dict[str, Any] = {
            "key": record.key,
            "element_id": value.start_event_id,
            "process_definition_key": _opt_key(value.process_definition_key),
            "bpmn_process_id": value.bpmn_process_id,
            "process_definition_name": info.name,
            "process_definition_version": info.version if info.version > 0 else None,
            "message_name": value.message_name,
            "state": state,
            "type": "START_EVENT",
            "last_updated_date": record.timestamp,
            "tenant_id": value.tenant_id,
        }
        if record.intent == MessageStartEventSubscriptionIntent.CORRELATED:
            row["process_instance_key"] = _opt_key(value.process_instance_key)
            row["correlation_key"] = value.correlation_key
        self._put_rooted(self._subscriptions, value.process_instance_key, row)
