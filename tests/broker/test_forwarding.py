"""Forwarding between cluster brokers over a real NATS server: a follower's command reaches the
partition's leader and its answer comes back (a record or a refusal); through a leader change it
waits for the next leader, and with none until its time is up it is refused as unavailable; it is
never forwarded on."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from strom.broker.endpoint import Answer, AnswerCallback, Refusal
from strom.broker.forwarding import NOT_LEADING, Forwarder
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


def _creating(key: int) -> Any:
    def request_here(command: Any, on_answer: AnswerCallback) -> int:
        created = RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue](
            record_type=RecordType.EVENT,
            intent=ProcessInstanceCreationIntent.CREATED,
            key=key,
            value=ProcessInstanceCreationRecordValue(bpmn_process_id=command.value.bpmn_process_id),
        )
        threading.Thread(target=on_answer, args=(created,)).start()
        return 1

    return request_here


def test_a_command_forwarded_during_a_failover_waits_for_the_new_leader(
    brokers: tuple[Forwarder, Forwarder],
) -> None:
    leader, follower = brokers
    # no broker leads partition 1 yet; one takes over 0.6 s after the command was sent
    threading.Timer(0.6, lambda: leader.serve(1, _creating(7))).start()

    answer = _forward(follower, _creation("order"))

    assert not isinstance(answer, Refusal), answer
    assert answer.key == 7


def test_a_command_refused_by_a_leader_that_just_stepped_down_goes_to_the_next_one(
    nats: NatsServer, brokers: tuple[Forwarder, Forwarder]
) -> None:
    old, follower = brokers
    new = Forwarder([nats.url], "new leader", request_timeout_s=5)
    try:
        handed_over = threading.Event()

        def hand_over() -> None:  # as the members do, from their own threads
            old.stop_serving(1)
            time.sleep(0.3)
            new.serve(1, _creating(8))

        def stepped_down(command: Any, on_answer: AnswerCallback) -> int:
            on_answer(Refusal(1, f"partition 1 {NOT_LEADING} (node old, stepping-down)", unavailable=True))
            if not handed_over.is_set():
                handed_over.set()
                threading.Thread(target=hand_over).start()
            return -1

        old.serve(1, stepped_down)

        answer = _forward(follower, _creation("order"))

        assert not isinstance(answer, Refusal), answer
        assert answer.key == 8
    finally:
        new.close()


def test_a_leader_that_refuses_waiting_requests_at_a_step_down_is_not_asked_again(
    brokers: tuple[Forwarder, Forwarder],
) -> None:
    leader, follower = brokers
    asked: list[Any] = []

    def refusing(command: Any, on_answer: AnswerCallback) -> int:
        asked.append(command)  # the command may be in its log: only the client may decide to retry
        on_answer(Refusal(1, "partition 1 lost its leader on node b1", unavailable=True))
        return -1

    leader.serve(1, refusing)

    answer = _forward(follower, _creation("order"))

    assert isinstance(answer, Refusal) and "lost its leader" in answer.reason
    assert len(asked) == 1
