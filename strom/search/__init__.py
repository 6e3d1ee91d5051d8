"""Secondary storage: a relational read model of the engine's records, and searches over it.

``SqlExporter`` (an exporter) writes the tables of ``strom.search.schema`` from a partition's log;
``SearchStore`` answers the REST API v2 searches and gets from them in Camunda 8.8's shapes, and
raises ``SearchError`` for requests it cannot answer. Both work on SQLite and PostgreSQL.
"""

from __future__ import annotations

from strom.search.errors import SearchError
from strom.search.exporter import SqlExporter
from strom.search.query import NotPermittedError, Restriction, SearchStore

__all__ = ["NotPermittedError", "Restriction", "SearchError", "SearchStore", "SqlExporter"]
