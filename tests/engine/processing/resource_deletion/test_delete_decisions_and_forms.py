"""RESOURCE_DELETION DELETE of decision requirements graphs (DRGs) and forms (Zeebe 8.8 semantics):
DELETING, the resource's own DELETED events, DELETED; the version before a deleted latest version
is the latest again; on three partitions the deletion is distributed like a process's."""

from __future__ import annotations

from typing import Any

import pytest
from _execution import evaluate_decision

from strom.protocol.enums import RecordType, RejectionType, ValueType
from strom.protocol.intents import (
    DecisionIntent,
    DecisionRequirementsIntent,
    FormIntent,
    IncidentIntent,
    ResourceDeletionIntent,
    UserTaskIntent,
)
from strom.protocol.keys import partition_of
from strom.protocol.record import Record
from strom.protocol.tenant import DEFAULT_TENANT_ID
from strom.protocol.values.enums import ErrorType
from strom.protocol.values.resource_deletion import ResourceDeletionRecordValue
from strom.testing import TestEngine, bpmn

PARTITIONS = (1, 2, 3)


def rates(base: int = 1, rate: int = 2) -> tuple[str, bytes]:
    """A DRG with two decisions, ``base`` and ``rate`` (literal expressions)."""
    dmn = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drg_rates" name="Rates"
             namespace="http://strom.test/dmn">
  <decision id="rate" name="Rate"><literalExpression><text>{rate}</text></literalExpression></decision>
  <decision id="base" name="Base"><literalExpression><text>{base}</text></literalExpression></decision>
</definitions>"""
    return ("rates.dmn", dmn.encode())


def approval_form(label: str = "ok") -> tuple[str, bytes]:
    return ("approval.form", f'{{"id": "approval", "components": [{{"key": "{label}"}}]}}'.encode())


def deploy_rates(engine: TestEngine, base: int = 1, rate: int = 2) -> Any:
    """The deployment's value: ``decision_requirements_metadata`` and ``decisions_metadata``."""
    return engine.deploy(rates(base, rate)).value


def deploy_form(engine: TestEngine, label: str = "ok") -> Any:
    """The form's metadata (``form_key``, ``version``)."""
    return engine.deploy(approval_form(label)).value.form_metadata[0]


def drg_key(deployment: Any) -> int:
    return int(deployment.decision_requirements_metadata[0].decision_requirements_key)


def decision_keys(deployment: Any) -> dict[str, int]:
    return {d.decision_id: d.decision_key for d in deployment.decisions_metadata}


def delete(engine: TestEngine, key: int, expect_rejection: bool = False) -> Record[Any]:
    return engine.send(
        ResourceDeletionRecordValue(resource_key=key),
        ResourceDeletionIntent.DELETE,
        expect_rejection=expect_rejection,
    )


def deletion_events(engine: TestEngine, limit: int) -> list[tuple[ValueType, int]]:
    kinds = (
        ValueType.RESOURCE_DELETION,
        ValueType.DECISION,
        ValueType.DECISION_REQUIREMENTS,
        ValueType.FORM,
    )
    created = (DecisionIntent.CREATED, DecisionRequirementsIntent.CREATED, FormIntent.CREATED)
    records = (
        engine.records.all()
        .events()
        .where(lambda r: r.value_type in kinds)
        .where(lambda r: r.value_type is ValueType.RESOURCE_DELETION or r.intent not in created)
        .limit(limit)
    )
    return [(r.value_type, r.intent) for r in records]


# -- decision requirements graphs -------------------------------------------------------------------


def test_deleting_a_drg_deletes_each_decision_then_the_drg_and_answers_with_deleting(
    engine: TestEngine,
) -> None:
    deployment = deploy_rates(engine)
    key = drg_key(deployment)

    response = delete(engine, key)

    assert (response.record_type, response.intent) == (RecordType.EVENT, ResourceDeletionIntent.DELETING)
    assert response.value.resource_key == key
    assert deletion_events(engine, 5) == [
        (ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETING),
        (ValueType.DECISION, DecisionIntent.DELETED),
        (ValueType.DECISION, DecisionIntent.DELETED),
        (ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.DELETED),
        (ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETED),
    ]
    deleted = engine.records.of(ValueType.DECISION).with_intent(DecisionIntent.DELETED).limit(2)
    keys = decision_keys(deployment)
    assert [r.value.decision_key for r in deleted] == sorted(keys.values())  # by decision key
    assert {(r.value.decision_id, r.value.version) for r in deleted} == {("rate", 1), ("base", 1)}
    assert {r.value.decision_requirements_key for r in deleted} == {key}
    [drg] = (
        engine.records.of(ValueType.DECISION_REQUIREMENTS)
        .with_intent(DecisionRequirementsIntent.DELETED)
        .limit(1)
    )
    value = drg.value
    assert (value.decision_requirements_key, value.decision_requirements_id) == (key, "drg_rates")
    assert value.decision_requirements_version == 1
    assert value.resource == rates()[1]  # with its DMN bytes, as in Zeebe


def test_a_deleted_drg_and_its_decisions_are_gone_from_state(engine: TestEngine) -> None:
    deployment = deploy_rates(engine)
    key = drg_key(deployment)

    delete(engine, key)

    with engine.state() as state:
        assert state.decisions.requirements_by_key(key) is None
        assert state.decisions.latest_requirements(DEFAULT_TENANT_ID, "drg_rates") is None
        assert state.decisions.graph(key) is None
        for decision_id, decision_key in decision_keys(deployment).items():
            assert state.decisions.decision_by_key(decision_key) is None
            assert state.decisions.latest_decision(DEFAULT_TENANT_ID, decision_id) is None
            assert state.decisions.decision_in_requirements(key, decision_id) is None
        assert state.decisions.decisions_of_requirements(key) == []


def test_deleting_the_latest_drg_makes_the_version_before_the_latest(engine: TestEngine) -> None:
    first = deploy_rates(engine, rate=2)
    second = deploy_rates(engine, rate=3)

    delete(engine, drg_key(second))

    with engine.state() as state:
        latest = state.decisions.latest_requirements(DEFAULT_TENANT_ID, "drg_rates")
        assert latest is not None
        assert (latest.decision_requirements_key, latest.decision_requirements_version) == (drg_key(first), 1)
        assert state.decisions.latest_decision_version(DEFAULT_TENANT_ID, "rate") == 1
        assert (
            state.decisions.highest_requirements_version(DEFAULT_TENANT_ID, "drg_rates") == 2
        )  # never reused
        assert state.decisions.highest_decision_version(DEFAULT_TENANT_ID, "rate") == 2
    answer = evaluate_decision(engine, decision_id="rate")
    assert (answer.value.decision_version, answer.value.decision_output) == (1, "2")
    assert answer.value.decision_key == decision_keys(first)["rate"]


def test_a_decision_of_a_deleted_drg_is_not_found_by_its_key(engine: TestEngine) -> None:
    deploy_rates(engine, rate=2)
    second = deploy_rates(engine, rate=3)
    deleted = decision_keys(second)["rate"]

    delete(engine, drg_key(second))

    rejection = evaluate_decision(engine, decision_key=deleted, expect_rejection=True)
    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == (
        f"Expected to evaluate decision '{deleted}', but no decision found for key '{deleted}'"
    )


def test_deleting_an_older_drg_keeps_the_latest(engine: TestEngine) -> None:
    first = deploy_rates(engine, rate=2)
    second = deploy_rates(engine, rate=3)

    delete(engine, drg_key(first))

    with engine.state() as state:
        latest = state.decisions.latest_requirements(DEFAULT_TENANT_ID, "drg_rates")
        assert latest is not None and latest.decision_requirements_key == drg_key(second)
        assert state.decisions.decision_by_key(decision_keys(first)["rate"]) is None
    answer = evaluate_decision(engine, decision_id="rate")
    assert (answer.value.decision_version, answer.value.decision_output) == (2, "3")


def test_evaluating_by_id_a_decision_whose_only_version_was_deleted_is_not_found(
    engine: TestEngine,
) -> None:
    delete(engine, drg_key(deploy_rates(engine)))

    rejection = evaluate_decision(engine, decision_id="rate", expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND


def test_a_business_rule_task_calling_a_deleted_decision_raises_an_incident(engine: TestEngine) -> None:
    process = (
        bpmn.process("rules")
        .start_event()
        .business_rule_task("task", decision_id="rate", result_variable="r")
        .end_event()
    )
    engine.deploy(process)
    delete(engine, drg_key(deploy_rates(engine)))

    engine.instances.create("rules")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.CALLED_DECISION_ERROR
    assert incident.value.error_message == (
        "Expected to evaluate decision 'rate', but no decision found for id 'rate'"
    )


def test_a_drg_deployed_again_after_deleting_an_older_version_is_a_new_version(engine: TestEngine) -> None:
    first = deploy_rates(engine, rate=2)
    deploy_rates(engine, rate=3)
    delete(engine, drg_key(first))

    again = deploy_rates(engine, rate=2)  # the deleted version's content: not the latest, so new

    assert again.decision_requirements_metadata[0].decision_requirements_version == 3
    assert not again.decision_requirements_metadata[0].duplicate
    assert {d.version for d in again.decisions_metadata} == {3}


def test_a_drg_deployed_again_after_deleting_the_latest_is_a_new_version(engine: TestEngine) -> None:
    deploy_rates(engine, rate=2)
    second = deploy_rates(engine, rate=3)
    delete(engine, drg_key(second))

    again = deploy_rates(engine, rate=3)  # the deleted version's content again

    assert again.decision_requirements_metadata[0].decision_requirements_version == 3
    assert {d.version for d in again.decisions_metadata} == {3}


def test_a_drg_is_deleted_once(engine: TestEngine) -> None:
    key = drg_key(deploy_rates(engine))
    delete(engine, key)

    rejection = delete(engine, key, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == f"Expected to delete resource but no resource found with key `{key}`"


def test_a_decision_key_is_not_a_resource_to_delete(engine: TestEngine) -> None:
    decision_key = decision_keys(deploy_rates(engine))["rate"]

    rejection = delete(engine, decision_key, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND  # only its DRG is (as in Zeebe)


def test_deleting_an_unknown_key_is_not_found(engine: TestEngine) -> None:
    rejection = delete(engine, 2251799813685999, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert rejection.rejection_reason == (
        "Expected to delete resource but no resource found with key `2251799813685999`"
    )


# -- forms ------------------------------------------------------------------------------------------


def review(engine: TestEngine) -> None:
    engine.deploy(bpmn.process("review").start_event().user_task("approve", form_id="approval").end_event())


def test_deleting_a_form_writes_form_deleted_between_deleting_and_deleted(engine: TestEngine) -> None:
    form = deploy_form(engine)

    response = delete(engine, form.form_key)

    assert (response.record_type, response.intent) == (RecordType.EVENT, ResourceDeletionIntent.DELETING)
    assert deletion_events(engine, 3) == [
        (ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETING),
        (ValueType.FORM, FormIntent.DELETED),
        (ValueType.RESOURCE_DELETION, ResourceDeletionIntent.DELETED),
    ]
    [deleted] = engine.records.of(ValueType.FORM).with_intent(FormIntent.DELETED).limit(1)
    assert (deleted.value.form_key, deleted.value.form_id, deleted.value.version) == (
        form.form_key,
        "approval",
        1,
    )
    assert deleted.value.resource == approval_form()[1]
    with engine.state() as state:
        assert state.forms.by_key(form.form_key) is None
        assert state.forms.latest(DEFAULT_TENANT_ID, "approval") is None
        assert state.forms.by_id_and_version(DEFAULT_TENANT_ID, "approval", 1) is None


def test_deleting_the_latest_form_makes_the_version_before_the_latest(engine: TestEngine) -> None:
    first = deploy_form(engine, "ok")
    second = deploy_form(engine, "yes")

    delete(engine, second.form_key)

    with engine.state() as state:
        latest = state.forms.latest(DEFAULT_TENANT_ID, "approval")
        assert latest is not None and (latest.form_key, latest.version) == (first.form_key, 1)
        assert state.forms.highest_version(DEFAULT_TENANT_ID, "approval") == 2  # never reused


def test_deleting_an_older_form_keeps_the_latest(engine: TestEngine) -> None:
    first = deploy_form(engine, "ok")
    second = deploy_form(engine, "yes")

    delete(engine, first.form_key)

    with engine.state() as state:
        latest = state.forms.latest(DEFAULT_TENANT_ID, "approval")
        assert latest is not None and latest.form_key == second.form_key
        assert state.forms.by_key(first.form_key) is None


def test_a_user_task_keeps_the_key_of_a_deleted_form_and_a_new_one_links_the_version_before(
    engine: TestEngine,
) -> None:
    review(engine)
    first = deploy_form(engine, "ok")
    second = deploy_form(engine, "yes")
    engine.instances.create("review")

    delete(engine, second.form_key)  # Zeebe changes no user task
    engine.instances.create("review")

    created = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).limit(2)
    assert [r.value.form_key for r in created] == [second.form_key, first.form_key]
    assert not engine.records.user_tasks().with_intent(UserTaskIntent.CANCELED).exists()


def test_a_user_task_linking_a_form_whose_only_version_was_deleted_raises_an_incident(
    engine: TestEngine,
) -> None:
    review(engine)
    delete(engine, deploy_form(engine).form_key)

    engine.instances.create("review")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.FORM_NOT_FOUND


def test_a_form_deployed_again_after_deleting_an_older_version_is_a_new_version(engine: TestEngine) -> None:
    first = deploy_form(engine, "ok")
    deploy_form(engine, "yes")
    delete(engine, first.form_key)

    again = deploy_form(engine, "ok")

    assert (again.version, again.duplicate) == (3, False)


def test_a_form_deployed_again_after_deleting_the_latest_is_a_new_version(engine: TestEngine) -> None:
    deploy_form(engine, "ok")
    second = deploy_form(engine, "yes")
    delete(engine, second.form_key)

    again = deploy_form(engine, "yes")

    assert again.version == 3


def test_deleted_resources_stay_deleted_after_a_restart(engine: TestEngine) -> None:
    deploy_rates(engine, rate=2)
    drg = drg_key(deploy_rates(engine, rate=3))
    deploy_form(engine, "ok")
    form = deploy_form(engine, "yes").form_key
    delete(engine, drg)
    delete(engine, form)

    engine.restart()

    with engine.state() as state:
        assert state.decisions.requirements_by_key(drg) is None
        assert state.decisions.latest_requirements_version(DEFAULT_TENANT_ID, "drg_rates") == 1
        assert state.decisions.highest_requirements_version(DEFAULT_TENANT_ID, "drg_rates") == 2
        assert state.forms.by_key(form) is None
        assert (
            state.forms.latest_version(DEFAULT_TENANT_ID, "approval"),
            state.forms.highest_version(DEFAULT_TENANT_ID, "approval"),
        ) == (1, 2)


# -- three partitions -------------------------------------------------------------------------------


def holding(engine: TestEngine, key: int) -> list[int]:
    """The partitions that hold the DRG or form ``key``."""
    found = []
    for partition_id in PARTITIONS:
        with engine.state(partition_id) as state:
            if state.decisions.requirements_by_key(key) is not None or state.forms.by_key(key) is not None:
                found.append(partition_id)
    return found


def deletion_commands(engine: TestEngine) -> list[tuple[int, Record[Any]]]:
    return [
        (target, command)
        for target, command in engine.transport.sent
        if command.value_type is ValueType.RESOURCE_DELETION
    ]


def rejections_on(engine: TestEngine, partition_id: int) -> list[Record[Any]]:
    return engine.records.of(ValueType.RESOURCE_DELETION).rejections().on_partition(partition_id).limit(10)


@pytest.mark.partitions(3)
def test_a_drg_and_a_form_are_deleted_on_every_partition(engine: TestEngine) -> None:
    first = deploy_rates(engine, rate=2)
    second = deploy_rates(engine, rate=3)
    form = deploy_form(engine)
    assert holding(engine, drg_key(second)) == [1, 2, 3]
    assert holding(engine, form.form_key) == [1, 2, 3]

    responses = [delete(engine, drg_key(second)), delete(engine, form.form_key)]

    assert [partition_of(r.key) for r in responses] == [1, 1]
    assert holding(engine, drg_key(second)) == []
    assert holding(engine, form.form_key) == []
    for value_type, intent, count in (
        (ValueType.DECISION, DecisionIntent.DELETED, 6),
        (ValueType.DECISION_REQUIREMENTS, DecisionRequirementsIntent.DELETED, 3),
        (ValueType.FORM, FormIntent.DELETED, 3),
    ):
        events = engine.records.of(value_type).with_intent(intent).limit(count + 1)
        assert len(events) == count
        assert sorted({r.partition_id for r in events}) == [1, 2, 3]
    finished = (
        engine.records.of(ValueType.RESOURCE_DELETION)
        .events()
        .with_intent(ResourceDeletionIntent.DELETED)
        .limit(7)
    )
    assert sorted((r.key, r.partition_id) for r in finished) == sorted(
        (response.key, partition_id) for response in responses for partition_id in PARTITIONS
    )
    for partition_id in PARTITIONS:
        with engine.state(partition_id) as state:
            latest = state.decisions.latest_decision(DEFAULT_TENANT_ID, "rate")
            assert latest is not None and latest.decision_key == decision_keys(first)["rate"]
            assert state.forms.latest(DEFAULT_TENANT_ID, "approval") is None
    assert not engine.pending_distributions()


@pytest.mark.partitions(3)
def test_a_repeated_delivery_of_a_form_deletion_is_rejected_and_acknowledged_again(
    engine: TestEngine,
) -> None:
    form = deploy_form(engine)
    delete(engine, form.form_key)
    commands = deletion_commands(engine)
    assert sorted(target for target, _ in commands) == [2, 3]

    for target, command in commands:
        engine.partitions[target].submit(command)
    engine.run()

    for target, _ in commands:
        [rejection] = rejections_on(engine, target)
        assert rejection.rejection_type == RejectionType.NOT_FOUND
        assert "a repeated delivery" in rejection.rejection_reason
    assert len(engine.records.of(ValueType.FORM).with_intent(FormIntent.DELETED).limit(10)) == 3
    assert not engine.pending_distributions()


@pytest.mark.partitions(3)
def test_a_drg_deletion_that_arrives_before_its_deployment_waits_for_it(engine: TestEngine) -> None:
    engine.transport.hold()
    key = drg_key(deploy_rates(engine))
    engine.transport.drop()  # the deployment did not reach partitions 2 and 3 (yet)

    delete(engine, key)

    for partition_id in (2, 3):
        [rejection] = rejections_on(engine, partition_id)
        assert rejection.rejection_type == RejectionType.NOT_FOUND
        assert "its deployment has not reached this partition yet" in rejection.rejection_reason
    for _ in range(3):
        engine.advance_time(11)  # the deployment is sent again first, then the deletion

    assert holding(engine, key) == []
    assert not engine.pending_distributions()
    drgs = (
        engine.records.of(ValueType.DECISION_REQUIREMENTS)
        .with_intent(DecisionRequirementsIntent.DELETED)
        .limit(4)
    )
    assert sorted(r.partition_id for r in drgs) == [1, 2, 3]
