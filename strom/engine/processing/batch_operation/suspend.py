"""BATCH_OPERATION_LIFECYCLE_MANAGEMENT SUSPEND: pause an operation; EXECUTE does nothing while it
is suspended (the filter is not resolved further either)."""

from __future__ import annotations

from strom.engine.processing.authorization import AuthorizationCheck
from strom.engine.processing.batch_operation._lifecycle import LifecycleCommand
from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.state import ProcessingState
from strom.protocol.intents import BatchOperationIntent
from strom.stream.key_generator import KeyGenerator


def suspend_processor(
    state: ProcessingState,
    authorization: AuthorizationCheck,
    keys: KeyGenerator,
    distribution: CommandDistributionBehavior,
) -> LifecycleCommand:
    return LifecycleCommand(
        state,
        authorization,
        keys,
        distribution,
        "suspend",
        BatchOperationIntent.SUSPENDED,
        frozenset({"CREATED"}),
    )
