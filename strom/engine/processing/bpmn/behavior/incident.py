"""Raising and resolving incidents for element processors and job processors."""

from __future__ import annotations

from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.incident import IncidentState
from strom.protocol.intents import IncidentIntent
from strom.protocol.values.enums import ErrorType
from strom.protocol.values.incident import IncidentRecordValue
from strom.protocol.values.job import JobRecordValue
from strom.stream.key_generator import KeyGenerator


class IncidentBehavior:
    def __init__(self, incidents: IncidentState, keys: KeyGenerator) -> None:
        self._incidents = incidents
        self._keys = keys

    def raise_for_element(self, writers: Writers, failure: Failure, context: ElementContext) -> int:
        """An incident on the element instance; resolving it retries the step that failed."""
        value = context.value
        key = self._keys.next_key()
        writers.append_event(
            key,
            IncidentIntent.CREATED,
            IncidentRecordValue(
                error_type=failure.error_type,
                error_message=failure.message,
                bpmn_process_id=value.bpmn_process_id,
                process_definition_key=value.process_definition_key,
                process_instance_key=value.process_instance_key,
                element_id=value.element_id,
                element_instance_key=context.key,
                variable_scope_key=failure.scope_key if failure.scope_key > 0 else context.key,
                tenant_id=value.tenant_id,
            ),
        )
        return key

    def raise_for_job(
        self, writers: Writers, job_key: int, job: JobRecordValue, error_type: ErrorType, message: str
    ) -> int:
        key = self._keys.next_key()
        writers.append_event(
            key,
            IncidentIntent.CREATED,
            IncidentRecordValue(
                error_type=error_type,
                error_message=message,
                bpmn_process_id=job.bpmn_process_id,
                process_definition_key=job.process_definition_key,
                process_instance_key=job.process_instance_key,
                element_id=job.element_id,
                element_instance_key=job.element_instance_key,
                job_key=job_key,
                variable_scope_key=job.element_instance_key,
                tenant_id=job.tenant_id,
            ),
        )
        return key

    def resolve_for_element(self, writers: Writers, element_instance_key: int) -> None:
        """Resolve the element's own incident (its instance is going away)."""
        key = self._incidents.for_element(element_instance_key)
        if key is not None:
            self._resolve(writers, key)

    def resolve_for_job(self, writers: Writers, job_key: int) -> None:
        key = self._incidents.for_job(job_key)
        if key is not None:
            self._resolve(writers, key)

    def _resolve(self, writers: Writers, key: int) -> None:
        incident = self._incidents.get(key)
        if incident is not None:
            writers.append_event(key, IncidentIntent.RESOLVED, incident)
