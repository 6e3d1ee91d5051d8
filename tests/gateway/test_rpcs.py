"""Every RPC of the gateway protocol through the raw generated stubs, against ``strom broker``."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import SERVICE_NAME, GatewayStub, health_pb2, health_pb2_grpc, pb
from strom.testing import bpmn

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def stub(broker: BrokerProcess) -> Iterator[GatewayStub]:
    with grpc.insecure_channel(broker.address) as channel:
        yield GatewayStub(channel)


@pytest.fixture(scope="module")
def channel(broker: BrokerProcess) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(broker.address) as channel:
        yield channel


def _deploy(stub: GatewayStub, process_id: str, job_type: str = "work") -> int:
    xml = bpmn.process(process_id).start_event().service_task("task", job_type=job_type).end_event().to_xml()
    response = stub.DeployResource(
        pb.DeployResourceRequest(resources=[pb.Resource(name=f"{process_id}.bpmn", content=xml.encode())])
    )
    return int(response.deployments[0].process.processDefinitionKey)


def _create(stub: GatewayStub, process_id: str, variables: dict[str, Any] | None = None) -> int:
    response = stub.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(bpmnProcessId=process_id, variables=json.dumps(variables or {}))
    )
    return int(response.processInstanceKey)


def _activate(stub: GatewayStub, job_type: str, max_jobs: int = 10, **fields: Any) -> list[pb.ActivatedJob]:
    request = pb.ActivateJobsRequest(
        type=job_type,
        worker="test",
        timeout=fields.pop("timeout", 60_000),
        maxJobsToActivate=max_jobs,
        requestTimeout=fields.pop("requestTimeout", -1),
        **fields,
    )
    return [job for response in stub.ActivateJobs(request, timeout=30) for job in response.jobs]


def _code(call: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value.code(), raised.value.details()


# -- cluster ---------------------------------------------------------------------------------------


def test_topology(stub: GatewayStub, broker: BrokerProcess) -> None:
    topology = stub.Topology(pb.TopologyRequest())

    assert (topology.clusterSize, topology.partitionsCount, topology.replicationFactor) == (1, 1, 1)
    [node] = topology.brokers
    assert (node.host, node.port) == ("127.0.0.1", broker.port)
    assert [(p.partitionId, p.role, p.health) for p in node.partitions] == [
        (1, pb.Partition.LEADER, pb.Partition.HEALTHY)
    ]


def test_health_service_reports_serving_for_the_gateway(channel: grpc.Channel) -> None:
    health = health_pb2_grpc.HealthStub(channel)
    for service in ("", SERVICE_NAME):
        answer = health.Check(health_pb2.HealthCheckRequest(service=service))
        assert answer.status == health_pb2.HealthCheckResponse.SERVING


# -- deployments -----------------------------------------------------------------------------------


def test_deploy_process_the_deprecated_rpc(stub: GatewayStub) -> None:
    xml = bpmn.process("old_api").start_event().end_event().to_xml().encode()

    response = stub.DeployProcess(
        pb.DeployProcessRequest(processes=[pb.ProcessRequestObject(name="a.bpmn", definition=xml)])
    )

    [process] = response.processes
    assert (process.bpmnProcessId, process.version, process.resourceName) == ("old_api", 1, "a.bpmn")
    assert response.key > 0


def test_invalid_bpmn_is_invalid_argument_with_the_models_message(stub: GatewayStub) -> None:
    code, message = _code(
        lambda: stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="x.bpmn", content=b"<nope")])
        )
    )

    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert message.startswith("Command 'CREATE' rejected with code 'INVALID_ARGUMENT': ")
    assert "'x.bpmn'" in message


def test_delete_resource_deletes_a_process_definition(stub: GatewayStub) -> None:
    key = _deploy(stub, "to_delete")

    stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=key))

    code, message = _code(lambda: _create(stub, "to_delete"))
    assert code is grpc.StatusCode.NOT_FOUND
    code, message = _code(lambda: stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=key)))
    assert code is grpc.StatusCode.NOT_FOUND
    assert f"no resource found with key `{key}`" in message


def test_delete_resource_with_running_instances_is_failed_precondition(stub: GatewayStub) -> None:
    key = _deploy(stub, "busy", job_type="busy-work")
    _create(stub, "busy")

    code, message = _code(lambda: stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=key)))

    assert code is grpc.StatusCode.FAILED_PRECONDITION
    assert "there are still running instances" in message


# -- process instances -----------------------------------------------------------------------------


def test_create_by_definition_key_and_cancel(stub: GatewayStub) -> None:
    key = _deploy(stub, "by_key", job_type="by-key-work")

    created = stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(processDefinitionKey=key))
    stub.CancelProcessInstance(pb.CancelProcessInstanceRequest(processInstanceKey=created.processInstanceKey))

    assert (created.bpmnProcessId, created.version, created.processDefinitionKey) == ("by_key", 1, key)
    code, _ = _code(
        lambda: stub.CancelProcessInstance(
            pb.CancelProcessInstanceRequest(processInstanceKey=created.processInstanceKey)
        )
    )
    assert code is grpc.StatusCode.NOT_FOUND


def test_set_variables_answers_with_the_document_key(stub: GatewayStub, broker: BrokerProcess) -> None:
    _deploy(stub, "vars", job_type="vars-work")
    instance = _create(stub, "vars", {"a": 1})

    answer = stub.SetVariables(
        pb.SetVariablesRequest(elementInstanceKey=instance, variables='{"a": 2, "b": "x"}')
    )

    assert answer.key > 0
    [job] = _activate(stub, "vars-work")
    assert json.loads(job.variables) == {"a": 2, "b": "x"}


# -- jobs ------------------------------------------------------------------------------------------


def test_activate_respects_max_jobs_and_fetch_variables(stub: GatewayStub) -> None:
    _deploy(stub, "many", job_type="many-work")
    for n in range(3):
        _create(stub, "many", {"n": n, "other": "x"})

    first = _activate(stub, "many-work", max_jobs=2, fetchVariable=["n"])
    rest = _activate(stub, "many-work", max_jobs=5)

    assert len(first) == 2 and len(rest) == 1
    assert [json.loads(job.variables) for job in first] == [{"n": 0}, {"n": 1}]
    assert json.loads(rest[0].variables) == {"n": 2, "other": "x"}
    assert first[0].worker == "test" and first[0].retries == 3
    assert json.loads(first[0].customHeaders) == {}


def test_long_polling_is_woken_when_a_job_is_created(stub: GatewayStub) -> None:
    _deploy(stub, "later", job_type="later-work")
    threading.Timer(0.5, lambda: _create(stub, "later")).start()

    started = time.monotonic()
    jobs = _activate(stub, "later-work", requestTimeout=10_000)

    assert len(jobs) == 1
    assert 0.4 < time.monotonic() - started < 5


def test_long_polling_ends_empty_after_its_request_timeout(stub: GatewayStub) -> None:
    started = time.monotonic()
    jobs = _activate(stub, "never-created", requestTimeout=600)

    assert jobs == []
    assert 0.5 < time.monotonic() - started < 5


def test_job_stream_pushes_new_jobs_and_gives_back_what_it_cannot_deliver(
    stub: GatewayStub, broker: BrokerProcess
) -> None:
    _deploy(stub, "streamed", job_type="stream-me")
    stream = stub.StreamActivatedJobs(
        pb.StreamActivatedJobsRequest(
            type="stream-me", worker="streamer", timeout=60_000, fetchVariable=["n"]
        )
    )
    broker.wait_for_metric("strom_job_streams_open", lambda open_streams: open_streams == 1)
    instance = _create(stub, "streamed", {"n": 1, "m": 2})

    job = next(stream)
    stream.cancel()
    broker.wait_for_metric("strom_job_streams_open", lambda open_streams: open_streams == 0)
    _create(stub, "streamed", {"n": 2})

    assert (job.processInstanceKey, job.worker, json.loads(job.variables)) == (instance, "streamer", {"n": 1})
    # The stream is gone: the next job waits for pollers instead of being lost. A cancel that races
    # with the write of the streamed job leaves its delivery unknown to the broker, which then gives
    # it back too (at least once, never lost): a poller may see it again, and nothing else.
    polled = {json.loads(p.variables)["n"]: p.key for p in _activate(stub, "stream-me", requestTimeout=5_000)}
    assert 2 in polled
    assert set(polled) <= {1, 2} and polled.get(1, job.key) == job.key
    for key in {job.key, *polled.values()}:
        stub.CompleteJob(pb.CompleteJobRequest(jobKey=key))


def test_complete_fail_update_and_resolve(stub: GatewayStub, broker: BrokerProcess) -> None:
    _deploy(stub, "lifecycle", job_type="life")
    instance = _create(stub, "lifecycle")
    [job] = _activate(stub, "life")

    stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=job.key, timeout=120_000))
    stub.FailJob(pb.FailJobRequest(jobKey=job.key, retries=0, errorMessage="broken"))
    incident = broker.wait_for_record("INCIDENT", "CREATED", process_instance_key=instance)
    stub.UpdateJobRetries(pb.UpdateJobRetriesRequest(jobKey=job.key, retries=2))
    stub.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=incident["key"]))
    [again] = _activate(stub, "life")
    stub.CompleteJob(pb.CompleteJobRequest(jobKey=again.key, variables='{"done": true}'))

    assert incident["value"]["errorMessage"] == "broken"
    assert again.key == job.key and again.retries == 2
    completed = broker.wait_for_record(
        "PROCESS_INSTANCE", "ELEMENT_COMPLETED", key=instance, bpmn_element_type="PROCESS"
    )
    assert completed["value"]["bpmnProcessId"] == "lifecycle"
    updated = broker.wait_for_record("JOB", "TIMEOUT_UPDATED", key=job.key)
    assert updated["value"]["timeout"] == 120_000


def test_completing_a_job_twice_is_not_found(stub: GatewayStub) -> None:
    _deploy(stub, "twice", job_type="twice-work")
    _create(stub, "twice")
    [job] = _activate(stub, "twice-work")
    stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))

    code, message = _code(lambda: stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key)))

    assert code is grpc.StatusCode.NOT_FOUND
    assert message == (
        f"Command 'COMPLETE' rejected with code 'NOT_FOUND': Expected to complete job with key "
        f"'{job.key}', but no such job was found"
    )


def test_a_job_in_the_wrong_state_is_failed_precondition(stub: GatewayStub) -> None:
    _deploy(stub, "state", job_type="state-work")
    _create(stub, "state")
    [job] = _activate(stub, "state-work")
    stub.FailJob(pb.FailJobRequest(jobKey=job.key, retries=0))

    code, _ = _code(lambda: stub.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=job.key, timeout=1000)))

    assert code is grpc.StatusCode.FAILED_PRECONDITION


# -- process instance migration ------------------------------------------------------------------


def test_migrate_process_instance_moves_a_waiting_job_to_the_new_version(stub: GatewayStub) -> None:
    _deploy(stub, "migrated", job_type="migrated-work")
    instance = _create(stub, "migrated")
    xml = (
        bpmn.process("migrated")
        .start_event()
        .service_task("task", job_type="migrated-work-v2")
        .service_task("then", job_type="migrated-then")
        .end_event()
        .to_xml()
    )
    deployed = stub.DeployResource(
        pb.DeployResourceRequest(resources=[pb.Resource(name="migrated.bpmn", content=xml.encode())])
    )
    target = int(deployed.deployments[0].process.processDefinitionKey)
    plan = pb.MigrateProcessInstanceRequest.MigrationPlan(
        targetProcessDefinitionKey=target,
        mappingInstructions=[
            pb.MigrateProcessInstanceRequest.MappingInstruction(
                sourceElementId="task", targetElementId="task"
            )
        ],
    )

    stub.MigrateProcessInstance(
        pb.MigrateProcessInstanceRequest(processInstanceKey=instance, migrationPlan=plan)
    )

    [job] = _activate(stub, "migrated-work")  # the job keeps its type
    assert job.processDefinitionKey == target
    stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
    assert len(_activate(stub, "migrated-then")) == 1
    unmapped = pb.MigrateProcessInstanceRequest.MigrationPlan(targetProcessDefinitionKey=target)
    code, message = _code(
        lambda: stub.MigrateProcessInstance(
            pb.MigrateProcessInstanceRequest(processInstanceKey=instance, migrationPlan=unmapped)
        )
    )
    assert code is grpc.StatusCode.FAILED_PRECONDITION
    assert message == (
        f"Command 'MIGRATE' rejected with code 'INVALID_STATE': Expected to migrate process instance "
        f"'{instance}' but no mapping instruction defined for active element with id 'then'. Elements "
        "cannot be migrated without a mapping."
    )
