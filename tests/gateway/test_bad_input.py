"""Bad input gets the right status code naming the field or value; the broker keeps serving and
loses nothing."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import grpc
import pytest
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn

pytestmark = pytest.mark.slow

INVALID = grpc.StatusCode.INVALID_ARGUMENT


@pytest.fixture(scope="module")
def stub(broker: BrokerProcess) -> Iterator[GatewayStub]:
    with grpc.insecure_channel(
        broker.address, options=[("grpc.max_send_message_length", 64 * 1024 * 1024)]
    ) as channel:
        stub = GatewayStub(channel)
        xml = (
            bpmn.process("guarded")
            .start_event()
            .service_task("task", job_type="guarded")
            .end_event()
            .to_xml()
        )
        stub.DeployResource(
            pb.DeployResourceRequest(resources=[pb.Resource(name="g.bpmn", content=xml.encode())])
        )
        yield stub


def _fails(call: Callable[[], Any]) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value.code(), raised.value.details()


def _create(stub: GatewayStub, **fields: Any) -> Any:
    return stub.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(**{"bpmnProcessId": "guarded", **fields})
    )


@pytest.mark.parametrize(
    ("variables", "says"),
    [
        ('{"a": 1,', "it is not valid JSON"),
        ("{'a': 1}", "it is not valid JSON"),
        ("[1, 2]", "it is a JSON array: [1, 2]"),
        ('"text"', "it is a JSON string"),
        ("42", "it is a JSON number"),
        ("null", "it is a JSON null"),
        ('{"big": 123456789012345678901234567890}', "integers of at most 64 bits"),
        ('{"x": 1e999}', "Number out of range"),
        ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
    ],
)
def test_bad_variables_are_invalid_argument_naming_the_field(
    stub: GatewayStub, variables: str, says: str
) -> None:
    code, message = _fails(lambda: _create(stub, variables=variables))

    assert code is INVALID
    assert message.startswith("Expected 'variables' to be a JSON object") or "'variables'" in message
    assert says in message


@pytest.mark.parametrize(
    ("call", "field", "value"),
    [
        (lambda s: s.CompleteJob(pb.CompleteJobRequest(jobKey=-5)), "jobKey", "-5"),
        (lambda s: s.FailJob(pb.FailJobRequest(jobKey=0, retries=1)), "jobKey", "0"),
        (lambda s: s.FailJob(pb.FailJobRequest(jobKey=1, retries=-1)), "retries", "-1"),
        (
            lambda s: s.FailJob(pb.FailJobRequest(jobKey=1, retries=1, retryBackOff=-100)),
            "retryBackOff",
            "-100",
        ),
        (
            lambda s: s.UpdateJobTimeout(pb.UpdateJobTimeoutRequest(jobKey=1, timeout=1 << 62)),
            "timeout",
            str(1 << 62),
        ),
        (
            lambda s: s.CancelProcessInstance(pb.CancelProcessInstanceRequest(processInstanceKey=-1)),
            "processInstanceKey",
            "-1",
        ),
        (
            lambda s: s.SetVariables(pb.SetVariablesRequest(elementInstanceKey=-7, variables="{}")),
            "elementInstanceKey",
            "-7",
        ),
        (lambda s: s.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=-2)), "incidentKey", "-2"),
        (lambda s: s.DeleteResource(pb.DeleteResourceRequest(resourceKey=0)), "resourceKey", "0"),
        (lambda s: _create(s, version=-5), "version", "-5"),
        (lambda s: _create(s, processDefinitionKey=-9), "processDefinitionKey", "-9"),
        (lambda s: _create(s, tenantId="acme"), "tenantId", "acme"),
        (lambda s: _create(s, bpmnProcessId=""), "bpmnProcessId", ""),
        (lambda s: s.PublishMessage(pb.PublishMessageRequest(name="m", timeToLive=-1)), "timeToLive", "-1"),
        (lambda s: s.ThrowError(pb.ThrowErrorRequest(jobKey=1)), "errorCode", ""),
        (lambda s: s.DeployResource(pb.DeployResourceRequest()), "resources", ""),
    ],
)
def test_bad_numbers_and_fields_are_invalid_argument_naming_them(
    stub: GatewayStub, call: Callable[[GatewayStub], Any], field: str, value: str
) -> None:
    code, message = _fails(lambda: call(stub))

    assert code is INVALID, message
    assert f"'{field}'" in message
    assert value in message


@pytest.mark.parametrize(
    ("request_", "says"),
    [
        (pb.ActivateJobsRequest(type="guarded", timeout=1000, maxJobsToActivate=0), "max jobs to activate"),
        (pb.ActivateJobsRequest(type="guarded", timeout=-1, maxJobsToActivate=1), "timeout"),
        (pb.ActivateJobsRequest(type="", timeout=1000, maxJobsToActivate=1), "type"),
        (pb.ActivateJobsRequest(type="guarded", timeout=1 << 60, maxJobsToActivate=1), "'timeout'"),
    ],
)
def test_bad_activation_requests_are_invalid_argument(stub: GatewayStub, request_: Any, says: str) -> None:
    code, message = _fails(lambda: list(stub.ActivateJobs(request_, timeout=10)))

    assert code is INVALID
    assert says in message


def test_bad_stream_requests_are_invalid_argument(stub: GatewayStub) -> None:
    code, message = _fails(
        lambda: next(
            stub.StreamActivatedJobs(pb.StreamActivatedJobsRequest(type="guarded", timeout=0), timeout=10)
        )
    )

    assert code is INVALID
    assert "'timeout'" in message


def test_unknown_process_id_is_not_found_naming_it(stub: GatewayStub) -> None:
    code, message = _fails(lambda: _create(stub, bpmnProcessId="missing-process"))

    assert code is grpc.StatusCode.NOT_FOUND
    assert "'missing-process'" in message


def test_unknown_keys_are_not_found_naming_them(stub: GatewayStub) -> None:
    key = 2251799813999999
    for call in (
        lambda: stub.CompleteJob(pb.CompleteJobRequest(jobKey=key)),
        lambda: stub.CancelProcessInstance(pb.CancelProcessInstanceRequest(processInstanceKey=key)),
        lambda: stub.ResolveIncident(pb.ResolveIncidentRequest(incidentKey=key)),
        lambda: _create(stub, bpmnProcessId="", processDefinitionKey=key),
    ):
        code, message = _fails(call)
        assert code is grpc.StatusCode.NOT_FOUND, message
        assert str(key) in message


def test_an_oversized_request_is_resource_exhausted(stub: GatewayStub) -> None:
    variables = json.dumps({"blob": "x" * (5 * 1024 * 1024)})

    code, message = _fails(lambda: _create(stub, variables=variables))

    assert code is grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "larger than max" in message


def test_garbage_bytes_are_rejected_and_the_broker_keeps_serving(broker: BrokerProcess) -> None:
    with grpc.insecure_channel(broker.address) as channel:
        raw = channel.unary_unary("/gateway_protocol.Gateway/CreateProcessInstance")
        code, message = _fails(lambda: raw(b"\xff\xff\xff\xff garbage", timeout=10))
        unknown = channel.unary_unary("/gateway_protocol.Gateway/NoSuchRpc")
        unknown_code, _ = _fails(lambda: unknown(b"", timeout=10))

    # bad input like any other (grpc.aio alone would answer UNKNOWN and log a traceback)
    assert code is grpc.StatusCode.INVALID_ARGUMENT, message
    assert unknown_code is grpc.StatusCode.UNIMPLEMENTED


def test_after_all_of_it_the_broker_serves_and_lost_nothing(stub: GatewayStub, broker: BrokerProcess) -> None:
    before = stub.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(bpmnProcessId="guarded", variables='{"n": 1}')
    )
    for _ in range(20):
        _fails(lambda: _create(stub, variables="[broken"))
    after = stub.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(bpmnProcessId="guarded", variables='{"n": 2}')
    )

    jobs = [
        job
        for response in stub.ActivateJobs(
            pb.ActivateJobsRequest(
                type="guarded", worker="w", timeout=10_000, maxJobsToActivate=100, requestTimeout=-1
            )
        )
        for job in response.jobs
    ]
    instances = {job.processInstanceKey for job in jobs}
    assert {before.processInstanceKey, after.processInstanceKey} <= instances
    for job in jobs:
        stub.CompleteJob(pb.CompleteJobRequest(jobKey=job.key))
    for key in (before.processInstanceKey, after.processInstanceKey):
        broker.wait_for_record("PROCESS_INSTANCE", "ELEMENT_COMPLETED", key=key, bpmn_element_type="PROCESS")
    assert broker.process is not None and broker.process.poll() is None


def test_a_request_that_cannot_be_decoded_is_invalid_argument(broker: BrokerProcess) -> None:
    good = pb.CreateProcessInstanceRequest(bpmnProcessId="abc").SerializeToString()
    invalid_utf8 = good.replace(b"abc", b"a\xffc")
    logged_before = len(broker.logs())
    with grpc.insecure_channel(broker.address) as channel:
        call = channel.unary_unary(
            "/gateway_protocol.Gateway/CreateProcessInstance",
            request_serializer=lambda data: data,
            response_deserializer=lambda data: data,
        )
        with pytest.raises(grpc.RpcError) as raised:
            call(invalid_utf8, timeout=10)

    assert raised.value.code() is grpc.StatusCode.INVALID_ARGUMENT
    assert "could not be decoded" in raised.value.details()
    assert "Traceback" not in broker.logs()[logged_before:]


def test_variables_nested_deeper_than_the_limit_are_invalid_argument(stub: GatewayStub) -> None:
    deep = '{"a":' * 200 + "1" + "}" * 200
    shallow = '{"a":' * 100 + "1" + "}" * 100

    code, message = _fails(lambda: _create(stub, variables=deep))
    created = _create(stub, variables=shallow)

    assert code is grpc.StatusCode.INVALID_ARGUMENT
    assert "nested at most 128 levels deep" in message
    assert created.processInstanceKey > 0
