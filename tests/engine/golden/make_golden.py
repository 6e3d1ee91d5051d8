"""Write the golden logs: run each scenario with the engine and commit what it wrote.

    .venv/bin/python tests/engine/golden/make_golden.py                  # the missing ones
    .venv/bin/python tests/engine/golden/make_golden.py --name NEW SCENARIO  # SCENARIO as NEW
    .venv/bin/python tests/engine/golden/make_golden.py --show NAME      # its compact log

Regenerate only when an applier version is added on purpose (see README.md): a golden log is
what a released Strom wrote, and the test replays it to prove today's appliers still rebuild the
same state. The scenarios build their BPMN here, as raw XML, so that nothing else in the test
tree (helpers, the builder) changes what they write.

``released_v1`` is not run by today's engine: it is the log of Strom at commit 3c9c37e (the last
one that wrote version 1 of ELEMENT_ACTIVATING, ELEMENT_COMPLETING, SEQUENCE_FLOW_TAKEN, JOB
COMPLETED and JOB ERROR_THROWN), produced by that commit's code from ``git archive``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from datetime import timedelta
from itertools import pairwise
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import msgspec
from _golden import (
    log_records,
    read_digest,
    read_records,
    records_path,
    scenarios,
    write_digest,
    write_records,
)

from strom.engine.processing.identity.passwords import hash_password
from strom.protocol import codec
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import (
    AuthorizationIntent,
    BatchOperationIntent,
    ClockIntent,
    DecisionEvaluationIntent,
    GroupIntent,
    IncidentIntent,
    MappingRuleIntent,
    MessageCorrelationIntent,
    MessageIntent,
    ProcessInstanceCreationIntent,
    ProcessInstanceIntent,
    ProcessInstanceMigrationIntent,
    ProcessInstanceModificationIntent,
    ProcessMessageSubscriptionIntent,
    ResourceDeletionIntent,
    RoleIntent,
    SignalIntent,
    TenantIntent,
    UserIntent,
    UserTaskIntent,
)
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.batch_operation import (
    BatchOperationCreationRecordValue,
    BatchOperationItemValue,
    BatchOperationLifecycleManagementRecordValue,
    BatchOperationType,
)
from strom.protocol.values.clock import ClockRecordValue
from strom.protocol.values.decision import DecisionEvaluationRecordValue
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationRecordValue,
    AuthorizationResourceType,
    EntityType,
    GroupRecordValue,
    MappingRuleRecordValue,
    PermissionType,
    RoleRecordValue,
    TenantRecordValue,
    UserRecordValue,
)
from strom.protocol.values.message import (
    MessageCorrelationRecordValue,
    MessageRecordValue,
    ProcessMessageSubscriptionRecordValue,
)
from strom.protocol.values.process_instance import (
    ProcessInstanceCreationRecordValue,
    ProcessInstanceMigrationMappingInstructionValue,
    ProcessInstanceMigrationRecordValue,
    ProcessInstanceModificationActivateInstructionValue,
    ProcessInstanceModificationRecordValue,
    ProcessInstanceModificationTerminateInstructionValue,
)
from strom.protocol.values.resource_deletion import ResourceDeletionRecordValue
from strom.protocol.values.signal import SignalRecordValue
from strom.protocol.values.user_task import UserTaskRecordValue
from strom.testing import TestEngine, compact_log

RELEASED_V1_COMMIT = "3c9c37e"

# -- BPMN as raw XML ------------------------------------------------------------------------------


def definitions(*processes: str, roots: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="golden" '
        f'targetNamespace="http://strom.test/golden">{roots}{"".join(processes)}</bpmn:definitions>'
    ).encode()


def process(process_id: str, *content: str) -> str:
    return f'<bpmn:process id="{process_id}" isExecutable="true">{"".join(content)}</bpmn:process>'


def node(tag: str, element_id: str, body: str = "", ext: str = "", **attributes: str) -> str:
    attrs = "".join(f" {name}={quoteattr(value)}" for name, value in attributes.items())
    extension = f"<bpmn:extensionElements>{ext}</bpmn:extensionElements>" if ext else ""
    return f'<bpmn:{tag} id="{element_id}"{attrs}>{extension}{body}</bpmn:{tag}>'


def flow(source: str, target: str, condition: str = "") -> str:
    body = (
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(condition)}'
        "</bpmn:conditionExpression>"
        if condition
        else ""
    )
    return (
        f'<bpmn:sequenceFlow id="{source}_{target}" sourceRef="{source}" targetRef="{target}">'
        f"{body}</bpmn:sequenceFlow>"
    )


def chain(*ids: str) -> str:
    return "".join(flow(a, b) for a, b in pairwise(ids))


def job(job_type: str, ext: str = "") -> str:
    return f'<zeebe:taskDefinition type="{job_type}"/>{ext}'


def service(element_id: str, job_type: str | None = None, ext: str = "", body: str = "") -> str:
    return node("serviceTask", element_id, body, job(job_type or element_id, ext))


def io(inputs: dict[str, str] | None = None, outputs: dict[str, str] | None = None) -> str:
    lines = [f"<zeebe:input source={quoteattr(s)} target={quoteattr(t)}/>" for t, s in (inputs or {}).items()]
    lines += [
        f"<zeebe:output source={quoteattr(s)} target={quoteattr(t)}/>" for t, s in (outputs or {}).items()
    ]
    return f"<zeebe:ioMapping>{''.join(lines)}</zeebe:ioMapping>"


def timer(kind: str, value: str) -> str:
    return (
        f'<bpmn:timerEventDefinition><bpmn:{kind} xsi:type="bpmn:tFormalExpression">{escape(value)}'
        f"</bpmn:{kind}></bpmn:timerEventDefinition>"
    )


def message(message_id: str, name: str, correlation_key: str | None = "=key") -> str:
    key = (
        f"<bpmn:extensionElements><zeebe:subscription correlationKey={quoteattr(correlation_key)}/>"
        "</bpmn:extensionElements>"
        if correlation_key
        else ""
    )
    return f'<bpmn:message id="{message_id}" name="{name}">{key}</bpmn:message>'


def escalation(ref: str) -> str:
    return f'<bpmn:escalationEventDefinition escalationRef="{ref}"/>'


def multi_instance(collection: str, element: str, *, sequential: bool, output: str = "") -> str:
    outputs = f' outputCollection="{output}" outputElement="=result"' if output else ""
    return (
        f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}">'
        f'<bpmn:extensionElements><zeebe:loopCharacteristics inputCollection="{collection}" '
        f'inputElement="{element}"{outputs}/></bpmn:extensionElements>'
        "</bpmn:multiInstanceLoopCharacteristics>"
    )


def boundary(element_id: str, attached_to: str, definition: str, *, interrupting: bool = True) -> str:
    extra = {} if interrupting else {"cancelActivity": "false"}
    return node("boundaryEvent", element_id, definition, attachedToRef=attached_to, **extra)


# -- driving the engine ---------------------------------------------------------------------------


def complete_all(engine: TestEngine, job_type: str, variables: dict[str, Any] | None = None) -> int:
    jobs = engine.jobs.activate(job_type)
    for activated in jobs:
        engine.jobs.complete(activated.key, variables)
    return len(jobs)


def one_job(engine: TestEngine, job_type: str, timeout_ms: int = 300_000) -> int:
    [activated] = engine.jobs.activate(job_type, timeout_ms=timeout_ms, max_jobs=1)
    return int(activated.key)


def publish(
    engine: TestEngine, name: str, key: str, variables: dict[str, Any] | None = None, ttl_ms: int = 0
) -> Any:
    return engine.send(
        MessageRecordValue(name=name, correlation_key=key, time_to_live=ttl_ms, variables=variables or {}),
        MessageIntent.PUBLISH,
    )


def broadcast(engine: TestEngine, name: str, variables: dict[str, Any] | None = None) -> None:
    engine.send(SignalRecordValue(signal_name=name, variables=variables or {}), SignalIntent.BROADCAST)


def user_task(engine: TestEngine, intent: UserTaskIntent, key: int, **fields: Any) -> None:
    """A USER_TASK command, not waiting for its answer (task listeners may hold it)."""
    command = RECORD_CLASS_FOR_VALUE[UserTaskRecordValue](
        key=key, record_type=RecordType.COMMAND, intent=intent, value=UserTaskRecordValue(**fields)
    )
    engine.partition.submit(command, lambda answer: None)
    engine.run()


def incident_keys(engine: TestEngine, limit: int = 20) -> list[int]:
    """Keys of the incidents created and not resolved yet, oldest first."""
    created = [r.key for r in engine.records.incidents().with_intent(IncidentIntent.CREATED).limit(limit)]
    resolved = {r.key for r in engine.records.incidents().with_intent(IncidentIntent.RESOLVED).limit(limit)}
    return [key for key in created if key not in resolved]


def element_key(engine: TestEngine, element_id: str, instance: int) -> int:
    return int(
        engine.records.process_instances()
        .with_element_id(element_id)
        .with_value(process_instance_key=instance)
        .first()
        .key
    )


# -- scenarios ------------------------------------------------------------------------------------

ORDER = definitions(
    process(
        "order",
        node("startEvent", "start"),
        service("a", ext=io(outputs={"a_done": "=true"})),
        service("b"),
        node("endEvent", "end"),
        chain("start", "a", "b", "end"),
    ),
    process(
        "mapping",
        node("startEvent", "m_start"),
        service("mapped", "=kind", ext=io(inputs={"total": "=order.total"})),
        node("endEvent", "m_end"),
        chain("m_start", "mapped", "m_end"),
    ),
)
TEMPORARY = definitions(
    process("temporary", node("startEvent", "start"), node("endEvent", "end"), chain("start", "end"))
)


def jobs_incidents_variables(engine: TestEngine) -> None:
    """Job lifecycle (every job event), incidents of jobs and expressions, variables, a variable
    document, cancel, create with result, modification, resource deletion."""
    engine.deploy(("order.bpmn", ORDER))
    temporary = engine.deploy(("temporary.bpmn", TEMPORARY))

    first = engine.instances.create("order", {"x": 1, "items": [1, 2]})
    job_a = one_job(engine, "a")
    engine.jobs.update_retries(job_a, 5)
    engine.jobs.update_timeout(job_a, 60_000)
    engine.jobs.yield_(job_a)
    job_a = one_job(engine, "a", timeout_ms=1_000)
    engine.advance_time(timedelta(seconds=2))  # TIMED_OUT
    job_a = one_job(engine, "a")
    engine.jobs.fail(job_a, retries=2, error_message="try again", retry_backoff_ms=1_000)
    engine.advance_time(timedelta(seconds=1))  # RECURRED_AFTER_BACKOFF
    job_a = one_job(engine, "a")
    engine.jobs.fail(job_a, retries=0, error_message="out of retries")  # incident
    engine.jobs.update_retries(job_a, 1)
    engine.incidents.resolve(incident_keys(engine)[0])
    job_a = one_job(engine, "a")
    engine.jobs.complete(job_a, {"y": 2, "x": 3})
    job_b = one_job(engine, "b")
    engine.jobs.throw_error(job_b, "UNKNOWN", "nobody catches this")  # incident
    engine.variables.set(first, {"x": 4, "z": {"deep": [1, None]}})
    engine.variables.set(element_key(engine, "b", first), {"local": True}, local=True)
    engine.incidents.resolve(incident_keys(engine)[0])
    one_job(engine, "b")  # stays activated

    second = engine.instances.create("order")
    engine.instances.cancel(second)

    # an expression incident: the job type is a variable nobody set
    mapped = engine.instances.create("mapping", {"order": {"total": 12}})
    engine.variables.set(mapped, {"kind": "mapped"})
    engine.incidents.resolve(incident_keys(engine)[0])
    complete_all(engine, "mapped")

    # a request waiting for the result of an instance that completes, and of one that does not
    for variables in ({"x": 10}, {"x": 11}):
        command = RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue](
            record_type=RecordType.COMMAND,
            intent=ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
            value=ProcessInstanceCreationRecordValue(
                bpmn_process_id="order", variables=variables, fetch_variables=["x"]
            ),
        )
        engine.partition.submit(command, lambda record: None)
        engine.run()
    complete_all(engine, "a")
    engine.jobs.complete(one_job(engine, "b"))

    # modification: move a waiting instance from a to b
    moved = engine.instances.create("order")
    engine.send(
        ProcessInstanceModificationRecordValue(
            process_instance_key=moved,
            activate_instructions=[ProcessInstanceModificationActivateInstructionValue(element_id="b")],
            terminate_instructions=[
                ProcessInstanceModificationTerminateInstructionValue(
                    element_instance_key=element_key(engine, "a", moved)
                )
            ],
        ),
        ProcessInstanceModificationIntent.MODIFY,
    )

    # deleting a process definition
    key = temporary.value.processes_metadata[0].process_definition_key
    engine.send(ResourceDeletionRecordValue(resource_key=key), ResourceDeletionIntent.DELETE)


LISTENERS = (
    "<zeebe:executionListeners>"
    '<zeebe:executionListener eventType="start" type="before"/>'
    '<zeebe:executionListener eventType="end" type="after"/>'
    "</zeebe:executionListeners>"
)
FLOWS = definitions(
    process(
        "flows",
        node("startEvent", "fl_start"),
        node("parallelGateway", "fork"),
        service("left"),
        node("task", "right"),
        node("parallelGateway", "join"),
        node("inclusiveGateway", "choose", default="choose_cheap"),
        node("task", "cheap"),
        node("task", "express"),
        node("task", "insured"),
        node("inclusiveGateway", "merge"),
        node("exclusiveGateway", "decide", default="decide_listened"),
        node(
            "subProcess",
            "sub",
            node("startEvent", "sub_start")
            + service("sub_task")
            + node("endEvent", "sub_end")
            + chain("sub_start", "sub_task", "sub_end"),
        ),
        node("serviceTask", "listened", ext=job("work", LISTENERS)),
        node("callActivity", "call", ext='<zeebe:calledElement processId="child"/>'),
        node(
            "serviceTask",
            "each",
            multi_instance("=items", "item", sequential=False, output="=results"),
            job("each"),
        ),
        node("task", "one_by_one", multi_instance("=items", "item", sequential=True)),
        node("endEvent", "fl_end"),
        flow("fl_start", "fork"),
        flow("fork", "left"),
        flow("fork", "right"),
        flow("left", "join"),
        flow("right", "join"),
        flow("join", "choose"),
        flow("choose", "cheap"),
        flow("choose", "express", "=x > 1"),
        flow("choose", "insured", "=x > 100"),
        flow("cheap", "merge"),
        flow("express", "merge"),
        flow("insured", "merge"),
        flow("merge", "decide"),
        flow("decide", "sub", "=x = 2"),
        flow("decide", "listened"),
        flow("sub", "listened"),
        chain("listened", "call", "each", "one_by_one", "fl_end"),
    ),
    process(
        "child",
        node("startEvent", "c_start"),
        service("child_task"),
        node("endEvent", "c_end"),
        chain("c_start", "child_task", "c_end"),
    ),
)


def gateways_scopes_listeners(engine: TestEngine) -> None:
    """Parallel, inclusive and exclusive gateways (tokens and joins), a subprocess, execution
    listeners, a call activity, parallel and sequential multi-instance."""
    engine.deploy(("flows.bpmn", FLOWS))
    engine.instances.create("flows", {"x": 2, "items": ["p", "q"]})  # through sub
    engine.instances.create("flows", {"x": 5, "items": ["r"]})  # past sub
    complete_all(engine, "left")
    complete_all(engine, "sub_task")
    for job_type in ("before", "work", "after"):
        complete_all(engine, job_type)
    complete_all(engine, "child_task")
    complete_all(engine, "each", {"result": "ok"})  # both complete
    engine.instances.create("flows", {"x": 5, "items": []})
    for job_type in ("left", "before", "work"):
        complete_all(engine, job_type)  # left at its end listener
    engine.instances.create("flows", {"x": 0, "items": []})  # left with a token at the join


EVENTS_BPMN = definitions(
    process(
        "timers",
        node("startEvent", "t_start"),
        node("intermediateCatchEvent", "wait", timer("timeDuration", "PT1M")),
        service("slow"),
        boundary("too_slow", "slow", timer("timeDuration", "PT10M")),
        boundary("reminder", "slow", timer("timeCycle", "R2/PT3M"), interrupting=False),
        node("endEvent", "t_end"),
        node("endEvent", "late"),
        node("endEvent", "reminded"),
        chain("t_start", "wait", "slow", "t_end"),
        flow("too_slow", "late"),
        flow("reminder", "reminded"),
    ),
    process(
        "messages",
        node("startEvent", "ms_start"),
        node("intermediateCatchEvent", "paid", '<bpmn:messageEventDefinition messageRef="m_paid"/>'),
        service("ship"),
        boundary("canceled", "ship", '<bpmn:messageEventDefinition messageRef="m_cancel"/>'),
        boundary("asked", "ship", '<bpmn:messageEventDefinition messageRef="m_ask"/>', interrupting=False),
        node("endEvent", "ms_end"),
        node("endEvent", "canceled_end"),
        node("endEvent", "answered"),
        chain("ms_start", "paid", "ship", "ms_end"),
        flow("canceled", "canceled_end"),
        flow("asked", "answered"),
    ),
    process(
        "by_message",
        node("startEvent", "bm_start", '<bpmn:messageEventDefinition messageRef="m_order"/>'),
        service("handle"),
        node("endEvent", "bm_end"),
        chain("bm_start", "handle", "bm_end"),
    ),
    process(
        "by_timer",
        node("startEvent", "bt_start", timer("timeCycle", "R1/PT1H")),
        node("endEvent", "bt_end"),
        chain("bt_start", "bt_end"),
    ),
    roots=message("m_paid", "paid")
    + message("m_cancel", "cancel")
    + message("m_ask", "ask")
    + message("m_order", "order", None),
)

BY_MESSAGE_V2 = definitions(
    process(
        "by_message",
        node("startEvent", "bm_start", '<bpmn:messageEventDefinition messageRef="m_order"/>'),
        node("endEvent", "bm_end"),
        chain("bm_start", "bm_end"),
    ),
    roots=message("m_order", "order", None),
)


def timers_and_messages(engine: TestEngine) -> None:
    """Timers (catch, boundary, cycle, start), messages (catch, boundaries, start, buffered,
    expired, a rejected correlation)."""
    engine.deploy(("events.bpmn", EVENTS_BPMN))
    timed = engine.instances.create("timers")
    engine.advance_time(timedelta(minutes=1))  # wait -> slow
    engine.advance_time(timedelta(minutes=3))  # reminder
    complete_all(engine, "slow")  # cancels the boundary timers
    late = engine.instances.create("timers")
    engine.advance_time(timedelta(minutes=1))
    engine.advance_time(timedelta(minutes=10))  # reminders, then too_slow interrupts
    engine.instances.create("timers")  # left waiting with its timer
    engine.advance_time(timedelta(hours=1))  # the start timer
    assert timed != late

    publish(engine, "paid", "k1", {"amount": 5}, ttl_ms=60_000)  # buffered first
    first = engine.instances.create("messages", {"key": "k1"})
    publish(engine, "ask", "k1", {"question": "when?"})
    publish(engine, "cancel", "k1")
    second = engine.instances.create("messages", {"key": "k2"})
    publish(engine, "paid", "k2")
    complete_all(engine, "ship")
    engine.instances.create("messages", {"key": "k3"})  # left waiting
    publish(engine, "order", "o-1", {"n": 1})
    publish(engine, "order", "", {"n": 2})
    publish(engine, "paid", "nobody", ttl_ms=5_000)
    engine.advance_time(timedelta(seconds=5))  # EXPIRED
    # a correlation whose subscription is gone: a stale command, rejected back to the message
    published = publish(engine, "paid", "k-stale", ttl_ms=600_000)
    engine.send(
        ProcessMessageSubscriptionRecordValue(
            process_instance_key=first,
            element_instance_key=second,
            message_key=published.key,
            message_name="paid",
            correlation_key="k-stale",
            bpmn_process_id="messages",
        ),
        ProcessMessageSubscriptionIntent.CORRELATE,
        expect_rejection=True,
    )
    # a new version of the message start process moves its subscription
    engine.deploy(("by_message.bpmn", BY_MESSAGE_V2))


THROWS = definitions(
    process(
        "signals",
        node("startEvent", "sg_start"),
        node("intermediateCatchEvent", "go", '<bpmn:signalEventDefinition signalRef="s_go"/>'),
        service("work_s"),
        boundary("stop", "work_s", '<bpmn:signalEventDefinition signalRef="s_stop"/>'),
        node("endEvent", "sg_end"),
        node("endEvent", "stopped"),
        chain("sg_start", "go", "work_s", "sg_end"),
        flow("stop", "stopped"),
    ),
    process(
        "by_signal",
        node("startEvent", "bs_start", '<bpmn:signalEventDefinition signalRef="s_go"/>'),
        node("endEvent", "bs_end"),
        chain("bs_start", "bs_end"),
    ),
    process(
        "errors",
        node("startEvent", "er_start"),
        service("risky"),
        boundary("failed", "risky", '<bpmn:errorEventDefinition errorRef="e_boom"/>'),
        node(
            "subProcess",
            "escalating",
            node("startEvent", "esc_start")
            + node("intermediateThrowEvent", "escalate", escalation("x_late"))
            + node("intermediateThrowEvent", "shout", escalation("x_loud"))
            + node("endEvent", "esc_end")
            + chain("esc_start", "escalate", "shout", "esc_end"),
        ),
        boundary(
            "late",
            "escalating",
            escalation("x_late"),
            interrupting=False,
        ),
        node(
            "subProcess",
            "handler",
            node("startEvent", "handler_start", '<bpmn:messageEventDefinition messageRef="m_abort"/>')
            + node("endEvent", "handler_end")
            + chain("handler_start", "handler_end"),
            triggeredByEvent="true",
        ),
        node(
            "subProcess",
            "watch",
            node(
                "startEvent",
                "watch_start",
                timer("timeDuration", "PT1H"),
                isInterrupting="false",
            )
            + service("watch_task")
            + node("endEvent", "watch_end")
            + chain("watch_start", "watch_task", "watch_end"),
            triggeredByEvent="true",
        ),
        service("after"),
        node("endEvent", "er_end"),
        node("endEvent", "failed_end"),
        node("endEvent", "late_end"),
        chain("er_start", "risky", "escalating", "after", "er_end"),
        flow("failed", "failed_end"),
        flow("late", "late_end"),
    ),
    process(
        "trip",
        node("startEvent", "tr_start"),
        service("book"),
        boundary("book_undo", "book", "<bpmn:compensateEventDefinition/>"),
        node("serviceTask", "undo_book", ext=job("undo_book"), isForCompensation="true"),
        service("pay"),
        boundary("pay_undo", "pay", "<bpmn:compensateEventDefinition/>"),
        node("serviceTask", "undo_pay", ext=job("undo_pay"), isForCompensation="true"),
        node("exclusiveGateway", "ok", default="ok_done"),
        node("endEvent", "done"),
        node("endEvent", "compensate", "<bpmn:compensateEventDefinition/>"),
        chain("tr_start", "book", "pay", "ok"),
        flow("ok", "done"),
        flow("ok", "compensate", "=cancel"),
        '<bpmn:association id="a_book" sourceRef="book_undo" targetRef="undo_book"/>',
        '<bpmn:association id="a_pay" sourceRef="pay_undo" targetRef="undo_pay"/>',
    ),
    roots='<bpmn:signal id="s_go" name="go"/><bpmn:signal id="s_stop" name="stop"/>'
    '<bpmn:error id="e_boom" errorCode="BOOM"/>'
    '<bpmn:escalation id="x_late" escalationCode="LATE"/>'
    '<bpmn:escalation id="x_loud" escalationCode="LOUD"/>' + message("m_abort", "abort"),
)


def signals_errors_escalations_compensation(engine: TestEngine) -> None:
    """Signals (catch, boundary, start), a caught error, escalations (caught, not caught), event
    subprocesses (interrupting message, non-interrupting timer), compensation."""
    engine.deploy(("throws.bpmn", THROWS))
    engine.instances.create("signals")
    engine.instances.create("signals")
    broadcast(engine, "go", {"went": 1})  # both instances catch it, and it starts by_signal
    engine.jobs.complete(one_job(engine, "work_s"))
    broadcast(engine, "stop")  # interrupts the other one
    engine.instances.create("signals")  # left waiting for go

    caught = engine.instances.create("errors", {"key": "e1"})
    engine.jobs.throw_error(one_job(engine, "risky"), "BOOM", "caught", {"why": "test"})
    assert caught
    escalated = engine.instances.create("errors", {"key": "e2"})
    complete_all(engine, "risky")  # escalation LATE caught (non-interrupting), LOUD not caught
    engine.advance_time(timedelta(hours=1))  # the watch event subprocess starts
    publish(engine, "abort", "e2")  # the interrupting event subprocess
    engine.instances.create("errors", {"key": "e3"})  # left at risky, with its subscriptions
    assert escalated

    engine.instances.create("trip", {"cancel": True})
    complete_all(engine, "book")
    complete_all(engine, "pay")  # compensate: both handlers run
    complete_all(engine, "undo_pay")
    complete_all(engine, "undo_book")
    engine.instances.create("trip", {"cancel": False})
    complete_all(engine, "book")
    complete_all(engine, "pay")  # done: the subscriptions are deleted
    engine.instances.create("trip", {"cancel": False})
    complete_all(engine, "book")  # left with one subscription


DMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drg_discount"
             name="Discounts" namespace="http://strom.test/dmn">
  <decision id="discount" name="Discount">
    <decisionTable id="table" hitPolicy="UNIQUE">
      <input id="in_customer" label="Customer">
        <inputExpression id="expr_customer" typeRef="string"><text>customer</text></inputExpression>
      </input>
      <output id="out_discount" name="discount" typeRef="number"/>
      <rule id="gold"><inputEntry id="gold_in"><text>"gold"</text></inputEntry>
        <outputEntry id="gold_out"><text>0.15</text></outputEntry></rule>
      <rule id="silver"><inputEntry id="silver_in"><text>"silver"</text></inputEntry>
        <outputEntry id="silver_out"><text>0.05</text></outputEntry></rule>
      <rule id="any"><inputEntry id="any_in"><text>"silver","bronze"</text></inputEntry>
        <outputEntry id="any_out"><text>0.01</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""
FORM = b'{"id": "approval", "components": [{"key": "ok", "type": "checkbox"}]}'
DECISION = '<zeebe:calledDecision decisionId="discount" resultVariable="d"/>'
TASKS = definitions(
    process(
        "review",
        node("startEvent", "rv_start"),
        node("businessRuleTask", "rate", ext=DECISION),
        node(
            "userTask",
            "approve",
            ext='<zeebe:userTask/><zeebe:formDefinition formId="approval"/>'
            '<zeebe:assignmentDefinition candidateGroups="sales"/>',
        ),
        node("endEvent", "rv_end"),
        chain("rv_start", "rate", "approve", "rv_end"),
    )
)


def user_tasks_decisions_forms(engine: TestEngine) -> None:
    """DMN and form deployment, decision evaluation (evaluated, failed with an incident), the
    user task lifecycle (assign, claim, update, complete, cancel)."""
    engine.deploy(("discount.dmn", DMN), ("approval.form", FORM), ("review.bpmn", TASKS))
    done = engine.instances.create("review", {"customer": "gold"})
    [task] = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).limit(1)
    user_task(engine, UserTaskIntent.ASSIGN, task.key, assignee="ann")
    user_task(engine, UserTaskIntent.ASSIGN, task.key, assignee="")
    user_task(engine, UserTaskIntent.CLAIM, task.key, assignee="bob")
    user_task(
        engine,
        UserTaskIntent.UPDATE,
        task.key,
        priority=80,
        candidate_users_list=["cy"],
        changed_attributes=["priority", "candidateUsersList"],
    )
    user_task(engine, UserTaskIntent.COMPLETE, task.key, variables={"ok": True})
    assert done

    failing = engine.instances.create("review", {"customer": "silver"})  # two rules match: FAILED
    engine.variables.set(failing, {"customer": "gold"})
    engine.incidents.resolve(incident_keys(engine)[0])
    engine.instances.cancel(failing)  # the user task is canceled
    engine.instances.create("review", {"customer": "bronze"})  # left at its user task
    assert engine.records.decision_evaluations().with_intent(DecisionEvaluationIntent.FAILED).exists()


LISTENED = definitions(
    process(
        "listened",
        node("startEvent", "tl_start"),
        node(
            "userTask",
            "tl_task",
            ext='<zeebe:userTask/><zeebe:assignmentDefinition assignee="ann"/><zeebe:taskListeners>'
            '<zeebe:taskListener eventType="creating" type="tl_create"/>'
            '<zeebe:taskListener eventType="assigning" type="tl_assign"/>'
            '<zeebe:taskListener eventType="completing" type="tl_complete"/>'
            "</zeebe:taskListeners>",
        ),
        node("endEvent", "tl_end"),
        chain("tl_start", "tl_task", "tl_end"),
    )
)


def user_task_listeners(engine: TestEngine) -> None:
    """User task listeners: a creating listener correcting the task (CORRECTED), an assigning
    one (ASSIGNED v2), a completing one denying (COMPLETION_DENIED) and then allowing the
    completion (COMPLETING v2, JOB COMPLETED v3). Written before Strom rejected, as Zeebe does, a
    creating listener's correction of an assignee the model defines: run again, it is rejected."""
    from strom.protocol.intents import JobIntent
    from strom.protocol.values.job import JobRecordValue, JobResultCorrectionsValue, JobResultValue

    def listener(job_type: str, result: JobResultValue) -> None:
        [job] = engine.jobs.activate(job_type)
        engine.send(JobRecordValue(result=result), JobIntent.COMPLETE, job.key)

    engine.deploy(("listened.bpmn", LISTENED))
    engine.instances.create("listened")
    corrections = JobResultCorrectionsValue(assignee="bob", priority=70)
    listener(
        "tl_create", JobResultValue(corrected_attributes=["assignee", "priority"], corrections=corrections)
    )
    listener("tl_assign", JobResultValue())
    [task] = engine.records.user_tasks().with_intent(UserTaskIntent.ASSIGNED).limit(1)
    user_task(engine, UserTaskIntent.COMPLETE, task.key, variables={"ok": False})
    listener("tl_complete", JobResultValue(denied=True))
    user_task(engine, UserTaskIntent.COMPLETE, task.key, variables={"ok": True})
    listener("tl_complete", JobResultValue())
    assert engine.records.user_tasks().with_intent(UserTaskIntent.COMPLETED).exists()


GUARDED = definitions(
    process(
        "guarded",
        node("startEvent", "tg_start"),
        node(
            "userTask",
            "tg_task",
            ext="<zeebe:userTask/><zeebe:taskListeners>"
            '<zeebe:taskListener eventType="assigning" type="tg_assign"/>'
            '<zeebe:taskListener eventType="updating" type="tg_update"/>'
            '<zeebe:taskListener eventType="completing" type="tg_complete"/>'
            '<zeebe:taskListener eventType="canceling" type="tg_cancel"/>'
            "</zeebe:taskListeners>",
        ),
        node("endEvent", "tg_end"),
        chain("tg_start", "tg_task", "tg_end"),
    )
)


def user_task_listener_denials(engine: TestEngine) -> None:
    """User task listeners denying and allowing an assignment (ASSIGNING v2, ASSIGNMENT_DENIED),
    a claim (CLAIMING v2, ASSIGNED v3), an update (UPDATING v2, UPDATE_DENIED, UPDATED v2 after a
    correction) and a completion (COMPLETION_DENIED v2); a canceling listener holding the
    cancellation of an instance (CANCELING, CANCELED, CONTINUE_TERMINATING_ELEMENT)."""
    from strom.protocol.intents import JobIntent
    from strom.protocol.values.job import JobRecordValue, JobResultCorrectionsValue, JobResultValue

    def listener(job_type: str, result: JobResultValue) -> None:
        [job] = engine.jobs.activate(job_type)
        engine.send(JobRecordValue(result=result), JobIntent.COMPLETE, job.key)

    engine.deploy(("guarded.bpmn", GUARDED))
    engine.instances.create("guarded")
    canceled = engine.instances.create("guarded")
    [task, _] = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).limit(2)
    user_task(engine, UserTaskIntent.ASSIGN, task.key, assignee="bob")
    listener("tg_assign", JobResultValue(denied=True, denied_reason="bob is away"))
    user_task(engine, UserTaskIntent.CLAIM, task.key, assignee="cy")
    listener("tg_assign", JobResultValue())
    user_task(engine, UserTaskIntent.UPDATE, task.key, priority=90, changed_attributes=["priority"])
    listener("tg_update", JobResultValue(denied=True))
    user_task(engine, UserTaskIntent.UPDATE, task.key, priority=80, changed_attributes=["priority"])
    corrections = JobResultCorrectionsValue(due_date="2030-01-01T00:00Z")
    listener("tg_update", JobResultValue(corrected_attributes=["dueDate"], corrections=corrections))
    user_task(engine, UserTaskIntent.COMPLETE, task.key, variables={"ok": False})
    listener("tg_complete", JobResultValue(denied=True, denied_reason="not ok"))
    user_task(engine, UserTaskIntent.COMPLETE, task.key, variables={"ok": True})
    listener("tg_complete", JobResultValue())
    engine.instances.cancel(canceled)
    listener("tg_cancel", JobResultValue())
    assert engine.records.user_tasks().with_intent(UserTaskIntent.CANCELED).exists()


def user_task_listener_requests(engine: TestEngine) -> None:
    """Requests held by user task listeners and answered when the transition ends: ASSIGNING,
    CLAIMING, UPDATING and COMPLETING v3 keep the request of the command they carry."""
    from strom.protocol.intents import JobIntent
    from strom.protocol.values.job import JobRecordValue, JobResultValue

    def listener(job_type: str, result: JobResultValue) -> None:
        [job] = engine.jobs.activate(job_type)
        engine.send(JobRecordValue(result=result), JobIntent.COMPLETE, job.key)

    engine.deploy(("guarded.bpmn", GUARDED))
    engine.instances.create("guarded")
    canceled = engine.instances.create("guarded")
    [task, other] = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).limit(2)
    user_task(engine, UserTaskIntent.CLAIM, task.key, assignee="cy")
    listener("tg_assign", JobResultValue())
    user_task(engine, UserTaskIntent.ASSIGN, task.key, assignee="dee")
    listener("tg_assign", JobResultValue(denied=True, denied_reason="dee is away"))
    user_task(engine, UserTaskIntent.UPDATE, task.key, priority=90, changed_attributes=["priority"])
    listener("tg_update", JobResultValue())
    user_task(engine, UserTaskIntent.COMPLETE, task.key, variables={"ok": True})
    listener("tg_complete", JobResultValue())
    user_task(engine, UserTaskIntent.COMPLETE, other.key)
    engine.instances.cancel(canceled)  # the held completion is rejected
    listener("tg_cancel", JobResultValue())
    assert engine.records.user_tasks().with_intent(UserTaskIntent.CANCELED).exists()


def user_task_listener_variables(engine: TestEngine) -> None:
    """Variables set on a user task's scope held by its updating listener: VARIABLE_DOCUMENT
    UPDATING, USER_TASK UPDATING naming ``variables``, then UPDATED with the variables written, or
    UPDATE_DENIED with VARIABLE_DOCUMENT UPDATE_DENIED and nothing written."""
    from strom.protocol.intents import JobIntent
    from strom.protocol.values.job import JobRecordValue, JobResultValue

    def listener(result: JobResultValue) -> None:
        [job] = engine.jobs.activate("tg_update")
        engine.send(JobRecordValue(result=result), JobIntent.COMPLETE, job.key)

    engine.deploy(("guarded.bpmn", GUARDED))
    instance = engine.instances.create("guarded", {"status": "new"})
    task = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).first()
    scope = task.value.element_instance_key
    engine.variables.set(instance, {"status": "open"})  # the process scope: written at once
    engine.partition.submit(_local_variables(scope, {"decision": "yes"}), lambda _: None)
    engine.run()
    listener(JobResultValue())
    engine.partition.submit(_local_variables(scope, {"decision": "no"}), lambda _: None)
    engine.run()
    listener(JobResultValue(denied=True, denied_reason="too late"))
    assert engine.records.user_tasks().with_intent(UserTaskIntent.UPDATE_DENIED).exists()


def _local_variables(scope_key: int, variables: dict[str, Any]) -> Any:
    """SetVariables (local) on ``scope_key`` as a client sends it, with a request to answer."""
    from strom.protocol.intents import VariableDocumentIntent
    from strom.protocol.records import VariableDocumentRecord
    from strom.protocol.values.enums import VariableDocumentUpdateSemantic
    from strom.protocol.values.variable import VariableDocumentRecordValue

    return VariableDocumentRecord(
        key=-1,
        record_type=RecordType.COMMAND,
        intent=VariableDocumentIntent.UPDATE,
        value=VariableDocumentRecordValue(
            scope_key=scope_key, variables=variables, update_semantics=VariableDocumentUpdateSemantic.LOCAL
        ),
    )


def message_correlation(engine: TestEngine) -> None:
    """CorrelateMessage (MESSAGE_CORRELATION CORRELATE): to a waiting instance, starting one, and a
    rejected one nothing waits for."""
    engine.deploy(("events.bpmn", EVENTS_BPMN))
    engine.instances.create("messages", {"key": "c1"})
    for name, key in (("paid", "c1"), ("nobody", "c9")):
        value = MessageCorrelationRecordValue(name=name, correlation_key=key, variables={"via": "correlate"})
        engine.send(value, MessageCorrelationIntent.CORRELATE, expect_rejection=name == "nobody")
    assert (
        engine.records.of(ValueType.MESSAGE_CORRELATION)
        .with_intent(MessageCorrelationIntent.CORRELATED)
        .exists()
    )


AD_HOC = definitions(
    process(
        "agent",
        node("startEvent", "ah_start"),
        node(
            "adHocSubProcess",
            "ah_tools",
            service("ah_a") + service("ah_b"),
            '<zeebe:adHoc outputCollection="results" outputElement="=toolCall"/>'
            '<zeebe:taskDefinition type="ah_agent"/>',
        ),
        node(
            "adHocSubProcess",
            "ah_manual",
            service("ah_c"),
            '<zeebe:adHoc outputCollection="done"/>',
        ),
        node("endEvent", "ah_end"),
        chain("ah_start", "ah_tools", "ah_manual", "ah_end"),
    )
)


def ad_hoc_sub_process(engine: TestEngine) -> None:
    """A job worker drives an ad-hoc subprocess (JOB COMPLETED with a result, then
    AD_HOC_SUB_PROCESS_INSTRUCTION ACTIVATE / ACTIVATED with variables and COMPLETE / COMPLETED
    cancelling what still runs); a client activates an element of another one."""
    from strom.protocol.intents import AdHocSubProcessInstructionIntent, JobIntent
    from strom.protocol.values.ad_hoc_sub_process import (
        AdHocSubProcessActivateElementInstructionValue,
        AdHocSubProcessInstructionRecordValue,
    )
    from strom.protocol.values.enums import JobResultType
    from strom.protocol.values.job import JobRecordValue, JobResultActivateElementValue, JobResultValue

    def agent(result: JobResultValue, variables: dict[str, Any]) -> None:
        value = JobRecordValue(variables=variables, result=result)
        engine.send(value, JobIntent.COMPLETE, one_job(engine, "ah_agent"))

    def activate(*element_ids: str) -> JobResultValue:
        return JobResultValue(
            type=JobResultType.AD_HOC_SUB_PROCESS,
            activate_elements=[
                JobResultActivateElementValue(element_id=e, variables={"toolCall": {"tool": e}})
                for e in element_ids
            ],
        )

    engine.deploy(("agent.bpmn", AD_HOC))
    engine.instances.create("agent")
    agent(activate("ah_a"), {"turn": 1})
    complete_all(engine, "ah_a")
    agent(activate("ah_a", "ah_b"), {"turn": 2})
    complete_all(engine, "ah_b")
    done = JobResultValue(
        type=JobResultType.AD_HOC_SUB_PROCESS,
        completion_condition_fulfilled=True,
        cancel_remaining_instances=True,
    )
    agent(done, {"turn": 3})
    manual = element_key(engine, "ah_manual", engine.records.process_instances().first().key)
    instruction = AdHocSubProcessInstructionRecordValue(
        ad_hoc_sub_process_instance_key=manual,
        activate_elements=[
            AdHocSubProcessActivateElementInstructionValue(element_id="ah_c", variables={"n": 1})
        ],
    )
    engine.send(instruction, AdHocSubProcessInstructionIntent.ACTIVATE, manual)
    complete_all(engine, "ah_c")
    assert engine.records.process_instances().with_element_id("ah_end").exists()


def distribution(engine: TestEngine) -> None:
    """Three partitions: a deployment and a signal broadcast distributed from partition 1 and
    acknowledged (COMMAND_DISTRIBUTION), received by partition 2 (DEPLOYMENT CREATED and SIGNAL
    BROADCASTED version 2), and a repeated delivery."""
    engine.deploy(("throws.bpmn", THROWS))
    engine.instances.create("signals")
    engine.instances.create("signals")  # on partition 2: round robin
    broadcast(engine, "go", {"went": 1})
    for target, command in list(engine.transport.sent)[:2]:
        engine.partitions[target].submit(command)  # delivered twice: only acknowledged again
    engine.run()


def placed(job_type: str) -> bytes:
    return definitions(
        process(
            "placed",
            node("startEvent", "pl_start", '<bpmn:messageEventDefinition messageRef="m_placed"/>'),
            service("pl_work", job_type),
            node("endEvent", "pl_end"),
            chain("pl_start", "pl_work", "pl_end"),
        ),
        roots=message("m_placed", "order-placed", None),
    )


def resource_deletion_distributed(engine: TestEngine) -> None:
    """Three partitions: process definitions deleted on partition 1 and the deletions distributed,
    received by partition 2 (RESOURCE_DELETION DELETED version 2): a process without start events,
    the latest version of one with a message start event (the version before takes the
    subscription back), and a repeated delivery."""
    temporary = engine.deploy(("temporary.bpmn", TEMPORARY))
    engine.deploy(("placed.bpmn", placed("placed_v1")))
    latest = engine.deploy(("placed.bpmn", placed("placed_v2")))
    for deployment in (temporary, latest):
        key = deployment.value.processes_metadata[0].process_definition_key
        engine.send(ResourceDeletionRecordValue(resource_key=key), ResourceDeletionIntent.DELETE)
    deletions = [
        (target, command)
        for target, command in engine.transport.sent
        if command.value_type is ValueType.RESOURCE_DELETION
    ]
    for target, command in deletions[:2]:
        engine.partitions[target].submit(command)  # delivered twice: only acknowledged again
    engine.run()


def decision_and_form_deletion(engine: TestEngine) -> None:
    """Resource deletion of DRGs and forms: the latest version of a DRG (DECISION DELETED, then
    DECISION_REQUIREMENTS DELETED; the version before is the latest again), an older version of a
    form (FORM DELETED; the latest stays) and then its only version left (no latest), and the
    latest decision evaluated by id after the deletion."""
    first = engine.deploy(("discount.dmn", DMN), ("approval.form", FORM)).value
    second = engine.deploy(
        ("discount.dmn", DMN.replace(b"0.15", b"0.2")), ("approval.form", FORM.replace(b"ok", b"yes"))
    ).value
    for key in (
        second.decision_requirements_metadata[0].decision_requirements_key,
        first.form_metadata[0].form_key,
        second.form_metadata[0].form_key,
    ):
        engine.send(ResourceDeletionRecordValue(resource_key=key), ResourceDeletionIntent.DELETE)
    evaluated = engine.send(
        DecisionEvaluationRecordValue(decision_id="discount", variables={"customer": "gold"}),
        DecisionEvaluationIntent.EVALUATE,
    )
    assert (evaluated.value.decision_version, evaluated.value.decision_output) == (1, "0.15")


def identity_distributed(engine: TestEngine) -> None:
    """Three partitions: every identity event, decided on partition 1 and received by partition 2
    (USER, GROUP, ROLE, TENANT, MAPPING_RULE, AUTHORIZATION version 1): users created, updated
    (password hash) and deleted with their memberships and authorizations, groups, roles and
    tenants with members, mapping rules, authorizations, and a repeated delivery."""
    users = (
        UserRecordValue(username="demo", password="pw", name="Demo"),
        UserRecordValue(username="ann", password="pw"),
    )
    for user in users:
        engine.send(user, UserIntent.CREATE)
    engine.send(UserRecordValue(username="ann", password="new", email="ann@example.com"), UserIntent.UPDATE)
    engine.send(
        MappingRuleRecordValue(mapping_rule_id="mr", claim_name="sub", claim_value="a", name="mr"),
        MappingRuleIntent.CREATE,
    )
    engine.send(
        MappingRuleRecordValue(mapping_rule_id="mr", claim_name="sub", claim_value="b", name="mr"),
        MappingRuleIntent.UPDATE,
    )
    for value, intents in (
        (GroupRecordValue(group_id="eng", name="Engineering"), GroupIntent),
        (RoleRecordValue(role_id="ops", name="Operations"), RoleIntent),
        (TenantRecordValue(tenant_id="acme", name="Acme"), TenantIntent),
    ):
        engine.send(value, intents.CREATE)
        engine.send(msgspec.structs.replace(value, name=value.name + "!"), intents.UPDATE)
        for entity_id in ("demo", "ann"):
            engine.send(
                msgspec.structs.replace(value, entity_id=entity_id, entity_type=EntityType.USER),
                intents.ADD_ENTITY,
            )
        engine.send(
            msgspec.structs.replace(value, entity_id="ann", entity_type=EntityType.USER),
            intents.REMOVE_ENTITY,
        )
    engine.send(
        RoleRecordValue(role_id="ops", entity_id="mr", entity_type=EntityType.MAPPING_RULE),
        RoleIntent.ADD_ENTITY,
    )
    grant = AuthorizationRecordValue(
        owner_id="demo",
        owner_type=AuthorizationOwnerType.USER,
        resource_type=AuthorizationResourceType.PROCESS_DEFINITION,
        resource_id="*",
        permission_types=[PermissionType.CREATE_PROCESS_INSTANCE],
    )
    created = engine.send(grant, AuthorizationIntent.CREATE)
    engine.send(
        msgspec.structs.replace(grant, authorization_key=created.key, resource_id="order"),
        AuthorizationIntent.UPDATE,
    )
    engine.send(
        msgspec.structs.replace(grant, owner_id="ops", owner_type=AuthorizationOwnerType.ROLE),
        AuthorizationIntent.CREATE,
    )
    other = engine.send(msgspec.structs.replace(grant, owner_id="ann"), AuthorizationIntent.CREATE)
    engine.send(AuthorizationRecordValue(authorization_key=other.key), AuthorizationIntent.DELETE)
    engine.send(
        UserRecordValue(username="demo"), UserIntent.DELETE
    )  # leaves group, role, tenant; its grant goes
    engine.send(RoleRecordValue(role_id="ops"), RoleIntent.DELETE)
    engine.send(GroupRecordValue(group_id="eng"), GroupIntent.DELETE)
    engine.send(TenantRecordValue(tenant_id="acme"), TenantIntent.DELETE)
    engine.send(MappingRuleRecordValue(mapping_rule_id="mr"), MappingRuleIntent.DELETE)
    repeated = [(t, c) for t, c in engine.transport.sent if c.value_type is ValueType.USER and t == 2][:1]
    for target, command in repeated:
        engine.partitions[target].submit(command)  # delivered twice: only acknowledged again
    engine.run()


def migrating(version: int) -> bytes:
    """A service task with timer, message and signal boundary events (ids and timer per version),
    and a Camunda user task."""
    n = str(version)
    return definitions(
        process(
            "migrating",
            node("startEvent", "mg_start"),
            node("parallelGateway", "mg_fork"),
            service("mg_work", "mg_work"),
            node("userTask", "mg_check", ext="<zeebe:userTask/>"),
            node("endEvent", "mg_end"),
            node("endEvent", "mg_checked"),
            boundary("mg_timer" + n, "mg_work", timer("timeDuration", f"PT{version}H")),
            boundary("mg_msg" + n, "mg_work", '<bpmn:messageEventDefinition messageRef="m_mg"/>'),
            boundary("mg_sig" + n, "mg_work", '<bpmn:signalEventDefinition signalRef="s_mg"/>'),
            node("endEvent", "mg_late" + n),
            node("endEvent", "mg_stopped" + n),
            node("endEvent", "mg_halted" + n),
            chain("mg_start", "mg_fork", "mg_work", "mg_end"),
            chain("mg_fork", "mg_check", "mg_checked"),
            chain("mg_timer" + n, "mg_late" + n),
            chain("mg_msg" + n, "mg_stopped" + n),
            chain("mg_sig" + n, "mg_halted" + n),
        ),
        roots=message("m_mg", "mg-stop") + '<bpmn:signal id="s_mg" name="mg-halt"/>',
    )


def process_instance_migration(engine: TestEngine) -> None:
    """Process instance migration (PROCESS_INSTANCE_MIGRATION MIGRATED): ELEMENT_MIGRATED, JOB,
    INCIDENT, USER_TASK, VARIABLE, TIMER, PROCESS_MESSAGE_SUBSCRIPTION, MESSAGE_SUBSCRIPTION and
    SIGNAL_SUBSCRIPTION MIGRATED; the instance then finishes on the target."""
    engine.deploy(("migrating.bpmn", migrating(1)))
    instance = engine.instances.create("migrating", {"key": "mg-1"})
    [work] = engine.jobs.activate("mg_work")
    engine.jobs.fail(work.key, retries=0, error_message="down")  # an incident to migrate
    target = engine.deploy(("migrating.bpmn", migrating(2))).value.processes_metadata[0]
    mappings = [("mg_work", "mg_work"), ("mg_check", "mg_check"), ("mg_timer1", "mg_timer2")]
    mappings += [("mg_msg1", "mg_msg2"), ("mg_sig1", "mg_sig2")]
    engine.send(
        ProcessInstanceMigrationRecordValue(
            process_instance_key=instance,
            target_process_definition_key=target.process_definition_key,
            mapping_instructions=[
                ProcessInstanceMigrationMappingInstructionValue(source_element_id=s, target_element_id=t)
                for s, t in mappings
            ],
        ),
        ProcessInstanceMigrationIntent.MIGRATE,
        instance,
    )
    engine.jobs.update_retries(work.key, 1)
    engine.incidents.resolve(incident_keys(engine)[0])
    complete_all(engine, "mg_work")
    [task] = engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).limit(1)
    user_task(engine, UserTaskIntent.COMPLETE, task.key)
    assert (
        engine.records.process_instances()
        .with_element_id("migrating")
        .with_intent(ProcessInstanceIntent.ELEMENT_COMPLETED)
        .exists()
    )


def clock_distributed(engine: TestEngine) -> None:
    """Three partitions: the clock pinned on partition 1 and the pin distributed (CLOCK PINNED,
    received by partition 2), then reset the same way (CLOCK RESETTED), and a repeated delivery."""
    engine.send(ClockRecordValue(time=engine.clock.now_millis() + 3_600_000), ClockIntent.PIN)
    engine.send(ClockRecordValue(), ClockIntent.RESET)
    repeated = [(t, c) for t, c in engine.transport.sent if c.value_type is ValueType.CLOCK and t == 2][:1]
    for target, command in repeated:
        engine.partitions[target].submit(command)  # delivered twice: only acknowledged again
    engine.run()


PARTITIONED: dict[str, tuple[Callable[[TestEngine], None], int]] = {
    "distribution_sender": (distribution, 1),
    "distribution_receiver": (distribution, 2),
    "resource_deletion_receiver": (resource_deletion_distributed, 2),
    "identity_receiver": (identity_distributed, 2),
    "clock_receiver": (clock_distributed, 2),
    "batch_operation_lead": (lambda engine: batch_operations_distributed(engine), 1),
    "batch_operation_receiver": (lambda engine: batch_operations_distributed(engine), 2),
}
"""Scenarios run with three partitions: (scenario, the partition whose log is the golden log)."""


class _ListedItems:
    """Secondary storage for the batch operation scenario: the instances it lists, two per page;
    ``held`` makes every query fail in passing (the operation waits), a filter naming ``broken``
    can never be resolved."""

    def __init__(self) -> None:
        self.keys: list[int] = []
        self.held = False

    def fetch(
        self,
        operation_type: Any,
        entity_filter: str,
        cursor: str,
        page_size: int,
        partition_id: int,
        scope: Any = None,
    ) -> Any:
        from strom.engine.processing.batch_operation import ItemPage, ItemQueryError

        if "broken" in entity_filter:
            raise ItemQueryError("unknown filter field 'broken'")
        if self.held:
            raise ConnectionError("secondary storage is busy")
        start = int(cursor) if cursor else 0
        page = [
            BatchOperationItemValue(item_key=key, process_instance_key=key)
            for key in self.keys[start : start + 2]
        ]
        end = start + len(page)
        return ItemPage(page, str(end) if page else cursor, end >= len(self.keys))


def batch_operations(engine: TestEngine) -> None:
    """Batch operations: one cancelling three instances (CREATED, BATCH_OPERATION_CHUNK CREATED,
    INITIALIZED, EXECUTING / EXECUTED, COMPLETED), one suspended, resumed and canceled while it
    waits for secondary storage, one FAILED on a filter that cannot be resolved."""
    items = _ListedItems()
    engine.partition.engine.batch_operations.items = items
    engine.deploy(
        (
            "batch.bpmn",
            definitions(
                process(
                    "batch",
                    node("startEvent", "b_start"),
                    service("b_task", "b_work"),
                    node("endEvent", "b_end"),
                    chain("b_start", "b_task", "b_end"),
                )
            ),
        )
    )
    items.keys = [engine.instances.create("batch") for _ in range(3)]

    def create(entity_filter: str) -> int:
        value = BatchOperationCreationRecordValue(
            batch_operation_type=BatchOperationType.CANCEL_PROCESS_INSTANCE, entity_filter=entity_filter
        )
        return engine.send(value, BatchOperationIntent.CREATE).key

    create('{"bpmnProcessId": "batch"}')
    items.held = True
    waiting = create('{"bpmnProcessId": "other"}')
    for intent in (BatchOperationIntent.SUSPEND, BatchOperationIntent.RESUME, BatchOperationIntent.CANCEL):
        engine.send(
            BatchOperationLifecycleManagementRecordValue(batch_operation_key=waiting), intent, waiting
        )
    items.held = False
    create('{"broken": true}')
    assert (
        engine.records.of(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT)
        .with_intent(BatchOperationIntent.FAILED)
        .exists()
    )


class _PartitionItems:
    """Secondary storage for the distributed batch operation scenario: each partition finds the
    listed instances it owns; partition 3 cannot resolve any filter, ``held`` makes every query
    fail in passing."""

    def __init__(self) -> None:
        self.keys: list[int] = []
        self.held = False

    def fetch(
        self,
        operation_type: Any,
        entity_filter: str,
        cursor: str,
        page_size: int,
        partition_id: int,
        scope: Any = None,
    ) -> Any:
        from strom.engine.processing.batch_operation import ItemPage, ItemQueryError

        if partition_id == 3:
            raise ItemQueryError("partition 3 has no index")
        if self.held:
            raise ConnectionError("secondary storage is busy")
        owned = [key for key in self.keys if key >> 51 == partition_id]
        return ItemPage(
            [BatchOperationItemValue(item_key=key, process_instance_key=key) for key in owned], "all"
        )


def batch_operations_distributed(engine: TestEngine) -> None:
    """Three partitions: a cancel batch operation distributed to every partition (CREATED), each
    executing its own instances and reporting PARTITION_COMPLETED to partition 1, partition 3
    PARTITION_FAILED, COMPLETED with its error on partition 1; a second operation suspended,
    resumed and canceled on every partition."""
    items = _PartitionItems()
    for partition in engine.partitions.values():
        partition.engine.batch_operations.items = items
    engine.deploy(
        (
            "batch.bpmn",
            definitions(
                process(
                    "batch",
                    node("startEvent", "b_start"),
                    service("b_task", "b_work"),
                    node("endEvent", "b_end"),
                    chain("b_start", "b_task", "b_end"),
                )
            ),
        )
    )
    items.keys = [engine.instances.create("batch") for _ in range(6)]

    def create() -> int:
        value = BatchOperationCreationRecordValue(
            batch_operation_type=BatchOperationType.CANCEL_PROCESS_INSTANCE,
            entity_filter='{"processDefinitionId": "batch"}',
        )
        return engine.send(value, BatchOperationIntent.CREATE).key

    create()
    engine.run()
    assert (
        engine.records.of(ValueType.BATCH_OPERATION_LIFECYCLE_MANAGEMENT)
        .with_intent(BatchOperationIntent.COMPLETED)
        .exists()
    )
    items.held = True
    waiting = create()
    engine.run()
    for intent in (BatchOperationIntent.SUSPEND, BatchOperationIntent.RESUME, BatchOperationIntent.CANCEL):
        engine.send(
            BatchOperationLifecycleManagementRecordValue(batch_operation_key=waiting), intent, waiting
        )
    items.held = False


def initial_admin(engine: TestEngine) -> None:
    """The first admin (USER CREATE_INITIAL_ADMIN): USER INITIAL_ADMIN_CREATED v1 with the user,
    the built-in admin role and its membership made by follow-up commands; a second setup refused."""
    root = UserRecordValue(username="root", password=hash_password("secret"))
    engine.send(root, UserIntent.CREATE_INITIAL_ADMIN)
    late = UserRecordValue(username="late", password=hash_password("secret"))
    engine.send(late, UserIntent.CREATE_INITIAL_ADMIN, expect_rejection=True)


SCENARIOS: dict[str, Callable[[TestEngine], None]] = {  # run by today's engine
    "jobs_incidents_variables": jobs_incidents_variables,
    "gateways_scopes_listeners": gateways_scopes_listeners,
    "timers_and_messages": timers_and_messages,
    "signals_errors_escalations_compensation": signals_errors_escalations_compensation,
    "user_tasks_decisions_forms": user_tasks_decisions_forms,
    "message_correlation": message_correlation,
    "decision_and_form_deletion": decision_and_form_deletion,
    "ad_hoc_sub_process": ad_hoc_sub_process,
    "process_instance_migration": process_instance_migration,
    "user_task_listeners": user_task_listeners,
    "user_task_listener_denials": user_task_listener_denials,
    "user_task_listener_requests": user_task_listener_requests,
    "user_task_listener_variables": user_task_listener_variables,
    "batch_operations": batch_operations,
    "initial_admin": initial_admin,
}
SCENARIOS_ALL = (*SCENARIOS, *PARTITIONED, "released_v1")

# -- the log of a released Strom ------------------------------------------------------------------

RELEASED_V1_SCRIPT = textwrap.dedent(
    """
    from strom.testing import TestEngine, bpmn

    engine = TestEngine()
    order = bpmn.process("order").start_event().service_task("a", job_type="a")
    order = order.service_task("b", job_type="b").end_event("end")
    engine.deploy(order)
    engine.deploy(bpmn.process("temporary").start_event().end_event("end"))

    first = engine.instances.create("order", {"x": 1})
    [job] = engine.jobs.activate("a")
    engine.jobs.complete(job.key, {"y": 2})
    [job] = engine.jobs.activate("b")
    engine.jobs.throw_error(job.key, "UNKNOWN", "nobody catches this")
    [incident] = engine.records.incidents().limit(1)
    engine.variables.set(first, {"x": 3})
    engine.incidents.resolve(incident.key)
    [job] = engine.jobs.activate("b")
    engine.jobs.complete(job.key)

    second = engine.instances.create("order", {"x": 4})
    [job] = engine.jobs.activate("a")
    engine.jobs.fail(job.key, 0, "out of retries")
    engine.jobs.update_retries(job.key, 1)
    [_, incident] = engine.records.incidents().with_intent(0).limit(2)
    engine.incidents.resolve(incident.key)
    [job] = engine.jobs.activate("a")
    engine.jobs.complete(job.key)
    [job] = engine.jobs.activate("b")
    engine.jobs.throw_error(job.key, "UNKNOWN", "left with its incident")

    engine.instances.cancel(engine.instances.create("order"))
    engine.instances.create("order")
    engine.check_replay()
    engine.partition.log.flush()
    engine.close()
    """
)


def released_v1() -> list[bytes]:
    """Run the scenario above with Strom of commit ``RELEASED_V1_COMMIT``; returns its log."""
    root = Path(__file__).resolve().parents[3]
    work = Path(tempfile.mkdtemp(prefix="strom-released-"))
    try:
        archive = subprocess.run(
            ["git", "-C", str(root), "archive", RELEASED_V1_COMMIT, "strom"],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(work)], input=archive, check=True)
        script = work / "scenario.py"
        data = work / "data"
        script.write_text(RELEASED_V1_SCRIPT.replace("TestEngine()", f"TestEngine({str(data)!r})"))
        subprocess.run(
            [sys.executable, str(script)],
            check=True,
            cwd=work,
            env={"PYTHONPATH": str(work), "PATH": "/usr/bin:/bin"},
        )
        return log_records(data / "partition-1" / "log")
    finally:
        shutil.rmtree(work, ignore_errors=True)


# -- writing --------------------------------------------------------------------------------------


def run(name: str) -> list[bytes]:
    """The log the scenario writes (checked to replay to the state the engine had)."""
    directory = Path(tempfile.mkdtemp(prefix=f"strom-golden-{name}-"))
    scenario, partition_id = PARTITIONED.get(name, (SCENARIOS.get(name), 1))
    assert scenario is not None, f"no scenario {name!r}"
    try:
        engine = TestEngine(directory, partitions=3 if name in PARTITIONED else 1)
        try:
            scenario(engine)
            engine.check_replay()
            for partition in engine.partitions.values():
                partition.log.flush()
        finally:
            engine.close()
        return log_records(directory / f"partition-{partition_id}" / "log")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def show(name: str) -> str:
    """The compact record log of a golden log (with the resources its deployments carried)."""
    records = [codec.decode(data) for data in read_records(name)]
    deployed = [
        (resource.resource_name, resource.resource)
        for record in records
        if record.value_type is ValueType.DEPLOYMENT and record.record_type is RecordType.COMMAND
        for resource in record.value.resources
    ]
    return compact_log(records, deployed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenarios", nargs="*", help=f"what to write (default: {', '.join(SCENARIOS_ALL)})")
    parser.add_argument(
        "--name", help="save the one scenario given under this name (a log for a new applier version)"
    )
    parser.add_argument("--replace", action="store_true", help="overwrite a golden log that exists")
    parser.add_argument(
        "--digest-only",
        action="store_true",
        help="re-pin the digests of the committed logs (the state's encoding changed on purpose)",
    )
    parser.add_argument("--show", metavar="NAME", help="print the compact record log of a golden log")
    args = parser.parse_args(argv)
    if args.show:
        print(show(args.show))
        return 0
    if args.digest_only:
        for name in args.scenarios or scenarios():
            records = read_records(name)
            write_digest(name, records, read_digest(name)["note"])
            print(f"{name}: digest re-pinned")
        return 0
    names = args.scenarios or list(SCENARIOS_ALL)
    if args.name and len(names) != 1:
        parser.error("--name needs exactly one scenario")
    for scenario in names:
        name = args.name or scenario
        if records_path(name).exists() and not args.replace:
            print(f"{name}: kept (a golden log is never rewritten; --replace to overwrite)")
            continue
        if scenario == "released_v1":
            records = released_v1()
            note = f"written by Strom at commit {RELEASED_V1_COMMIT} (version 1 appliers)"
        else:
            records = run(scenario)
            function = PARTITIONED[scenario][0] if scenario in PARTITIONED else SCENARIOS[scenario]
            note = " ".join((function.__doc__ or "").split())
            if scenario in PARTITIONED:
                note += f" (the log of partition {PARTITIONED[scenario][1]})"
        write_records(name, records)
        write_digest(name, records, note)
        print(f"{name}: {len(records)} records, {records_path(name).stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
