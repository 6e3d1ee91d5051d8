"""BATCH_OPERATION_LIFECYCLE_MANAGEMENT CANCEL: stop an operation; the items not executed yet are
never executed (CANCELED forgets the operation)."""

from __future__ import annotations

from strom.engine.processing.authorization import AuthorizationCheck
from strom.engine.processing.batch_operation._lifecycle import LifecycleCommand
from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.state import ProcessingState
from strom.protocol.intents import BatchOperationIntent
from strom.stream.key_generator import KeyGenerator


def cancel_processor(
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
        "cancel",
        BatchOperationIntent.CANCELED,
        frozenset({"CREATED", "SUSPENDED"}),
    )
