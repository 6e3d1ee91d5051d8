"""History retention: finished instance trees leave the secondary storage once their time is up,
running ones and the definitions stay."""

from __future__ import annotations

from typing import Any

from _search_support import export_all

from strom.search import SearchStore, schema
from strom.search.retention import HistoryCleaner
from strom.testing import TestEngine, bpmn

DAY_MS = 86_400_000


def _deploy(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("child").start_event().service_task("work", job_type="child-work").end_event())
    engine.deploy(
        bpmn.process("parent").start_event().call_activity("call", called_process_id="child").end_event()
    )
    engine.deploy(bpmn.process("waiting").start_event().service_task("wait", job_type="never").end_event())


def _count(store: SearchStore, entity: str, **filter_: Any) -> int:
    total: int = store.search(entity, {"filter": filter_})["page"]["totalItems"]
    return total


def test_finished_instance_trees_older_than_the_ttl_are_deleted_with_all_their_rows(
    engine: TestEngine, sqlite_url: str
) -> None:
    _deploy(engine)
    parent = engine.instances.create("parent", {"order": 7})
    [job] = engine.jobs.activate("child-work")
    engine.jobs.complete(job.key, {"done": True})
    running = engine.instances.create("waiting", {"order": 8})
    export_all(sqlite_url, engine.recorder.records, history_ttl_days=0)
    store = SearchStore(sqlite_url)
    assert _count(store, "processInstance") == 3

    now = 0  # nothing is 30 days old yet
    cleaner = HistoryCleaner(schema.create_engine(sqlite_url), ttl_ms=30 * DAY_MS, clock_ms=lambda: now)
    assert cleaner.run_once() == 0
    now = 10**15  # far beyond the ttl of every ended instance
    deleted = cleaner.run_once()

    assert deleted == 1  # the parent, with its called child
    assert [item["processInstanceKey"] for item in store.search("processInstance", {})["items"]] == [
        str(running)
    ]
    for entity in ("elementInstance", "variable", "job", "sequenceFlow"):
        assert _count(store, entity, processInstanceKey=str(parent)) == 0, entity
    assert _count(store, "variable", processInstanceKey=str(running)) == 1
    assert _count(store, "processDefinition") == 3
    store.close()


def test_an_exporter_with_a_ttl_of_zero_keeps_history(engine: TestEngine, sqlite_url: str) -> None:
    engine.deploy(bpmn.process("quick").start_event().end_event())
    engine.instances.create("quick")

    export_all(sqlite_url, engine.recorder.records, history_ttl_days=0)

    store = SearchStore(sqlite_url)
    assert _count(store, "processInstance", state="COMPLETED") == 1
    store.close()
