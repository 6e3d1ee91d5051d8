"""Random and mutated protobuf bytes to every gateway method of a real broker, with raw grpcio:
each call ends with a gRPC status (never a hang, never UNKNOWN or INTERNAL — those are a bug that
escaped), the broker process survives, and it serves a normal request afterwards."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from broker_process import BrokerProcess
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strom.gateway.grpc._proto import SERVICE_NAME, GatewayStub, pb
from strom.testing import bpmn

pytestmark = pytest.mark.slow

METHODS = list(pb.DESCRIPTOR.services_by_name["Gateway"].methods)
DESCRIPTORS = {method.name: method.input_type for method in METHODS}
STREAMING = {method.name for method in METHODS if method.server_streaming}
WAITING = {"CreateProcessInstanceWithResult"}
"""Unary calls that may legitimately outlast the client's deadline (they wait for an instance)."""
CALL_TIMEOUT_S = 5.0
BUGS = {grpc.StatusCode.UNKNOWN, grpc.StatusCode.INTERNAL}

XML = bpmn.process("fuzzed").start_event().service_task("t", job_type="work").end_event().to_xml().encode()


def _filled(descriptor: Descriptor, keys: dict[str, int]) -> bytes:
    """A plausible request with every field set (keys of real entities): where mutations start,
    so they reach the engine's checks instead of stopping at the first missing field."""
    message: Message = getattr(pb, descriptor.name)()
    _fill(message, keys, 0)
    return message.SerializeToString()


def _fill(message: Any, keys: dict[str, int], depth: int) -> None:
    for field in message.DESCRIPTOR.fields:
        if field.containing_oneof is not None and message.WhichOneof(field.containing_oneof.name):
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth >= 3 or field.message_type.GetOptions().map_entry:
                continue
            child = getattr(message, field.name).add() if field.is_repeated else getattr(message, field.name)
            _fill(child, keys, depth + 1)
            continue
        value = _scalar(message.DESCRIPTOR.name, field, keys)
        if field.is_repeated:
            getattr(message, field.name).append(value)
        else:
            setattr(message, field.name, value)


_STRINGS = {
    "tenantid": "<default>",
    "tenantids": "<default>",
    "bpmnprocessid": "fuzzed",
    "type": "work",
    "elementid": "t",
    "targetelementid": "t",
    "sourceelementid": "t",
    "worker": "fuzzer",
    "fetchvariable": "amount",
    "errorcode": "E1",
    "decisionid": "decide",
}
_INTS = {"version": -1, "requesttimeout": 200, "timeout": 10_000, "retries": 2, "timetolive": 1000}


def _scalar(owner: str, field: FieldDescriptor, keys: dict[str, int]) -> Any:
    name = field.name.lower()
    if field.type == FieldDescriptor.TYPE_STRING:
        if "variables" in name:
            return json.dumps({"amount": 12, "nested": {"list": [1, 2, 3]}})
        if owner == "Resource" and name == "name":
            return "fuzzed.bpmn"
        return _STRINGS.get(name, "m")
    if field.type == FieldDescriptor.TYPE_BYTES:
        return XML
    if field.type == FieldDescriptor.TYPE_BOOL:
        return True
    if field.type == FieldDescriptor.TYPE_ENUM:
        return field.enum_type.values[-1].number
    if field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
        return 1.5
    if name in _INTS:
        return _INTS[name]
    if name.endswith("key"):
        if "job" in name:
            return keys["job"]
        if "definition" in name:
            return keys["definition"]
        if "instance" in name or "scope" in name:
            return keys["instance"]
        return 1  # an incident, resource or decision that does not exist: nothing is deleted
    return 3


@st.composite
def _mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` changed by a few byte-level edits: flips, inserts, deletions, truncation, duplicated
    slices, huge varints — what a broken or hostile client sends."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "insert", "delete", "truncate", "duplicate", "varint", "utf8"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 8))]
        elif op == "truncate":
            del data[at:]
        elif op == "duplicate":
            data[at:at] = data[at : at + draw(st.integers(1, 32))]
        elif op == "varint":
            data[at:at] = bytes([0x08]) + b"\xff" * draw(st.integers(1, 12)) + b"\x01"
        elif op == "utf8":
            data[at:at] = bytes([0x0A, 2, 0xC3, 0x28])  # field 1, a string with invalid UTF-8
    return bytes(data)


_ANY_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "",
            "fuzzed",
            "work",
            "t",
            "<default>",
            "{}",
            '{"a": 1}',
            "[1, 2]",
            '{"a": 99999999999999999999999}',
            '{"a": {"b": {"c": [null, true, 1.5e308]}}}',
            "=x",
            "\u0000",
            "x" * 10_000,
        ]
    ),
)
_ANY_INT = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.sampled_from([0, -1, 1, 2**31, 2**63 - 1, -(2**63), 2251799813685249, 4503599627370497]),
)


@st.composite
def _valued(draw: st.DrawFn, descriptor: Descriptor) -> Message:
    """A request of ``descriptor``'s type with each field set or not, to a random value."""
    message: Message = getattr(pb, descriptor.name)()
    _draw_fields(draw, message, 0)
    return message


def _draw_fields(draw: st.DrawFn, message: Any, depth: int) -> None:
    for field in message.DESCRIPTOR.fields:
        if not draw(st.booleans()):
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if depth >= 2 or field.message_type.GetOptions().map_entry:
                continue
            for _ in range(draw(st.integers(1, 3)) if field.is_repeated else 1):
                child = (
                    getattr(message, field.name).add() if field.is_repeated else getattr(message, field.name)
                )
                _draw_fields(draw, child, depth + 1)
            continue
        if field.type == FieldDescriptor.TYPE_STRING:
            values: st.SearchStrategy[Any] = _ANY_TEXT
        elif field.type == FieldDescriptor.TYPE_BYTES:
            values = st.one_of(st.binary(max_size=64), st.just(XML))
        elif field.type == FieldDescriptor.TYPE_BOOL:
            values = st.booleans()
        elif field.type == FieldDescriptor.TYPE_ENUM:
            values = st.sampled_from([value.number for value in field.enum_type.values])
        elif field.type in (FieldDescriptor.TYPE_DOUBLE, FieldDescriptor.TYPE_FLOAT):
            values = st.floats(allow_nan=True, allow_infinity=True, width=32)
        elif field.type in (
            FieldDescriptor.TYPE_INT32,
            FieldDescriptor.TYPE_SINT32,
            FieldDescriptor.TYPE_SFIXED32,
        ):
            values = st.integers(min_value=-(2**31), max_value=2**31 - 1)
        elif field.type in (FieldDescriptor.TYPE_UINT32, FieldDescriptor.TYPE_FIXED32):
            values = st.integers(min_value=0, max_value=2**32 - 1)
        elif field.type in (FieldDescriptor.TYPE_UINT64, FieldDescriptor.TYPE_FIXED64):
            values = st.integers(min_value=0, max_value=2**64 - 1)
        else:
            values = _ANY_INT
        if field.is_repeated:
            getattr(message, field.name).extend(draw(st.lists(values, max_size=3)))
        else:
            setattr(message, field.name, draw(values))


def _requests(seed: bytes, descriptor: Descriptor) -> st.SearchStrategy[bytes]:
    """Raw bytes, the seed mutated byte by byte, the seed, or a well-formed request with random
    field values (what reaches the engine's checks, not only the decoder's)."""
    valued = _valued(descriptor).map(lambda message: message.SerializeToString())
    return st.one_of(st.binary(max_size=256), _mutated(seed), st.just(seed), valued, valued)


@pytest.fixture(scope="module")
def channel(broker: BrokerProcess) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(broker.address) as channel:
        yield channel


@pytest.fixture(scope="module")
def seeds(channel: grpc.Channel) -> dict[str, bytes]:
    """A filled request per method, naming a real process definition, instance and job."""
    stub = GatewayStub(channel)
    deployed = stub.DeployResource(
        pb.DeployResourceRequest(resources=[pb.Resource(name="fuzzed.bpmn", content=XML)])
    )
    instances = [
        stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="fuzzed"))
        for _ in range(len(METHODS))
    ]
    [response] = stub.ActivateJobs(
        pb.ActivateJobsRequest(
            type="work", worker="seed", timeout=600_000, maxJobsToActivate=len(METHODS), requestTimeout=5000
        )
    )
    definition = deployed.deployments[0].process.processDefinitionKey
    seeds = {}
    for index, method in enumerate(METHODS):  # each its own instance and job: one seed's effect
        keys = {  # (a completed job, a canceled instance) must not leave the next one nothing
            "definition": definition,
            "instance": instances[index % len(instances)].processInstanceKey,
            "job": response.jobs[index % len(response.jobs)].key,
        }
        seeds[method.name] = _filled(method.input_type, keys)
    return seeds


def _call(channel: grpc.Channel, method: str, data: bytes) -> grpc.StatusCode:
    path = f"/{SERVICE_NAME}/{method}"
    try:
        if method in STREAMING:
            stream = channel.unary_stream(path)(data, timeout=1.5)
            try:
                for count, _ in enumerate(stream):
                    if count >= 3:
                        break
            finally:
                stream.cancel()
            return grpc.StatusCode.OK
        channel.unary_unary(path)(data, timeout=CALL_TIMEOUT_S)
        return grpc.StatusCode.OK
    except grpc.RpcError as error:
        code = error.code()
        assert code not in BUGS, f"{method} answered {code}: {error.details()}"
        if code == grpc.StatusCode.DEADLINE_EXCEEDED:
            assert method in STREAMING | WAITING, f"{method} did not answer within {CALL_TIMEOUT_S} s"
        return code


@pytest.mark.parametrize("method", [method.name for method in METHODS])
@settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_any_bytes_to_any_method_end_with_a_status_and_the_broker_lives(
    broker: BrokerProcess, channel: grpc.Channel, seeds: dict[str, bytes], method: str, data: st.DataObject
) -> None:
    request = data.draw(_requests(seeds[method], DESCRIPTORS[method]))

    _call(channel, method, request)

    assert broker.process is not None and broker.process.poll() is None, broker.logs()


def test_the_broker_serves_normal_requests_after_the_fuzzing(
    broker: BrokerProcess, channel: grpc.Channel
) -> None:
    stub = GatewayStub(channel)

    topology = stub.Topology(pb.TopologyRequest(), timeout=10)
    created = stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="fuzzed"), timeout=10)

    assert topology.brokers and created.processInstanceKey > 0
    stderr = broker.logs().split("--- stderr ---", 1)[1]
    assert "Traceback" not in stderr, stderr
