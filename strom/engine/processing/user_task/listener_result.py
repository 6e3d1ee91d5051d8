"""What a user task listener's job result may say: Zeebe 8.8's checks on JOB COMPLETE of a
TASK_LISTENER job, with its rejection texts (all INVALID_ARGUMENT).

A listener completes without variables; only assigning, updating and completing listeners may
deny, and a denial corrects nothing; a creating listener may not correct an assignee the model
already defines (the assigning listeners are for that); corrections name known attributes.
"""

from __future__ import annotations

from typing import Any

from strom.engine.processing.user_task.complete_task_listener import CORRECTABLE
from strom.engine.state.process import ProcessState
from strom.protocol.enums import RejectionType
from strom.protocol.record import Record
from strom.protocol.values.enums import JobListenerEventType
from strom.protocol.values.job import JobRecordValue

DENIABLE = (
    JobListenerEventType.ASSIGNING,
    JobListenerEventType.UPDATING,
    JobListenerEventType.COMPLETING,
)
"""The task listeners that may deny their transition."""


def listener_result_problem(
    command: Record[Any],
    job: JobRecordValue,
    processes: ProcessState,
) -> tuple[RejectionType, str] | None:
    """Why ``command`` (JOB COMPLETE of the task listener job ``job``) is rejected, or None."""
    result = command.value.result
    where = f"(job key '{command.key}', type '{job.type}', processInstanceKey '{job.process_instance_key}')"
    if command.value.variables:
        return RejectionType.INVALID_ARGUMENT, (
            f"Task Listener job completion with variables payload provided is not yet supported {where}. "
            "Support will be enabled with the resolution of issue #23702."
        )
    event_type = job.job_listener_event_type
    if result.denied and event_type not in DENIABLE:
        return RejectionType.INVALID_ARGUMENT, (
            f"Denying result is not supported for '{event_type.value}' task listener jobs {where}. "
            "Only the following listener event types support denying: [ASSIGNING, COMPLETING, UPDATING]."
        )
    if result.denied and result.corrected_attributes:
        return RejectionType.INVALID_ARGUMENT, (
            f"Expected to complete task listener job with corrections, but the job result is denied {where}. "
            "The corrections would be reverted by the denial. Either complete the job with corrections "
            "without setting denied, or complete the job with a denied result but no corrections."
        )
    if (
        event_type is JobListenerEventType.CREATING
        and "assignee" in result.corrected_attributes
        and _model_defines_assignee(job, processes)
    ):
        return RejectionType.INVALID_ARGUMENT, (
            "Expected to complete task listener job, but correcting the assignee on 'CREATING' event is "
            f"not supported when the user task has an assignee defined in the model {where}. Use the "
            "'CREATING' event to set an assignee only if it was not defined. Use the 'ASSIGNING' event "
            "to correct an assignee that is already defined."
        )
    unknown = [name for name in result.corrected_attributes if name not in CORRECTABLE]
    if unknown:
        return RejectionType.INVALID_ARGUMENT, (
            f"Expected to complete task listener job with a corrections result, but property '{unknown[0]}' "
            f"cannot be corrected {where}. Only the following properties can be corrected: "
            f"[{', '.join(sorted(CORRECTABLE))}]."
        )
    return None


def _model_defines_assignee(job: JobRecordValue, processes: ProcessState) -> bool:
    """Whether the user task's element names an assignee (``zeebe:assignmentDefinition``)."""
    process = processes.by_key(job.process_definition_key)
    if process is None:
        return False
    definition = process.executable.flow_node(job.element_id).user_task
    return definition is not None and definition.assignee is not None
