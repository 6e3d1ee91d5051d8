"""Decision evaluation (``POST /decision-definitions/evaluation``)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from strom.gateway.grpc import requests
from strom.gateway.grpc._proto import pb
from strom.gateway.rest.context import RestContext, command_from, json_response, key, text, variables_text
from strom.gateway.rest.operations import Body, Operations

operations = Operations("Decision definition")


class DecisionEvaluationRequest(Body):
    decisionDefinitionId: str | None = None
    decisionDefinitionKey: str | int | None = None
    variables: dict[str, Any] | None = None
    tenantId: str | None = None


@operations.post(
    "/decision-definitions/evaluation",
    "evaluateDecision",
    "Evaluate a decision by id (latest) or key",
    body=DecisionEvaluationRequest,
    body_required=True,
)
async def evaluate_decision(request: Request, body: DecisionEvaluationRequest) -> Response:
    context: RestContext = request.app.state.context
    message = pb.EvaluateDecisionRequest(
        decisionId=body.decisionDefinitionId or "",
        decisionKey=key(body.decisionDefinitionKey, "decisionDefinitionKey")
        if body.decisionDefinitionKey
        else 0,
        variables=variables_text(body.variables),
        tenantId=body.tenantId or "",
    )
    record = await context.send(command_from(requests.evaluate_decision, message), "EvaluateDecision")
    value = record.value
    instance_key = text(record.key)
    return json_response(
        {
            "decisionDefinitionId": value.decision_id,
            "decisionDefinitionKey": text(value.decision_key),
            "decisionDefinitionName": value.decision_name,
            "decisionDefinitionVersion": value.decision_version,
            "decisionEvaluationKey": instance_key,
            "decisionInstanceKey": instance_key,
            "decisionRequirementsId": value.decision_requirements_id,
            "decisionRequirementsKey": text(value.decision_requirements_key),
            "output": value.decision_output,
            "failedDecisionDefinitionId": value.failed_decision_id or None,
            "failureMessage": value.evaluation_failure_message or None,
            "tenantId": value.tenant_id,
            "evaluatedDecisions": [
                {
                    "decisionDefinitionId": d.decision_id,
                    "decisionDefinitionKey": text(d.decision_key),
                    "decisionDefinitionName": d.decision_name,
                    "decisionDefinitionVersion": d.decision_version,
                    "decisionDefinitionType": d.decision_type,
                    "decisionEvaluationInstanceKey": f"{instance_key}-{index}",
                    "output": d.decision_output,
                    "tenantId": d.tenant_id,
                    "matchedRules": [
                        {
                            "ruleId": rule.rule_id,
                            "ruleIndex": rule.rule_index,
                            "evaluatedOutputs": [
                                {
                                    "outputId": o.output_id,
                                    "outputName": o.output_name,
                                    "outputValue": o.output_value,
                                    "ruleId": rule.rule_id,
                                    "ruleIndex": rule.rule_index,
                                }
                                for o in rule.evaluated_outputs
                            ],
                        }
                        for rule in d.matched_rules
                    ],
                    "evaluatedInputs": [
                        {"inputId": i.input_id, "inputName": i.input_name, "inputValue": i.input_value}
                        for i in d.evaluated_inputs
                    ],
                }
                for index, d in enumerate(value.evaluated_decisions, start=1)
            ],
        }
    )
