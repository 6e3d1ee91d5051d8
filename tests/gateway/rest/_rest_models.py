"""BPMN and DMN files the REST tests deploy, and how Camunda's Python client reaches the broker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from broker_process import BrokerProcess

from strom.testing import bpmn

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="dinner" name="Dinner"
             namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="dish" name="Dish">
    <decisionTable id="table" hitPolicy="UNIQUE">
      <input id="season" label="Season">
        <inputExpression id="seasonExpression" typeRef="string"><text>season</text></inputExpression>
      </input>
      <output id="dishOutput" name="dish" typeRef="string"/>
      <rule id="winter"><inputEntry id="w1"><text>"Winter"</text></inputEntry>
        <outputEntry id="w2"><text>"Roastbeef"</text></outputEntry></rule>
      <rule id="summer"><inputEntry id="s1"><text>"Summer"</text></inputEntry>
        <outputEntry id="s2"><text>"Salad"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""

FORM = '{"id": "review-form", "type": "default", "components": [{"key": "approved", "type": "checkbox"}]}'


def write_models(directory: Path) -> dict[str, Path]:
    models = {
        "one_task.bpmn": bpmn.process("one_task")
        .start_event()
        .service_task("task", job_type="rest-work")
        .end_event("end")
        .to_xml(),
        "fragile.bpmn": bpmn.process("fragile")
        .start_event()
        .service_task("print", job_type="rest-fragile")
        .end_event("printed")
        .to_xml(),
        "caught.bpmn": bpmn.process("caught")
        .start_event()
        .service_task("reserve", job_type="rest-reserve")
        .end_event("reserved")
        .boundary_event("outOfStock", attached_to="reserve")
        .error("NO_STOCK")
        .end_event("backordered")
        .to_xml(),
        "review.bpmn": bpmn.process("review").start_event().user_task("approve").end_event().to_xml(),
        "waits.bpmn": bpmn.process("waits")
        .start_event()
        .intermediate_catch_event("payment")
        .message("payment-received", "=orderId")
        .end_event()
        .to_xml(),
        "signalled.bpmn": bpmn.process("signalled")
        .start_event("start")
        .signal("go-signal")
        .end_event()
        .to_xml(),
        "dinner.dmn": DMN,
        "review.form": FORM,
    }
    paths = {}
    for name, text in models.items():
        path = directory / name
        path.write_text(text)
        paths[name] = path
    return paths


def sdk_configuration(broker: BrokerProcess) -> dict[str, Any]:
    return {"CAMUNDA_REST_ADDRESS": broker.rest_address, "CAMUNDA_AUTH_STRATEGY": "NONE"}
