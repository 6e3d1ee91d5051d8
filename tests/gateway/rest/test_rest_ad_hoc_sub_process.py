"""A job-worker ad-hoc subprocess (the AI-agent pattern) driven over the gateways of a real
``strom broker``: Camunda's Python SDK completes the agent's jobs with a job result and activates
elements over REST (``activateAdHocSubProcessActivities``); a raw gRPC client completes a job with
Zeebe 8.8's ``CompleteJobRequest.result`` (pyzeebe's protocol predates it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from _rest_models import sdk_configuration
from broker_process import BrokerProcess
from camunda_orchestration_sdk import CamundaClient
from camunda_orchestration_sdk.models import (
    AdHocSubProcessActivateActivitiesInstruction,
    AdHocSubProcessActivateActivityReference,
    AdHocSubProcessActivateActivityReferenceVariables,
    JobActivationRequest,
    JobCompletionRequest,
    JobCompletionRequestVariables,
    JobResultActivateElement,
    JobResultActivateElementVariables,
    JobResultAdHocSubProcess,
    ProcessCreationById,
)

from strom.gateway.grpc._proto import pb
from strom.gateway.grpc.job_result import CompleteJobRequest88
from strom.testing import bpmn

pytestmark = pytest.mark.slow


def _agent(pid: str) -> str:
    """start → ad-hoc subprocess ``tools`` (job worker ``<pid>-agent``; tool ``lookup``) → task ``after``."""
    return (
        bpmn.process(pid)
        .start_event()
        .flow_id("f1")
        .ad_hoc_sub_process(
            "tools",
            job_type=f"{pid}-agent",
            output_collection="toolCallResults",
            output_element="=toolCallResult",
        )
        .service_task("lookup", job_type=f"{pid}-lookup")
        .end_sub_process()
        .flow_id("f2")
        .service_task("after", job_type=f"{pid}-after")
        .flow_id("f3")
        .end_event("end")
        .to_xml()
    )


@pytest.fixture(scope="module")
def camunda(rest_broker: BrokerProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CamundaClient]:
    directory: Path = tmp_path_factory.mktemp("ad-hoc")
    files = []
    for pid in ("sdk_agent", "grpc_agent"):
        path = directory / f"{pid}.bpmn"
        path.write_text(_agent(pid))
        files.append(str(path))
    with CamundaClient(configuration=sdk_configuration(rest_broker)) as client:
        client.deploy_resources_from_files(files)
        yield client


def _one_job(camunda: CamundaClient, job_type: str) -> Any:
    request = JobActivationRequest(
        type_=job_type, max_jobs_to_activate=1, timeout=60_000, request_timeout=10_000
    )
    [job] = camunda.activate_jobs(data=request).jobs
    return job


def test_the_sdk_drives_an_agent_subprocess_with_job_results_and_the_activation_api(
    camunda: CamundaClient, rest_broker: BrokerProcess
) -> None:
    camunda.create_process_instance(data=ProcessCreationById(process_definition_id="sdk_agent"))

    # turn 1: the agent asks for the lookup tool
    agent = _one_job(camunda, "sdk_agent-agent")
    elements = agent.variables.to_dict()["adHocSubProcessElements"]
    assert [e["elementId"] for e in elements] == ["lookup"]
    call = JobResultActivateElement(
        element_id="lookup", variables=JobResultActivateElementVariables.from_dict({"toolCall": {"q": "sdk"}})
    )
    camunda.complete_job(
        agent.job_key,
        data=JobCompletionRequest(
            variables=JobCompletionRequestVariables.from_dict({"turn": 1}),
            result=JobResultAdHocSubProcess(type_="adHocSubProcess", activate_elements=[call]),
        ),
    )
    tool = _one_job(camunda, "sdk_agent-lookup")
    assert tool.variables.to_dict()["toolCall"] == {"q": "sdk"}
    camunda.complete_job(
        tool.job_key,
        data=JobCompletionRequest(
            variables=JobCompletionRequestVariables.from_dict({"toolCallResult": "r1"})
        ),
    )

    # turn 2: meanwhile a client activates the tool through the REST API; the agent's next job is
    # replaced by one that sees both results
    agent = _one_job(camunda, "sdk_agent-agent")
    assert agent.variables.to_dict()["toolCallResults"] == ["r1"]
    camunda.activate_ad_hoc_sub_process_activities(
        str(agent.element_instance_key),
        data=AdHocSubProcessActivateActivitiesInstruction(
            elements=[
                AdHocSubProcessActivateActivityReference(
                    element_id="lookup",
                    variables=AdHocSubProcessActivateActivityReferenceVariables.from_dict(
                        {"toolCall": {"q": "rest"}}
                    ),
                )
            ]
        ),
    )
    tool = _one_job(camunda, "sdk_agent-lookup")
    assert tool.variables.to_dict()["toolCall"] == {"q": "rest"}
    camunda.complete_job(
        tool.job_key,
        data=JobCompletionRequest(
            variables=JobCompletionRequestVariables.from_dict({"toolCallResult": "r2"})
        ),
    )
    agent = _one_job(camunda, "sdk_agent-agent")
    assert agent.variables.to_dict()["toolCallResults"] == ["r1", "r2"]

    # turn 3: done
    camunda.complete_job(
        agent.job_key,
        data=JobCompletionRequest(
            variables=JobCompletionRequestVariables.from_dict({"answer": "42"}),
            result=JobResultAdHocSubProcess(type_="adHocSubProcess", is_completion_condition_fulfilled=True),
        ),
    )
    after = _one_job(camunda, "sdk_agent-after")
    assert after.variables.to_dict()["answer"] == "42"
    camunda.complete_job(after.job_key)


def test_rest_rejections_are_problem_details(camunda: CamundaClient, rest_broker: BrokerProcess) -> None:
    camunda.create_process_instance(data=ProcessCreationById(process_definition_id="sdk_agent"))
    agent = _one_job(camunda, "sdk_agent-agent")
    with httpx.Client(base_url=rest_broker.rest_address, timeout=30) as http:
        unknown = http.post(
            f"/jobs/{agent.job_key}/completion",
            json={"result": {"type": "adHocSubProcess", "activateElements": [{"elementId": "nope"}]}},
        )
        bad_type = http.post(f"/jobs/{agent.job_key}/completion", json={"result": {"type": "other"}})
        missing = http.post(
            "/element-instances/ad-hoc-activities/2251799813699999/activation",
            json={"elements": [{"elementId": "lookup"}]},
        )

    assert unknown.status_code == 404, unknown.text
    assert "the given elements [nope] do not exist" in unknown.json()["detail"]
    assert bad_type.status_code == 400, bad_type.text
    assert missing.status_code == 404, missing.text
    assert "no ad-hoc sub-process instance found with key '2251799813699999'" in missing.json()["detail"]
    camunda.complete_job(
        agent.job_key,
        data=JobCompletionRequest(
            result=JobResultAdHocSubProcess(type_="adHocSubProcess", is_completion_condition_fulfilled=True)
        ),
    )


def test_a_grpc_client_completes_the_agent_job_with_zeebe_8_8_s_job_result(
    camunda: CamundaClient, rest_broker: BrokerProcess
) -> None:
    camunda.create_process_instance(data=ProcessCreationById(process_definition_id="grpc_agent"))
    with grpc.insecure_channel(rest_broker.address) as channel:
        stub = pb_stub(channel)
        complete = channel.unary_unary(
            "/gateway_protocol.Gateway/CompleteJob",
            request_serializer=CompleteJobRequest88.SerializeToString,
            response_deserializer=pb.CompleteJobResponse.FromString,
        )

        def one(job_type: str) -> pb.ActivatedJob:
            request = pb.ActivateJobsRequest(
                type=job_type, worker="raw", timeout=60_000, maxJobsToActivate=1, requestTimeout=10_000
            )
            for answer in stub.ActivateJobs(request):
                if answer.jobs:
                    return answer.jobs[0]
            raise AssertionError(f"no {job_type} job")

        agent = one("grpc_agent-agent")
        request = CompleteJobRequest88(jobKey=agent.key, variables='{"turn": 1}')
        request.result.type = "adHocSubProcess"
        element = request.result.activateElements.add()
        element.elementId = "lookup"
        element.variables = '{"toolCall": {"q": "grpc"}}'
        complete(request)
        tool = one("grpc_agent-lookup")
        assert '"grpc"' in tool.variables
        stub.CompleteJob(pb.CompleteJobRequest(jobKey=tool.key, variables='{"toolCallResult": "g1"}'))

        agent = one("grpc_agent-agent")
        assert '"toolCallResults":["g1"]' in agent.variables.replace(" ", "")
        done = CompleteJobRequest88(jobKey=agent.key)
        done.result.type = "adHocSubProcess"
        done.result.isCompletionConditionFulfilled = True
        done.result.isCancelRemainingInstances = True
        complete(done)
        after = one("grpc_agent-after")
        stub.CompleteJob(pb.CompleteJobRequest(jobKey=after.key))

        wrong = CompleteJobRequest88(jobKey=after.key + 10_000)
        wrong.result.type = "nonsense"
        with pytest.raises(grpc.RpcError) as rejected:
            complete(wrong)
        assert rejected.value.code() is grpc.StatusCode.INVALID_ARGUMENT


def pb_stub(channel: grpc.Channel) -> Any:
    from strom.gateway.grpc._proto import GatewayStub

    return GatewayStub(channel)
