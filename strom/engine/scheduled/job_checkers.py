"""The job deadline checker (TIME_OUT) and the job back-off checker (RECUR_AFTER_BACKOFF)."""

from __future__ import annotations

from typing import Any

from strom.engine.scheduled.due_date_checker import DueDateChecker
from strom.engine.state.job import JobState
from strom.protocol.enums import RecordType
from strom.protocol.intents import JobIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.job import JobRecordValue

_JobRecord = RECORD_CLASS_FOR_VALUE[JobRecordValue]


def job_timeout_checker(jobs: JobState) -> DueDateChecker:
    def command_for(key: int) -> Record[Any] | None:
        job = jobs.get(key)
        if job is None:
            return None
        return _JobRecord(key=key, record_type=RecordType.COMMAND, intent=JobIntent.TIME_OUT, value=job)

    return DueDateChecker(jobs.deadlines_before, jobs.next_deadline, command_for)


def job_backoff_checker(jobs: JobState) -> DueDateChecker:
    def command_for(key: int) -> Record[Any] | None:
        job = jobs.get(key)
        if job is None:
            return None
        return _JobRecord(
            key=key, record_type=RecordType.COMMAND, intent=JobIntent.RECUR_AFTER_BACKOFF, value=job
        )

    return DueDateChecker(jobs.backoffs_before, jobs.next_backoff, command_for)
