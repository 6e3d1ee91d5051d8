"""DMN and form resources in a deployment: DECISION_REQUIREMENTS, DECISION and FORM records."""

from __future__ import annotations

from _execution import dmn_table

from strom.protocol.enums import RejectionType, ValueType
from strom.protocol.intents import DecisionIntent, DecisionRequirementsIntent, DeploymentIntent, FormIntent
from strom.testing import TestEngine

FORM = b'{"id": "approval", "components": [], "versionTag": "v7"}'


def test_a_dmn_resource_creates_its_drg_then_its_decisions_then_the_deployment(engine: TestEngine) -> None:
    deployment = engine.deploy(("discount.dmn", dmn_table()))

    kinds = [(r.value_type.name, r.intent) for r in engine.records.all().events().limit(3)]
    assert kinds == [
        ("DECISION_REQUIREMENTS", DecisionRequirementsIntent.CREATED),
        ("DECISION", DecisionIntent.CREATED),
        ("DEPLOYMENT", DeploymentIntent.CREATED),
    ]
    [drg] = deployment.value.decision_requirements_metadata
    [decision] = deployment.value.decisions_metadata
    assert (drg.decision_requirements_id, drg.decision_requirements_version) == ("drg_discount", 1)
    assert (decision.decision_id, decision.version, decision.decision_requirements_key) == (
        "discount",
        1,
        drg.decision_requirements_key,
    )
    assert decision.deployment_key == deployment.key


def test_deploying_the_same_dmn_again_is_a_duplicate(engine: TestEngine) -> None:
    first = engine.deploy(("discount.dmn", dmn_table()))

    again = engine.deploy(("discount.dmn", dmn_table()))

    [drg] = again.value.decision_requirements_metadata
    [decision] = again.value.decisions_metadata
    assert drg.duplicate and decision.duplicate
    assert decision.decision_key == first.value.decisions_metadata[0].decision_key
    assert len(engine.records.of(ValueType.DECISION).with_intent(DecisionIntent.CREATED).limit(3)) == 1


def test_a_changed_dmn_is_a_new_version(engine: TestEngine) -> None:
    engine.deploy(("discount.dmn", dmn_table()))

    changed = engine.deploy(("discount.dmn", dmn_table().replace(b"0.15", b"0.25")))

    assert changed.value.decisions_metadata[0].version == 2
    assert changed.value.decision_requirements_metadata[0].decision_requirements_version == 2


def test_an_invalid_dmn_rejects_the_whole_deployment(engine: TestEngine, one_task) -> None:
    rejection = engine.deployments.deploy(("broken.dmn", b"<definitions/>"), one_task, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "'broken.dmn'" in rejection.rejection_reason
    assert not engine.records.processes().exists()


def test_a_form_resource_creates_a_form(engine: TestEngine) -> None:
    deployment = engine.deploy(("approval.form", FORM))

    [form] = deployment.value.form_metadata
    created = engine.records.all().events().with_intent(FormIntent.CREATED).first()
    assert (form.form_id, form.version, form.version_tag) == ("approval", 1, "v7")
    assert created.value.form_key == form.form_key


def test_a_form_without_an_id_is_rejected(engine: TestEngine) -> None:
    rejection = engine.deployments.deploy(("nameless.form", b'{"components": []}'), expect_rejection=True)

    assert "Expected the form id to be present, but none given" in rejection.rejection_reason
