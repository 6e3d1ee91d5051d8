"""The read model's tables: created idempotently, versioned, SQLite in WAL mode."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from strom.search import schema


def test_creating_the_schema_twice_is_harmless(db_url: str) -> None:
    engine = schema.create_engine(db_url)
    try:
        schema.create_schema(engine)
        schema.create_schema(engine)

        tables = set(sa.inspect(engine).get_table_names())
        assert {table.name for table in schema.metadata.sorted_tables} <= tables
        with engine.connect() as connection:
            versions = connection.execute(sa.select(schema.schema_version)).all()
        assert [tuple(row) for row in versions] == [(1, schema.SCHEMA_VERSION)]
    finally:
        engine.dispose()


def test_an_unknown_schema_version_is_refused(sqlite_url: str) -> None:
    engine = schema.create_engine(sqlite_url)
    try:
        schema.create_schema(engine)
        with engine.begin() as connection:
            connection.execute(sa.update(schema.schema_version).values(version=schema.SCHEMA_VERSION + 1))

        with pytest.raises(schema.SchemaVersionError, match=f"schema version {schema.SCHEMA_VERSION + 1}"):
            schema.create_schema(engine)
    finally:
        engine.dispose()


def test_a_read_model_of_version_1_is_migrated_to_the_current_version(db_url: str) -> None:
    engine = schema.create_engine(db_url)
    try:
        schema.create_schema(engine)
        with engine.begin() as connection:  # as version 1 left it
            connection.execute(sa.text("DROP INDEX ix_process_instance_process_start"))
            connection.execute(
                sa.text(
                    "CREATE INDEX ix_process_instance_bpmn_process_id ON process_instance (bpmn_process_id)"
                )
            )
            connection.execute(sa.text("DROP INDEX ix_element_instance_definition_element"))  # version 2
            connection.execute(sa.update(schema.schema_version).values(version=1))

        schema.create_schema(engine)

        indexes = {index["name"] for index in sa.inspect(engine).get_indexes("process_instance")}
        element_indexes = {index["name"] for index in sa.inspect(engine).get_indexes("element_instance")}
        with engine.connect() as connection:
            version = connection.execute(sa.select(schema.schema_version.c.version)).scalar_one()
    finally:
        engine.dispose()
    assert "ix_process_instance_process_start" in indexes
    assert "ix_process_instance_bpmn_process_id" not in indexes
    assert "ix_element_instance_definition_element" in element_indexes
    assert version == schema.SCHEMA_VERSION


def test_sqlite_connections_use_wal_and_case_sensitive_like(sqlite_url: str) -> None:
    engine = schema.create_engine(sqlite_url)
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            assert connection.exec_driver_sql("SELECT 'A' LIKE 'a'").scalar() == 0
    finally:
        engine.dispose()


def test_other_databases_are_refused() -> None:
    with pytest.raises(ValueError, match="SQLite and PostgreSQL"):
        schema.create_engine("mysql+pymysql://localhost/x")
