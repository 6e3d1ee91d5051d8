"""The engine's state: read-only views for processors, mutable ones for appliers.

``ProcessingState`` is what processors, behaviors and scheduled tasks get: its attributes are typed
with the read-only protocols, so mypy flags a processor that tries to change state. Appliers get
``MutableProcessingState``. ``DbProcessingState`` implements both over one RocksDB.
"""

from __future__ import annotations

from typing import Protocol

from strom.db import Database
from strom.engine.state.await_result import AwaitResultState, DbAwaitResultState, MutableAwaitResultState
from strom.engine.state.element_instance import (
    DbElementInstanceState,
    ElementInstanceState,
    MutableElementInstanceState,
)
from strom.engine.state.incident import DbIncidentState, IncidentState, MutableIncidentState
from strom.engine.state.job import DbJobState, JobState, MutableJobState
from strom.engine.state.process import DbProcessState, MutableProcessState, ProcessState
from strom.engine.state.variable import DbVariableState, MutableVariableState, VariableState


class ProcessingState(Protocol):
    @property
    def processes(self) -> ProcessState: ...
    @property
    def element_instances(self) -> ElementInstanceState: ...
    @property
    def variables(self) -> VariableState: ...
    @property
    def jobs(self) -> JobState: ...
    @property
    def incidents(self) -> IncidentState: ...
    @property
    def await_results(self) -> AwaitResultState: ...


class MutableProcessingState(Protocol):
    @property
    def processes(self) -> MutableProcessState: ...
    @property
    def element_instances(self) -> MutableElementInstanceState: ...
    @property
    def variables(self) -> MutableVariableState: ...
    @property
    def jobs(self) -> MutableJobState: ...
    @property
    def incidents(self) -> MutableIncidentState: ...
    @property
    def await_results(self) -> MutableAwaitResultState: ...


class DbProcessingState:
    """Every state area of one partition over its database."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.processes = DbProcessState(db)
        self.element_instances = DbElementInstanceState(db)
        self.variables = DbVariableState(db)
        self.jobs = DbJobState(db)
        self.incidents = DbIncidentState(db)
        self.await_results = DbAwaitResultState(db)


__all__ = ["DbProcessingState", "MutableProcessingState", "ProcessingState"]
