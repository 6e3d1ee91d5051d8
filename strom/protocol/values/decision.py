"""DECISION, DECISION_REQUIREMENTS and DECISION_EVALUATION values (DMN)."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.protocol.tenant import DEFAULT_TENANT_ID


class DecisionRecordValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A deployed decision; the DMN bytes live with its decision requirements graph (DRG).

    Zeebe uses this one shape both for DECISION records and in a deployment's
    ``decisions_metadata``.
    """

    decision_id: str = ""
    decision_name: str = ""
    version: int = -1
    version_tag: str = ""
    decision_key: int = -1
    decision_requirements_id: str = ""
    decision_requirements_key: int = -1
    duplicate: bool = False
    deployment_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID


class DecisionRequirementsMetadataValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """A deployed DRG (one DMN resource) without its bytes, as listed in a deployment."""

    decision_requirements_id: str = ""
    decision_requirements_name: str = ""
    decision_requirements_version: int = -1
    decision_requirements_key: int = -1
    namespace: str = ""
    resource_name: str = ""
    checksum: bytes = b""
    duplicate: bool = False
    deployment_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID


class DecisionRequirementsRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """A deployed DRG with its DMN bytes."""

    decision_requirements_id: str = ""
    decision_requirements_name: str = ""
    decision_requirements_version: int = -1
    decision_requirements_key: int = -1
    namespace: str = ""
    resource_name: str = ""
    checksum: bytes = b""
    duplicate: bool = False
    deployment_key: int = -1
    tenant_id: str = DEFAULT_TENANT_ID
    resource: bytes = b""


class EvaluatedInputValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A decision table input and the value its expression produced, as JSON text."""

    input_id: str = ""
    input_name: str = ""
    input_value: str = ""


class EvaluatedOutputValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A matched rule's output and the value its expression produced, as JSON text."""

    output_id: str = ""
    output_name: str = ""
    output_value: str = ""


class MatchedRuleValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """A decision table rule whose input entries all matched; ``rule_index`` counts from 1."""

    rule_id: str = ""
    rule_index: int = -1
    evaluated_outputs: list[EvaluatedOutputValue] = []


class EvaluatedDecisionValue(msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True):
    """One decision evaluated on the way to the called decision (required decisions come first).

    ``decision_type`` is the DMN element name (``DECISION_TABLE``, ``LITERAL_EXPRESSION``, …);
    inputs and matched rules are only set for decision tables. ``decision_output`` is JSON text.
    """

    decision_id: str = ""
    decision_name: str = ""
    decision_key: int = -1
    decision_version: int = -1
    decision_type: str = ""
    decision_output: str = ""
    evaluated_inputs: list[EvaluatedInputValue] = []
    matched_rules: list[MatchedRuleValue] = []
    tenant_id: str = DEFAULT_TENANT_ID
    decision_evaluation_instance_key: str = ""


class DecisionEvaluationRecordValue(
    msgspec.Struct, frozen=True, kw_only=True, rename="camel", omit_defaults=True
):
    """The evaluation of a called decision, from a business rule task or the evaluate API.

    On failure ``failed_decision_id`` and ``evaluation_failure_message`` say which decision failed
    and why; both are empty on success. ``decision_output`` is JSON text.
    """

    decision_key: int = -1
    decision_id: str = ""
    decision_name: str = ""
    decision_version: int = -1
    decision_requirements_id: str = ""
    decision_requirements_key: int = -1
    decision_output: str = ""
    bpmn_process_id: str = ""
    process_definition_key: int = -1
    process_instance_key: int = -1
    element_id: str = ""
    element_instance_key: int = -1
    evaluated_decisions: list[EvaluatedDecisionValue] = []
    evaluation_failure_message: str = ""
    failed_decision_id: str = ""
    variables: dict[str, Any] = {}
    tenant_id: str = DEFAULT_TENANT_ID
