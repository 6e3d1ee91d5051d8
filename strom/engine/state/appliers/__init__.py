"""Event appliers: the only code that changes state, one per (value type, intent, version).

A released applier never changes: new behaviour is a new version, registered next to the old one,
and replay applies each event with the version recorded on it.

The registry is complete: every event intent the engine writes has an applier, or an explicit
:class:`NoStateChange` registration for an event that changes no state; every event intent it
never writes is listed in :data:`NOT_WRITTEN` with the reason. ``all_appliers`` checks this when
the engine starts, and an event without an applier is an error when it is written and when it is
replayed (:class:`MissingApplierError`), never skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import IntEnum
from typing import Any, Final

from strom.engine.state.appliers.registry import Applier, EventAppliers, MissingApplierError, NoStateChange
from strom.protocol.enums import ValueType
from strom.protocol.intents import (
    INTENTS,
    BatchOperationIntent,
    CommandDistributionIntent,
    CompensationSubscriptionIntent,
    DeploymentDistributionIntent,
    DeploymentIntent,
    ErrorIntent,
    JobIntent,
    MessageCorrelationIntent,
    ProcessInstanceBatchIntent,
    ProcessInstanceIntent,
    ProcessInstanceResultIntent,
    VariableIntent,
    is_event_code,
)

__all__ = ["NOT_WRITTEN", "Applier", "EventAppliers", "MissingApplierError", "NoStateChange", "all_appliers"]


def _not_written(reason: str, *intents: IntEnum) -> dict[tuple[ValueType, int], str]:
    value_types = {intent_class: value_type for value_type, intent_class in INTENTS.items()}
    return {(value_types[type(intent)], int(intent)): reason for intent in intents}


_MIGRATION = (
    "process instance migration leaves called instances and compensation subscriptions as they are "
    "(Strom keeps no tree paths to adjust)"
)
_DISTRIBUTION = "Zeebe's pre-8.3 deployment distribution; Strom distributes with COMMAND_DISTRIBUTION"
_DISTRIBUTION_QUEUES = "distribution queues (commands delivered one after another) are not built"
_BATCH_OPERATION_EVENTS = (
    "four value types share BatchOperationIntent; each carries only some of its events (a "
    "batch operation's search cursor moves with each BATCH_OPERATION_CHUNK CREATED)"
)
_BATCH_OPERATION_WRITTEN: dict[ValueType, frozenset[BatchOperationIntent]] = {
    ValueType.BATCH_OPERATION_CREATION: frozenset({BatchOperationIntent.CREATED}),
    ValueType.BATCH_OPERATION_INITIALIZATION: frozenset({BatchOperationIntent.INITIALIZED}),
    ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT: frozenset(
        {
            BatchOperationIntent.CANCELED,
            BatchOperationIntent.SUSPENDED,
            BatchOperationIntent.RESUMED,
            BatchOperationIntent.COMPLETED,
            BatchOperationIntent.FAILED,
        }
    ),
    ValueType.BATCH_OPERATION_PARTITION_LIFECYCLE: frozenset(
        {BatchOperationIntent.PARTITION_COMPLETED, BatchOperationIntent.PARTITION_FAILED}
    ),
}

NOT_WRITTEN: Final[Mapping[tuple[ValueType, int], str]] = {
    **_not_written(
        _MIGRATION,
        ProcessInstanceIntent.ANCESTOR_MIGRATED,
        CompensationSubscriptionIntent.MIGRATED,
    ),
    **_not_written(
        _DISTRIBUTION,
        DeploymentIntent.DISTRIBUTED,
        DeploymentIntent.FULLY_DISTRIBUTED,
        DeploymentDistributionIntent.DISTRIBUTING,
        DeploymentDistributionIntent.COMPLETED,
    ),
    **_not_written(
        _DISTRIBUTION_QUEUES,
        CommandDistributionIntent.ENQUEUED,
        CommandDistributionIntent.CONTINUATION_REQUESTED,
        CommandDistributionIntent.CONTINUED,
    ),
    **_not_written(
        "Zeebe's one-off rebuild of deployments from older state; Strom's state never lacked them",
        DeploymentIntent.RECONSTRUCTED,
        DeploymentIntent.RECONSTRUCTED_ALL,
    ),
    **_not_written(
        "variables are written as CREATED / UPDATED at once (no variable listeners)",
        VariableIntent.CREATING,
        VariableIntent.UPDATING,
    ),
    **_not_written(
        "a failed command is answered by a PROCESSING_ERROR rejection, not an ERROR record",
        ErrorIntent.CREATED,
    ),
    **_not_written(
        "a message is correlated in the CORRELATE command's own step (one partition): no CORRELATING "
        "between partitions, and a message nothing takes is a NOT_FOUND rejection",
        MessageCorrelationIntent.CORRELATING,
        MessageCorrelationIntent.NOT_CORRELATED,
    ),
    **_not_written(
        "process instance modification does not delete taken sequence flows",
        ProcessInstanceIntent.SEQUENCE_FLOW_DELETED,
    ),
    **_not_written(
        "a multi-instance batch is written as ACTIVATED in one step",
        ProcessInstanceBatchIntent.ACTIVATING,
    ),
    **_not_written(
        "the result of a process instance is a response to its request, never a log record",
        ProcessInstanceResultIntent.COMPLETED,
    ),
    **_not_written(
        "the combined job UPDATE command is not implemented (UPDATE_RETRIES, UPDATE_TIMEOUT are)",
        JobIntent.UPDATED,
    ),
    **{
        (value_type, int(intent)): _BATCH_OPERATION_EVENTS
        for value_type, written in _BATCH_OPERATION_WRITTEN.items()
        for intent in BatchOperationIntent
        if is_event_code(value_type, intent) and intent not in written
    },
}
"""Every event intent the engine never writes, with the reason: it has no applier, and writing or
replaying one is an error. Implementing one means registering its applier (or ``NoStateChange``)
and removing it from here."""


def all_appliers(state: Any) -> EventAppliers:
    """The registry with every applier of the engine, bound to ``state`` (a MutableProcessingState).

    Raises:
        MissingApplierError: an event intent has neither an applier nor a NOT_WRITTEN entry.
    """
    from strom.engine.state.appliers import (
        ad_hoc_sub_process,
        batch_operation,
        clock,
        compensation,
        decision,
        deployment,
        distribution,
        escalation,
        identity,
        incident,
        job,
        message,
        process_event,
        process_instance,
        process_instance_migration,
        resource_deletion,
        signal,
        timer,
        user_task,
        variable,
        variable_document,
    )

    appliers = EventAppliers()
    for module in (deployment, process_instance, job, variable, incident, resource_deletion):
        module.register(appliers, state)
    for module in (process_event, timer, message, signal, compensation, escalation):
        module.register(appliers, state)
    for module in (decision, user_task, distribution, ad_hoc_sub_process):
        module.register(appliers, state)
    identity.register(appliers, state)
    clock.register(appliers, state)
    process_instance_migration.register(appliers, state)
    batch_operation.register(appliers, state)
    variable_document.register(appliers, state)
    appliers.check_complete()
    return appliers
