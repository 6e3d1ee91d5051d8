"""BATCH_OPERATION_LIFECYCLE_MANAGEMENT RESUME: go on with a suspended operation."""

from __future__ import annotations

from collections.abc import Callable

from strom.engine.processing.authorization import AuthorizationCheck
from strom.engine.processing.batch_operation._lifecycle import LifecycleCommand
from strom.engine.processing.distribution.behavior import CommandDistributionBehavior
from strom.engine.state import ProcessingState
from strom.protocol.intents import BatchOperationIntent
from strom.stream.key_generator import KeyGenerator


def resume_processor(
    state: ProcessingState,
    authorization: AuthorizationCheck,
    keys: KeyGenerator,
    distribution: CommandDistributionBehavior,
    wake: Callable[[], None],
) -> LifecycleCommand:
    return LifecycleCommand(
        state,
        authorization,
        keys,
        distribution,
        "resume",
        BatchOperationIntent.RESUMED,
        frozenset({"SUSPENDED"}),
        wake,
    )
