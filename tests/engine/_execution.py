"""Helpers for the BPMN execution tests: the commands a client would send, short record queries
and a small DMN resource. Models are built with ``strom.testing.bpmn``.

Importable as ``_execution`` from any test under ``tests/engine`` (its directory is on the
path because of ``tests/engine/conftest.py``).
"""

from __future__ import annotations

from typing import Any

from strom.protocol.intents import DecisionEvaluationIntent, ProcessInstanceModificationIntent
from strom.protocol.intents import ProcessInstanceIntent as PI
from strom.protocol.values.decision import DecisionEvaluationRecordValue
from strom.protocol.values.process_instance import (
    ProcessInstanceModificationActivateInstructionValue,
    ProcessInstanceModificationRecordValue,
    ProcessInstanceModificationTerminateInstructionValue,
    ProcessInstanceModificationVariableInstructionValue,
)
from strom.protocol.values.user_task import UserTaskRecordValue


def dmn_table(decision_id: str = "discount", *, input_expression: str = "customer") -> bytes:
    """A DMN resource with one decision table: customer "gold" -> 0.15, else 0.05."""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drg_{decision_id}"
             name="Discounts" namespace="http://strom.test/dmn">
  <decision id="{decision_id}" name="Discount">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in_customer" label="Customer">
        <inputExpression id="expr_customer" typeRef="string"><text>{input_expression}</text></inputExpression>
      </input>
      <output id="out_discount" name="discount" typeRef="number"/>
      <rule id="gold"><inputEntry id="gold_in"><text>"gold"</text></inputEntry>
        <outputEntry id="gold_out"><text>0.15</text></outputEntry></rule>
      <rule id="other"><inputEntry id="other_in"><text>-</text></inputEntry>
        <outputEntry id="other_out"><text>0.05</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
""".encode()


# -- commands a client would send -------------------------------------------------------------------


def user_task_command(
    engine: Any, intent: int, key: int, *, expect_rejection: bool = False, **fields: Any
) -> Any:
    """Send a USER_TASK command (``UserTaskIntent.COMPLETE``, ``ASSIGN``, ...) for task ``key``."""
    return engine.send(UserTaskRecordValue(**fields), intent, key, expect_rejection=expect_rejection)


def modify(
    engine: Any,
    process_instance_key: int,
    *,
    activate: Any = (),
    terminate: Any = (),
    expect_rejection: bool = False,
) -> Any:
    """PROCESS_INSTANCE_MODIFICATION MODIFY; ``activate`` items are element ids or
    ``(element id, ancestor key, {scope id: variables})``, ``terminate`` element instance keys."""
    activations = []
    for item in activate:
        element_id, ancestor, variables = (item, -1, {}) if isinstance(item, str) else item
        activations.append(
            ProcessInstanceModificationActivateInstructionValue(
                element_id=element_id,
                ancestor_scope_key=ancestor,
                variable_instructions=[
                    ProcessInstanceModificationVariableInstructionValue(element_id=scope, variables=values)
                    for scope, values in variables.items()
                ],
            )
        )
    return engine.send(
        ProcessInstanceModificationRecordValue(
            process_instance_key=process_instance_key,
            activate_instructions=activations,
            terminate_instructions=[
                ProcessInstanceModificationTerminateInstructionValue(element_instance_key=key)
                for key in terminate
            ],
        ),
        ProcessInstanceModificationIntent.MODIFY,
        expect_rejection=expect_rejection,
    )


def evaluate_decision(
    engine: Any,
    *,
    decision_id: str = "",
    decision_key: int = -1,
    variables: dict[str, Any] | None = None,
    expect_rejection: bool = False,
) -> Any:
    return engine.send(
        DecisionEvaluationRecordValue(
            decision_id=decision_id, decision_key=decision_key, variables=variables or {}
        ),
        DecisionEvaluationIntent.EVALUATE,
        expect_rejection=expect_rejection,
    )


def element_key(engine: Any, element_id: str, process_instance_key: int | None = None) -> int:
    """The key of the (first) activated instance of ``element_id``."""
    query = engine.records.process_instances().with_element_id(element_id).with_intent(PI.ELEMENT_ACTIVATED)
    if process_instance_key is not None:
        query = query.with_process_instance_key(process_instance_key)
    return int(query.first().key)


def lifecycle(engine: Any, element_id: str, limit: int = 10) -> list[str]:
    """The lifecycle event names of ``element_id``'s instances, in log order."""
    return [
        PI(r.intent).name
        for r in engine.records.process_instances().events().with_element_id(element_id).limit(limit)
    ]


def completed(engine: Any, process_instance_key: int) -> bool:
    return bool(
        engine.records.process_instances()
        .with_key(process_instance_key)
        .with_intent(PI.ELEMENT_COMPLETED)
        .exists()
    )


def terminated(engine: Any, process_instance_key: int) -> bool:
    return bool(
        engine.records.process_instances()
        .with_key(process_instance_key)
        .with_intent(PI.ELEMENT_TERMINATED)
        .exists()
    )


def complete_jobs(engine: Any, job_type: str, variables: dict[str, Any] | None = None) -> int:
    """Activate and complete every job of ``job_type``; returns how many."""
    jobs = engine.jobs.activate(job_type)
    for job in jobs:
        engine.jobs.complete(job.key, variables=variables)
    return len(jobs)
