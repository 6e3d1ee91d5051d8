"""Ad-hoc subprocesses driven by a job worker (``zeebe:taskDefinition`` on the subprocess, Camunda
8.8's AI-agent pattern): a job asks the worker which elements to activate, again after each inner
flow, until the worker says the completion condition is fulfilled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from _execution import complete_jobs, completed, element_key, lifecycle

from strom.client import ActivatedJob
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import AdHocSubProcessInstructionIntent as Instruction
from strom.protocol.intents import JobIntent, VariableIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.keys import partition_of
from strom.protocol.values.ad_hoc_sub_process import (
    AdHocSubProcessActivateElementInstructionValue,
    AdHocSubProcessInstructionRecordValue,
)
from strom.protocol.values.enums import JobKind, JobResultType
from strom.protocol.values.job import JobRecordValue, JobResultActivateElementValue, JobResultValue
from strom.testing import TestEngine, bpmn

INNER = "tools#innerInstance"
INSTRUCTION = ValueType.AD_HOC_SUB_PROCESS_INSTRUCTION


def _process(
    *, cancel_remaining: bool | None = None, job_worker: bool = True, job_type: str = "agent"
) -> bpmn.ProcessBuilder:
    """start → ad-hoc subprocess ``tools`` (worker type ``job_type``; tools A, B and C; C leads to D)
    → task ``after``. Each inner instance appends ``{id, content}`` to ``toolCallResults``."""
    builder = (
        bpmn.process("agent")
        .start_event()
        .ad_hoc_sub_process(
            "tools",
            output_collection="toolCallResults",
            output_element="={id: toolCall.id, content: toolCallResult}",
            cancel_remaining_instances=cancel_remaining,
            job_type=job_type if job_worker else None,
            retries=3 if job_worker else None,
            inputs={"prompt": "=question"},
        )
    )
    if job_worker:
        builder.headers({"model": "fake-1"})
    for tool in ("A", "B", "C"):
        builder.move_to("tools").service_task(tool, job_type=tool)
    builder.flow_id("c_to_d").service_task("D", job_type="D").end_sub_process()
    return builder.service_task("after", job_type="after").end_event()


def _activate(*calls: tuple[str, dict[str, Any]]) -> JobResultValue:
    return JobResultValue(
        type=JobResultType.AD_HOC_SUB_PROCESS,
        activate_elements=[
            JobResultActivateElementValue(element_id=element_id, variables=variables)
            for element_id, variables in calls
        ],
    )


def _done(*, cancel_remaining: bool = False) -> JobResultValue:
    return JobResultValue(
        type=JobResultType.AD_HOC_SUB_PROCESS,
        completion_condition_fulfilled=True,
        cancel_remaining_instances=cancel_remaining,
    )


def _complete(
    engine: TestEngine,
    job_key: int,
    result: JobResultValue,
    variables: dict[str, Any] | None = None,
    *,
    expect_rejection: bool = False,
) -> Any:
    return engine.send(
        JobRecordValue(variables=variables or {}, result=result),
        JobIntent.COMPLETE,
        job_key,
        expect_rejection=expect_rejection,
    )


class FakeAgent:
    """A worker for the ``agent`` jobs: ``decide`` sees each job and answers with the job result
    and the variables to complete it with, the way an LLM-backed agent would."""

    def __init__(
        self,
        engine: TestEngine,
        decide: Callable[[ActivatedJob], tuple[JobResultValue, dict[str, Any]]],
    ) -> None:
        self.engine = engine
        self.decide = decide
        self.seen: list[ActivatedJob] = []

    def work(self) -> int:
        """Complete every open ``agent`` job; how many there were."""
        jobs = self.engine.jobs.activate("agent")
        for job in jobs:
            self.seen.append(job)
            result, variables = self.decide(job)
            _complete(self.engine, job.key, result, variables)
        return len(jobs)


def _tool_worker(engine: TestEngine, job_type: str) -> int:
    """Complete the open jobs of a tool with ``toolCallResult`` derived from the call it got."""
    jobs = engine.jobs.activate(job_type)
    for job in jobs:
        call = job.variables["toolCall"]
        engine.jobs.complete(job.key, {"toolCallResult": f"{job_type}:{call['q']}"})
    return len(jobs)


def test_activating_it_creates_a_job_for_the_worker_and_activates_nothing(engine: TestEngine) -> None:
    engine.deploy(_process())
    engine.instances.create("agent", {"question": "why?"})

    [job] = engine.jobs.activate("agent")

    tools = element_key(engine, "tools")
    assert job.record.job_kind is JobKind.AD_HOC_SUB_PROCESS
    assert (job.record.element_id, job.record.element_instance_key) == ("tools", tools)
    assert job.record.retries == 3
    assert job.custom_headers == {"model": "fake-1"}
    assert job.variables["prompt"] == "why?"
    assert job.variables["toolCallResults"] == []
    assert [e["elementId"] for e in job.variables["adHocSubProcessElements"]] == ["A", "B", "C"]
    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert not engine.records.process_instances().with_element_id(INNER).exists()
    created = engine.records.jobs().with_intent(JobIntent.CREATED).first()
    activated = engine.records.process_instances().with_key(tools).with_intent(PI.ELEMENT_ACTIVATED).first()
    assert created.position < activated.position  # as Zeebe: the job, then ACTIVATED


def test_a_fake_agent_calls_tools_in_a_loop_until_it_is_done(engine: TestEngine) -> None:
    engine.deploy(_process())
    instance = engine.instances.create("agent", {"question": "why?"})

    def decide(job: ActivatedJob) -> tuple[JobResultValue, dict[str, Any]]:
        results = job.variables["toolCallResults"]
        if not results:
            return _activate(("A", {"toolCall": {"id": "1", "q": "x"}})), {"agentContext": {"turn": 1}}
        if len(results) == 1:
            calls = [("B", {"toolCall": {"id": "2", "q": "y"}}), ("A", {"toolCall": {"id": "3", "q": "z"}})]
            return _activate(*calls), {"agentContext": {"turn": 2}}
        return _done(), {"agentContext": {"turn": 3}, "answer": [r["content"] for r in results]}

    agent = FakeAgent(engine, decide)
    rounds = 0
    while agent.work():
        rounds += 1
        for tool in ("A", "B"):
            _tool_worker(engine, tool)
        assert rounds < 10

    assert rounds == 3
    # after the first call of the second turn a job was created, then cancelled for a newer one
    canceled = engine.records.jobs().with_type("agent").with_intent(JobIntent.CANCELED).limit(2)
    assert len(canceled) == 1
    assert agent.seen[1].variables["agentContext"] == {"turn": 1}
    assert lifecycle(engine, "tools")[-2:] == ["ELEMENT_COMPLETING", "ELEMENT_COMPLETED"]
    [after] = engine.jobs.activate("after")
    assert after.variables["answer"] == ["A:x", "A:z", "B:y"]  # in the order the tools finished
    assert after.variables["agentContext"] == {"turn": 3}
    assert after.variables["toolCallResults"] == [
        {"id": "1", "content": "A:x"},
        {"id": "3", "content": "A:z"},
        {"id": "2", "content": "B:y"},
    ]
    engine.jobs.complete(after.key)
    assert completed(engine, instance)


def test_the_instructions_are_written_as_zeebe_writes_them(engine: TestEngine) -> None:
    engine.deploy(_process())
    engine.instances.create("agent", {"question": "why?"})
    tools = element_key(engine, "tools")
    [job] = engine.jobs.activate("agent")

    _complete(engine, job.key, _activate(("A", {"toolCall": {"id": "1", "q": "x"}})))

    completed_job = engine.records.jobs().with_key(job.key).with_intent(JobIntent.COMPLETED).first()
    assert completed_job.value.result.activate_elements[0].element_id == "A"
    [command, event] = engine.records.of(INSTRUCTION).limit(3)
    assert (command.intent, event.intent) == (Instruction.ACTIVATE, Instruction.ACTIVATED)
    assert command.key == tools
    assert command.value.ad_hoc_sub_process_instance_key == tools
    assert command.value.activate_elements == [
        AdHocSubProcessActivateElementInstructionValue(
            element_id="A", variables={"toolCall": {"id": "1", "q": "x"}}
        )
    ]
    inner = element_key(engine, INNER)
    call = engine.records.variables().with_name("toolCall").with_intent(VariableIntent.CREATED).first()
    assert call.value.scope_key == inner  # the activation's variables are the inner instance's


def test_fulfilled_without_cancelling_waits_for_the_inner_flow_still_running(engine: TestEngine) -> None:
    engine.deploy(_process())
    instance = engine.instances.create("agent", {"question": "why?"})
    [job] = engine.jobs.activate("agent")
    calls = [("A", {"toolCall": {"id": "1", "q": "x"}}), ("C", {"toolCall": {"id": "2", "q": "y"}})]
    _complete(engine, job.key, _activate(*calls))
    _tool_worker(engine, "A")
    [second] = engine.jobs.activate("agent")

    _complete(engine, second.key, _done(cancel_remaining=False))

    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]  # C, then D run
    assert complete_jobs(engine, "C", {"toolCallResult": "c"}) == 1
    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert not engine.jobs.activate("agent")  # fulfilled: the worker is not asked again
    assert complete_jobs(engine, "D") == 1
    assert lifecycle(engine, "tools")[-1] == "ELEMENT_COMPLETED"
    assert complete_jobs(engine, "after") == 1
    assert completed(engine, instance)


def test_once_fulfilled_the_next_inner_flow_to_end_cancels_the_rest_as_the_model_says(
    engine: TestEngine,
) -> None:
    # As Zeebe 8.8: the result's isCancelRemainingInstances applies when the result arrives; later
    # completions use the model's cancelRemainingInstances, which a job-worker subprocess cannot
    # set to false (deployment rejects it).
    engine.deploy(_process())
    engine.instances.create("agent", {"question": "why?"})
    [job] = engine.jobs.activate("agent")
    calls = [("A", {"toolCall": {"id": "1", "q": "x"}}), ("B", {"toolCall": {"id": "2", "q": "y"}})]
    _complete(engine, job.key, _activate(*calls, ("C", {"toolCall": {"id": "3", "q": "z"}})))
    _tool_worker(engine, "A")
    [second] = engine.jobs.activate("agent")
    _complete(engine, second.key, _done(cancel_remaining=False))
    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]

    assert _tool_worker(engine, "B") == 1

    assert lifecycle(engine, "C")[-1] == "ELEMENT_TERMINATED"
    assert lifecycle(engine, "tools")[-1] == "ELEMENT_COMPLETED"


def test_a_job_worker_subprocess_must_not_keep_remaining_instances(engine: TestEngine) -> None:
    rejection = engine.deployments.deploy(_process(cancel_remaining=False), expect_rejection=True)

    assert "Must not set cancelRemainingInstances to false in combination with zeebe:taskDefinition" in (
        rejection.rejection_reason
    )


def test_fulfilled_with_cancel_remaining_instances_terminates_what_still_runs(engine: TestEngine) -> None:
    engine.deploy(_process())
    instance = engine.instances.create("agent", {"question": "why?"})
    [job] = engine.jobs.activate("agent")
    calls = [("A", {"toolCall": {"id": "1", "q": "x"}}), ("B", {"toolCall": {"id": "2", "q": "y"}})]
    _complete(engine, job.key, _activate(*calls))
    _tool_worker(engine, "A")
    [second] = engine.jobs.activate("agent")

    _complete(engine, second.key, _done(cancel_remaining=True), {"answer": "enough"})

    assert lifecycle(engine, "B")[-2:] == ["ELEMENT_TERMINATING", "ELEMENT_TERMINATED"]
    assert engine.records.jobs().with_type("B").with_intent(JobIntent.CANCELED).exists()
    assert lifecycle(engine, "tools")[-2:] == ["ELEMENT_COMPLETING", "ELEMENT_COMPLETED"]
    [after] = engine.jobs.activate("after")
    assert after.variables["answer"] == "enough"
    assert after.variables["toolCallResults"] == [{"id": "1", "content": "A:x"}]
    engine.jobs.complete(after.key)
    assert completed(engine, instance)


def test_fulfilled_with_nothing_running_completes_it_at_once(engine: TestEngine) -> None:
    engine.deploy(_process())
    engine.instances.create("agent", {"question": "why?"})
    [job] = engine.jobs.activate("agent")

    _complete(engine, job.key, _done())

    assert lifecycle(engine, "tools")[-1] == "ELEMENT_COMPLETED"
    [command, event] = engine.records.of(INSTRUCTION).limit(3)
    assert (command.intent, event.intent) == (Instruction.COMPLETE, Instruction.COMPLETED)
    assert event.value.completion_condition_fulfilled


def test_a_result_naming_an_unknown_element_is_rejected_as_zeebe_does(engine: TestEngine) -> None:
    engine.deploy(_process())
    engine.instances.create("agent", {"question": "why?"})
    tools = element_key(engine, "tools")
    [job] = engine.jobs.activate("agent")

    rejection = _complete(engine, job.key, _activate(("X", {}), ("A", {}), ("Y", {})), expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == (
        f"Expected to activate activities for ad-hoc sub-process with key '{tools}', but the given "
        "elements [X, Y] do not exist."
    )


def test_activations_with_a_fulfilled_condition_are_rejected(engine: TestEngine) -> None:
    engine.deploy(_process())
    engine.instances.create("agent", {"question": "why?"})
    [job] = engine.jobs.activate("agent")
    result = JobResultValue(
        type=JobResultType.AD_HOC_SUB_PROCESS,
        activate_elements=[JobResultActivateElementValue(element_id="A")],
        completion_condition_fulfilled=True,
    )

    rejection = _complete(engine, job.key, result, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "while the completion condition is fulfilled" in rejection.rejection_reason


def test_a_result_without_activations_or_completion_leaves_it_waiting(engine: TestEngine) -> None:
    engine.deploy(_process())
    engine.instances.create("agent", {"question": "why?"})
    [job] = engine.jobs.activate("agent")

    _complete(engine, job.key, JobResultValue(type=JobResultType.AD_HOC_SUB_PROCESS), {"thinking": True})

    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]
    assert not engine.records.of(INSTRUCTION).exists()
    assert not engine.jobs.activate("agent")


def test_cancelling_the_instance_cancels_the_open_job(engine: TestEngine) -> None:
    engine.deploy(_process())
    instance = engine.instances.create("agent", {"question": "why?"})
    [job] = engine.jobs.activate("agent")

    engine.instances.cancel(instance)

    assert engine.records.jobs().with_key(job.key).with_intent(JobIntent.CANCELED).exists()
    assert lifecycle(engine, "tools")[-1] == "ELEMENT_TERMINATED"


def test_a_failing_job_type_expression_is_an_incident_on_activation(engine: TestEngine) -> None:
    engine.deploy(_process(job_type="=missing.name"))
    engine.instances.create("agent", {"question": "why?"})

    incident = engine.records.incidents().first()
    assert incident.value.element_id == "tools"
    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING"]


# -- the instruction commands, as a client sends them (REST activateAdHocSubProcessActivities) -------


def _instruct(
    engine: TestEngine, key: int, *element_ids: str, expect_rejection: bool = False, **variables: Any
) -> Any:
    value = AdHocSubProcessInstructionRecordValue(
        ad_hoc_sub_process_instance_key=key,
        activate_elements=[
            AdHocSubProcessActivateElementInstructionValue(element_id=e, variables=variables)
            for e in element_ids
        ],
    )
    return engine.send(value, Instruction.ACTIVATE, key, expect_rejection=expect_rejection)


def test_a_client_activates_elements_of_a_bpmn_ad_hoc_subprocess(engine: TestEngine) -> None:
    engine.deploy(_process(job_worker=False))
    instance = engine.instances.create("agent", {"question": "why?"})
    tools = element_key(engine, "tools")

    answer = _instruct(engine, tools, "A", "B", toolCall={"id": "1", "q": "x"})

    assert answer.intent == Instruction.ACTIVATED
    assert _tool_worker(engine, "A") == 1
    assert lifecycle(engine, "tools") == ["ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"]  # B runs
    assert _tool_worker(engine, "B") == 1
    assert lifecycle(engine, "tools")[-1] == "ELEMENT_COMPLETED"
    assert complete_jobs(engine, "after") == 1
    assert completed(engine, instance)


def test_a_client_activation_of_a_job_worker_subprocess_asks_the_worker_again_after_it(
    engine: TestEngine,
) -> None:
    engine.deploy(_process())
    engine.instances.create("agent", {"question": "why?"})
    tools = element_key(engine, "tools")
    [first] = engine.jobs.activate("agent")

    _instruct(engine, tools, "A", toolCall={"id": "1", "q": "x"})
    _tool_worker(engine, "A")

    assert engine.records.jobs().with_key(first.key).with_intent(JobIntent.CANCELED).exists()
    [second] = engine.jobs.activate("agent")
    assert second.variables["toolCallResults"] == [{"id": "1", "content": "A:x"}]


def test_client_activations_are_rejected_as_zeebe_rejects_them(engine: TestEngine) -> None:
    engine.deploy(_process(job_worker=False))
    instance = engine.instances.create("agent", {"question": "why?"})
    tools = element_key(engine, "tools")

    unknown_key = _instruct(engine, tools + 1000, "A", expect_rejection=True)
    not_ad_hoc = _instruct(engine, instance, "A", expect_rejection=True)
    duplicates = _instruct(engine, tools, "A", "A", expect_rejection=True)
    unknown_element = _instruct(engine, tools, "D", "Z", expect_rejection=True)

    assert (unknown_key.rejection_type, unknown_key.rejection_reason) == (
        RejectionType.NOT_FOUND,
        "Expected to activate activities for ad-hoc sub-process but no ad-hoc sub-process instance "
        f"found with key '{tools + 1000}'.",
    )
    assert (not_ad_hoc.rejection_type, not_ad_hoc.rejection_reason) == (
        RejectionType.INVALID_ARGUMENT,
        f"The element instance with key '{instance}' is not an ad-hoc sub-process.",
    )
    assert (duplicates.rejection_type, duplicates.rejection_reason) == (
        RejectionType.INVALID_ARGUMENT,
        f"Expected to activate activities for ad-hoc sub-process with key '{tools}', but duplicate "
        "activities were given.",
    )
    assert (unknown_element.rejection_type, unknown_element.rejection_reason) == (
        RejectionType.NOT_FOUND,
        f"Expected to activate activities for ad-hoc sub-process with key '{tools}', but the given "
        "elements [D, Z] do not exist.",
    )
    assert (
        not engine.records.process_instances()
        .with_element_type(BpmnElementType.AD_HOC_SUB_PROCESS_INNER_INSTANCE)
        .exists()
    )


def test_activating_elements_of_a_completed_subprocess_is_rejected(engine: TestEngine) -> None:
    engine.deploy(_process(job_worker=False))
    engine.instances.create("agent", {"question": "why?"})
    tools = element_key(engine, "tools")
    _instruct(engine, tools, "A", toolCall={"id": "1", "q": "x"})
    _tool_worker(engine, "A")

    rejection = _instruct(engine, tools, "B", expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND  # the instance is gone once completed


@pytest.mark.partitions(3)
def test_instructions_go_to_the_partition_of_the_ad_hoc_subprocess(engine: TestEngine) -> None:
    engine.deploy(_process())
    instances = [engine.instances.create("agent", {"question": q}) for q in ("a", "b")]
    assert len({partition_of(key) for key in instances}) == 2  # round robin
    tools = [element_key(engine, "tools", key) for key in instances]

    for key in tools:  # a client's activation, routed by the subprocess instance key
        answer = _instruct(engine, key, "A", toolCall={"id": str(key), "q": "x"})
        assert answer.intent == Instruction.ACTIVATED
        assert answer.partition_id == partition_of(key)
    assert _tool_worker(engine, "A") == 2

    jobs = engine.jobs.activate("agent")
    assert {job.record.process_instance_key for job in jobs} == set(instances)
    assert len(jobs) == 2  # each first job was replaced by one that sees its tool's result
    for job in jobs:
        assert job.variables["toolCallResults"] == [
            {"id": str(job.record.element_instance_key), "content": "A:x"}
        ]
        _complete(engine, job.key, _done())
    done = engine.records.process_instances().with_element_id("tools").with_intent(PI.ELEMENT_COMPLETED)
    assert len(done.limit(3)) == 2
