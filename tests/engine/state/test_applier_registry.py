"""The applier registry is complete: every event intent has an applier (or is registered as
changing no state), or is listed as never written with the reason; an event without an applier
is an error when the registry is built, when the event is written and when it is replayed."""

from __future__ import annotations

import functools
import tempfile

import pytest

from strom.db import Database
from strom.engine import ENGINE_COLUMN_FAMILIES
from strom.engine.processing.writers import Writers
from strom.engine.state import DbProcessingState
from strom.engine.state.appliers import (
    NOT_WRITTEN,
    EventAppliers,
    MissingApplierError,
    NoStateChange,
    all_appliers,
)
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import (
    EVENT_INTENTS,
    INTENTS,
    JobIntent,
    ProcessInstanceIntent,
    intent_name,
    is_event,
)
from strom.protocol.records import JobRecord
from strom.protocol.values.job import JobRecordValue
from strom.stream.result import ResultBuilder

_STATE_DIRECTORY = tempfile.TemporaryDirectory(prefix="strom-appliers-")


@functools.cache
def _state() -> DbProcessingState:
    """A real (empty) state: appliers keep references to its parts, typed as they are."""
    return DbProcessingState(Database(_STATE_DIRECTORY.name, ENGINE_COLUMN_FAMILIES))


def _registry() -> EventAppliers:
    return all_appliers(_state())


def _name(value_type: ValueType, intent: int) -> str:
    return f"{value_type.name} {intent_name(value_type, intent)}"


def test_every_event_intent_has_an_applier_or_is_listed_as_never_written() -> None:
    appliers = _registry()
    uncovered = []
    both = []
    for value_type, intents in INTENTS.items():
        for intent in intents:
            if not is_event(intent):
                continue
            registered = appliers.has(value_type, intent)
            listed = (value_type, int(intent)) in NOT_WRITTEN
            if not registered and not listed:
                uncovered.append(_name(value_type, intent))
            if registered and listed:
                both.append(_name(value_type, intent))

    assert not uncovered, f"event intents with no applier and no NOT_WRITTEN entry: {uncovered}"
    assert not both, f"event intents with an applier that are listed as never written: {both}"


def test_every_never_written_intent_is_an_event_with_a_reason() -> None:
    for (value_type, intent), reason in NOT_WRITTEN.items():
        assert intent in EVENT_INTENTS[value_type], f"{_name(value_type, intent)} is not an event"
        assert reason.strip(), f"{_name(value_type, intent)} is listed without a reason"


def test_events_that_change_no_state_are_registered_as_such() -> None:
    no_state_change = {
        _name(value_type, intent)
        for value_type, intent, _, applier in _registry().registered()
        if isinstance(applier, NoStateChange)
    }

    assert no_state_change == {
        "COMMAND_DISTRIBUTION STARTED",
        "COMMAND_DISTRIBUTION FINISHED",
        "DEPLOYMENT CREATED",
        "PROCESS DELETING",
        "PROCESS_INSTANCE CANCELING",
        "PROCESS_INSTANCE_BATCH ACTIVATED",
        "PROCESS_INSTANCE_MODIFICATION MODIFIED",
        "VARIABLE_DOCUMENT UPDATED",
        "VARIABLE_DOCUMENT UPDATE_DENIED",
        "SIGNAL BROADCASTED",
        "ESCALATION ESCALATED",
        "ESCALATION NOT_ESCALATED",
        "DECISION_EVALUATION EVALUATED",
        "DECISION_EVALUATION FAILED",
        "RESOURCE_DELETION DELETING",
        "RESOURCE_DELETION DELETED",
        "MESSAGE_CORRELATION CORRELATED",
        "AD_HOC_SUB_PROCESS_INSTRUCTION ACTIVATED",
        "PROCESS_INSTANCE_MIGRATION MIGRATED",
        "VARIABLE MIGRATED",
        "BATCH_OPERATION_EXECUTION EXECUTING",
        "USER INITIAL_ADMIN_CREATED",
    }


def test_one_applier_object_per_registration() -> None:
    appliers = [applier for _, _, _, applier in _registry().registered()]

    assert len({id(applier) for applier in appliers}) == len(appliers)


def test_one_applier_class_per_event_intent_and_version() -> None:
    """Editing one applier class changes the replay of one (intent, version), never of several."""
    served: dict[type, list[str]] = {}
    for value_type, intent, version, applier in _registry().registered():
        if not isinstance(applier, NoStateChange):
            served.setdefault(type(applier), []).append(f"{_name(value_type, intent)} v{version}")

    shared = {cls.__name__: kinds for cls, kinds in served.items() if len(kinds) > 1}
    assert not shared, f"applier classes serving several event intents or versions: {shared}"
    misnamed = [
        f"{cls.__name__} ({kinds[0]})"
        for cls, kinds in served.items()
        if not cls.__name__.endswith(kinds[0].rsplit(" ", 1)[1].upper())
    ]
    assert not misnamed, f"applier classes not named after their version (XxxV<n>): {misnamed}"


def test_a_registry_missing_an_event_fails_when_it_is_checked() -> None:
    appliers = EventAppliers()
    appliers.register(ValueType.JOB, JobIntent.CREATED, NoStateChange("test"))

    with pytest.raises(MissingApplierError, match="JOB COMPLETED") as raised:
        appliers.check_complete()

    assert "JOB CREATED," not in str(raised.value)
    assert "JOB UPDATED" not in str(raised.value)  # listed as never written


def test_an_event_both_registered_and_listed_as_never_written_fails_the_check() -> None:
    appliers = _registry()
    appliers.register(
        ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ANCESTOR_MIGRATED, NoStateChange("test")
    )

    with pytest.raises(ValueError, match="PROCESS_INSTANCE ANCESTOR_MIGRATED"):
        appliers.check_complete()


def test_a_command_intent_cannot_be_registered() -> None:
    with pytest.raises(ValueError, match="JOB COMPLETE is not an event intent"):
        EventAppliers().register(ValueType.JOB, JobIntent.COMPLETE, NoStateChange("test"))


def test_a_version_cannot_be_registered_twice() -> None:
    appliers = EventAppliers()
    appliers.register(ValueType.JOB, JobIntent.CREATED, NoStateChange("test"))

    with pytest.raises(ValueError, match="already registered"):
        appliers.register(ValueType.JOB, JobIntent.CREATED, NoStateChange("test"))


def test_a_version_outside_1_to_255_cannot_be_registered() -> None:
    for version in (0, 256):
        with pytest.raises(ValueError, match=r"must be in 1\.\.255"):
            EventAppliers().register(ValueType.JOB, JobIntent.CREATED, NoStateChange("test"), version=version)


def _job_event(intent: int, version: int = 1) -> JobRecord:
    return JobRecord(
        position=7,
        key=1,
        record_type=RecordType.EVENT,
        intent=intent,
        record_version=version,
        value=JobRecordValue(type="work"),
    )


def test_replaying_an_event_without_an_applier_raises() -> None:
    appliers = _registry()

    with pytest.raises(MissingApplierError) as raised:
        appliers.apply(_job_event(JobIntent.UPDATED))

    assert str(raised.value) == (
        "no applier for JOB UPDATED version 1 (record at position 7); known versions: none"
    )


def test_replaying_an_event_of_an_unknown_version_raises() -> None:
    appliers = _registry()

    with pytest.raises(MissingApplierError) as raised:
        appliers.apply(_job_event(JobIntent.COMPLETED, version=9))

    assert str(raised.value) == (
        "no applier for JOB COMPLETED version 9 (record at position 7); known versions: 1, 2, 3"
    )


def test_an_event_version_above_255_is_missing_not_another_intents_applier() -> None:
    # the lookup keeps the version in 8 bits: (intent 1, version 257) must not reach (intent 2, version 1)
    calls: list[int] = []
    appliers = EventAppliers()
    appliers.register(ValueType.JOB, JobIntent.COMPLETED, lambda record: calls.append(record.position))

    with pytest.raises(MissingApplierError, match="version 257"):
        appliers.apply(_job_event(JobIntent.COMPLETED - 1, version=257))

    assert calls == []


def test_replaying_an_event_that_changes_no_state_calls_its_registration() -> None:
    calls: list[int] = []
    appliers = EventAppliers()
    appliers.register(ValueType.JOB, JobIntent.CREATED, lambda record: calls.append(record.position))

    appliers.apply(_job_event(JobIntent.CREATED))

    assert calls == [7]


def test_writing_an_event_without_an_applier_raises_before_anything_is_written() -> None:
    result = ResultBuilder(first_position=1, partition_id=1, timestamp=0)
    writers = Writers(_registry()).bind(result)

    with pytest.raises(MissingApplierError, match="JOB UPDATED"):
        writers.append_event(1, JobIntent.UPDATED, JobRecordValue(type="work"))

    assert result.records == []


def test_writing_an_event_uses_the_latest_version_and_applies_it() -> None:
    applied: list[tuple[int, int]] = []
    appliers = EventAppliers()
    appliers.register(ValueType.JOB, JobIntent.CREATED, lambda r: applied.append((1, r.record_version)))
    appliers.register(
        ValueType.JOB, JobIntent.CREATED, lambda r: applied.append((2, r.record_version)), version=2
    )
    appliers.register(ValueType.JOB, JobIntent.CANCELED, NoStateChange("test"))
    result = ResultBuilder(first_position=1, partition_id=1, timestamp=0)
    writers = Writers(appliers).bind(result)

    writers.append_event(1, JobIntent.CREATED, JobRecordValue(type="work"))
    writers.append_event(1, JobIntent.CANCELED, JobRecordValue(type="work"))

    assert applied == [(2, 2)]
    assert [(r.intent, r.record_version) for r in result.records] == [
        (JobIntent.CREATED, 2),
        (JobIntent.CANCELED, 1),
    ]


def test_the_version_to_write_of_an_event_without_an_applier_is_an_error() -> None:
    appliers = _registry()

    assert appliers.latest_version(ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ELEMENT_ACTIVATING) == 2
    with pytest.raises(MissingApplierError, match="PROCESS_INSTANCE ANCESTOR_MIGRATED"):
        appliers.latest_version(ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.ANCESTOR_MIGRATED)
