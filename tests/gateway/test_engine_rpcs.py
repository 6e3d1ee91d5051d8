"""RPCs whose engine side landed with BPMN execution I and II: messages, signals, decisions,
process instance modification, DMN and form deployment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import grpc
import pytest
from broker_process import BrokerProcess

from strom.gateway.grpc._proto import GatewayStub, pb
from strom.testing import bpmn

pytestmark = pytest.mark.slow

DMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drg_rates"
             name="Rates" namespace="http://strom.test/gateway">
  <decision id="rate" name="Rate">
    <decisionTable id="rate_table" hitPolicy="FIRST">
      <input id="tier_in" label="Tier">
        <inputExpression id="tier_expr" typeRef="string"><text>tier</text></inputExpression>
      </input>
      <output id="rate_out" name="rate" typeRef="number"/>
      <rule id="rule_gold"><inputEntry id="gold_in"><text>"gold"</text></inputEntry>
        <outputEntry id="gold_out"><text>0.15</text></outputEntry></rule>
      <rule id="rule_any"><inputEntry id="any_in"><text>-</text></inputEntry>
        <outputEntry id="any_out"><text>0.05</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


@pytest.fixture(scope="module")
def stub(broker: BrokerProcess) -> Iterator[GatewayStub]:
    with grpc.insecure_channel(broker.address) as channel:
        yield GatewayStub(channel)


def _deploy(stub: GatewayStub, name: str, content: bytes) -> Any:
    return stub.DeployResource(pb.DeployResourceRequest(resources=[pb.Resource(name=name, content=content)]))


def _fails(call: Any) -> tuple[grpc.StatusCode, str]:
    with pytest.raises(grpc.RpcError) as raised:
        call()
    return raised.value.code(), raised.value.details()


# -- messages --------------------------------------------------------------------------------------


def _message_catch_process() -> bytes:
    builder = (
        bpmn.process("awaits_payment")
        .start_event()
        .intermediate_catch_event("wait")
        .message("payment-received", "=orderId")
        .end_event("done")
    )
    return builder.to_xml().encode()


def test_a_published_message_is_correlated_to_a_waiting_instance(
    stub: GatewayStub, broker: BrokerProcess
) -> None:
    _deploy(stub, "pay.bpmn", _message_catch_process())
    created = stub.CreateProcessInstance(
        pb.CreateProcessInstanceRequest(bpmnProcessId="awaits_payment", variables='{"orderId": "o-1"}')
    )

    answer = stub.PublishMessage(
        pb.PublishMessageRequest(
            name="payment-received", correlationKey="o-1", timeToLive=60_000, variables='{"amount": 12}'
        )
    )

    assert answer.key > 0 and answer.tenantId == "<default>"
    broker.wait_for_record(
        "PROCESS_INSTANCE", "ELEMENT_COMPLETED", key=created.processInstanceKey, bpmn_element_type="PROCESS"
    )
    variable = broker.wait_for_record(
        "VARIABLE", "CREATED", name="amount", process_instance_key=created.processInstanceKey
    )
    assert variable["value"]["value"] == "12"


def test_a_message_id_is_unique_while_the_message_lives(stub: GatewayStub) -> None:
    request = pb.PublishMessageRequest(name="once", correlationKey="k", messageId="m-1", timeToLive=60_000)
    stub.PublishMessage(request)

    code, message = _fails(lambda: stub.PublishMessage(request))

    assert code is grpc.StatusCode.ALREADY_EXISTS
    assert "m-1" in message


# -- signals ---------------------------------------------------------------------------------------


def test_a_broadcast_signal_starts_an_instance_at_a_signal_start_event(
    stub: GatewayStub, broker: BrokerProcess
) -> None:
    xml = bpmn.process("on_alarm").start_event().signal("fire-alarm").end_event().to_xml().encode()
    _deploy(stub, "alarm.bpmn", xml)

    answer = stub.BroadcastSignal(
        pb.BroadcastSignalRequest(signalName="fire-alarm", variables='{"floor": 3}')
    )

    assert answer.key > 0
    started = broker.wait_for_record(
        "PROCESS_INSTANCE", "ELEMENT_COMPLETED", bpmn_element_type="PROCESS", bpmn_process_id="on_alarm"
    )
    floor = broker.wait_for_record(
        "VARIABLE", "CREATED", name="floor", process_instance_key=started["value"]["processInstanceKey"]
    )
    assert floor["value"]["value"] == "3"


# -- decisions -------------------------------------------------------------------------------------


def test_deploy_and_evaluate_a_decision(stub: GatewayStub) -> None:
    deployment = _deploy(stub, "rates.dmn", DMN)
    kinds = {item.WhichOneof("Metadata") for item in deployment.deployments}
    [decision] = [item.decision for item in deployment.deployments if item.HasField("decision")]
    [drg] = [
        item.decisionRequirements for item in deployment.deployments if item.HasField("decisionRequirements")
    ]

    by_id = stub.EvaluateDecision(pb.EvaluateDecisionRequest(decisionId="rate", variables='{"tier": "gold"}'))
    by_key = stub.EvaluateDecision(
        pb.EvaluateDecisionRequest(decisionKey=decision.decisionKey, variables='{"tier": "bronze"}')
    )

    assert kinds == {"decision", "decisionRequirements"}
    assert (decision.dmnDecisionId, decision.dmnDecisionName, decision.version) == ("rate", "Rate", 1)
    assert (drg.dmnDecisionRequirementsId, drg.resourceName) == ("drg_rates", "rates.dmn")
    assert decision.decisionRequirementsKey == drg.decisionRequirementsKey
    assert json.loads(by_id.decisionOutput) == 0.15
    assert json.loads(by_key.decisionOutput) == 0.05
    assert (by_id.decisionId, by_id.decisionKey, by_id.failedDecisionId) == ("rate", decision.decisionKey, "")
    [evaluated] = by_id.evaluatedDecisions
    assert [rule.ruleId for rule in evaluated.matchedRules] == ["rule_gold"]
    assert [(i.inputId, json.loads(i.inputValue)) for i in evaluated.evaluatedInputs] == [("tier_in", "gold")]


def test_an_unknown_decision_is_not_found(stub: GatewayStub) -> None:
    code, message = _fails(lambda: stub.EvaluateDecision(pb.EvaluateDecisionRequest(decisionId="nope")))

    assert code is grpc.StatusCode.NOT_FOUND
    assert "'nope'" in message


# -- modification ----------------------------------------------------------------------------------


def test_modify_process_instance_moves_the_token(stub: GatewayStub, broker: BrokerProcess) -> None:
    xml = (
        bpmn.process("movable")
        .start_event()
        .service_task("first", job_type="first-work")
        .service_task("second", job_type="second-work")
        .end_event()
        .to_xml()
        .encode()
    )
    _deploy(stub, "movable.bpmn", xml)
    created = stub.CreateProcessInstance(pb.CreateProcessInstanceRequest(bpmnProcessId="movable"))
    first = broker.wait_for_record(
        "PROCESS_INSTANCE",
        "ELEMENT_ACTIVATED",
        element_id="first",
        process_instance_key=created.processInstanceKey,
    )

    Request = pb.ModifyProcessInstanceRequest
    stub.ModifyProcessInstance(
        Request(
            processInstanceKey=created.processInstanceKey,
            activateInstructions=[
                Request.ActivateInstruction(
                    elementId="second",
                    # -1 is "no ancestor" in Zeebe's proto; the Node SDK sends it
                    ancestorElementInstanceKey=-1,
                    variableInstructions=[Request.VariableInstruction(variables='{"moved": true}')],
                )
            ],
            terminateInstructions=[Request.TerminateInstruction(elementInstanceKey=first["key"])],
        )
    )

    request = pb.ActivateJobsRequest(
        type="second-work", worker="w", timeout=10_000, maxJobsToActivate=1, requestTimeout=5_000
    )
    [job] = [job for answer in stub.ActivateJobs(request) for job in answer.jobs]
    assert job.processInstanceKey == created.processInstanceKey
    assert json.loads(job.variables)["moved"] is True
    broker.wait_for_record("PROCESS_INSTANCE", "ELEMENT_TERMINATED", key=first["key"])


def test_modifying_an_unknown_instance_is_not_found(stub: GatewayStub) -> None:
    Request = pb.ModifyProcessInstanceRequest
    request = Request(
        processInstanceKey=2251799813999998,
        activateInstructions=[Request.ActivateInstruction(elementId="x")],
    )

    code, message = _fails(lambda: stub.ModifyProcessInstance(request))

    assert code is grpc.StatusCode.NOT_FOUND
    assert "2251799813999998" in message


def test_deploy_a_form(stub: GatewayStub) -> None:
    form = json.dumps({"id": "approval", "type": "default", "components": []}).encode()

    deployment = _deploy(stub, "approval.form", form)

    [item] = deployment.deployments
    assert (item.form.formId, item.form.version, item.form.resourceName) == ("approval", 1, "approval.form")
    assert item.form.formKey > 0


def test_deleting_a_decision_requirements_graph_deletes_its_decisions(stub: GatewayStub) -> None:
    dmn = DMN.replace(b'id="drg_rates"', b'id="drg_delete"').replace(b'id="rate"', b'id="rate_delete"')
    deployment = _deploy(stub, "rates-for-deletion.dmn", dmn)
    [drg] = [
        item.decisionRequirements for item in deployment.deployments if item.HasField("decisionRequirements")
    ]
    [decision] = [item.decision for item in deployment.deployments if item.HasField("decision")]

    stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=drg.decisionRequirementsKey))

    for request in (
        pb.EvaluateDecisionRequest(decisionKey=decision.decisionKey),
        pb.EvaluateDecisionRequest(decisionId="rate_delete"),
    ):
        code, _ = _fails(lambda request=request: stub.EvaluateDecision(request))
        assert code is grpc.StatusCode.NOT_FOUND
    code, message = _fails(
        lambda: stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=drg.decisionRequirementsKey))
    )
    assert code is grpc.StatusCode.NOT_FOUND
    assert str(drg.decisionRequirementsKey) in message


def test_deleting_a_form(stub: GatewayStub) -> None:
    form = json.dumps({"id": "form_to_delete", "type": "default", "components": []}).encode()
    [item] = _deploy(stub, "form-to-delete.form", form).deployments

    stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=item.form.formKey))

    code, _ = _fails(lambda: stub.DeleteResource(pb.DeleteResourceRequest(resourceKey=item.form.formKey)))
    assert code is grpc.StatusCode.NOT_FOUND
