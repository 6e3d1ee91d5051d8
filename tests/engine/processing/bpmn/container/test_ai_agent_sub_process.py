"""A process shaped like Camunda 8.8's AI Agent Sub-process (the AI Agent connector applied to an
ad-hoc subprocess: job type ``io.camunda.agenticai:aiagent-job-worker:1``, provider and prompt
inputs, template headers, ``toolCallResults`` gathering ``{id, name, content}`` per tool call),
run end to end with a fake agent worker that behaves like the connector: it reads the tools from
``adHocSubProcessElements``, calls tools in parallel with ``toolCall`` variables carrying
``_meta.id`` / ``_meta.name``, waits while calls are outstanding (a completion that asks nothing),
and answers once every call has returned. The model is written here from the documented shape."""

from __future__ import annotations

from typing import Any

from _execution import completed, lifecycle

from strom.client import ActivatedJob
from strom.protocol.intents import JobIntent
from strom.protocol.values.enums import JobKind, JobResultType
from strom.protocol.values.job import JobRecordValue, JobResultActivateElementValue, JobResultValue
from strom.testing import TestEngine

AGENT_JOB_TYPE = "io.camunda.agenticai:aiagent-job-worker:1"

AI_AGENT_PROCESS = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
    xmlns:modeler="http://camunda.org/schema/modeler/1.0"
    id="ai-agent-chat" targetNamespace="http://strom.test/ai-agent"
    modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.8.0">
  <bpmn:process id="ai_agent_chat" name="AI agent chat" isExecutable="true">
    <bpmn:startEvent id="request_received"/>
    <bpmn:sequenceFlow id="to_agent" sourceRef="request_received" targetRef="AI_Agent"/>
    <bpmn:adHocSubProcess id="AI_Agent" name="AI Agent"
        zeebe:modelerTemplate="io.camunda.connectors.agenticai.aiagent.jobworker.v1"
        zeebe:modelerTemplateVersion="1">
      <bpmn:extensionElements>
        <zeebe:taskDefinition type="{AGENT_JOB_TYPE}" retries="3"/>
        <zeebe:ioMapping>
          <zeebe:input source="openai" target="provider.type"/>
          <zeebe:input source="gpt-4o" target="provider.openai.model.model"/>
          <zeebe:input source="=&#34;You are a helpful assistant. Use the tools you are given.&#34;"
              target="data.systemPrompt.prompt"/>
          <zeebe:input source="=userRequest" target="data.userPrompt.prompt"/>
          <zeebe:input target="data.userPrompt.documents"/>
          <zeebe:input source="in-process" target="data.memory.storage.type"/>
          <zeebe:input source="=20" target="data.memory.contextWindowSize"/>
          <zeebe:input source="=10" target="data.limits.maxModelCalls"/>
          <zeebe:input source="text" target="data.response.format.type"/>
        </zeebe:ioMapping>
        <zeebe:taskHeaders>
          <zeebe:header key="elementTemplateVersion" value="1"/>
          <zeebe:header key="elementTemplateId"
              value="io.camunda.connectors.agenticai.aiagent.jobworker.v1"/>
          <zeebe:header key="retryBackoff" value="PT0S"/>
        </zeebe:taskHeaders>
        <zeebe:adHoc outputCollection="toolCallResults"
            outputElement="={{id: toolCall._meta.id, name: toolCall._meta.name, content: toolCallResult}}"/>
      </bpmn:extensionElements>
      <bpmn:serviceTask id="GetWeather" name="Get weather">
        <bpmn:documentation>Returns the weather forecast of a city.</bpmn:documentation>
        <bpmn:extensionElements>
          <zeebe:taskDefinition type="weather"/>
          <zeebe:ioMapping>
            <zeebe:input source="=toolCall.city" target="city"/>
            <zeebe:output source="=forecast" target="toolCallResult"/>
          </zeebe:ioMapping>
        </bpmn:extensionElements>
      </bpmn:serviceTask>
      <bpmn:scriptTask id="Add" name="Add two numbers">
        <bpmn:documentation>Adds a and b.</bpmn:documentation>
        <bpmn:extensionElements>
          <zeebe:script expression="=toolCall.a + toolCall.b" resultVariable="toolCallResult"/>
        </bpmn:extensionElements>
      </bpmn:scriptTask>
    </bpmn:adHocSubProcess>
    <bpmn:sequenceFlow id="to_reply" sourceRef="AI_Agent" targetRef="reply"/>
    <bpmn:serviceTask id="reply" name="Send reply">
      <bpmn:extensionElements><zeebe:taskDefinition type="reply"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="to_end" sourceRef="reply" targetRef="answered"/>
    <bpmn:endEvent id="answered"/>
  </bpmn:process>
</bpmn:definitions>
"""


class FakeAiAgent:
    """What the AI Agent connector's job worker does with each job, minus the LLM: a scripted
    model that calls both tools at once, then answers from their results."""

    def __init__(self, engine: TestEngine) -> None:
        self.engine = engine
        self.calls = 0
        self.jobs: list[ActivatedJob] = []

    def work(self) -> int:
        jobs = self.engine.jobs.activate(AGENT_JOB_TYPE)
        for job in jobs:
            self.jobs.append(job)
            result, variables = self._turn(job)
            self.engine.send(JobRecordValue(variables=variables, result=result), JobIntent.COMPLETE, job.key)
        return len(jobs)

    def _turn(self, job: ActivatedJob) -> tuple[JobResultValue, dict[str, Any]]:
        tools = {element["elementId"] for element in job.variables["adHocSubProcessElements"]}
        results = job.variables["toolCallResults"]
        context = {"conversation": len(self.jobs), "toolCalls": self.calls}
        if self.calls == 0:
            assert tools == {"GetWeather", "Add"}
            calls = [
                ("GetWeather", {"city": "Berlin"}),
                ("Add", {"a": 2, "b": 40}),
            ]
            elements = []
            for element_id, arguments in calls:
                self.calls += 1
                meta = {"id": f"call_{self.calls}", "name": element_id}
                variables = {"toolCall": {"_meta": meta, **arguments}}
                elements.append(JobResultActivateElementValue(element_id=element_id, variables=variables))
            result = JobResultValue(type=JobResultType.AD_HOC_SUB_PROCESS, activate_elements=elements)
            return result, {"agent": {"context": context}}
        if len(results) < self.calls:  # a tool call is still running: wait for the next job
            return JobResultValue(type=JobResultType.AD_HOC_SUB_PROCESS), {"agent": {"context": context}}
        by_id = {r["id"]: r for r in results}
        text = f"In Berlin it is {by_id['call_1']['content']}; 2 + 40 = {by_id['call_2']['content']}."
        done = JobResultValue(type=JobResultType.AD_HOC_SUB_PROCESS, completion_condition_fulfilled=True)
        return done, {"agent": {"context": context, "responseText": text}}


def test_an_ai_agent_sub_process_runs_end_to_end_with_a_fake_agent(engine: TestEngine) -> None:
    engine.deploy(("ai-agent-chat.bpmn", AI_AGENT_PROCESS.encode()))
    instance = engine.instances.create("ai_agent_chat", {"userRequest": "Weather in Berlin, and 2 + 40?"})
    agent = FakeAiAgent(engine)

    assert agent.work() == 1  # the tool calls; Add (a script) answers at once
    first = agent.jobs[0]
    assert first.record.job_kind is JobKind.AD_HOC_SUB_PROCESS
    assert first.custom_headers["elementTemplateId"] == "io.camunda.connectors.agenticai.aiagent.jobworker.v1"
    assert first.variables["provider"] == {"type": "openai", "openai": {"model": {"model": "gpt-4o"}}}
    assert first.variables["data"]["userPrompt"] == {
        "prompt": "Weather in Berlin, and 2 + 40?",
        "documents": None,
    }
    tools = {e["elementId"]: e for e in first.variables["adHocSubProcessElements"]}
    assert tools["GetWeather"]["documentation"] == "Returns the weather forecast of a city."

    assert agent.work() == 1  # after Add: the weather call still runs, the agent waits
    [weather] = engine.jobs.activate("weather")
    assert weather.variables["city"] == "Berlin"
    engine.jobs.complete(weather.key, {"forecast": "sunny"})
    assert agent.work() == 1  # both results there: the answer
    assert agent.work() == 0

    [reply] = engine.jobs.activate("reply")
    assert reply.variables["agent"]["responseText"] == "In Berlin it is sunny; 2 + 40 = 42."
    assert sorted(reply.variables["toolCallResults"], key=lambda r: r["id"]) == [
        {"id": "call_1", "name": "GetWeather", "content": "sunny"},
        {"id": "call_2", "name": "Add", "content": 42},
    ]
    engine.jobs.complete(reply.key)
    assert lifecycle(engine, "AI_Agent")[-1] == "ELEMENT_COMPLETED"
    assert completed(engine, instance)
