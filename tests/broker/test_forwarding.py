"""Forwarding between cluster brokers over a real NATS server: a follower's command reaches the
partition's leader and its answer comes back (a record or a refusal); with no leader it is refused
as unavailable at once, never forwarded on."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strom.broker.endpoint import Answer, AnswerCallback, Refusal
from strom.broker.forwarding import Forwarder
from strom.protocol.enums import RecordType
from strom.protocol.intents import ProcessInstanceCreationIntent
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue
from tests.log._nats import NatsServer, required_binary, start_server


@pytest.fixture
def nats(tmp_path: Path) -> Iterator[NatsServer]:
    server = start_server(required_binary(), tmp_path / "nats")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def brokers(nats: NatsServer) -> Iterator[tuple[Forwarder, Forwarder]]:
    leader = Forwarder([nats.url], "leader", request_timeout_s=5)
    follower = Forwarder([nats.url], "follower", request_timeout_s=5)
    try:
        yield leader, follower
    finally:
        follower.close()
        leader.close()


def _creation(process_id: str) -> Any:
    return RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue](
        record_type=RecordType.COMMAND,
        intent=ProcessInstanceCreationIntent.CREATE,
        value=ProcessInstanceCreationRecordValue(bpmn_process_id=process_id, variables={"n": 1}),
    )


def _forward(follower: Forwarder, command: Any) -> Answer:
    answers: list[Answer] = []
    done = threading.Event()

    def on_answer(answer: Answer) -> None:
        answers.append(answer)
        done.set()

    follower.forward(1, command, on_answer)
    assert done.wait(10), "no answer"
    return answers[0]


def test_a_forwarded_command_is_answered_by_the_leader(brokers: tuple[Forwarder, Forwarder]) -> None:
    leader, follower = brokers
    seen: list[Any] = []

    def request_here(command: Any, on_answer: AnswerCallback) -> int:
        seen.append(command)
        created = RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue](
            record_type=RecordType.EVENT,
            intent=ProcessInstanceCreationIntent.CREATED,
            key=42,
            value=ProcessInstanceCreationRecordValue(bpmn_process_id=command.value.bpmn_process_id),
        )
        threading.Thread(target=on_answer, args=(created,)).start()  # as a processing thread answers
        return 1

    leader.serve(1, request_here)
    answer = _forward(follower, _creation("order"))

    assert [(c.value.bpmn_process_id, c.value.variables) for c in seen] == [("order", {"n": 1})]
    assert not isinstance(answer, Refusal)
    assert (answer.key, answer.intent, answer.value.bpmn_process_id) == (
        42,
        ProcessInstanceCreationIntent.CREATED,
        "order",
    )


def test_the_leaders_refusal_comes_back_as_it_was(brokers: tuple[Forwarder, Forwarder]) -> None:
    leader, follower = brokers

    def at_its_limit(command: Any, on_answer: AnswerCallback) -> int:
        on_answer(Refusal(1, "", inflight=20, limit=20))
        return -1

    leader.serve(1, at_its_limit)

    assert _forward(follower, _creation("order")) == Refusal(1, "", inflight=20, limit=20)


def test_without_a_leader_the_command_is_refused_as_unavailable(brokers: tuple[Forwarder, Forwarder]) -> None:
    leader, follower = brokers
    leader.serve(1, lambda command, on_answer: -1)
    leader.stop_serving(1)  # stepped down

    answer = _forward(follower, _creation("order"))

    assert isinstance(answer, Refusal) and answer.unavailable
    assert "partition 1 has no leader right now" in answer.reason
