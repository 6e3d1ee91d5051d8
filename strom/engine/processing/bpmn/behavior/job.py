"""Creating jobs for elements, cancelling them, and handing activatable jobs to workers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial

import msgspec

from strom.engine.job_streams import JobStream, JobStreams
from strom.engine.processing.authorization import AuthorizationCheck, names_caller_data
from strom.engine.processing.bpmn.behavior.expression import ExpressionBehavior
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.processing.bpmn.behavior.incident import IncidentBehavior
from strom.engine.processing.bpmn.context import ElementContext
from strom.engine.processing.writers import Writers
from strom.engine.state.job import JobState
from strom.engine.state.variable import VariableState
from strom.model import JobDefinition
from strom.protocol.intents import JobBatchIntent, JobIntent
from strom.protocol.values.enums import JobKind, JobListenerEventType
from strom.protocol.values.identity import WILDCARD_RESOURCE_ID, AuthorizationResourceType, PermissionType
from strom.protocol.values.job import JobBatchRecordValue, JobRecordValue
from strom.stream.key_generator import KeyGenerator

_replace = msgspec.structs.replace
_json_decode = msgspec.json.decode


class JobActivationBehavior:
    """Pushes a newly activatable job to a waiting stream, or tells pollers there is work."""

    def __init__(
        self,
        variables: VariableState,
        keys: KeyGenerator,
        streams: JobStreams,
        on_deadline: Callable[[int], None],
        authorization: AuthorizationCheck,
    ) -> None:
        self._variables = variables
        self._keys = keys
        self._streams = streams
        self._on_deadline = on_deadline
        self.authorization = authorization
        """Whose jobs a caller may take (shared with job activation)."""

    def publish(self, writers: Writers, job_key: int, job: JobRecordValue) -> None:
        stream = self._streams.pick(job.type)
        if (
            stream is not None
            and (stream.tenant_ids or stream.authorizations)
            and not self._may_take(job, stream)
        ):
            # a stream of another tenant, or of a caller who may not work on this job: the next
            # one that may, if any
            stream = self._streams.pick(job.type, partial(self._may_take, job))
        if stream is None:
            job_type = job.type
            streams = self._streams
            writers.side_effect(lambda: streams.notify_available(job_type))
            return
        activated = _replace(
            job,
            worker=stream.worker,
            deadline=writers.timestamp + stream.timeout,
            variables=self.variables_for(job, stream.fetch_variables),
        )
        writers.append_event(
            self._keys.next_key(),
            JobBatchIntent.ACTIVATED,
            JobBatchRecordValue(
                type=job.type,
                worker=stream.worker,
                timeout=stream.timeout,
                max_jobs_to_activate=1,
                job_keys=[job_key],
                jobs=[activated],
                tenant_ids=[job.tenant_id],
            ),
        )
        on_deadline = self._on_deadline
        deadline = activated.deadline

        def push() -> None:
            on_deadline(deadline)
            stream.push(job_key, activated)

        writers.side_effect(push)

    def _may_take(self, job: JobRecordValue, stream: JobStream) -> bool:
        """Whether ``stream`` may be given ``job``: the stream takes the job's tenant, and it was
        opened by no checked caller, or by one assigned to that tenant who may update instances of
        the job's process (as job activation filters polled jobs)."""
        tenants = stream.tenant_ids
        if tenants and job.tenant_id not in tenants:
            return False
        caller = stream.authorizations
        check = self.authorization
        if not caller or not names_caller_data(caller):
            return True
        named = check.caller_named(caller)
        if not check.assigned(named, job.tenant_id):
            return False
        ids = check.resource_ids(
            named, AuthorizationResourceType.PROCESS_DEFINITION, PermissionType.UPDATE_PROCESS_INSTANCE
        )
        return WILDCARD_RESOURCE_ID in ids or job.bpmn_process_id in ids

    def variables_for(self, job: JobRecordValue, fetch: list[str] | None) -> dict[str, object]:
        """The variables a worker sees: all visible from the job's element, or only ``fetch``."""
        raw = self._variables.visible_json(job.element_instance_key, fetch or None)
        return {name: _json_decode(value) for name, value in raw.items()}


class JobBehavior:
    def __init__(
        self,
        jobs: JobState,
        keys: KeyGenerator,
        expressions: ExpressionBehavior,
        incidents: IncidentBehavior,
        activation: JobActivationBehavior,
    ) -> None:
        self._jobs = jobs
        self._keys = keys
        self._expressions = expressions
        self._incidents = incidents
        self._activation = activation

    def create(
        self,
        writers: Writers,
        context: ElementContext,
        definition: JobDefinition,
        headers: Mapping[str, str],
        kind: JobKind = JobKind.BPMN_ELEMENT,
        listener_event_type: JobListenerEventType = JobListenerEventType.UNSPECIFIED,
    ) -> Failure | None:
        """Evaluate the job type and retries and write JOB CREATED; a Failure if they can't be."""
        job = self.prepare(context, definition, headers, kind, listener_event_type)
        if isinstance(job, Failure):
            return job
        self.write(writers, job)
        return None

    def prepare(
        self,
        context: ElementContext,
        definition: JobDefinition,
        headers: Mapping[str, str],
        kind: JobKind = JobKind.BPMN_ELEMENT,
        listener_event_type: JobListenerEventType = JobListenerEventType.UNSPECIFIED,
    ) -> JobRecordValue | Failure:
        """The job to create (its expressions evaluated), writing nothing yet."""
        job_type = self._expressions.evaluate_string(definition.type, context.key, "job type")
        if isinstance(job_type, Failure):
            return job_type
        retries = self._expressions.evaluate_int(definition.retries, context.key, "job retries")
        if isinstance(retries, Failure):
            return retries
        value = context.value
        return JobRecordValue(
            type=job_type,
            retries=retries,
            custom_headers=dict(headers),
            element_id=value.element_id,
            element_instance_key=context.key,
            bpmn_process_id=value.bpmn_process_id,
            process_definition_version=value.version,
            process_definition_key=value.process_definition_key,
            process_instance_key=value.process_instance_key,
            tenant_id=value.tenant_id,
            job_kind=kind,
            job_listener_event_type=listener_event_type,
        )

    def write(self, writers: Writers, job: JobRecordValue) -> int:
        """Write JOB CREATED for a prepared job and offer it to workers; returns its key."""
        key = self._keys.next_key()
        writers.append_event(key, JobIntent.CREATED, job)
        self._activation.publish(writers, key, job)
        return key

    def cancel(self, writers: Writers, job_key: int) -> None:
        """Cancel the element's job (its element instance is terminating) and its incident."""
        job = self._jobs.get(job_key)
        if job is None:
            return
        self._incidents.resolve_for_job(writers, job_key)
        writers.append_event(job_key, JobIntent.CANCELED, job)
