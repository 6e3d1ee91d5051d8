"""Assertions on a process instance that read like the process.

    assert_instance(engine, key).has_passed("charge").is_waiting_at("ship").has_variable("paid", True)

Every check reads the records the engine wrote for the instance (bounded: at most ``limit``
records per query; a bigger instance raises rather than being judged on part of its history) and
returns the same object, so checks chain. A failing check raises ``AssertionError`` saying where
the instance is: its state, the elements it is waiting at, its open incidents and its variables.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from strom.protocol.bpmn import BpmnElementType
from strom.protocol.intents import IncidentIntent, ProcessInstanceIntent, VariableIntent
from strom.protocol.record import Record
from strom.protocol.values.enums import ErrorType
from strom.testing._engine import TestEngine

DEFAULT_LIMIT = 10_000
"""Records read per query; an instance with more records than this needs ``limit=``."""

_PI = ProcessInstanceIntent
_ENTERED = frozenset({_PI.ELEMENT_ACTIVATING, _PI.ELEMENT_ACTIVATED})
_LEFT = frozenset({_PI.ELEMENT_COMPLETED, _PI.ELEMENT_TERMINATED})
_ANY: Any = object()


@dataclass
class InstanceState:
    """What the records say about one process instance (a snapshot; ``InstanceAssert`` re-reads)."""

    key: int
    process_id: str = ""
    state: str = "not found"
    """``"active"``, ``"completed"``, ``"terminated"`` or ``"not found"``."""
    active: dict[int, str] = field(default_factory=dict)
    """Element instance key -> element id of every element entered and not left (the process
    itself excluded)."""
    completed: dict[str, int] = field(default_factory=dict)
    """Element id -> how many times an instance of it completed."""
    incidents: dict[int, Any] = field(default_factory=dict)
    """Incident key -> value of every incident created and not resolved."""
    variables: dict[str, Any] = field(default_factory=dict)
    """The instance's (root scope) variables, decoded."""

    def describe(self) -> str:
        """Where the instance is, for failure messages."""
        name = f" ({self.process_id})" if self.process_id else ""
        lines = [f"process instance {self.key}{name} is {self.state}"]
        waiting = sorted(self.active.values())
        lines.append(f"  waiting at: {', '.join(waiting) if waiting else '(nothing)'}")
        if self.incidents:
            lines.append("  open incidents:")
            lines.extend(
                f"    {incident.error_type.value} at {incident.element_id!r}: {incident.error_message}"
                for incident in self.incidents.values()
            )
        else:
            lines.append("  open incidents: (none)")
        passed = ", ".join(f"{element} x{count}" for element, count in self.completed.items())
        lines.append(f"  completed elements: {passed or '(none)'}")
        variables = ", ".join(f"{name}={value!r}" for name, value in sorted(self.variables.items()))
        lines.append(f"  variables: {variables or '(none)'}")
        return "\n".join(lines)


def read_instance(
    engine: TestEngine, process_instance_key: int, *, limit: int = DEFAULT_LIMIT
) -> InstanceState:
    """The state of a process instance as its records tell it."""
    state = InstanceState(process_instance_key)
    lifecycle = _bounded(
        engine.records.process_instances().events().with_process_instance_key(process_instance_key),
        limit,
        "process instance",
    )
    for record in lifecycle:
        value = record.value
        intent = record.intent
        if record.key == process_instance_key and value.bpmn_element_type is BpmnElementType.PROCESS:
            state.process_id = value.bpmn_process_id
            if intent in _ENTERED:
                state.state = "active"
            elif intent == _PI.ELEMENT_COMPLETED:
                state.state = "completed"
            elif intent == _PI.ELEMENT_TERMINATED:
                state.state = "terminated"
            continue
        if intent in _ENTERED:
            state.active[record.key] = value.element_id
        elif intent in _LEFT:
            state.active.pop(record.key, None)
            if intent == _PI.ELEMENT_COMPLETED:
                state.completed[value.element_id] = state.completed.get(value.element_id, 0) + 1
    incidents = _bounded(
        engine.records.incidents().events().with_process_instance_key(process_instance_key), limit, "incident"
    )
    for record in incidents:
        if record.intent == IncidentIntent.CREATED:
            state.incidents[record.key] = record.value
        elif record.intent == IncidentIntent.RESOLVED:
            state.incidents.pop(record.key, None)
    variables = _bounded(
        engine.records.variables().events().with_value(scope_key=process_instance_key), limit, "variable"
    )
    for record in variables:
        if record.intent in (VariableIntent.CREATED, VariableIntent.UPDATED):
            state.variables[record.value.name] = _decode(record.value.value)
    return state


class InstanceAssert:
    """Fluent checks on one process instance; each reads the records afresh and returns ``self``."""

    __slots__ = ("_engine", "_key", "_limit")

    def __init__(self, engine: TestEngine, process_instance_key: int, *, limit: int = DEFAULT_LIMIT) -> None:
        self._engine = engine
        self._key = process_instance_key
        self._limit = limit

    @property
    def state(self) -> InstanceState:
        return read_instance(self._engine, self._key, limit=self._limit)

    # -- the instance as a whole ------------------------------------------------------------------

    def exists(self) -> InstanceAssert:
        state = self.state
        if state.state == "not found":
            raise AssertionError(f"expected process instance {self._key} to exist, but it has no records")
        return self

    def is_active(self) -> InstanceAssert:
        return self._is("active")

    def is_completed(self) -> InstanceAssert:
        return self._is("completed")

    def is_terminated(self) -> InstanceAssert:
        return self._is("terminated")

    # -- elements ------------------------------------------------------------------------------------

    def has_passed(self, element_id: str, times: int | None = None) -> InstanceAssert:
        """``element_id`` completed (exactly ``times`` times, if given)."""
        state = self.state
        count = state.completed.get(element_id, 0)
        if (count == 0) if times is None else (count != times):
            expected = "at least once" if times is None else _times(times)
            raise AssertionError(
                f"expected {element_id!r} to have completed {expected}, but it completed {_times(count)}\n"
                + state.describe()
            )
        return self

    def has_not_passed(self, *element_ids: str) -> InstanceAssert:
        """None of ``element_ids`` completed."""
        state = self.state
        passed = [element_id for element_id in element_ids if state.completed.get(element_id)]
        if passed:
            raise AssertionError(
                f"expected {', '.join(map(repr, passed))} not to have completed, but "
                f"{'it' if len(passed) == 1 else 'they'} did\n" + state.describe()
            )
        return self

    def is_waiting_at(self, *element_ids: str) -> InstanceAssert:
        """Each of ``element_ids`` has an instance that was entered and has not been left."""
        state = self.state
        active = set(state.active.values())
        missing = [element_id for element_id in element_ids if element_id not in active]
        if missing:
            raise AssertionError(
                f"expected the instance to be waiting at {', '.join(map(repr, missing))}\n" + state.describe()
            )
        return self

    def is_not_waiting_at(self, *element_ids: str) -> InstanceAssert:
        state = self.state
        waiting = [element_id for element_id in element_ids if element_id in set(state.active.values())]
        if waiting:
            raise AssertionError(
                f"expected the instance not to be waiting at {', '.join(map(repr, waiting))}\n"
                + state.describe()
            )
        return self

    # -- variables -----------------------------------------------------------------------------------

    def has_variable(self, name: str, value: Any = _ANY) -> InstanceAssert:
        """The instance's (root scope) variable ``name`` exists (and equals ``value``, if given)."""
        state = self.state
        if name not in state.variables:
            raise AssertionError(f"expected the instance to have a variable {name!r}\n" + state.describe())
        if value is not _ANY and state.variables[name] != value:
            raise AssertionError(
                f"expected variable {name!r} to be {value!r}, but it is {state.variables[name]!r}\n"
                + state.describe()
            )
        return self

    def has_variables(self, variables: Mapping[str, Any]) -> InstanceAssert:
        """Every one of ``variables`` exists with that value (other variables may exist too)."""
        state = self.state
        wrong = {
            name: state.variables.get(name, "<missing>")
            for name, value in variables.items()
            if name not in state.variables or state.variables[name] != value
        }
        if wrong:
            expected = ", ".join(f"{name}={variables[name]!r}" for name in wrong)
            actual = ", ".join(f"{name}={value!r}" for name, value in wrong.items())
            raise AssertionError(f"expected variables {expected}, but found {actual}\n" + state.describe())
        return self

    def has_no_variable(self, name: str) -> InstanceAssert:
        state = self.state
        if name in state.variables:
            raise AssertionError(f"expected no variable {name!r}\n" + state.describe())
        return self

    # -- incidents -----------------------------------------------------------------------------------

    def has_incident(
        self,
        error_type: ErrorType | str | None = None,
        message_contains: str | None = None,
        *,
        element_id: str | None = None,
    ) -> InstanceAssert:
        """An open (not resolved) incident, of ``error_type`` / whose message contains
        ``message_contains`` / at ``element_id`` when given."""
        state = self.state
        wanted = ErrorType(error_type) if error_type is not None else None
        for incident in state.incidents.values():
            if (
                (wanted is None or incident.error_type is wanted)
                and (message_contains is None or message_contains in incident.error_message)
                and (element_id is None or incident.element_id == element_id)
            ):
                return self
        criteria = [
            f"{name} {value!r}"
            for name, value in (
                ("of type", wanted.value if wanted else None),
                ("with a message containing", message_contains),
                ("at", element_id),
            )
            if value is not None
        ]
        raise AssertionError(
            f"expected an open incident{' ' + ', '.join(criteria) if criteria else ''}\n" + state.describe()
        )

    def has_no_incident(self) -> InstanceAssert:
        state = self.state
        if state.incidents:
            raise AssertionError("expected no open incident\n" + state.describe())
        return self

    # -- internals -----------------------------------------------------------------------------------

    def _is(self, expected: str) -> InstanceAssert:
        state = self.state
        if state.state != expected:
            raise AssertionError(
                f"expected process instance {self._key} to be {expected}\n" + state.describe()
            )
        return self


def assert_instance(
    engine: TestEngine, process_instance_key: int, *, limit: int = DEFAULT_LIMIT
) -> InstanceAssert:
    """Fluent assertions on the process instance ``process_instance_key`` of ``engine``."""
    return InstanceAssert(engine, process_instance_key, limit=limit)


def _bounded(query: Any, limit: int, what: str) -> list[Record[Any]]:
    records: list[Record[Any]] = query.limit(limit + 1)
    if len(records) > limit:
        raise AssertionError(
            f"the instance has more than {limit} {what} records; pass a bigger limit= to assert_instance"
        )
    return records


def _decode(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


def _times(count: int) -> str:
    return {0: "never", 1: "once", 2: "twice"}.get(count, f"{count} times")


__all__ = ["DEFAULT_LIMIT", "InstanceAssert", "InstanceState", "assert_instance", "read_instance"]
