"""DECISION_EVALUATION EVALUATE (the EvaluateDecision RPC)."""

from __future__ import annotations

from _execution import dmn_table, evaluate_decision

from strom.protocol.enums import RejectionType
from strom.protocol.intents import DecisionEvaluationIntent
from strom.testing import TestEngine


def test_a_decision_is_evaluated_by_id_with_the_given_variables(engine: TestEngine) -> None:
    engine.deploy(("discount.dmn", dmn_table()))

    answer = evaluate_decision(engine, decision_id="discount", variables={"customer": "gold"})

    assert DecisionEvaluationIntent(answer.intent) is DecisionEvaluationIntent.EVALUATED
    assert answer.value.decision_output == "0.15"
    assert answer.value.decision_version == 1
    assert [d.decision_id for d in answer.value.evaluated_decisions] == ["discount"]


def test_a_decision_is_evaluated_by_key(engine: TestEngine) -> None:
    deployment = engine.deploy(("discount.dmn", dmn_table()))
    [decision] = deployment.value.decisions_metadata

    answer = evaluate_decision(engine, decision_key=decision.decision_key, variables={"customer": "x"})

    assert answer.value.decision_output == "0.05"


def test_the_latest_version_is_evaluated(engine: TestEngine) -> None:
    engine.deploy(("discount.dmn", dmn_table()))
    engine.deploy(("discount.dmn", dmn_table().replace(b"0.15", b"0.2")))

    answer = evaluate_decision(engine, decision_id="discount", variables={"customer": "gold"})

    assert (answer.value.decision_version, answer.value.decision_output) == (2, "0.2")


def test_a_failing_evaluation_answers_failed(engine: TestEngine) -> None:
    engine.deploy(("discount.dmn", dmn_table(input_expression="customer.level")))

    answer = evaluate_decision(engine, decision_id="discount", variables={"customer": 1})

    assert DecisionEvaluationIntent(answer.intent) is DecisionEvaluationIntent.FAILED
    assert answer.value.failed_decision_id == "discount"
    assert answer.value.evaluation_failure_message


def test_an_unknown_decision_is_rejected(engine: TestEngine) -> None:
    rejection = evaluate_decision(engine, decision_id="nope", expect_rejection=True)

    assert rejection.rejection_type is RejectionType.NOT_FOUND
    assert (
        rejection.rejection_reason
        == "Expected to evaluate decision 'nope', but no decision found for id 'nope'"
    )


def test_neither_id_nor_key_is_rejected(engine: TestEngine) -> None:
    rejection = evaluate_decision(engine, expect_rejection=True)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
