"""References bound to the deployment must find their target among the resources deployed with them."""

from __future__ import annotations

from _execution import dmn_table

from strom.protocol.enums import RejectionType
from strom.testing import TestEngine, bpmn


def test_a_call_activity_bound_to_the_deployment_needs_its_process_in_it(engine: TestEngine) -> None:
    caller = (
        bpmn.process("caller")
        .start_event()
        .call_activity("call", called_process_id="callee", binding_type="deployment")
    )

    rejection = engine.deployments.deploy(caller, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "Expected to find process with id 'callee' in current deployment, but not found." in (
        rejection.rejection_reason
    )


def test_a_business_rule_task_bound_to_the_deployment_finds_its_decision_there(engine: TestEngine) -> None:
    rules = (
        bpmn.process("rules")
        .start_event()
        .business_rule_task("rule", decision_id="discount", result_variable="d", binding_type="deployment")
    )

    engine.deploy(("discount.dmn", dmn_table()), rules)
    alone = rules.to_xml().replace('"rules"', '"rules2"')
    rejection = engine.deployments.deploy(alone, expect_rejection=True)

    assert "Expected to find decision with id 'discount' in current deployment" in rejection.rejection_reason
