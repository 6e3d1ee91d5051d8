"""The engine's state: read-only views for processors, mutable ones for appliers.

``ProcessingState`` is what processors, behaviors and scheduled tasks get: its attributes are typed
with the read-only protocols, so mypy flags a processor that tries to change state. Appliers get
``MutableProcessingState``, which is ``DbProcessingState`` itself: the state areas over one RocksDB.
"""

from __future__ import annotations

from typing import Protocol

from strom.db import Database
from strom.engine.state.await_result import AwaitResultState, DbAwaitResultState
from strom.engine.state.batch_operation import (
    BatchOperationState,
    DbBatchOperationState,
)
from strom.engine.state.clock import ClockState, DbClockState
from strom.engine.state.compensation import (
    CompensationSubscriptionState,
    DbCompensationSubscriptionState,
)
from strom.engine.state.decision import DbDecisionState, DecisionState
from strom.engine.state.distribution import DbDistributionState, DistributionState
from strom.engine.state.element_instance import (
    DbElementInstanceState,
    ElementInstanceState,
)
from strom.engine.state.event_scope import DbEventScopeState, EventScopeState
from strom.engine.state.form import DbFormState, FormState
from strom.engine.state.identity import DbIdentityState, IdentityState
from strom.engine.state.incident import DbIncidentState, IncidentState
from strom.engine.state.job import DbJobState, JobState
from strom.engine.state.message import DbMessageState, MessageState
from strom.engine.state.message_subscription import (
    DbMessageSubscriptionState,
    MessageSubscriptionState,
)
from strom.engine.state.process import DbProcessState, ProcessState
from strom.engine.state.process_message_subscription import (
    DbProcessMessageSubscriptionState,
    ProcessMessageSubscriptionState,
)
from strom.engine.state.signal_subscription import (
    DbSignalSubscriptionState,
    SignalSubscriptionState,
)
from strom.engine.state.start_event_subscription import (
    DbMessageStartEventSubscriptionState,
    MessageStartEventSubscriptionState,
)
from strom.engine.state.timer import DbTimerState, TimerState
from strom.engine.state.user_task import DbUserTaskState, UserTaskState
from strom.engine.state.variable import DbVariableState, VariableState


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
    @property
    def event_scopes(self) -> EventScopeState: ...
    @property
    def timers(self) -> TimerState: ...
    @property
    def messages(self) -> MessageState: ...
    @property
    def message_subscriptions(self) -> MessageSubscriptionState: ...
    @property
    def process_message_subscriptions(self) -> ProcessMessageSubscriptionState: ...
    @property
    def message_start_subscriptions(self) -> MessageStartEventSubscriptionState: ...
    @property
    def signal_subscriptions(self) -> SignalSubscriptionState: ...
    @property
    def compensation_subscriptions(self) -> CompensationSubscriptionState: ...
    @property
    def decisions(self) -> DecisionState: ...
    @property
    def forms(self) -> FormState: ...
    @property
    def user_tasks(self) -> UserTaskState: ...
    @property
    def distributions(self) -> DistributionState: ...
    @property
    def identity(self) -> IdentityState: ...
    @property
    def clock(self) -> ClockState: ...
    @property
    def batch_operations(self) -> BatchOperationState: ...


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
        self.event_scopes = DbEventScopeState(db)
        self.timers = DbTimerState(db)
        self.messages = DbMessageState(db)
        self.message_subscriptions = DbMessageSubscriptionState(db)
        self.process_message_subscriptions = DbProcessMessageSubscriptionState(db)
        self.message_start_subscriptions = DbMessageStartEventSubscriptionState(db)
        self.signal_subscriptions = DbSignalSubscriptionState(db)
        self.compensation_subscriptions = DbCompensationSubscriptionState(db)
        self.decisions = DbDecisionState(db)
        self.forms = DbFormState(db)
        self.user_tasks = DbUserTaskState(db)
        self.distributions = DbDistributionState(db)
        self.identity = DbIdentityState(db)
        self.clock = DbClockState(db)
        self.batch_operations = DbBatchOperationState(db)


MutableProcessingState = DbProcessingState
"""What appliers get: the state itself, typed with its concrete state classes (not the read-only
protocols processors see), so that appliers compiled with mypyc call the state classes directly
instead of looking each method up by name."""


__all__ = ["DbProcessingState", "MutableProcessingState", "ProcessingState"]
