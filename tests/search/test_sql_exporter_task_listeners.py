"""The read model of a user task whose listeners correct and then deny a transition: the task
is as the engine keeps it — the attributes it had before the denied update or assignment."""

from __future__ import annotations

from typing import Any

from _search_support import export_all

from strom.protocol.enums import RecordType
from strom.protocol.intents import JobIntent, UserTaskIntent
from strom.protocol.records import UserTaskRecord
from strom.protocol.values.job import JobRecordValue, JobResultCorrectionsValue, JobResultValue
from strom.protocol.values.user_task import UserTaskRecordValue
from strom.search import SearchStore
from strom.testing import TestEngine, bpmn


def _submit(engine: TestEngine, intent: int, key: int, **fields: Any) -> None:
    """A USER_TASK command whose answer comes when its listeners are done."""
    command = UserTaskRecord(
        key=key, record_type=RecordType.COMMAND, intent=intent, value=UserTaskRecordValue(**fields)
    )
    engine.partition.submit(command, lambda answer: None)
    engine.run()


def _listener(engine: TestEngine, job_type: str, result: JobResultValue) -> None:
    [job] = engine.jobs.activate(job_type)
    engine.send(JobRecordValue(result=result), JobIntent.COMPLETE, job.key)


def test_a_denied_update_and_assignment_leave_the_task_as_it_was(engine: TestEngine, sqlite_url: str) -> None:
    engine.deploy(
        bpmn.process("review")
        .start_event()
        .user_task("approve", candidate_groups="sales")
        .task_listener("updating", "fix")
        .task_listener("updating", "veto")
        .task_listener("assigning", "fix")
        .task_listener("assigning", "veto")
        .end_event()
    )
    engine.instances.create("review")
    key = int(engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).first().key)
    corrected = JobResultValue(
        corrected_attributes=["priority"], corrections=JobResultCorrectionsValue(priority=99)
    )

    _submit(engine, UserTaskIntent.UPDATE, key, priority=80, changed_attributes=["priority"])
    _listener(engine, "fix", corrected)
    _listener(engine, "veto", JobResultValue(denied=True))
    _submit(engine, UserTaskIntent.ASSIGN, key, assignee="bob")
    _listener(engine, "fix", corrected)
    _listener(engine, "veto", JobResultValue(denied=True))

    export_all(sqlite_url, engine.recorder.records)
    store = SearchStore(sqlite_url)
    try:
        [task] = store.search("userTask", {"filter": {"userTaskKey": str(key)}})["items"]
    finally:
        store.close()
    assert (task["state"], task["priority"], task["assignee"], task["candidateGroups"]) == (
        "CREATED",
        50,
        None,
        ["sales"],
    )
