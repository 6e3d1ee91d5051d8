"""Record queries over what a partition wrote, always bounded: ``.limit(n)``, ``.first()``, ``.exists()``.

There is no way to iterate a query without a bound (Zeebe's RecordingExporter rule): with a
running partition a query waits for records that are yet to come, and an unbounded wait is a
test that never ends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from strom.exporter import Controller, ExporterContext
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.record import Record

Predicate = Callable[[Record[Any]], bool]


class RecordingExporter:
    """Keeps every exported record in memory, in log order (for tests)."""

    def __init__(self) -> None:
        self.records: list[Record[Any]] = []
        self._changed = threading.Condition()
        self._controller: Controller | None = None

    def configure(self, context: ExporterContext) -> None:
        return None

    def open(self, controller: Controller) -> None:
        self._controller = controller

    def export(self, record: Record[Any]) -> None:
        with self._changed:
            self.records.append(record)
            self._changed.notify_all()
        if self._controller is not None:
            self._controller.update_last_exported_position(record.position)

    def close(self) -> None:
        return None

    def wait_for(self, count_matching: Callable[[], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not count_matching():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return
                self._changed.wait(remaining)


class RecordQuery:
    """A filtered view of the recorded records; refine it, then bound it."""

    __slots__ = ("_predicates", "_recorder", "_wait")

    def __init__(
        self, recorder: RecordingExporter, predicates: tuple[Predicate, ...] = (), wait: float = 0.0
    ) -> None:
        self._recorder = recorder
        self._predicates = predicates
        self._wait = wait

    def where(self, predicate: Predicate) -> RecordQuery:
        return RecordQuery(self._recorder, (*self._predicates, predicate), self._wait)

    # -- refinements -------------------------------------------------------------------------------

    def with_intent(self, intent: int) -> RecordQuery:
        return self.where(lambda r: r.intent == intent)

    def with_record_type(self, record_type: RecordType) -> RecordQuery:
        return self.where(lambda r: r.record_type is record_type)

    def events(self) -> RecordQuery:
        return self.with_record_type(RecordType.EVENT)

    def commands(self) -> RecordQuery:
        return self.with_record_type(RecordType.COMMAND)

    def rejections(self) -> RecordQuery:
        return self.with_record_type(RecordType.COMMAND_REJECTION)

    def on_partition(self, partition_id: int) -> RecordQuery:
        return self.where(lambda record: record.partition_id == partition_id)

    def with_key(self, key: int) -> RecordQuery:
        return self.where(lambda r: r.key == key)

    def with_value(self, **fields: Any) -> RecordQuery:
        """Records whose value has all these field values (``with_value(retries=2)``)."""
        items = tuple(fields.items())
        return self.where(lambda r: all(getattr(r.value, name, _MISSING) == value for name, value in items))

    def with_element_id(self, element_id: str) -> RecordQuery:
        return self.with_value(element_id=element_id)

    def with_element_type(self, element_type: Any) -> RecordQuery:
        return self.with_value(bpmn_element_type=element_type)

    def with_process_instance_key(self, key: int) -> RecordQuery:
        return self.with_value(process_instance_key=key)

    def with_type(self, job_type: str) -> RecordQuery:
        return self.with_value(type=job_type)

    def with_name(self, name: str) -> RecordQuery:
        return self.with_value(name=name)

    def waiting(self, seconds: float) -> RecordQuery:
        """With a running partition, wait up to ``seconds`` for the records a bound asks for."""
        return RecordQuery(self._recorder, self._predicates, seconds)

    # -- bounds ------------------------------------------------------------------------------------

    def limit(self, count: int) -> list[Record[Any]]:
        """The first ``count`` matching records (fewer if no more exist within the wait)."""
        if count < 1:
            raise ValueError(f"`count` must be at least 1, got {count}")
        if self._wait:
            self._recorder.wait_for(lambda: len(self._matching(count)) >= count, self._wait)
        return self._matching(count)

    def first(self) -> Record[Any]:
        """The first matching record; AssertionError if there is none."""
        found = self.limit(1)
        if not found:
            raise AssertionError("expected a record matching the query, but none was written")
        return found[0]

    def exists(self) -> bool:
        return bool(self.limit(1))

    def _matching(self, count: int) -> list[Record[Any]]:
        found: list[Record[Any]] = []
        predicates = self._predicates
        for record in list(self._recorder.records):
            if all(predicate(record) for predicate in predicates):
                found.append(record)
                if len(found) >= count:
                    break
        return found


_MISSING = object()


class RecordQueries:
    """Starting points of record queries, one per value type."""

    def __init__(self, recorder: RecordingExporter, wait: float = 0.0) -> None:
        self._recorder = recorder
        self._wait = wait

    def all(self) -> RecordQuery:
        return RecordQuery(self._recorder, (), self._wait)

    def of(self, value_type: ValueType) -> RecordQuery:
        return self.all().where(lambda r: r.value_type is value_type)

    def deployments(self) -> RecordQuery:
        return self.of(ValueType.DEPLOYMENT)

    def processes(self) -> RecordQuery:
        return self.of(ValueType.PROCESS)

    def process_instances(self) -> RecordQuery:
        return self.of(ValueType.PROCESS_INSTANCE)

    def creations(self) -> RecordQuery:
        return self.of(ValueType.PROCESS_INSTANCE_CREATION)

    def jobs(self) -> RecordQuery:
        return self.of(ValueType.JOB)

    def job_batches(self) -> RecordQuery:
        return self.of(ValueType.JOB_BATCH)

    def variables(self) -> RecordQuery:
        return self.of(ValueType.VARIABLE)

    def variable_documents(self) -> RecordQuery:
        return self.of(ValueType.VARIABLE_DOCUMENT)

    def incidents(self) -> RecordQuery:
        return self.of(ValueType.INCIDENT)

    def messages(self) -> RecordQuery:
        return self.of(ValueType.MESSAGE)

    def message_subscriptions(self) -> RecordQuery:
        return self.of(ValueType.MESSAGE_SUBSCRIPTION)

    def process_message_subscriptions(self) -> RecordQuery:
        return self.of(ValueType.PROCESS_MESSAGE_SUBSCRIPTION)

    def timers(self) -> RecordQuery:
        return self.of(ValueType.TIMER)

    def signals(self) -> RecordQuery:
        return self.of(ValueType.SIGNAL)

    def signal_subscriptions(self) -> RecordQuery:
        return self.of(ValueType.SIGNAL_SUBSCRIPTION)

    def user_tasks(self) -> RecordQuery:
        return self.of(ValueType.USER_TASK)

    def decision_evaluations(self) -> RecordQuery:
        return self.of(ValueType.DECISION_EVALUATION)

    def escalations(self) -> RecordQuery:
        return self.of(ValueType.ESCALATION)

    def errors(self) -> RecordQuery:
        return self.of(ValueType.ERROR)
