"""Evaluating deployed decisions: for business rule tasks and for the EvaluateDecision command.

The evaluation writes one DECISION_EVALUATION event, EVALUATED or FAILED, with every decision
evaluated on the way (required decisions first, each with its key and version when it is
deployed, and ``decisionEvaluationInstanceKey`` "<evaluation key>-<n>").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from strom.dmn import DecisionResult
from strom.engine.processing.bpmn.behavior.failure import Failure
from strom.engine.state.decision import DecisionState
from strom.model import BindingType
from strom.protocol.intents import DecisionEvaluationIntent
from strom.protocol.values.decision import DecisionEvaluationRecordValue, DecisionRecordValue
from strom.protocol.values.enums import ErrorType
from strom.stream.key_generator import KeyGenerator

_replace = msgspec.structs.replace


class DecisionBehavior:
    def __init__(self, decisions: DecisionState, keys: KeyGenerator) -> None:
        self._decisions = decisions
        self._keys = keys

    def find(
        self,
        tenant_id: str,
        decision_id: str,
        binding: BindingType,
        version_tag: str | None,
        deployment_key: int,
    ) -> DecisionRecordValue | Failure:
        """The decision of tenant ``tenant_id`` to call by id and binding; a CALLED_DECISION_ERROR
        failure if missing."""
        if binding is BindingType.DEPLOYMENT:
            decision = self._in_deployment(tenant_id, decision_id, deployment_key)
            if decision is None:
                return Failure(
                    f"Expected to evaluate decision '{decision_id}' with binding type 'deployment', "
                    f"but no such decision found in the deployment with key {deployment_key} which "
                    "contained the current process. To resolve this incident, migrate the process "
                    "instance to a process definition that is deployed together with the intended "
                    "decision to evaluate.",
                    ErrorType.CALLED_DECISION_ERROR,
                )
            return decision
        if binding is BindingType.VERSION_TAG:
            decision = self._with_version_tag(tenant_id, decision_id, version_tag or "")
            if decision is None:
                return Failure(
                    f"Expected to evaluate decision with id '{decision_id}' and version tag "
                    f"'{version_tag}', but no such decision found. To resolve this incident, deploy a "
                    "decision with the given id and version tag.",
                    ErrorType.CALLED_DECISION_ERROR,
                )
            return decision
        decision = self._decisions.latest_decision(tenant_id, decision_id)
        if decision is None:
            return Failure(
                f"Expected to evaluate decision '{decision_id}', but no decision found for id "
                f"'{decision_id}'",
                ErrorType.CALLED_DECISION_ERROR,
            )
        return decision

    def by_key(self, tenant_id: str, decision_key: int) -> DecisionRecordValue | Failure:
        """The decision ``decision_key`` if it belongs to tenant ``tenant_id``."""
        decision = self._decisions.decision_by_key(decision_key)
        if decision is None or decision.tenant_id != tenant_id:
            return Failure(
                f"Expected to evaluate decision '{decision_key}', but no decision found for key "
                f"'{decision_key}'",
                ErrorType.CALLED_DECISION_ERROR,
            )
        return decision

    def evaluate(
        self, decision: DecisionRecordValue, variables: Mapping[str, Any], **fields: Any
    ) -> tuple[int, DecisionEvaluationIntent, DecisionEvaluationRecordValue, DecisionResult | None]:
        """Evaluate ``decision``; returns the event's key, intent and value (with ``fields``, the
        process instance's part) and the result (None when the DRG itself is gone)."""
        key = self._keys.next_key()
        base = DecisionEvaluationRecordValue(
            decision_key=decision.decision_key,
            decision_id=decision.decision_id,
            decision_name=decision.decision_name,
            decision_version=decision.version,
            decision_requirements_id=decision.decision_requirements_id,
            decision_requirements_key=decision.decision_requirements_key,
            tenant_id=decision.tenant_id,
            **fields,
        )
        graph = self._decisions.graph(decision.decision_requirements_key)
        if graph is None:
            failed = _replace(
                base,
                evaluation_failure_message=(
                    f"Expected to evaluate decision '{decision.decision_id}', but no drg found for id "
                    f"'{decision.decision_requirements_id}'"
                ),
                failed_decision_id=decision.decision_id,
            )
            return key, DecisionEvaluationIntent.FAILED, failed, None
        result = graph.evaluate(decision.decision_id, dict(variables))
        evaluated = []
        for index, step in enumerate(result.evaluated_decisions, start=1):
            deployed = self._decisions.decision_in_requirements(decision.decision_requirements_key, step.id)
            evaluated.append(
                step.to_record_value(
                    decision_key=deployed.decision_key if deployed is not None else -1,
                    decision_version=deployed.version if deployed is not None else -1,
                    tenant_id=decision.tenant_id,
                    decision_evaluation_instance_key=f"{key}-{index}",
                )
            )
        if result.failure is not None:
            value = _replace(
                base,
                evaluated_decisions=evaluated,
                evaluation_failure_message=result.failure.message,
                failed_decision_id=result.failure.decision_id,
            )
            return key, DecisionEvaluationIntent.FAILED, value, result
        value = _replace(base, evaluated_decisions=evaluated, decision_output=result.output_json)
        return key, DecisionEvaluationIntent.EVALUATED, value, result

    def _in_deployment(
        self, tenant_id: str, decision_id: str, deployment_key: int
    ) -> DecisionRecordValue | None:
        version = self._decisions.latest_decision_version(tenant_id, decision_id)
        while version > 0:
            decision = self._decisions.decision_by_id_and_version(tenant_id, decision_id, version)
            if decision is not None:
                if decision.deployment_key == deployment_key:
                    return decision
                if decision.deployment_key < deployment_key:
                    return None
            version -= 1
        return None

    def _with_version_tag(
        self, tenant_id: str, decision_id: str, version_tag: str
    ) -> DecisionRecordValue | None:
        version = self._decisions.latest_decision_version(tenant_id, decision_id)
        while version > 0:
            decision = self._decisions.decision_by_id_and_version(tenant_id, decision_id, version)
            if decision is not None and decision.version_tag == version_tag:
                return decision
            version -= 1
        return None
