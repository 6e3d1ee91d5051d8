"""Business rule task: a deployed decision evaluated by the engine, or a job for a worker."""

from __future__ import annotations

from _execution import complete_jobs, completed, dmn_table, lifecycle

from strom.protocol.intents import DecisionEvaluationIntent, IncidentIntent
from strom.protocol.values.enums import ErrorType
from strom.testing import TestEngine, bpmn


def _rule_task(decision_id: str = "discount") -> bpmn.ProcessBuilder:
    return (
        bpmn.process("rules")
        .start_event()
        .business_rule_task("rule", decision_id=decision_id, result_variable="discount")
        .end_event()
    )


def test_the_decision_output_is_stored_in_the_result_variable(engine: TestEngine) -> None:
    engine.deploy(("discount.dmn", dmn_table()), _rule_task())

    instance = engine.instances.create("rules", {"customer": "gold"})

    result = engine.records.variables().with_name("discount").first()
    assert (result.value.value, result.value.scope_key) == ("0.15", instance)
    assert completed(engine, instance)


def test_the_evaluation_is_recorded_with_every_decision_evaluated(engine: TestEngine) -> None:
    deployment = engine.deploy(("discount.dmn", dmn_table()), _rule_task())
    [decision] = deployment.value.decisions_metadata

    instance = engine.instances.create("rules", {"customer": "silver"})

    evaluation = engine.records.decision_evaluations().with_intent(DecisionEvaluationIntent.EVALUATED).first()
    value = evaluation.value
    assert (value.decision_id, value.decision_key, value.decision_output) == (
        "discount",
        decision.decision_key,
        "0.05",
    )
    assert (value.process_instance_key, value.element_id) == (instance, "rule")
    [evaluated] = value.evaluated_decisions
    assert evaluated.decision_type == "DECISION_TABLE"
    assert [rule.rule_id for rule in evaluated.matched_rules] == ["other"]
    assert evaluated.evaluated_inputs[0].input_value == '"silver"'
    assert evaluated.decision_evaluation_instance_key == f"{evaluation.key}-1"


def test_a_missing_decision_is_a_called_decision_error(engine: TestEngine) -> None:
    engine.deploy(_rule_task("unknown"))

    engine.instances.create("rules")

    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert incident.value.error_type is ErrorType.CALLED_DECISION_ERROR
    assert incident.value.error_message == (
        "Expected to evaluate decision 'unknown', but no decision found for id 'unknown'"
    )


def test_a_failed_evaluation_is_recorded_and_raises_an_incident(engine: TestEngine) -> None:
    engine.deploy(("discount.dmn", dmn_table(input_expression="customer.level")), _rule_task())
    instance = engine.instances.create("rules", {"customer": 5})

    failed = engine.records.decision_evaluations().with_intent(DecisionEvaluationIntent.FAILED).first()
    incident = engine.records.incidents().with_intent(IncidentIntent.CREATED).first()
    assert failed.value.failed_decision_id == "discount"
    assert incident.value.error_type is ErrorType.DECISION_EVALUATION_ERROR
    assert incident.value.error_message == failed.value.evaluation_failure_message
    assert lifecycle(engine, "rule") == ["ELEMENT_ACTIVATING"]

    engine.variables.set(instance, {"customer": {"level": "gold"}})
    engine.incidents.resolve(incident.key)

    assert completed(engine, instance)


def test_a_business_rule_task_with_a_task_definition_is_done_by_a_job_worker(engine: TestEngine) -> None:
    engine.deploy(
        bpmn.process("job_rule").start_event().service_task("r", job_type="br", tag="businessRuleTask")
    )
    instance = engine.instances.create("job_rule")

    assert complete_jobs(engine, "br") == 1
    assert completed(engine, instance)
