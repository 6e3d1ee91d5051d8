"""What a partition wrote, watched after each processing step: Zeebe's per-event counts and one
log line per incident and per command rejection.

The stream processor hands over the records of each committed step (``add_records_listener``);
``RecordObserver.observe`` looks at each once, on the processing thread, so it must stay cheap:
a class check per record, and a dictionary increment for the few kinds it counts. The counts are
read when Prometheus scrapes (``strom.broker.metrics``), under Zeebe's names and labels:

- ``zeebe_element_instance_events_total{action,type,eventType}``: element instances activated,
  completed, terminated (PROCESS_INSTANCE ELEMENT_ACTIVATED / _COMPLETED / _TERMINATED), by BPMN
  element type and event type.
- ``zeebe_executed_instances_total{action,type="ROOT_PROCESS_INSTANCE"}``: the same for root
  process instances (no parent).
- ``zeebe_process_instance_creations_total{creation_mode}``: process instances created by a
  client command, at the default start event or at given elements (start instructions).
- ``zeebe_job_events_total{action,type,job_kind}``: jobs created, activated (polled), pushed
  (to a job stream), completed, failed, timed out, canceled, error thrown — by job type.
- ``zeebe_incident_events_total{action}`` and ``zeebe_pending_incidents_total``: incidents created
  and resolved, and the incidents open now (those open when the partition recovered, counted in
  its state, plus created minus resolved since).

Counts start at zero when the partition opens (replay is not counted), as Zeebe's do.

Log lines (``--log-format json`` turns their fields into JSON fields):

- ``event="incident_created"`` (WARNING, logger ``strom.broker.incidents``): partition, position,
  incidentKey, errorType, errorMessage, bpmnProcessId, elementId, processInstanceKey,
  elementInstanceKey, jobKey.
- ``event="command_rejected"`` (logger ``strom.broker.rejections``): partition, position,
  valueType, intent, rejectionType, rejectionReason, key, and ``client`` — INFO for a client's
  command, DEBUG for the engine's own follow-up commands (their rejections are part of normal
  operation, e.g. a message correlated twice).

A flood cannot flood the log: each kind has a ``LogBudget`` per partition (20 rejection lines and
50 incident lines per 10 s); what goes over is counted and summed up in one WARNING line per window
(``event="command_rejected_suppressed"`` / ``"incident_created_suppressed"``, with ``count`` and
the most frequent kinds in ``by``), and rejections are counted in full on /metrics
(``strom_command_rejections_total``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

from strom.broker.logs import LogBudget
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RecordType
from strom.protocol.intents import (
    IncidentIntent,
    JobBatchIntent,
    JobIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    intent_name,
)
from strom.protocol.record import Record
from strom.protocol.records import (
    IncidentRecord,
    JobBatchRecord,
    JobRecord,
    ProcessInstanceCreationRecord,
    ProcessInstanceRecord,
)

_log = logging.getLogger(__name__)
incident_log = logging.getLogger("strom.broker.incidents")
rejection_log = logging.getLogger("strom.broker.rejections")

REJECTION_LINES_PER_WINDOW = 20
INCIDENT_LINES_PER_WINDOW = 50
LOG_WINDOW_S = 10.0

_ELEMENT_ACTIONS = {
    int(ProcessInstanceIntent.ELEMENT_ACTIVATED): "activated",
    int(ProcessInstanceIntent.ELEMENT_COMPLETED): "completed",
    int(ProcessInstanceIntent.ELEMENT_TERMINATED): "terminated",
}
_JOB_ACTIONS = {  # Zeebe's labels (EngineMetricsDoc.JobAction)
    int(JobIntent.CREATED): "created",
    int(JobIntent.COMPLETED): "completed",
    int(JobIntent.TIMED_OUT): "timed out",
    int(JobIntent.FAILED): "failed",
    int(JobIntent.CANCELED): "canceled",
    int(JobIntent.ERROR_THROWN): "error thrown",
}
_PROCESS = BpmnElementType.PROCESS
_EVENT = RecordType.EVENT
_COMMAND = RecordType.COMMAND
_REJECTION = RecordType.COMMAND_REJECTION
_CREATED = int(ProcessInstanceCreationIntent.CREATED)
_INCIDENT_CREATED = int(IncidentIntent.CREATED)
_INCIDENT_RESOLVED = int(IncidentIntent.RESOLVED)
_ACTIVATE = int(JobBatchIntent.ACTIVATE)
_ACTIVATED = int(JobBatchIntent.ACTIVATED)
_MAX_OPEN_ACTIVATIONS = 100_000
"""Job activations remembered until answered; more means something is off: forget them."""


class RecordObserver:
    """Counts and logs what one partition writes (see the module docstring)."""

    def __init__(self, partition_id: int) -> None:
        self.partition_id = partition_id
        self.element_events: dict[tuple[str, str, str], int] = {}
        """(action, element type, event type) -> element instances."""
        self.executed_instances: dict[str, int] = {}
        """action -> root process instances."""
        self.creations: dict[str, int] = {}
        """creation mode -> process instances created by a client command."""
        self.job_events: dict[tuple[str, str, str], int] = {}
        """(action, job type, job kind) -> jobs."""
        self.incident_events: dict[str, int] = {}
        """"created" / "resolved" -> incidents."""
        self.rejections: dict[tuple[str, str, str], int] = {}
        """(value type, intent, rejection type) -> command rejections."""
        self.pending_at_open = 0
        """Incidents open in the state the partition recovered (``Partition`` counts them)."""
        self.failures = 0
        """Steps whose records could not be observed (a bug; processing went on)."""
        self._failure_logged = -60.0
        self._activations: set[int] = set()
        """Positions of job activation commands (polls) written and not answered yet: an
        activated batch answering one was polled, any other was pushed to a job stream."""
        extra = {"partition": partition_id}
        self.rejection_budget = LogBudget(
            rejection_log,
            "command_rejected",
            "command rejections",
            limit=REJECTION_LINES_PER_WINDOW,
            window_s=LOG_WINDOW_S,
            extra=extra,
        )
        self.incident_budget = LogBudget(
            incident_log,
            "incident_created",
            "incidents",
            limit=INCIDENT_LINES_PER_WINDOW,
            window_s=LOG_WINDOW_S,
            extra=extra,
        )

    @property
    def pending_incidents(self) -> int:
        """Incidents open: those in the state when the partition opened, plus created, minus
        resolved since."""
        return (
            self.pending_at_open
            + self.incident_events.get("created", 0)
            - self.incident_events.get("resolved", 0)
        )

    def observe(self, records: Sequence[Record[Any]]) -> None:
        """Look at the records of one committed step (on the processing thread); never raises."""
        try:
            self._observe(records)
        except Exception:  # counting and logging must never stop processing, nor flood the log
            self.failures += 1
            now = time.monotonic()
            if now - self._failure_logged >= 60.0:
                self._failure_logged = now
                _log.exception(
                    "observing the records of a step on partition %d failed (%d times so far; "
                    "logged at most once a minute)",
                    self.partition_id,
                    self.failures,
                )

    def _observe(self, records: Sequence[Record[Any]]) -> None:
        element_events = self.element_events
        for record in records:
            cls = record.__class__
            record_type = record.record_type
            if cls is ProcessInstanceRecord:
                if record_type is _EVENT:
                    action = _ELEMENT_ACTIONS.get(record.intent)
                    if action is not None:
                        value = record.value
                        key = (action, value.bpmn_element_type, value.bpmn_event_type)
                        element_events[key] = element_events.get(key, 0) + 1
                        if value.bpmn_element_type == _PROCESS and value.parent_process_instance_key < 0:
                            executed = self.executed_instances
                            executed[action] = executed.get(action, 0) + 1
                    continue
            elif cls is JobRecord:
                if record_type is _EVENT:
                    action = _JOB_ACTIONS.get(record.intent)
                    if action is not None:
                        self._count_job(action, record.value.type, record.value.job_kind)
                    continue
            elif cls is JobBatchRecord:
                self._job_batch(record)
            elif cls is ProcessInstanceCreationRecord:
                if record_type is _EVENT and record.intent == _CREATED:
                    mode = (
                        "creation_at_given_element"
                        if record.value.start_instructions
                        else "creation_at_default_start_event"
                    )
                    self.creations[mode] = self.creations.get(mode, 0) + 1
                    continue
            elif cls is IncidentRecord and record_type is _EVENT:
                self._incident(record)
                continue
            if record_type is _REJECTION:
                self._rejection(record)

    def _count_job(self, action: str, job_type: str, job_kind: str, count: int = 1) -> None:
        key = (action, job_type, job_kind)
        self.job_events[key] = self.job_events.get(key, 0) + count

    def _job_batch(self, record: Record[Any]) -> None:
        intent = record.intent
        record_type = record.record_type
        if record_type is _COMMAND and intent == _ACTIVATE:
            if len(self._activations) >= _MAX_OPEN_ACTIVATIONS:
                self._activations.clear()
            self._activations.add(record.position)
        elif record_type is _EVENT and intent == _ACTIVATED:
            source = record.source_record_position
            polled = source in self._activations
            self._activations.discard(source)
            action = "activated" if polled else "pushed"
            value = record.value
            for job in value.jobs:
                self._count_job(action, value.type, job.job_kind)
        elif record_type is _REJECTION:
            self._activations.discard(record.source_record_position)

    def _incident(self, record: Record[Any]) -> None:
        intent = record.intent
        if intent == _INCIDENT_CREATED:
            self.incident_events["created"] = self.incident_events.get("created", 0) + 1
            if incident_log.isEnabledFor(logging.WARNING) and self.incident_budget.allow(
                str(record.value.error_type)
            ):
                log_incident(self.partition_id, record)
        elif intent == _INCIDENT_RESOLVED:
            self.incident_events["resolved"] = self.incident_events.get("resolved", 0) + 1

    def _rejection(self, record: Record[Any]) -> None:
        value_type = record.value_type.name
        intent = intent_name(record.value_type, record.intent)
        rejection_type = record.rejection_type.name
        key = (value_type, intent, rejection_type)
        self.rejections[key] = self.rejections.get(key, 0) + 1
        level = logging.INFO if record.request_id >= 0 else logging.DEBUG
        if rejection_log.isEnabledFor(level) and self.rejection_budget.allow(" ".join(key)):
            log_rejection(self.partition_id, record, level, value_type, intent, rejection_type)

    def flush(self) -> None:
        """Write the summaries of suppressed lines now (at close, or in a test)."""
        self.rejection_budget.flush()
        self.incident_budget.flush()


def log_incident(partition_id: int, record: Record[Any]) -> None:
    """One WARNING line for an INCIDENT CREATED event."""
    value = record.value
    incident_log.warning(
        "incident %d created on partition %d (position %d): %s in process '%s', element '%s', "
        "process instance %d: %s",
        record.key,
        partition_id,
        record.position,
        value.error_type,
        value.bpmn_process_id,
        value.element_id,
        value.process_instance_key,
        value.error_message,
        extra={
            "event": "incident_created",
            "partition": partition_id,
            "position": record.position,
            "incidentKey": record.key,
            "errorType": str(value.error_type),
            "errorMessage": value.error_message,
            "bpmnProcessId": value.bpmn_process_id,
            "elementId": value.element_id,
            "processInstanceKey": value.process_instance_key,
            "elementInstanceKey": value.element_instance_key,
            "jobKey": value.job_key,
            "tenantId": value.tenant_id,
        },
    )


def log_rejection(
    partition_id: int, record: Record[Any], level: int, value_type: str, intent: str, rejection_type: str
) -> None:
    """One line for a COMMAND_REJECTION record."""
    rejection_log.log(
        level,
        "%s %s command rejected on partition %d (position %d, key %d): %s: %s",
        value_type,
        intent,
        partition_id,
        record.position,
        record.key,
        rejection_type,
        record.rejection_reason,
        extra={
            "event": "command_rejected",
            "partition": partition_id,
            "position": record.position,
            "valueType": value_type,
            "intent": intent,
            "rejectionType": rejection_type,
            "rejectionReason": record.rejection_reason,
            "key": record.key,
            "client": record.request_id >= 0,
        },
    )
