"""The engine of one partition: what the stream processor drives.

It owns the partition's state views, the appliers and the processors, and turns the stream
processor's calls (replay an event, process a command, a command failed, processing begins) into
the engine's terms. It knows nothing about threads, files or the network.
"""

from __future__ import annotations

import logging
from typing import Any

from strom.db import Database
from strom.engine.job_streams import JobStreams, NoJobStreams
from strom.engine.partitions import InterPartitionSender, SinglePartition
from strom.engine.processing import Processors, build_processors
from strom.engine.processing.authorization import REQUIREMENTS, AuthorizationCheck, names_caller
from strom.engine.processing.batch_operation import BatchItemProvider, BatchOperationScheduler
from strom.engine.processing.batch_operation import register as register_batch_operations
from strom.engine.processing.bpmn.behavior import Behaviors
from strom.engine.processing.bpmn.bpmn_processor import BpmnProcessor
from strom.engine.processing.clock.pin import ClockProcessor
from strom.engine.processing.writers import Writers
from strom.engine.scheduled.due_date_checker import DueDateChecker
from strom.engine.scheduled.event_checkers import message_ttl_checker, timer_checker
from strom.engine.scheduled.job_checkers import job_backoff_checker, job_timeout_checker
from strom.engine.scheduled.redistributor import CommandRedistributor
from strom.engine.state import DbProcessingState
from strom.engine.state.appliers import EventAppliers, all_appliers
from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import ClockIntent, intent_name
from strom.protocol.record import Record
from strom.stream.clock import PinnableClock, SystemClock
from strom.stream.key_generator import KeyGenerator
from strom.stream.processor import ProcessingContext
from strom.stream.result import ResultBuilder

_log = logging.getLogger(__name__)


class Engine:
    """Processes one partition's commands; implements ``strom.stream.RecordProcessor``."""

    def __init__(
        self,
        db: Database,
        *,
        partition_id: int = 1,
        job_streams: JobStreams | None = None,
        partition_count: int = 1,
        sender: InterPartitionSender | None = None,
        clock: PinnableClock | None = None,
        batch_items: BatchItemProvider | None = None,
        authorizations: bool = True,
        multi_tenancy: bool = False,
    ) -> None:
        """``authorizations``: check the permissions of a command that names its caller;
        ``multi_tenancy``: check that such a caller is assigned to the tenant it acts in."""
        self.partition_id = partition_id
        self.clock = clock if clock is not None else PinnableClock(SystemClock())
        """The partition's clock, which CLOCK PIN / RESET commands control."""
        self.partition_count = partition_count
        self.sender: InterPartitionSender = sender if sender is not None else SinglePartition()
        self.key_generator = KeyGenerator(partition_id)
        self.state = DbProcessingState(db)
        self.appliers: EventAppliers = all_appliers(self.state)
        self.job_streams: JobStreams = job_streams or NoJobStreams()
        self._writers = Writers(self.appliers)
        self.timeout_checker: DueDateChecker = job_timeout_checker(self.state.jobs)
        self.backoff_checker: DueDateChecker = job_backoff_checker(self.state.jobs)
        self.timer_checker: DueDateChecker = timer_checker(self.state.timers)
        self.message_ttl_checker: DueDateChecker = message_ttl_checker(self.state.messages)
        self.authorization = AuthorizationCheck(
            self.state.identity, authorizations=authorizations, multi_tenancy=multi_tenancy
        )
        self.behaviors = Behaviors.build(
            self.state,
            self.key_generator,
            self.job_streams,
            self.timeout_checker.schedule,
            on_timer_due=self.timer_checker.schedule,
            partition_id=partition_id,
            partition_count=partition_count,
            sender=self.sender,
            authorization=self.authorization,
        )
        processors, bpmn = build_processors(
            self.state,
            self.behaviors,
            self.key_generator,
            self.timeout_checker.schedule,
            self.backoff_checker.schedule,
            on_message_deadline=self.message_ttl_checker.schedule,
        )
        processors.register(
            ValueType.CLOCK,
            ClockIntent.PIN,
            ClockProcessor(
                self.state, self.behaviors.distribution, self.key_generator, self.clock, pins=True
            ),
        )
        processors.register(
            ValueType.CLOCK,
            ClockIntent.RESET,
            ClockProcessor(
                self.state, self.behaviors.distribution, self.key_generator, self.clock, pins=False
            ),
        )
        self.processors: Processors = processors
        self.bpmn: BpmnProcessor = bpmn
        self._table = processors.table
        self.batch_operations: BatchOperationScheduler = register_batch_operations(
            processors,
            self.state,
            self.key_generator,
            self.authorization,
            self.behaviors.distribution,
            batch_items,
        )
        """Resolves and executes batch operations; its ``items`` answer from secondary storage."""
        self._checkers: list[DueDateChecker] = [
            self.timeout_checker,
            self.backoff_checker,
            self.timer_checker,
            self.message_ttl_checker,
        ]
        self._redistributor = CommandRedistributor(self.state.distributions, self.behaviors.distribution)
        self.context: ProcessingContext | None = None

    def add_checker(self, checker: DueDateChecker) -> None:
        """Start ``checker`` with the engine (engine extensions: timers, message TTL, …)."""
        self._checkers.append(checker)
        if self.context is not None:
            checker.start(self.context)

    def supports(self, value_type: ValueType, intent: int) -> bool:
        """Whether this engine has a processor for the command (the gateway answers UNIMPLEMENTED
        for a command it has none for, instead of sending it to be rejected)."""
        return (value_type << 8 | intent) in self._table

    # -- RecordProcessor ---------------------------------------------------------------------------

    def replay(self, event: Record[Any]) -> None:
        self.appliers.apply(event)

    def process(self, command: Record[Any], result: ResultBuilder) -> None:
        writers = self._writers.bind(result)
        processor = self._table.get(command.value_type << 8 | command.intent)
        if processor is None:
            writers.reject(
                command,
                RejectionType.INVALID_ARGUMENT,
                f"Expected to process a {command.value_type.name} "
                f"{intent_name(command.value_type, command.intent)} command, but this version "
                "of Strom does not support it",
            )
            return
        if command.authorizations and not self._authorized(command, writers):
            return
        processor.process(command, writers)

    def _authorized(self, command: Record[Any], writers: Writers) -> bool:
        """Whether the caller ``command`` names may act in the tenant of what the command is about
        and holds the permission it needs; rejects it when not (FORBIDDEN naming the permission;
        for a tenant the caller is not assigned to, FORBIDDEN when creating something there and
        NOT_FOUND when acting on what is there, as Zeebe does). Commands without a caller (the
        engine's own, and every command while the gateways authenticate no one) need none."""
        if not names_caller(command):
            return True
        requirement = REQUIREMENTS.get(command.value_type << 8 | command.intent)
        if requirement is None:
            return True
        needed = requirement(command, self.state)
        if needed is None:
            return True
        requests = needed if isinstance(needed, list) else [needed]
        check = self.authorization
        caller = check.caller(command)
        first = requests[0]
        if first.tenant_id and not check.assigned(caller, first.tenant_id):
            rejection = RejectionType.FORBIDDEN if first.new_resource else RejectionType.NOT_FOUND
            writers.reject(command, rejection, first.tenant_reason())
            return False
        for request in requests:
            if not check.permits(caller, request):
                writers.reject(command, RejectionType.FORBIDDEN, request.forbidden_reason())
                return False
        return True

    def on_processing_error(self, error: Exception, command: Record[Any], result: ResultBuilder) -> None:
        writers = self._writers.bind(result)
        writers.reject(
            command,
            RejectionType.PROCESSING_ERROR,
            f"Expected to process {command.value_type.name} "
            f"{intent_name(command.value_type, command.intent)} command without errors, but "
            f"an error occurred: {type(error).__name__}: {error}",
        )

    def partition_available(self, partition_id: int) -> None:
        """Partition ``partition_id`` (re)started: send it now what waits for its answer, instead
        of at the next resend pass (between steps)."""
        self._redistributor.resend_to(partition_id)
        self.behaviors.subscription_commands.resend_to(partition_id)

    def on_recovered(self, context: ProcessingContext) -> None:
        self.context = context
        with context.read():  # replay rebuilt the clock's state, not the live clock
            pinned = self.state.clock.pinned_millis()
        if pinned >= 0:
            self.clock.pin(pinned)
        else:
            self.clock.reset()
        for checker in self._checkers:
            checker.start(context)
        self._redistributor.start(context)
        self.batch_operations.start(context)
        self.behaviors.subscription_commands.start(context, self.state)
