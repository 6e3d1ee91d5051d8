"""Camunda's own Python client (``camunda-orchestration-sdk``, unmodified) against a real broker:
deploy, create and await, its job worker, BPMN errors, user tasks, messages, signals, decisions,
cancellation, and the errors it gets for bad commands."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from _rest_models import sdk_configuration
from broker_process import BrokerProcess
from camunda_orchestration_sdk import (
    CamundaAsyncClient,
    CamundaClient,
    ConnectedJobContext,
    DecisionEvaluationByID,
    DecisionEvaluationByIdVariables,
    JobError,
    MessageCorrelationRequest,
    MessagePublicationRequest,
    ProcessCreationById,
    SignalBroadcastRequest,
    UserTaskAssignmentRequest,
    UserTaskCompletionRequest,
    UserTaskCompletionRequestVariables,
    WorkerConfig,
)
from camunda_orchestration_sdk.models import ProcessInstanceCreationInstructionBaseVariables

Variables = ProcessInstanceCreationInstructionBaseVariables

pytestmark = pytest.mark.slow


def _variables(model: Any) -> dict[str, Any]:
    return dict(model.to_dict())


def test_topology_names_the_broker_and_its_healthy_partition(client: CamundaClient) -> None:
    topology = client.get_topology()

    assert topology.gateway_version.startswith("8.8")
    assert topology.cluster_size == 1 and topology.partitions_count == 1
    [broker] = topology.brokers
    [partition] = broker.partitions
    assert (partition.partition_id, str(partition.role), str(partition.health)) == (1, "leader", "healthy")


def test_a_deployment_of_bpmn_dmn_and_a_form_names_each_resource(
    rest_broker: BrokerProcess, models: dict[str, Path]
) -> None:
    with CamundaClient(configuration=sdk_configuration(rest_broker)) as client:
        deployment = client.deploy_resources_from_files(
            [models["one_task.bpmn"], models["dinner.dmn"], models["review.form"]]
        )

    assert [p.process_definition_id for p in deployment.processes] == ["one_task"]
    assert [d.decision_definition_id for d in deployment.decisions] == ["dish"]
    assert [f.form_id for f in deployment.forms] == ["review-form"]


def test_the_job_worker_completes_an_instance_created_with_await_completion(
    rest_broker: BrokerProcess,
) -> None:
    async def work(job: ConnectedJobContext) -> dict[str, object]:
        return {"doubled": job.variables.to_dict()["n"] * 2}

    async def main() -> Any:
        async with CamundaAsyncClient(configuration=sdk_configuration(rest_broker)) as client:
            client.create_job_worker(
                WorkerConfig(
                    job_type="rest-work", job_timeout_milliseconds=30_000, request_timeout_milliseconds=5_000
                ),
                work,
            )
            results = [
                await client.create_process_instance(
                    data=ProcessCreationById(
                        process_definition_id="one_task",
                        variables=Variables.from_dict({"n": n}),
                        await_completion=True,
                        request_timeout=20_000,
                    )
                )
                for n in range(3)
            ]
            for worker in client._workers:
                await worker.aclose()
            return results

    results = asyncio.run(main())

    assert [_variables(r.variables)["doubled"] for r in results] == [0, 2, 4]
    assert all(r.process_definition_id == "one_task" and int(r.process_instance_key) > 0 for r in results)


def test_a_bpmn_error_from_the_worker_is_caught_by_the_boundary_event(rest_broker: BrokerProcess) -> None:
    async def out_of_stock(job: ConnectedJobContext) -> dict[str, object]:
        raise JobError("NO_STOCK", "nothing left")

    async def main() -> Any:
        async with CamundaAsyncClient(configuration=sdk_configuration(rest_broker)) as client:
            client.create_job_worker(
                WorkerConfig(job_type="rest-reserve", job_timeout_milliseconds=30_000), out_of_stock
            )
            result = await client.create_process_instance(
                data=ProcessCreationById(
                    process_definition_id="caught", await_completion=True, request_timeout=20_000
                )
            )
            for worker in client._workers:
                await worker.aclose()
            return result

    result = asyncio.run(main())

    completed = rest_broker.wait_for_record(
        "PROCESS_INSTANCE",
        "ELEMENT_COMPLETED",
        process_instance_key=int(result.process_instance_key),
        element_id="backordered",
    )
    assert completed["value"]["bpmnElementType"] == "END_EVENT"


def test_a_camunda_user_task_is_assigned_and_completed(
    client: CamundaClient, rest_broker: BrokerProcess
) -> None:
    instance = client.create_process_instance(data=ProcessCreationById(process_definition_id="review"))
    created = rest_broker.wait_for_record(
        "USER_TASK", "CREATED", process_instance_key=int(instance.process_instance_key)
    )
    task_key = str(created["key"])

    client.assign_user_task(task_key, data=UserTaskAssignmentRequest(assignee="ann"))  # type: ignore[arg-type]
    client.complete_user_task(
        task_key,  # type: ignore[arg-type]
        data=UserTaskCompletionRequest(
            variables=UserTaskCompletionRequestVariables.from_dict({"approved": True})
        ),
    )

    assert (
        rest_broker.wait_for_record("USER_TASK", "ASSIGNED", key=int(task_key))["value"]["assignee"] == "ann"
    )
    rest_broker.wait_for_record("USER_TASK", "COMPLETED", key=int(task_key))
    rest_broker.wait_for_record(
        "PROCESS_INSTANCE",
        "ELEMENT_COMPLETED",
        key=int(instance.process_instance_key),
        bpmn_element_type="PROCESS",
    )


def test_a_published_message_is_correlated_to_the_waiting_instance(
    client: CamundaClient, rest_broker: BrokerProcess
) -> None:
    instance = client.create_process_instance(
        data=ProcessCreationById(
            process_definition_id="waits", variables=Variables.from_dict({"orderId": "o-7"})
        )
    )

    published = client.publish_message(
        data=MessagePublicationRequest(name="payment-received", correlation_key="o-7", time_to_live=60_000)
    )

    assert int(published.message_key) > 0
    rest_broker.wait_for_record(
        "PROCESS_INSTANCE",
        "ELEMENT_COMPLETED",
        key=int(instance.process_instance_key),
        bpmn_element_type="PROCESS",
    )


def test_a_broadcast_signal_starts_an_instance(client: CamundaClient, rest_broker: BrokerProcess) -> None:
    signal = client.broadcast_signal(data=SignalBroadcastRequest(signal_name="go-signal"))

    assert int(signal.signal_key) > 0
    rest_broker.wait_for_record("PROCESS_INSTANCE", "ELEMENT_COMPLETED", bpmn_process_id="signalled")


def test_a_decision_is_evaluated_with_its_matched_rule(client: CamundaClient) -> None:
    result = client.evaluate_decision(
        data=DecisionEvaluationByID(
            decision_definition_id="dish",
            variables=DecisionEvaluationByIdVariables.from_dict({"season": "Winter"}),
        )
    )

    assert result.output == '"Roastbeef"'
    [evaluated] = result.evaluated_decisions
    assert [rule.rule_id for rule in evaluated.matched_rules] == ["winter"]


def test_a_cancelled_instance_is_terminated(client: CamundaClient, rest_broker: BrokerProcess) -> None:
    instance = client.create_process_instance(data=ProcessCreationById(process_definition_id="review"))

    client.cancel_process_instance(instance.process_instance_key, data=None)

    rest_broker.wait_for_record(
        "PROCESS_INSTANCE",
        "ELEMENT_TERMINATED",
        key=int(instance.process_instance_key),
        bpmn_element_type="PROCESS",
    )


def test_a_bad_command_is_a_problem_detail_the_client_raises(client: CamundaClient) -> None:
    with pytest.raises(Exception) as raised:
        client.create_process_instance(data=ProcessCreationById(process_definition_id="no-such-process"))

    text = str(raised.value) + repr(getattr(raised.value, "__dict__", {}))
    assert "404" in text or "NOT_FOUND" in text or "not found" in text.lower(), text


def test_a_correlated_message_answers_with_the_instance_it_reached(
    client: CamundaClient, rest_broker: BrokerProcess
) -> None:
    instance = client.create_process_instance(
        data=ProcessCreationById(
            process_definition_id="waits", variables=Variables.from_dict({"orderId": "c-1"})
        )
    )

    result = client.correlate_message(
        data=MessageCorrelationRequest(name="payment-received", correlation_key="c-1")
    )

    assert result.process_instance_key == instance.process_instance_key
    rest_broker.wait_for_record(
        "PROCESS_INSTANCE",
        "ELEMENT_COMPLETED",
        key=int(instance.process_instance_key),
        bpmn_element_type="PROCESS",
    )
    with pytest.raises(Exception, match=r"NOT_FOUND|404|none was found"):
        client.correlate_message(
            data=MessageCorrelationRequest(name="payment-received", correlation_key="nobody")
        )
