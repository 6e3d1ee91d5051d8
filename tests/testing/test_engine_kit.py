"""The testing kit itself: bounded queries, replay checks that can fail, time travel, restarts."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from strom.protocol.intents import JobIntent, ProcessInstanceIntent
from strom.testing import ReplayMismatchError, TestEngine, bpmn


def test_queries_cannot_be_iterated_without_a_bound(engine: TestEngine) -> None:
    query = engine.records.jobs()

    with pytest.raises(TypeError):
        iter(query)  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="at least 1"):
        query.limit(0)


@pytest.mark.no_replay_check
def test_the_replay_check_detects_state_written_outside_an_event(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("p").start_event().end_event())
    engine.instances.create("p")
    txn = engine.partition.db.transaction()
    engine.partition.db.column_family("variables").put(b"rogue", b"written by no applier")
    txn.commit()

    with pytest.raises(ReplayMismatchError, match="variables"):
        engine.check_replay()


def test_state_survives_a_restart_from_the_log_and_from_a_snapshot(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("p").start_event().service_task("task", job_type="work").end_event())
    first = engine.instances.create("p")

    engine.restart()
    second = engine.instances.create("p")
    engine.restart(snapshot=True)

    jobs = engine.jobs.activate("work")
    assert {job.process_instance_key for job in jobs} == {first, second}
    assert len(engine.records.jobs().with_intent(JobIntent.CREATED).limit(3)) == 2


def test_time_only_moves_when_told_to(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("p").start_event().service_task("task", job_type="work").end_event())
    engine.instances.create("p")
    [job] = engine.jobs.activate("work", timeout_ms=5_000)
    start = engine.clock.now_millis()

    engine.run()
    assert engine.clock.now_millis() == start
    engine.advance_time(timedelta(seconds=5))

    assert engine.records.jobs().with_intent(JobIntent.TIMED_OUT).first().key == job.key


def test_the_compact_log_shows_records_keys_and_the_deployed_process(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("shop").start_event().end_event("done"))
    engine.instances.create("shop")

    log = engine.compact_log()

    assert "C DPLY      CREATE" in log
    assert "E PI        COMPLETED   " in log and 'END_EVENT "done"' in log
    assert 'isExecutable="true"' in log
    assert "K01 <-> 2251799813685249" in log


def test_a_failing_engine_test_prints_the_compact_record_log(pytester: pytest.Pytester) -> None:
    pytester.makepyfile("""
        from strom.testing import bpmn
        def test_fails(engine):
            engine.deploy(bpmn.process("visible_in_log").start_event().end_event())
            assert False
    """)

    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")

    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*strom compact record log*", "*visible_in_log*"])


def test_element_lifecycle_records_can_be_filtered_by_element(engine: TestEngine, tmp_path: Path) -> None:
    engine.deploy(bpmn.process("p").start_event().task("t").end_event())
    engine.instances.create("p")

    intents = [r.intent for r in engine.records.process_instances().with_element_id("t").events().limit(10)]

    assert intents == [
        ProcessInstanceIntent.ELEMENT_ACTIVATING,
        ProcessInstanceIntent.ELEMENT_ACTIVATED,
        ProcessInstanceIntent.ELEMENT_COMPLETING,
        ProcessInstanceIntent.ELEMENT_COMPLETED,
    ]


def test_the_compact_log_of_several_partitions_names_the_partition_of_each_record(tmp_path: Path) -> None:
    engine = TestEngine(tmp_path / "strom", partitions=2)
    try:
        engine.deploy(bpmn.process("p").start_event().end_event("end"))

        lines = engine.compact_log().splitlines()
    finally:
        engine.close()

    records = lines[lines.index("-------------- Records ----------------------") + 1 :]
    assert records[0].startswith("P1 C DPLY")
    assert any(line.startswith("P2 C DPLY") for line in records), "the distributed deployment on 2"


def test_messages_and_signals_have_shortcuts(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("wait")
        .start_event()
        .receive_task("pay", message="paid", correlation_key="=id")
        .end_event("end")
    )
    instance = engine.instances.create("wait", {"id": "o-1"})

    engine.messages.publish("paid", "o-1", {"ok": True})
    engine.signals.broadcast("nobody-listens")

    assert (
        engine.records.process_instances()
        .with_key(instance)
        .with_intent(ProcessInstanceIntent.ELEMENT_COMPLETED)
        .exists()
    )
    assert engine.records.signals().exists()
