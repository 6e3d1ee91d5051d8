"""Engine answers -> gateway responses (Zeebe's ResponseMapper): JSON text for variables and headers."""

from __future__ import annotations

from typing import Any

import msgspec

from strom.gateway.grpc._proto import pb
from strom.protocol.record import Record
from strom.protocol.values.job import JobRecordValue

_json_encode = msgspec.json.Encoder().encode


def json_text(document: Any) -> str:
    return _json_encode(document).decode()


def deploy_resource(record: Record[Any]) -> pb.DeployResourceResponse:
    value = record.value
    deployments: list[pb.Deployment] = []
    for process in value.processes_metadata:
        deployments.append(
            pb.Deployment(
                process=pb.ProcessMetadata(
                    bpmnProcessId=process.bpmn_process_id,
                    version=process.version,
                    processDefinitionKey=process.process_definition_key,
                    resourceName=process.resource_name,
                    tenantId=process.tenant_id,
                )
            )
        )
    for decision in value.decisions_metadata:
        deployments.append(
            pb.Deployment(
                decision=pb.DecisionMetadata(
                    dmnDecisionId=decision.decision_id,
                    dmnDecisionName=decision.decision_name,
                    version=decision.version,
                    decisionKey=decision.decision_key,
                    dmnDecisionRequirementsId=decision.decision_requirements_id,
                    decisionRequirementsKey=decision.decision_requirements_key,
                    tenantId=decision.tenant_id,
                )
            )
        )
    for drg in value.decision_requirements_metadata:
        deployments.append(
            pb.Deployment(
                decisionRequirements=pb.DecisionRequirementsMetadata(
                    dmnDecisionRequirementsId=drg.decision_requirements_id,
                    dmnDecisionRequirementsName=drg.decision_requirements_name,
                    version=drg.decision_requirements_version,
                    decisionRequirementsKey=drg.decision_requirements_key,
                    resourceName=drg.resource_name,
                    tenantId=drg.tenant_id,
                )
            )
        )
    for form in value.form_metadata:
        deployments.append(
            pb.Deployment(
                form=pb.FormMetadata(
                    formId=form.form_id,
                    version=form.version,
                    formKey=form.form_key,
                    resourceName=form.resource_name,
                    tenantId=form.tenant_id,
                )
            )
        )
    return pb.DeployResourceResponse(
        key=value.deployment_key, deployments=deployments, tenantId=value.tenant_id
    )


def deploy_process(record: Record[Any]) -> pb.DeployProcessResponse:
    value = record.value
    return pb.DeployProcessResponse(
        key=value.deployment_key,
        processes=[
            pb.ProcessMetadata(
                bpmnProcessId=p.bpmn_process_id,
                version=p.version,
                processDefinitionKey=p.process_definition_key,
                resourceName=p.resource_name,
                tenantId=p.tenant_id,
            )
            for p in value.processes_metadata
        ],
    )


def create_process_instance(record: Record[Any]) -> pb.CreateProcessInstanceResponse:
    value = record.value
    return pb.CreateProcessInstanceResponse(
        processDefinitionKey=value.process_definition_key,
        bpmnProcessId=value.bpmn_process_id,
        version=value.version,
        processInstanceKey=value.process_instance_key,
        tenantId=value.tenant_id,
    )


def create_process_instance_with_result(record: Record[Any]) -> pb.CreateProcessInstanceWithResultResponse:
    value = record.value
    return pb.CreateProcessInstanceWithResultResponse(
        processDefinitionKey=value.process_definition_key,
        bpmnProcessId=value.bpmn_process_id,
        version=value.version,
        processInstanceKey=value.process_instance_key,
        variables=json_text(value.variables),
        tenantId=value.tenant_id,
    )


def activated_job(key: int, job: JobRecordValue) -> pb.ActivatedJob:
    return pb.ActivatedJob(
        key=key,
        type=job.type,
        processInstanceKey=job.process_instance_key,
        bpmnProcessId=job.bpmn_process_id,
        processDefinitionVersion=job.process_definition_version,
        processDefinitionKey=job.process_definition_key,
        elementId=job.element_id,
        elementInstanceKey=job.element_instance_key,
        customHeaders=json_text(job.custom_headers),
        worker=job.worker,
        retries=job.retries,
        deadline=job.deadline,
        variables=json_text(job.variables),
        tenantId=job.tenant_id,
    )


def activate_jobs(record: Record[Any]) -> pb.ActivateJobsResponse:
    value = record.value
    return pb.ActivateJobsResponse(
        jobs=[activated_job(key, job) for key, job in zip(value.job_keys, value.jobs, strict=True)]
    )


def publish_message(record: Record[Any]) -> pb.PublishMessageResponse:
    return pb.PublishMessageResponse(key=record.key, tenantId=record.value.tenant_id)


def broadcast_signal(record: Record[Any]) -> pb.BroadcastSignalResponse:
    return pb.BroadcastSignalResponse(key=record.key, tenantId=record.value.tenant_id)


def set_variables(record: Record[Any]) -> pb.SetVariablesResponse:
    return pb.SetVariablesResponse(key=record.key)


def evaluate_decision(record: Record[Any]) -> pb.EvaluateDecisionResponse:
    value = record.value
    return pb.EvaluateDecisionResponse(
        decisionKey=value.decision_key,
        decisionId=value.decision_id,
        decisionName=value.decision_name,
        decisionVersion=value.decision_version,
        decisionRequirementsId=value.decision_requirements_id,
        decisionRequirementsKey=value.decision_requirements_key,
        decisionOutput=value.decision_output,
        evaluatedDecisions=[
            pb.EvaluatedDecision(
                decisionKey=d.decision_key,
                decisionId=d.decision_id,
                decisionName=d.decision_name,
                decisionVersion=d.decision_version,
                decisionType=d.decision_type,
                decisionOutput=d.decision_output,
                matchedRules=[
                    pb.MatchedDecisionRule(
                        ruleId=rule.rule_id,
                        ruleIndex=rule.rule_index,
                        evaluatedOutputs=[
                            pb.EvaluatedDecisionOutput(
                                outputId=o.output_id, outputName=o.output_name, outputValue=o.output_value
                            )
                            for o in rule.evaluated_outputs
                        ],
                    )
                    for rule in d.matched_rules
                ],
                evaluatedInputs=[
                    pb.EvaluatedDecisionInput(
                        inputId=i.input_id, inputName=i.input_name, inputValue=i.input_value
                    )
                    for i in d.evaluated_inputs
                ],
                tenantId=d.tenant_id,
            )
            for d in value.evaluated_decisions
        ],
        failedDecisionId=value.failed_decision_id,
        failureMessage=value.evaluation_failure_message,
        tenantId=value.tenant_id,
        decisionInstanceKey=record.key,
    )
