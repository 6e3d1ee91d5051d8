"""Records survive the log: msgpack round trips, envelope dispatch by value type, Zeebe-shaped JSON."""

from __future__ import annotations

import base64
import contextlib
import json
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strom.protocol import (
    DEFAULT_TENANT_ID,
    INTENTS,
    RECORD_CLASS_FOR_VALUE,
    RECORD_CLASSES,
    VALUE_CLASSES,
    BpmnElementType,
    CommandDistributionRecord,
    CommandDistributionRecordValue,
    DeploymentIntent,
    DeploymentRecord,
    DeploymentRecordValue,
    DeploymentResource,
    JobIntent,
    JobRecord,
    JobRecordValue,
    ProcessInstanceIntent,
    ProcessInstanceRecord,
    ProcessInstanceRecordValue,
    ProcessMetadataValue,
    Record,
    RecordType,
    RejectionType,
    ValueType,
    decode,
    encode,
    encode_into,
    first_key,
    intent_name,
    to_json,
    to_json_dict,
)

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | INT64 | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def strategy_for(type_: mi.Type) -> st.SearchStrategy[Any]:
    """Values of any type a record can hold, derived from msgspec's view of the struct."""
    match type_:
        case mi.IntType():
            return INT64
        case mi.BoolType():
            return st.booleans()
        case mi.StrType():
            return st.text(max_size=12)
        case mi.BytesType():
            return st.binary(max_size=16)
        case mi.FloatType():
            return st.floats(allow_nan=False)
        case mi.EnumType(cls=cls):
            return st.sampled_from(list(cls))
        case mi.AnyType():
            return JSON_VALUES
        case mi.ListType(item_type=item):
            return st.lists(strategy_for(item), max_size=3)
        case mi.DictType(key_type=key, value_type=value):
            return st.dictionaries(strategy_for(key), strategy_for(value), max_size=3)
        case mi.StructType(cls=cls, fields=fields):
            return st.builds(cls, **{field.name: strategy_for(field.type) for field in fields})
    raise AssertionError(f"no strategy for {type_!r}")


def records_of(record_class: type[Record[Any]]) -> st.SearchStrategy[Record[Any]]:
    return strategy_for(mi.type_info(record_class))


ENVELOPES = sorted(RECORD_CLASSES.values(), key=lambda cls: cls.__name__)


@pytest.mark.parametrize("record_class", ENVELOPES, ids=lambda cls: cls.__name__)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_envelope_round_trips(record_class: type[Record[Any]], data: st.DataObject) -> None:
    record = data.draw(records_of(record_class))

    decoded = decode(encode(record))

    assert type(decoded) is record_class
    assert decoded == record


@pytest.mark.parametrize(("value_type", "record_class"), sorted(RECORD_CLASSES.items()))
def test_decoding_dispatches_on_the_value_type(
    value_type: ValueType, record_class: type[Record[Any]]
) -> None:
    value_class = VALUE_CLASSES[value_type]
    record = record_class(intent=next(iter(INTENTS[value_type])), value=value_class())

    decoded = decode(encode(record))

    assert type(decoded) is record_class
    assert type(decoded.value) is value_class
    assert decoded.value_type is value_type


def test_value_type_is_a_class_attribute_not_a_field() -> None:
    assert JobRecord.value_type is ValueType.JOB
    assert "value_type" not in JobRecord.__struct_fields__
    assert JobRecord(intent=JobIntent.CREATED, value=JobRecordValue()).value_type is ValueType.JOB


def test_each_value_class_has_exactly_one_envelope() -> None:
    assert len(RECORD_CLASS_FOR_VALUE) == len(RECORD_CLASSES)
    for value_type, record_class in RECORD_CLASSES.items():
        assert RECORD_CLASS_FOR_VALUE[VALUE_CLASSES[value_type]] is record_class
        assert record_class.value_type is value_type


VALUES = sorted(VALUE_CLASSES.values(), key=lambda cls: cls.__name__)


@pytest.mark.parametrize("value_class", VALUES, ids=lambda cls: cls.__name__)
def test_values_are_frozen_camel_case_and_fully_defaulted(value_class: type[msgspec.Struct]) -> None:
    config = value_class.__struct_config__
    assert config.frozen
    with pytest.raises(TypeError):
        value_class(0)  # keyword-only: positional fields would break when fields are appended
    value_class()  # every field has a default
    for field in msgspec.structs.fields(value_class):
        first, *rest = field.name.split("_")
        assert field.encode_name == first + "".join(part.title() for part in rest)
        if field.name == "tenant_id" and value_class.__name__ != "TenantRecordValue":  # its own id
            assert field.default == DEFAULT_TENANT_ID
        elif field.name.endswith("_key") and field.type is int:
            assert field.default == -1


def test_job_values_carry_zeebe_field_names() -> None:
    zeebe_getters = {
        "type",
        "customHeaders",
        "worker",
        "retries",
        "retryBackoff",
        "recurringTime",
        "deadline",
        "timeout",
        "errorMessage",
        "errorCode",
        "elementId",
        "elementInstanceKey",
        "bpmnProcessId",
        "processDefinitionVersion",
        "processDefinitionKey",
        "processInstanceKey",
        "variables",
        "tenantId",
        "jobKind",
        "jobListenerEventType",
        "changedAttributes",
        "result",
    }

    assert {field.encode_name for field in msgspec.structs.fields(JobRecordValue)} == zeebe_getters


def make_job() -> JobRecord:
    key = first_key(1)
    return JobRecord(
        position=7,
        source_record_position=6,
        key=key + 4,
        timestamp=1_700_000_000_000,
        record_type=RecordType.EVENT,
        intent=JobIntent.CREATED,
        value=JobRecordValue(
            type="charge",
            retries=3,
            element_id="pay",
            element_instance_key=key + 3,
            process_instance_key=key + 1,
            variables={"amount": 42.5, "items": ["a", "b"]},
        ),
    )


def test_encode_into_frames_a_record_after_a_header_without_copying_it_first() -> None:
    job = make_job()
    header = b"HEAD"
    buffer = bytearray(header)

    end = encode_into(job, buffer, len(header))

    assert end == len(buffer)
    assert bytes(buffer[: len(header)]) == header
    assert decode(memoryview(buffer)[len(header) : end]) == job


def test_json_names_codes_like_zeebe() -> None:
    job = make_job()

    exported = json.loads(to_json(job))

    assert exported["valueType"] == "JOB"
    assert exported["recordType"] == "EVENT"
    assert exported["intent"] == "CREATED"
    assert exported["rejectionType"] == "NULL_VAL"
    assert exported["key"] == job.key
    assert exported["value"]["processInstanceKey"] == job.value.process_instance_key
    assert exported["value"]["tenantId"] == "<default>"
    assert exported["value"]["variables"] == job.value.variables
    assert exported["value"]["jobKind"] == "BPMN_ELEMENT"


def test_json_of_a_rejection_names_the_rejection_type() -> None:
    rejection = ProcessInstanceRecord(
        record_type=RecordType.COMMAND_REJECTION,
        intent=ProcessInstanceIntent.CANCEL,
        rejection_type=RejectionType.NOT_FOUND,
        rejection_reason="no such instance",
        value=ProcessInstanceRecordValue(bpmn_element_type=BpmnElementType.PROCESS),
    )

    exported = to_json_dict(rejection)

    assert exported["recordType"] == "COMMAND_REJECTION"
    assert exported["intent"] == "CANCEL"
    assert exported["rejectionType"] == "NOT_FOUND"
    assert exported["value"]["bpmnElementType"] == "PROCESS"


def test_json_renders_resource_bytes_as_base64() -> None:
    bpmn = b"<definitions/>"
    checksum = bytes(range(16))
    deployment = DeploymentRecord(
        intent=DeploymentIntent.CREATED,
        value=DeploymentRecordValue(
            resources=[DeploymentResource(resource_name="order.bpmn", resource=bpmn)],
            processes_metadata=[ProcessMetadataValue(bpmn_process_id="order", checksum=checksum)],
        ),
    )

    value = to_json_dict(deployment)["value"]

    assert value["resources"][0] == {
        "resourceName": "order.bpmn",
        "resource": base64.b64encode(bpmn).decode(),
    }
    assert value["processesMetadata"][0]["checksum"] == base64.b64encode(checksum).decode()


def test_json_names_the_distributed_command() -> None:
    inner = DeploymentRecordValue(deployment_key=first_key(1))
    distribution = CommandDistributionRecord(
        intent=0,
        value=CommandDistributionRecordValue(
            partition_id=2,
            value_type=ValueType.DEPLOYMENT,
            intent=DeploymentIntent.CREATE,
            command_value=msgspec.to_builtins(inner),
        ),
    )

    exported = to_json_dict(distribution)

    assert exported["intent"] == intent_name(ValueType.COMMAND_DISTRIBUTION, 0)
    assert exported["value"]["valueType"] == "DEPLOYMENT"
    assert exported["value"]["intent"] == "CREATE"
    restored = decode(encode(distribution)).value
    assert isinstance(restored, CommandDistributionRecordValue)
    assert msgspec.convert(restored.command_value, VALUE_CLASSES[restored.value_type]) == inner


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xc1",
        b"\x93\x01\x02\x03",
        msgspec.msgpack.encode({"valueType": 9999, "intent": 0, "value": {}}),
        msgspec.msgpack.encode({"valueType": 0, "value": {}}),
        msgspec.msgpack.encode({"valueType": 0, "intent": "CREATED", "value": {}}),
        msgspec.msgpack.encode({"valueType": 0, "intent": 0, "recordType": 7, "value": {}}),
        msgspec.msgpack.encode({"valueType": 0, "intent": 0, "value": {"retries": "three"}}),
    ],
    ids=[
        "empty",
        "reserved byte",
        "array",
        "unknown value type",
        "no intent",
        "intent as text",
        "unknown record type",
        "field of wrong type",
    ],
)
def test_decoding_garbage_raises_decode_error(data: bytes) -> None:
    with pytest.raises(msgspec.DecodeError):
        decode(data)


def test_decoding_a_truncated_record_raises_decode_error() -> None:
    data = encode(make_job())

    for end in range(len(data)):
        with pytest.raises(msgspec.DecodeError):
            decode(data[:end])


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=64))
def test_decoding_arbitrary_bytes_never_raises_anything_but_decode_error(data: bytes) -> None:
    with contextlib.suppress(msgspec.DecodeError):
        decode(data)
