"""Leadership per partition on NATS JetStream (issue 15 item 2): a lease makes one broker the leader,
the others follow the stream and replay, and a follower takes over when the lease is free.

Against a real ``nats-server`` (no mocks). Each broker is a ``PartitionMember`` with its own data
directory, NATS connections and lease manager; the crash test runs the leader in a process of its
own and SIGKILLs it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from strom.broker import PartitionSettings
from strom.broker.endpoint import Refusal
from strom.db import latest_snapshot
from strom.db.digest import digest
from strom.protocol import codec
from strom.protocol.enums import RecordType, ValueType
from strom.protocol.intents import ProcessInstanceCreationIntent
from tests.log._nats import NatsServer, required_binary, start_server

try:
    import nats  # noqa: F401  (only to know whether nats-py is installed)

    from strom.broker.cluster_member import PartitionMember
    from strom.log.jetstream import JetStreamLog, WriterFencedError
    from strom.log.lease import LeaseManager
except ImportError:  # pragma: no cover - the `test` extra installs nats-py
    PartitionMember = None  # type: ignore[assignment,misc]

_NODE = Path(__file__).with_name("_cluster_node.py")
sys.path.insert(0, str(_NODE.parent))
from _cluster_node import create_command, deploy_command  # noqa: E402

TTL = 1.0
RENEW = 0.25
SKEW = 0.2


@pytest.fixture
def server(tmp_path: Path) -> Iterator[NatsServer]:
    started = start_server(required_binary(), tmp_path / "nats", sync_always=True)
    yield started
    started.stop()


@pytest.fixture
def members(server: NatsServer, tmp_path: Path) -> Iterator[Callable[..., PartitionMember]]:
    """Opens members of partition 1 (one data directory and lease manager each); closes them all."""
    made: list[tuple[PartitionMember, LeaseManager]] = []

    def make(node_id: str, snapshot_every_records: int = 200_000, **lease_options: Any) -> PartitionMember:
        options: dict[str, Any] = {"ttl_s": TTL, "renew_every_s": RENEW, "max_clock_skew_s": SKEW}
        options.update(lease_options)
        leases = LeaseManager(server.url, node_id, **options)
        settings = PartitionSettings(
            data_dir=tmp_path / node_id,
            log_servers=(server.url,),
            snapshot_period_s=float("inf"),
            snapshot_every_records=snapshot_every_records,
        )
        member = PartitionMember(settings, leases, poll_s=0.02)
        made.append((member, leases))
        return member.open()

    yield make
    for member, leases in made:
        try:
            if member.role != "closed":
                member.close()
        finally:
            leases.close()


def ask(member: PartitionMember, command: Any, timeout_s: float = 15.0) -> Any:
    """Send ``command`` through the member's endpoint and wait for the answer (a record or Refusal)."""
    answers: list[Any] = []
    done = threading.Event()
    member.request(command, lambda answer: (answers.append(answer), done.set()))
    assert done.wait(timeout_s), "no answer"
    return answers[0]


def create_instances(member: PartitionMember, count: int) -> list[int]:
    keys = []
    for _ in range(count):
        answer = ask(member, create_command())
        assert not isinstance(answer, Refusal), answer
        keys.append(answer.value.process_instance_key)
    return keys


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout_s} s: {what}")
        time.sleep(0.01)


def caught_up(follower: PartitionMember, leader: PartitionMember) -> bool:
    return (
        follower.partition.log.next_position == leader.partition.log.next_position
        and follower.partition.processor.applied_position == leader.partition.processor.applied_position
    )


def created_on_stream(server: NatsServer) -> list[int]:
    """Process instance keys of every CREATED creation event in partition 1's stream (a fresh reader)."""
    with JetStreamLog(server.url, 1) as log, log.reader(1) as reader:
        records = [codec.decode(data) for _, data in reader]
    assert [r.position for r in records] == list(range(1, len(records) + 1)), "positions not consecutive"
    return [
        r.value.process_instance_key
        for r in records
        if r.value_type is ValueType.PROCESS_INSTANCE_CREATION
        and r.record_type is RecordType.EVENT
        and r.intent == ProcessInstanceCreationIntent.CREATED
    ]


def test_one_leader_and_a_follower_whose_state_stays_equal(
    members: Callable[..., PartitionMember],
) -> None:
    leader = members("b1")
    assert leader.wait_for_role("leader", 10)
    follower = members("b2")
    assert follower.wait_for_role("follower", 10)

    assert not isinstance(ask(leader, deploy_command()), Refusal)
    create_instances(leader, 30)
    refused = ask(follower, create_command())
    assert isinstance(refused, Refusal) and refused.unavailable and "not led by this broker" in refused.reason

    wait_until(lambda: caught_up(follower, leader), 10, "the follower replays what the leader wrote")
    assert leader.partition.processor.applied_position > 30
    assert digest(follower.partition.db) == digest(leader.partition.db)
    assert follower.role == "follower" and leader.term > 0


def test_a_follower_snapshots_and_a_restarted_follower_replays_only_what_came_after(
    members: Callable[..., PartitionMember],
) -> None:
    leader = members("b1")
    assert leader.wait_for_role("leader", 10)
    follower = members("b2", snapshot_every_records=100)
    assert not isinstance(ask(leader, deploy_command()), Refusal)
    create_instances(leader, 40)
    wait_until(lambda: caught_up(follower, leader), 10, "the follower catches up")
    snapshot = latest_snapshot(follower.partition.snapshots_dir)
    assert snapshot is not None and snapshot.metadata["applied_position"] >= 100
    state = digest(follower.partition.db)

    # as after a crash: the member's thread stops, the partition closes without a final snapshot
    follower._closing = True
    follower._wake.set()
    assert follower._runner is not None
    follower._runner.join(10)
    follower.partition.close(snapshot=False)
    follower.role = "closed"

    restarted = members("b2", snapshot_every_records=100)
    assert restarted.wait_for_role("follower", 10)
    assert restarted.partition.processor.applied_position == leader.partition.processor.applied_position
    assert restarted.partition.replayed_events < leader.partition.processor.applied_position - 100
    assert digest(restarted.partition.db) == state


def test_a_follower_takes_over_a_released_lease_from_current_state(
    members: Callable[..., PartitionMember],
) -> None:
    first = members("b1")
    assert first.wait_for_role("leader", 10)
    second = members("b2")
    assert not isinstance(ask(first, deploy_command()), Refusal)
    before = create_instances(first, 20)
    wait_until(lambda: caught_up(second, first), 10, "the follower catches up")
    replayed_at_start = second.partition.replayed_events

    first.close()  # clean: finishes its step, releases the lease
    started = time.monotonic()
    assert second.wait_for_role("leader", 10)
    assert time.monotonic() - started < 2
    assert second.term > first.term
    assert second.partition.replayed_events == replayed_at_start, "took over without reopening"

    after = create_instances(second, 20)
    assert len(set(before) | set(after)) == 40
    assert sorted(before + after) == sorted(set(created_on_stream_of(second)))


def created_on_stream_of(member: PartitionMember) -> list[int]:
    with member.partition.log.reader(1) as reader:
        return [
            r.value.process_instance_key
            for r in (codec.decode(data) for _, data in reader)
            if r.value_type is ValueType.PROCESS_INSTANCE_CREATION
            and r.record_type is RecordType.EVENT
            and r.intent == ProcessInstanceCreationIntent.CREATED
        ]


def test_a_deposed_leader_is_fenced_and_becomes_a_follower(
    members: Callable[..., PartitionMember], server: NatsServer
) -> None:
    # b1 renews rarely; b2's clock runs a minute ahead, so b2 takes b1's lease at once while b1
    # still believes it leads: the situation of a leader paused longer than its TTL.
    old = members("b1", ttl_s=30.0, renew_every_s=20.0)
    assert old.wait_for_role("leader", 10)
    assert not isinstance(ask(old, deploy_command()), Refusal)
    create_instances(old, 5)

    new = members("b2")
    new._leases._now_ms = lambda: int(time.time() * 1000) + 60_000  # type: ignore[method-assign]
    assert new.wait_for_role("leader", 10)
    assert old.role == "leader", "b1 has not noticed yet"

    answer = ask(old, create_command())  # processed on b1's stale leadership: the append is refused
    assert isinstance(answer, Refusal) and answer.unavailable, answer
    assert old.wait_for_role("follower", 10)
    assert isinstance(old.partition.log, JetStreamLog)

    created_by_new = create_instances(new, 5)
    wait_until(lambda: caught_up(old, new), 10, "the deposed leader follows the new one")
    assert digest(old.partition.db) == digest(new.partition.db)
    on_stream = created_on_stream(server)
    assert len(on_stream) == 10 and set(created_by_new) <= set(on_stream)


def test_an_old_writer_cannot_append_after_a_fence(server: NatsServer) -> None:
    with JetStreamLog(server.url, 7) as old, JetStreamLog(server.url, 7) as new:
        old.append([b"a", b"b"])
        old.flush()
        assert new.fence() == 3
        old.append([b"c"])
        with pytest.raises(WriterFencedError):
            old.flush()
        new.append([b"c2"])
        new.flush()
        with new.reader(1) as reader:
            assert list(reader) == [(1, b"a"), (2, b"b"), (3, b"c2")]
    with JetStreamLog(server.url, 7) as reopened, reopened.reader(2) as reader:
        assert reopened.next_position == 4
        assert list(reader) == [(2, b"b"), (3, b"c2")]


def test_a_fence_retries_over_a_writer_that_appended_first(server: NatsServer) -> None:
    with JetStreamLog(server.url, 8) as old, JetStreamLog(server.url, 8) as new:
        old.append([b"a"])
        old.flush()
        new.catch_up()
        old.append([b"b"])  # after the new writer looked, before it fences
        old.flush()
        assert new.fence() == 3  # caught up over "b" first
        with new.reader(1) as reader:
            assert list(reader) == [(1, b"a"), (2, b"b")]


@pytest.mark.slow
def test_a_follower_takes_over_from_a_sigkilled_leader_and_nothing_acknowledged_is_lost(
    members: Callable[..., PartitionMember], server: NatsServer, tmp_path: Path
) -> None:
    child = subprocess.Popen(
        [
            sys.executable,
            str(_NODE),
            server.url,
            str(tmp_path / "b1"),
            "b1",
            "--ttl",
            str(TTL),
            "--renew",
            str(RENEW),
            "--skew",
            str(SKEW),
            "--load",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        acknowledged: set[int] = set()
        assert child.stdout is not None
        deadline = time.monotonic() + 60
        while len(acknowledged) < 300 and time.monotonic() < deadline:
            line = child.stdout.readline()
            if not line:
                break
            if line.startswith("created "):
                acknowledged.add(int(line.split()[1]))
        assert len(acknowledged) >= 300, "the leader process did not get going"
        follower = members("b2")
        assert follower.wait_for_role("follower", 10)
        child.send_signal(signal.SIGKILL)
        killed = time.monotonic()
        # read what it acknowledged before it died (the pipe holds it)
        for line in child.stdout:
            if line.startswith("created "):
                acknowledged.add(int(line.split()[1]))
        child.wait(10)

        assert follower.wait_for_role("leader", TTL + SKEW + 5)
        takeover = time.monotonic() - killed
        assert takeover < TTL + SKEW + 2, takeover
        after = create_instances(follower, 10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)

    on_stream = created_on_stream(server)
    assert acknowledged <= set(on_stream), f"lost: {len(acknowledged - set(on_stream))}"
    assert len(on_stream) == len(set(on_stream)), "a creation is doubled"
    assert set(after) <= set(on_stream)


def test_a_leader_that_cannot_renew_refuses_at_once_and_leads_again_when_nats_is_back(
    members: Callable[..., PartitionMember], server: NatsServer
) -> None:
    leader = members("b1")
    assert leader.wait_for_role("leader", 10)
    assert not isinstance(ask(leader, deploy_command()), Refusal)
    before = create_instances(leader, 5)

    server.kill()  # NATS gone: no renewal can be acknowledged
    killed = time.monotonic()
    wait_until(lambda: leader.role != "leader", TTL + 2, "the leader steps down")
    assert time.monotonic() - killed < TTL + 1
    refused = ask(leader, create_command(), timeout_s=2)
    assert isinstance(refused, Refusal) and refused.unavailable

    server.start().wait_ready()
    assert leader.wait_for_role("leader", 60), leader.role
    after = create_instances(leader, 5)
    on_stream = created_on_stream(server)
    assert sorted(on_stream) == sorted(before + after)
