"""The processes the browser tests deploy: one drawn (with diagram interchange, as a modeler saves
it), others written by the test builder without a layout (Operate lays them out itself), and a
Camunda Form that a user task links."""

from __future__ import annotations

import json

from strom.testing import bpmn

ORDER = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
    xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
    xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
    id="ui_order_definitions" targetNamespace="http://strom.test/ui">
  <bpmn:process id="ui_order" name="Order" isExecutable="true">
    <bpmn:startEvent id="placed" name="Order placed">
      <bpmn:outgoing>to_charge</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="to_charge" sourceRef="placed" targetRef="charge"/>
    <bpmn:serviceTask id="charge" name="Charge card">
      <bpmn:extensionElements><zeebe:taskDefinition type="ui-charge"/></bpmn:extensionElements>
      <bpmn:incoming>to_charge</bpmn:incoming>
      <bpmn:outgoing>to_done</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to_done" sourceRef="charge" targetRef="done"/>
    <bpmn:endEvent id="done" name="Order paid">
      <bpmn:incoming>to_done</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="ui_order_diagram">
    <bpmndi:BPMNPlane id="ui_order_plane" bpmnElement="ui_order">
      <bpmndi:BPMNShape id="placed_di" bpmnElement="placed">
        <dc:Bounds x="152" y="102" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="charge_di" bpmnElement="charge">
        <dc:Bounds x="250" y="80" width="100" height="80"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="done_di" bpmnElement="done">
        <dc:Bounds x="412" y="102" width="36" height="36"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="to_charge_di" bpmnElement="to_charge">
        <di:waypoint x="188" y="120"/>
        <di:waypoint x="250" y="120"/>
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="to_done_di" bpmnElement="to_done">
        <di:waypoint x="350" y="120"/>
        <di:waypoint x="412" y="120"/>
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

REVIEW = (
    bpmn.process("ui_review", "Review")
    .start_event("submitted")
    .user_task("approve")
    .named("Approve order")
    .end_event("reviewed")
    .to_xml()
)

DECISION_FORM = json.dumps(
    {
        "id": "ui-decision",
        "type": "default",
        "components": [
            {"key": "total", "label": "Total", "type": "number"},
            {"key": "approved", "label": "Approve the order", "type": "checkbox"},
            {"key": "comment", "label": "Comment", "type": "textfield", "validate": {"required": True}},
        ],
    }
)

DECISION = (
    bpmn.process("ui_decision", "Decision")
    .start_event()
    .user_task("decide", form_id="ui-decision")
    .named("Decide on the order")
    .end_event()
    .to_xml()
)

START_FORM = json.dumps(
    {
        "id": "ui-start",
        "type": "default",
        "components": [
            {"key": "customer", "label": "Customer", "type": "textfield", "validate": {"required": True}}
        ],
    }
)

STARTED = (
    bpmn.process("ui_started", "Started by hand")
    .start_event("requested", form_id="ui-start")
    .user_task("follow_up")
    .named("Follow up")
    .end_event()
    .to_xml()
)

PARENT = (
    bpmn.process("ui_parent", "Parent")
    .start_event()
    .call_activity("call_order", called_process_id="ui_order")
    .end_event()
    .to_xml()
)

SALES = (
    bpmn.process("ui_sales", "Sales")
    .start_event()
    .user_task("call_customer", candidate_groups="sales")
    .named("Call the customer")
    .end_event()
    .to_xml()
)

DISH = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="ui_dinner" name="Dinner"
             namespace="http://strom.test/ui">
  <decision id="ui_dish" name="Dish">
    <decisionTable id="ui_dish_table" hitPolicy="UNIQUE">
      <input id="season" label="Season">
        <inputExpression id="season_expression" typeRef="string"><text>season</text></inputExpression>
      </input>
      <output id="dish" name="dish" typeRef="string"/>
      <rule id="winter"><inputEntry id="winter_in"><text>"Winter"</text></inputEntry>
        <outputEntry id="winter_out"><text>"Roastbeef"</text></outputEntry></rule>
      <rule id="summer"><inputEntry id="summer_in"><text>"Summer"</text></inputEntry>
        <outputEntry id="summer_out"><text>"Salad"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""

MODELS = {
    "ui_order.bpmn": ORDER,
    "ui_review.bpmn": REVIEW,
    "ui_decision.bpmn": DECISION,
    "ui_decision.form": DECISION_FORM,
    "ui_started.bpmn": STARTED,
    "ui_start.form": START_FORM,
    "ui_parent.bpmn": PARENT,
    "ui_dinner.dmn": DISH,
    "ui_sales.bpmn": SALES,
}
