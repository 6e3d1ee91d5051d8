"""Helpers for event tests: publishing messages, broadcasting signals, event definitions as XML.

The ``ev`` fixture gives the XML helpers (``ev.message_def("m")``, ``ev.boundary(...)``) so tests in
any directory can use them; ``publish`` and ``broadcast`` send the commands a client would.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import SimpleNamespace
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pytest

from strom.protocol.record import Record
from strom.testing import TestEngine, bpmn

# -- root elements -------------------------------------------------------------------------------


def message(message_id: str, name: str, correlation_key: str | None = "=key") -> str:
    subscription = (
        f"<bpmn:extensionElements><zeebe:subscription correlationKey={quoteattr(correlation_key)}/>"
        "</bpmn:extensionElements>"
        if correlation_key
        else ""
    )
    return f"<bpmn:message id={quoteattr(message_id)} name={quoteattr(name)}>{subscription}</bpmn:message>"


def signal(signal_id: str, name: str) -> str:
    return f"<bpmn:signal id={quoteattr(signal_id)} name={quoteattr(name)}/>"


def error(error_id: str, code: str) -> str:
    return f"<bpmn:error id={quoteattr(error_id)} errorCode={quoteattr(code)}/>"


def escalation(escalation_id: str, code: str) -> str:
    return f"<bpmn:escalation id={quoteattr(escalation_id)} escalationCode={quoteattr(code)}/>"


# -- event definitions (an element's body) -------------------------------------------------------


def message_def(ref: str) -> str:
    return f"<bpmn:messageEventDefinition messageRef={quoteattr(ref)}/>"


def timer_def(kind: str, value: str) -> str:
    tag = {"date": "timeDate", "duration": "timeDuration", "cycle": "timeCycle"}[kind]
    return (
        f'<bpmn:timerEventDefinition><bpmn:{tag} xsi:type="bpmn:tFormalExpression">'
        f"{escape(value)}</bpmn:{tag}></bpmn:timerEventDefinition>"
    )


def signal_def(ref: str) -> str:
    return f"<bpmn:signalEventDefinition signalRef={quoteattr(ref)}/>"


def error_def(ref: str | None = None) -> str:
    if ref:
        return f"<bpmn:errorEventDefinition errorRef={quoteattr(ref)}/>"
    return "<bpmn:errorEventDefinition/>"


def escalation_def(ref: str | None = None) -> str:
    if ref:
        return f"<bpmn:escalationEventDefinition escalationRef={quoteattr(ref)}/>"
    return "<bpmn:escalationEventDefinition/>"


def compensation_def(activity: str | None = None) -> str:
    if activity:
        return f"<bpmn:compensateEventDefinition activityRef={quoteattr(activity)}/>"
    return "<bpmn:compensateEventDefinition/>"


def link_def(name: str) -> str:
    return f"<bpmn:linkEventDefinition name={quoteattr(name)}/>"


def task_definition(job_type: str) -> str:
    return f"<zeebe:taskDefinition type={quoteattr(job_type)}/>"


# -- elements ------------------------------------------------------------------------------------


def boundary(
    builder: bpmn.ProcessBuilder,
    element_id: str,
    attached_to: str,
    definition: str,
    *,
    interrupting: bool = True,
    extension: str = "",
) -> bpmn.ProcessBuilder:
    """A boundary event on ``attached_to``; the builder continues from it."""
    attributes = {"attachedToRef": attached_to}
    if not interrupting:
        attributes["cancelActivity"] = "false"
    return builder.element(
        "boundaryEvent", element_id, connect=False, body=definition, extension=extension, **attributes
    )


def inner(builder: bpmn.ProcessBuilder) -> str:
    """The elements and flows of ``builder`` without the process around them."""
    xml = builder.to_xml()
    start = xml.index(">", xml.index("<bpmn:process")) + 1
    return xml[start : xml.index("</bpmn:process>")]


def event_subprocess(
    builder: bpmn.ProcessBuilder, element_id: str, content: bpmn.ProcessBuilder
) -> bpmn.ProcessBuilder:
    """An event subprocess holding ``content`` (a builder whose first element is the start event);
    the builder continues from where it was."""
    current = builder._current
    builder.element("subProcess", element_id, connect=False, triggeredByEvent="true", body=inner(content))
    builder._current = current
    return builder


def sub_process(
    builder: bpmn.ProcessBuilder, element_id: str, content: bpmn.ProcessBuilder, *, extension: str = ""
) -> bpmn.ProcessBuilder:
    """An embedded subprocess holding ``content``, connected from the last element."""
    return builder.element("subProcess", element_id, body=inner(content), extension=extension)


def start_event(builder: bpmn.ProcessBuilder, element_id: str, definition: str, *, interrupting: bool = True):
    attributes = {} if interrupting else {"isInterrupting": "false"}
    return builder.element("startEvent", element_id, connect=False, body=definition, **attributes)


EVENTS = SimpleNamespace(
    message=message,
    signal=signal,
    error=error,
    escalation=escalation,
    message_def=message_def,
    timer_def=timer_def,
    signal_def=signal_def,
    error_def=error_def,
    escalation_def=escalation_def,
    compensation_def=compensation_def,
    link_def=link_def,
    task_definition=task_definition,
    boundary=boundary,
    event_subprocess=event_subprocess,
    sub_process=sub_process,
    start_event=start_event,
    inner=inner,
)


@pytest.fixture
def ev() -> SimpleNamespace:
    return EVENTS


class Publisher:
    def __init__(self, engine: TestEngine) -> None:
        self._engine = engine

    def __call__(
        self,
        name: str,
        correlation_key: str = "",
        variables: Mapping[str, Any] | None = None,
        *,
        ttl_ms: int = 60_000,
        message_id: str = "",
        expect_rejection: bool = False,
    ) -> Record[Any]:
        return self._engine.messages.publish(
            name,
            correlation_key,
            variables,
            ttl_ms=ttl_ms,
            message_id=message_id,
            expect_rejection=expect_rejection,
        )


@pytest.fixture
def publish(engine: TestEngine) -> Publisher:
    return Publisher(engine)


@pytest.fixture
def broadcast(engine: TestEngine) -> Any:
    return engine.signals.broadcast
