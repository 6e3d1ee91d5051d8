"""A valid document that uses most of what Zeebe supports, for element and fuzz tests."""

from __future__ import annotations

from ._bpmn import definitions

RICH = definitions(
    """
  <bpmn:message id="orderMsg" name="order-placed" />
  <bpmn:message id="payMsg" name="payment">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:message id="cancelMsg" name="cancel">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId" /></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:message id="notifyMsg" name="=&quot;notify-&quot; + kind" />
  <bpmn:signal id="sig" name="alarm" />
  <bpmn:error id="err" name="Failure" errorCode="PAYMENT_FAILED" />
  <bpmn:escalation id="esc" name="Late" escalationCode="LATE" />
  <bpmn:collaboration id="collab">
    <bpmn:participant id="pool" name="Shop" processRef="order" />
  </bpmn:collaboration>
  <bpmn:process id="order" name="Order" isExecutable="true">
    <bpmn:documentation>Handles an order</bpmn:documentation>
    <bpmn:extensionElements>
      <zeebe:versionTag value="v1" />
      <zeebe:userTaskForm id="form1">{"components": []}</zeebe:userTaskForm>
    </bpmn:extensionElements>
    <bpmn:laneSet id="lanes">
      <bpmn:lane id="lane1" name="Sales"><bpmn:flowNodeRef>start</bpmn:flowNodeRef></bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Go" />
    <bpmn:startEvent id="msgStart"><bpmn:messageEventDefinition messageRef="orderMsg" /></bpmn:startEvent>
    <bpmn:startEvent id="timerStart">
      <bpmn:timerEventDefinition><bpmn:timeCycle>R/P1D</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split" />
    <bpmn:sequenceFlow id="f1m" sourceRef="msgStart" targetRef="split" />
    <bpmn:sequenceFlow id="f1t" sourceRef="timerStart" targetRef="split" />
    <bpmn:exclusiveGateway id="split" default="fDefault" />
    <bpmn:sequenceFlow id="fBig" sourceRef="split" targetRef="review">
      <bpmn:conditionExpression>=total &gt; 100</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="fDefault" sourceRef="split" targetRef="charge" />
    <bpmn:userTask id="review" name="Review">
      <bpmn:extensionElements>
        <zeebe:userTask />
        <zeebe:assignmentDefinition assignee="demo" candidateGroups="sales, managers"
            candidateUsers="=users" />
        <zeebe:taskSchedule dueDate="2030-01-01T12:00:00+01:00" followUpDate="=followUp" />
        <zeebe:priorityDefinition priority="75" />
        <zeebe:formDefinition formId="review-form" bindingType="deployment" />
        <zeebe:taskListeners>
          <zeebe:taskListener eventType="completing" type="audit" retries="2" />
          <zeebe:taskListener eventType="assignment" type="notify" />
        </zeebe:taskListeners>
        <zeebe:ioMapping>
          <zeebe:input source="=order.total" target="amount" />
          <zeebe:input source="fixed" target="context.mode" />
          <zeebe:output source="=approved" target="result.approved" />
        </zeebe:ioMapping>
      </bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="review" targetRef="charge" />
    <bpmn:serviceTask id="charge" name="Charge">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="=&quot;charge-&quot; + region" retries="5" />
        <zeebe:taskHeaders>
          <zeebe:header key="method" value="card" />
          <zeebe:header key="url" value="https://pay" />
        </zeebe:taskHeaders>
        <zeebe:executionListeners>
          <zeebe:executionListener eventType="start" type="before-charge" />
          <zeebe:executionListener eventType="end" type="after-charge" retries="1" />
        </zeebe:executionListeners>
        <zeebe:properties><zeebe:property name="team" value="payments" /></zeebe:properties>
      </bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:boundaryEvent id="chargeTimeout" attachedToRef="charge" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT10M</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="fTimeout" sourceRef="chargeTimeout" targetRef="remind" />
    <bpmn:sendTask id="remind">
      <bpmn:extensionElements><zeebe:taskDefinition type="remind" /></bpmn:extensionElements>
    </bpmn:sendTask>
    <bpmn:boundaryEvent id="chargeFailed" attachedToRef="charge">
      <bpmn:errorEventDefinition errorRef="err" />
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="fFailed" sourceRef="chargeFailed" targetRef="failed" />
    <bpmn:endEvent id="failed"><bpmn:terminateEventDefinition /></bpmn:endEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="charge" targetRef="fork" />
    <bpmn:parallelGateway id="fork" />
    <bpmn:sequenceFlow id="f4a" sourceRef="fork" targetRef="decide" />
    <bpmn:sequenceFlow id="f4b" sourceRef="fork" targetRef="items" />
    <bpmn:businessRuleTask id="decide">
      <bpmn:extensionElements>
        <zeebe:calledDecision decisionId="discount" resultVariable="discount"
            bindingType="versionTag" versionTag="v2" />
      </bpmn:extensionElements>
    </bpmn:businessRuleTask>
    <bpmn:sequenceFlow id="f5a" sourceRef="decide" targetRef="join" />
    <bpmn:subProcess id="items">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:extensionElements>
          <zeebe:loopCharacteristics inputCollection="=order.items" inputElement="item"
              outputCollection="results" outputElement="=item.ok" />
        </bpmn:extensionElements>
        <bpmn:completionCondition>=numberOfCompletedInstances &gt;= 3</bpmn:completionCondition>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="itemStart" />
      <bpmn:sequenceFlow id="fi1" sourceRef="itemStart" targetRef="pick" />
      <bpmn:scriptTask id="pick">
        <bpmn:extensionElements>
          <zeebe:script expression="=item.sku" resultVariable="sku" />
        </bpmn:extensionElements>
      </bpmn:scriptTask>
      <bpmn:sequenceFlow id="fi2" sourceRef="pick" targetRef="ship" />
      <bpmn:callActivity id="ship">
        <bpmn:extensionElements>
          <zeebe:calledElement processId="shipping" propagateAllChildVariables="false" />
        </bpmn:extensionElements>
      </bpmn:callActivity>
      <bpmn:sequenceFlow id="fi3" sourceRef="ship" targetRef="itemEnd" />
      <bpmn:endEvent id="itemEnd" />
      <bpmn:subProcess id="itemEvents" triggeredByEvent="true">
        <bpmn:startEvent id="itemSignal" isInterrupting="false">
          <bpmn:signalEventDefinition signalRef="sig" />
        </bpmn:startEvent>
        <bpmn:sequenceFlow id="fe1" sourceRef="itemSignal" targetRef="itemSignalEnd" />
        <bpmn:endEvent id="itemSignalEnd" />
      </bpmn:subProcess>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f5b" sourceRef="items" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="wait" />
    <bpmn:eventBasedGateway id="wait" />
    <bpmn:sequenceFlow id="f7a" sourceRef="wait" targetRef="paid" />
    <bpmn:sequenceFlow id="f7b" sourceRef="wait" targetRef="tooLate" />
    <bpmn:intermediateCatchEvent id="paid">
      <bpmn:messageEventDefinition messageRef="payMsg" />
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="tooLate">
      <bpmn:timerEventDefinition><bpmn:timeDate>2030-01-01T00:00:00Z</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f8a" sourceRef="paid" targetRef="notify" />
    <bpmn:sequenceFlow id="f8b" sourceRef="tooLate" targetRef="toLink" />
    <bpmn:intermediateThrowEvent id="toLink">
      <bpmn:linkEventDefinition name="finish" />
    </bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="fromLink">
      <bpmn:linkEventDefinition name="finish" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f9" sourceRef="fromLink" targetRef="done" />
    <bpmn:intermediateThrowEvent id="notify">
      <bpmn:messageEventDefinition messageRef="notifyMsg">
        <bpmn:extensionElements>
          <zeebe:publishMessage correlationKey="=orderId" timeToLive="PT1H" />
        </bpmn:extensionElements>
      </bpmn:messageEventDefinition>
    </bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="f10" sourceRef="notify" targetRef="receive" />
    <bpmn:receiveTask id="receive" messageRef="cancelMsg" />
    <bpmn:sequenceFlow id="f11" sourceRef="receive" targetRef="done" />
    <bpmn:endEvent id="done"><bpmn:signalEventDefinition signalRef="sig" /></bpmn:endEvent>
    <bpmn:subProcess id="events" triggeredByEvent="true">
      <bpmn:startEvent id="escalated" isInterrupting="false">
        <bpmn:escalationEventDefinition escalationRef="esc" />
      </bpmn:startEvent>
      <bpmn:sequenceFlow id="fx" sourceRef="escalated" targetRef="escalatedEnd" />
      <bpmn:endEvent id="escalatedEnd" />
    </bpmn:subProcess>
  </bpmn:process>
  <bpmn:process id="shipping" isExecutable="true">
    <bpmn:startEvent id="shipStart" />
    <bpmn:sequenceFlow id="s1" sourceRef="shipStart" targetRef="pack" />
    <bpmn:manualTask id="pack" />
    <bpmn:sequenceFlow id="s2" sourceRef="pack" targetRef="shipEnd" />
    <bpmn:endEvent id="shipEnd"><bpmn:escalationEventDefinition escalationRef="esc" /></bpmn:endEvent>
  </bpmn:process>
  <bpmn:process id="sketch" isExecutable="false">
    <bpmn:complexGateway id="ignored" />
  </bpmn:process>
"""
)
