"""Parallel gateway: fork into every flow, join once every incoming flow has a token."""

from __future__ import annotations

import pytest
from _execution import complete_jobs, completed, lifecycle

from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.testing import TestEngine, bpmn


@pytest.fixture
def fork_join() -> bpmn.ProcessBuilder:
    return (
        bpmn.process("par")
        .start_event()
        .parallel_gateway("fork")
        .service_task("a", job_type="a")
        .parallel_gateway("join")
        .service_task("after", job_type="after")
        .end_event("end")
        .move_to("fork")
        .service_task("b", job_type="b")
        .connect("b", "join")
    )


def test_the_fork_activates_every_branch(engine: TestEngine, fork_join) -> None:
    engine.deploy(fork_join)

    engine.instances.create("par")

    assert complete_jobs(engine, "a") == 1
    assert len(engine.jobs.activate("b")) == 1


def test_the_join_waits_for_every_branch(engine: TestEngine, fork_join) -> None:
    engine.deploy(fork_join)
    engine.instances.create("par")

    complete_jobs(engine, "a")

    assert lifecycle(engine, "join") == []
    assert engine.jobs.activate("after") == []


def test_the_join_activates_once_when_every_branch_arrived(engine: TestEngine, fork_join) -> None:
    engine.deploy(fork_join)
    instance = engine.instances.create("par")

    complete_jobs(engine, "a")
    complete_jobs(engine, "b")

    assert lifecycle(engine, "join") == [
        "ELEMENT_ACTIVATING",
        "ELEMENT_ACTIVATED",
        "ELEMENT_COMPLETING",
        "ELEMENT_COMPLETED",
    ]
    assert complete_jobs(engine, "after") == 1
    assert completed(engine, instance)


def test_an_activity_with_two_outgoing_flows_forks_implicitly(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("implicit")
        .start_event()
        .task("split")
        .service_task("a", job_type="a")
        .move_to("split")
        .service_task("b", job_type="b")
    )

    instance = engine.instances.create("implicit")

    assert complete_jobs(engine, "a") == 1
    assert not completed(engine, instance)
    assert complete_jobs(engine, "b") == 1
    assert completed(engine, instance)


def test_an_activity_with_two_incoming_flows_runs_for_each_token(engine: TestEngine) -> None:
    # Zeebe has no implicit join: each token that arrives activates the activity again
    engine.deploy(
        bpmn.process("merging")
        .start_event()
        .parallel_gateway("fork")
        .task("a")
        .service_task("merge", job_type="merge")
        .move_to("fork")
        .task("b")
        .connect("b", "merge")
    )

    instance = engine.instances.create("merging")

    assert complete_jobs(engine, "merge") == 2
    assert completed(engine, instance)


def test_canceling_while_the_join_waits_removes_its_tokens(engine: TestEngine, fork_join) -> None:
    engine.deploy(fork_join)
    instance = engine.instances.create("par")
    complete_jobs(engine, "a")

    engine.instances.cancel(instance)

    assert engine.records.process_instances().with_key(instance).with_intent(PI.ELEMENT_TERMINATED).exists()
    assert lifecycle(engine, "b")[-1] == "ELEMENT_TERMINATED"
