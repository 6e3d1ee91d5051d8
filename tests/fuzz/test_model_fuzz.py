"""Mutated BPMN and DMN deployed to an in-process engine: each deployment is accepted or REJECTED
with a reason, never a processing error (an exception the engine did not expect), never a hang;
what is accepted also runs (an instance is created, a decision evaluated) without one.

The mutations start from small valid models and do what broken tools and hostile users do:
delete and duplicate elements and attributes, nest deeply, blow up attributes and expressions,
declare entities (internal, external, parameter, billion laughs), XInclude, break the encoding.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from strom.protocol.enums import RecordType, RejectionType
from strom.protocol.intents import (
    DecisionEvaluationIntent,
    DeploymentIntent,
    JobBatchIntent,
    JobIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
)
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.decision import DecisionEvaluationRecordValue
from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource
from strom.protocol.values.job import JobBatchRecordValue, JobRecordValue
from strom.protocol.values.message import MessageRecordValue
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue
from strom.testing._engine import TestEngine

pytestmark = pytest.mark.slow

SLOW_S = 20.0
"""A deployment (or the run after it) taking longer than this is a hang in the making."""

BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="defs" targetNamespace="http://strom.test">
  <bpmn:message id="msg" name="ping">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:error id="err" errorCode="E1"/>
  <bpmn:process id="rich" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="gw"/>
    <bpmn:exclusiveGateway id="gw" default="f3"/>
    <bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="task">
      <bpmn:conditionExpression>=amount &gt; 10</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f3" sourceRef="gw" targetRef="script"/>
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="work" retries="3"/>
        <zeebe:ioMapping>
          <zeebe:input source="=amount * 2" target="doubled"/>
          <zeebe:output source="=doubled" target="out"/>
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="timeout" attachedToRef="task">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:boundaryEvent id="caught" attachedToRef="task">
      <bpmn:errorEventDefinition errorRef="err"/>
    </bpmn:boundaryEvent>
    <bpmn:scriptTask id="script">
      <bpmn:extensionElements>
        <zeebe:script expression="=for x in 1..3 return x * amount" resultVariable="xs"/>
      </bpmn:extensionElements>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f4" sourceRef="task" targetRef="join"/>
    <bpmn:sequenceFlow id="f5" sourceRef="script" targetRef="join"/>
    <bpmn:exclusiveGateway id="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="each"/>
    <bpmn:subProcess id="each">
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=xs" inputElement="x"/>
        </bpmn:extensionElements>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="inner_start"/>
      <bpmn:sequenceFlow id="g1" sourceRef="inner_start" targetRef="decide_task"/>
      <bpmn:businessRuleTask id="decide_task">
        <bpmn:extensionElements>
          <zeebe:calledDecision decisionId="decide" resultVariable="decision"/>
        </bpmn:extensionElements>
      </bpmn:businessRuleTask>
      <bpmn:sequenceFlow id="g2" sourceRef="decide_task" targetRef="inner_end"/>
      <bpmn:endEvent id="inner_end"/>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f7" sourceRef="each" targetRef="wait"/>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:messageEventDefinition messageRef="msg"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f8" sourceRef="wait" targetRef="approve"/>
    <bpmn:userTask id="approve">
      <bpmn:extensionElements>
        <zeebe:userTask/>
        <zeebe:assignmentDefinition assignee="=&quot;demo&quot;"/>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f9" sourceRef="approve" targetRef="end"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f10" sourceRef="timeout" targetRef="end"/>
    <bpmn:sequenceFlow id="f11" sourceRef="caught" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

DMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drg" name="D"
    namespace="http://strom.test/dmn">
  <decision id="decide" name="Decide">
    <informationRequirement id="ir1"><requiredDecision href="#base"/></informationRequirement>
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in1" label="Amount">
        <inputExpression id="ie1" typeRef="number"><text>x</text></inputExpression>
      </input>
      <input id="in2"><inputExpression id="ie2" typeRef="string"><text>base</text></inputExpression></input>
      <output id="out1" name="level" typeRef="string"/>
      <rule id="r1">
        <inputEntry id="e11"><text>&lt; 10</text></inputEntry>
        <inputEntry id="e12"><text>"a","b"</text></inputEntry>
        <outputEntry id="o11"><text>"low"</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="e21"><text>[10..100]</text></inputEntry>
        <inputEntry id="e22"><text>-</text></inputEntry>
        <outputEntry id="o21"><text>"mid"</text></outputEntry>
      </rule>
      <rule id="r3">
        <inputEntry id="e31"><text>-</text></inputEntry>
        <inputEntry id="e32"><text>-</text></inputEntry>
        <outputEntry id="o31"><text>"high"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
  <decision id="base" name="Base">
    <literalExpression id="le"><text>if x &gt; 1 then "a" else "c"</text></literalExpression>
  </decision>
</definitions>
"""

VARIABLES = {"amount": 5, "orderId": "o-1", "x": 5}

_VALUES = [
    "",
    "=",
    "=(",
    "=x",
    "=amount",
    '="\\u0000"',
    "=for i in 1..1000000 return i",
    "PT0S",
    "R/PT1S",
    "-1",
    "99999999999999999999",
    "true",
    "start",
    "each",
    "f1",
    "#base",
    "#nowhere",
    "élément",
    "\u202e",
    "a b",
    "FIRST",
    "COLLECT",
    "UNIQUE",
    "number",
]

_ENTITY_TRICKS = [
    '<!DOCTYPE d [<!ENTITY e "expanded">]>',
    '<!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE d [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>',
    '<!DOCTYPE d SYSTEM "file:///proc/self/fd/0">',
    '<!-- <x --><!DOCTYPE d SYSTEM "http://127.0.0.1:9/evil.dtd">',
    '<!DOCTYPE lolz [<!ENTITY l0 "lol">'
    + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    + "]>",
]


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` parsed, changed by one to four tree edits, serialized, maybe changed as text."""
    root = etree.fromstring(seed)
    for _ in range(draw(st.integers(1, 4))):
        elements = list(root.iter())
        element = elements[draw(st.integers(0, len(elements) - 1))]
        parent = element.getparent()
        op = draw(
            st.sampled_from(
                ["drop", "unset", "set", "duplicate", "nest", "huge", "text", "swap", "move", "ref"]
            )
        )
        if op == "drop" and parent is not None:
            parent.remove(element)
        elif op == "unset" and element.attrib:
            del element.attrib[draw(st.sampled_from(sorted(element.attrib)))]
        elif op == "set":
            names = sorted({*element.attrib, "id", "name", "type", "default", "hitPolicy", "typeRef"})
            element.set(draw(st.sampled_from(names)), draw(st.sampled_from(_VALUES)))
        elif op == "duplicate" and parent is not None:
            parent.insert(parent.index(element), copy.deepcopy(element))
        elif op == "nest" and parent is not None:
            depth = draw(st.sampled_from([10, 200, 3000]))
            inner = copy.deepcopy(element)
            for _ in range(depth):
                wrapper = etree.Element(element.tag)
                wrapper.append(inner)
                inner = wrapper
            parent.replace(element, inner)
        elif op == "huge":
            size = draw(st.sampled_from([100_000, 2_000_000]))
            if draw(st.booleans()):
                element.set("id", "x" * size)
            else:
                element.set("source", "=" + "1+" * (size // 2) + "1")
        elif op == "text" and not len(element):
            element.text = draw(st.sampled_from([*_VALUES, "&lt;", "x" * 100_000]))
        elif op == "swap" and parent is not None and len(parent) > 1:
            other = parent[draw(st.integers(0, len(parent) - 1))]
            element.tag, other.tag = other.tag, element.tag
        elif op == "move" and parent is not None:  # into another scope (a flow into a subprocess …)
            target = elements[draw(st.integers(0, len(elements) - 1))]
            if element not in target.iterancestors() and target is not element:
                parent.remove(element)
                target.append(element)
        elif op == "ref":  # point a reference at any id: flows across scopes, to gateways, to itself
            ids = [candidate.get("id") for candidate in elements if candidate.get("id")]
            attribute = draw(
                st.sampled_from(["sourceRef", "targetRef", "attachedToRef", "default", "href", "messageRef"])
            )
            element.set(attribute, ("#" if attribute == "href" else "") + draw(st.sampled_from(ids)))
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    text_op = draw(st.sampled_from(["none", "none", "entity", "truncate", "bad_utf8", "utf16", "xinclude"]))
    if text_op == "entity":
        declaration, _, body = data.partition(b"?>")
        trick = draw(st.sampled_from(_ENTITY_TRICKS)).encode()
        at = body.index(b">", body.index(b"<")) + 1
        reference = b"&e;" if b"ENTITY e " in trick else b"&l9;" if b"l9" in trick else b""
        data = declaration + b"?>" + trick + body[:at] + reference + body[at:]
    elif text_op == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif text_op == "bad_utf8":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\xc3\x28\xff" + data[at:]
    elif text_op == "utf16":
        data = data.replace(b"UTF-8", b"UTF-16", 1)
    elif text_op == "xinclude":
        at = data.index(b">", data.index(b"<", data.index(b"?>"))) + 1
        data = (
            data[:at]
            + b'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="file:///etc/passwd"'
            + b' parse="text"/>'
            + data[at:]
        )
    return data


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestEngine]:
    test_engine = TestEngine(tmp_path_factory.mktemp("model-fuzz") / "strom")
    yield test_engine
    test_engine.close()


def _answer(engine: TestEngine, value: Any, intent: int, key: int = -1) -> Record[Any]:
    command = RECORD_CLASS_FOR_VALUE[type(value)](
        key=key, record_type=RecordType.COMMAND, intent=intent, value=value
    )
    answers: list[Record[Any]] = []
    engine.partition.submit(command, answers.append)
    engine.run()
    assert len(answers) == 1, f"{len(answers)} answers to {command}"
    return answers[0]


def _not_a_crash(record: Record[Any]) -> None:
    if record.record_type is RecordType.COMMAND_REJECTION:
        assert record.rejection_type is not RejectionType.PROCESSING_ERROR, record.rejection_reason
        assert record.rejection_reason


def _drive(engine: TestEngine) -> None:
    """Move the instances on as far as a worker, a message and the clock can: complete the jobs,
    publish the message they wait for, let two hours pass (timers)."""
    batch = _answer(
        engine,
        JobBatchRecordValue(type="work", worker="fuzz", timeout=60_000, max_jobs_to_activate=50),
        JobBatchIntent.ACTIVATE,
    )
    _not_a_crash(batch)
    for job_key in batch.value.job_keys if batch.record_type is RecordType.EVENT else ():
        _not_a_crash(
            _answer(engine, JobRecordValue(variables={"result": 1}), JobIntent.COMPLETE, key=job_key)
        )
    message = MessageRecordValue(name="ping", correlation_key="o-1", time_to_live=0, variables={"x": 1})
    _not_a_crash(_answer(engine, message, MessageIntent.PUBLISH))
    engine.advance_time(timedelta(hours=2))


def _deploy_and_run(engine: TestEngine, name: str, data: bytes, caplog: pytest.LogCaptureFixture) -> None:
    caplog.clear()
    started = time.monotonic()
    deployed = _answer(
        engine,
        DeploymentRecordValue(resources=[DeploymentResource(resource_name=name, resource=data)]),
        DeploymentIntent.CREATE,
    )
    _not_a_crash(deployed)
    if deployed.record_type is RecordType.EVENT:
        for process in deployed.value.processes_metadata:
            for variables in (VARIABLES, {**VARIABLES, "amount": 50}):  # the script's way, the task's way
                _not_a_crash(
                    _answer(
                        engine,
                        ProcessInstanceCreationRecordValue(
                            process_definition_key=process.process_definition_key, variables=variables
                        ),
                        ProcessInstanceCreationIntent.CREATE,
                    )
                )
            _drive(engine)
        for decision in deployed.value.decisions_metadata:
            _not_a_crash(
                _answer(
                    engine,
                    DecisionEvaluationRecordValue(decision_key=decision.decision_key, variables=VARIABLES),
                    DecisionEvaluationIntent.EVALUATE,
                )
            )
    assert time.monotonic() - started < SLOW_S, f"{name} took {time.monotonic() - started:.1f} s"
    unexpected = [
        r for r in caplog.records if r.levelno >= logging.WARNING and r.name.startswith("strom.stream")
    ]
    assert not unexpected, unexpected[0].getMessage()
    assert engine.partition.failure is None, engine.partition.failure


def test_the_seeds_deploy_and_run(engine: TestEngine, caplog: pytest.LogCaptureFixture) -> None:
    dmn = _answer(
        engine,
        DeploymentRecordValue(resources=[DeploymentResource(resource_name="d.dmn", resource=DMN)]),
        DeploymentIntent.CREATE,
    )
    bpmn = _answer(
        engine,
        DeploymentRecordValue(resources=[DeploymentResource(resource_name="r.bpmn", resource=BPMN)]),
        DeploymentIntent.CREATE,
    )
    assert dmn.record_type is RecordType.EVENT, dmn.rejection_reason
    assert bpmn.record_type is RecordType.EVENT, bpmn.rejection_reason
    _deploy_and_run(engine, "r.bpmn", BPMN, caplog)
    _deploy_and_run(engine, "d.dmn", DMN, caplog)


_SETTINGS = settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)


@_SETTINGS
@given(data=mutated(BPMN))
def test_a_mutated_bpmn_is_deployed_or_rejected_with_a_reason(
    engine: TestEngine, caplog: pytest.LogCaptureFixture, data: bytes
) -> None:
    _deploy_and_run(engine, "fuzz.bpmn", data, caplog)


@_SETTINGS
@given(data=mutated(DMN))
def test_a_mutated_dmn_is_deployed_or_rejected_with_a_reason(
    engine: TestEngine, caplog: pytest.LogCaptureFixture, data: bytes
) -> None:
    _deploy_and_run(engine, "fuzz.dmn", data, caplog)


def test_the_engine_still_works_after_the_fuzzing(
    engine: TestEngine, caplog: pytest.LogCaptureFixture
) -> None:
    _deploy_and_run(engine, "r.bpmn", BPMN, caplog)
    assert engine.partition.failure is None
    assert Path(engine.directory).exists()


# -- what the fuzzing found ------------------------------------------------------------------------


def _deploy(engine: TestEngine, name: str, data: bytes) -> tuple[Record[Any], float]:
    started = time.monotonic()
    answer = _answer(
        engine,
        DeploymentRecordValue(resources=[DeploymentResource(resource_name=name, resource=data)]),
        DeploymentIntent.CREATE,
    )
    return answer, time.monotonic() - started


def test_a_bpmn_with_a_two_megabyte_expression_is_rejected_at_once(engine: TestEngine) -> None:
    """It used to be compiled: two minutes in which the partition served nobody."""
    huge = b"=" + b"1+" * 1_000_000 + b"1"
    data = BPMN.replace(b'source="=amount * 2"', b'source="' + huge + b'"')

    rejection, seconds = _deploy(engine, "huge.bpmn", data)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "expression too long (2000001 characters, at most 100000)" in rejection.rejection_reason
    assert seconds < 10


def test_a_dmn_with_a_two_megabyte_expression_is_rejected_at_once(engine: TestEngine) -> None:
    huge = b"1+" * 1_000_000 + b"1"
    data = DMN.replace(b'if x &gt; 1 then "a" else "c"', huge)

    rejection, seconds = _deploy(engine, "huge.dmn", data)

    assert rejection.rejection_type is RejectionType.INVALID_ARGUMENT
    assert "expression too long" in rejection.rejection_reason
    assert seconds < 10
