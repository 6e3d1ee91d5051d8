"""Compaction of a cluster partition's stream (issue 15): the leader shares its snapshot in the
JetStream object store and compacts below it and below every broker's exports; a broker that joins
after the compaction restores the shared snapshot and ends with the leader's state.

Against a real ``nats-server`` (no mocks); every broker is an in-process ``PartitionMember`` with
its own data directory, lease manager and ``ClusterStore``.
"""

from __future__ import annotations

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
from tests.log._nats import NatsServer

try:
    import nats  # noqa: F401  (only to know whether nats-py is installed)

    from strom.broker.cluster_member import PartitionMember
    from strom.log.cluster_store import ClusterStore
    from strom.log.jetstream import JetStreamLog
    from strom.log.lease import LeaseManager
except ImportError:  # pragma: no cover - the `test` extra installs nats-py
    PartitionMember = None  # type: ignore[assignment,misc]

sys.path.insert(0, str(Path(__file__).parent))
from _cluster_node import create_command, deploy_command

SNAPSHOT_EVERY = 40
"""Records between snapshots: small, so a few dozen instances give several snapshots."""


@pytest.fixture
def members(nats: NatsServer, tmp_path: Path) -> Iterator[Callable[..., PartitionMember]]:
    """Opens members of partition 1 (own data directory, lease manager and store each); closes them."""
    made: list[tuple[PartitionMember, LeaseManager, ClusterStore]] = []

    def make(node_id: str, compaction_hold_s: float = 3600.0, cluster_size: int = 1) -> PartitionMember:
        leases = LeaseManager(nats.url, node_id, ttl_s=1.0, renew_every_s=0.25, max_clock_skew_s=0.2)
        store = ClusterStore(nats.url, node_id)
        settings = PartitionSettings(
            data_dir=tmp_path / node_id,
            log_servers=(nats.url,),
            snapshot_period_s=float("inf"),
            snapshot_every_records=SNAPSHOT_EVERY,
        )
        member = PartitionMember(
            settings,
            leases,
            poll_s=0.02,
            store=store,
            share_every_s=0.1,
            compaction_hold_s=compaction_hold_s,
            cluster_size=cluster_size,
        )
        made.append((member, leases, store))
        return member.open()

    yield make
    for member, leases, store in made:
        try:
            if member.role != "closed":
                member.close()
        finally:
            leases.close()
            store.close()


def ask(member: PartitionMember, command: Any) -> Any:
    answers: list[Any] = []
    done = threading.Event()
    member.request(command, lambda answer: (answers.append(answer), done.set()))
    assert done.wait(15), "no answer"
    assert not isinstance(answers[0], Refusal), answers[0]
    return answers[0]


def wait_until(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {timeout_s} s: {what}")
        time.sleep(0.02)


def stream_first_position(nats: NatsServer) -> int:
    with JetStreamLog(nats.url, 1) as log:
        return log.first_position


def caught_up(member: PartitionMember, leader: PartitionMember) -> bool:
    return (
        member.partition.log.next_position == leader.partition.log.next_position
        and member.partition.processor.applied_position == leader.partition.processor.applied_position
    )


def test_the_leader_compacts_below_its_shared_snapshot_and_a_late_broker_restores_it(
    members: Callable[..., PartitionMember], nats: NatsServer
) -> None:
    # Given a leader that processed enough for several snapshots, and a follower from the start
    leader = members("b1")
    assert leader.wait_for_role("leader", 10)
    follower = members("b2")
    assert follower.wait_for_role("follower", 10)
    ask(leader, deploy_command())
    for _ in range(30):
        ask(leader, create_command())

    # Then it shares a snapshot and compacts the stream below it
    wait_until(lambda: stream_first_position(nats) > 1, 15, "the stream compacted")
    with ClusterStore(nats.url, "observer") as store:
        shared = store.newest_snapshot(1)
    assert shared is not None
    assert 1 < stream_first_position(nats) <= shared.processed_position + 1

    # When a broker joins with an empty data directory
    joiner = members("b3")

    # Then it restored the shared snapshot, follows, and ends with the leader's state
    assert joiner.wait_for_role("follower", 10)
    assert joiner.restored_shared >= 1  # again if the leader compacted past it while it opened
    ask(leader, create_command())
    wait_until(lambda: caught_up(joiner, leader), 15, "the joiner caught up")
    assert digest(joiner.partition.db) == digest(leader.partition.db)

    # And the follower that was there all along can restart from its own newest snapshot (after a
    # crash there is no final one): the leader did not compact past it
    local = latest_snapshot(follower.partition.snapshots_dir)
    assert local is not None
    assert stream_first_position(nats) <= int(local.metadata["processed_position"]) + 1
    assert follower.restored_shared == 0


def test_a_brokers_held_position_holds_compaction_back_until_its_report_is_too_old(
    members: Callable[..., PartitionMember], nats: NatsServer
) -> None:
    # Given another broker whose exporters are stuck at position 3 (it keeps reporting that)
    stop = threading.Event()
    with ClusterStore(nats.url, "slow-exporter") as slow:

        def report() -> None:
            while not stop.is_set():
                slow.report_held(1, 3)
                stop.wait(0.3)

        reporter = threading.Thread(target=report, daemon=True)
        reporter.start()
        try:
            leader = members("b1", compaction_hold_s=3.0)
            assert leader.wait_for_role("leader", 10)
            ask(leader, deploy_command())
            for _ in range(30):
                ask(leader, create_command())

            # Then the leader shares snapshots but keeps what that broker did not export
            wait_until(lambda: len(slow.snapshots(1)) == 2, 15, "two shared snapshots")
            time.sleep(0.5)
            assert stream_first_position(nats) <= 4
        finally:
            stop.set()
            reporter.join()

        # And once its last report is older than the retention, compaction goes on
        wait_until(lambda: stream_first_position(nats) > 4, 15, "compaction after the retention")


def test_nothing_is_compacted_before_every_broker_of_the_cluster_reported(
    members: Callable[..., PartitionMember], nats: NatsServer
) -> None:
    # Given a leader of a two-broker cluster whose other broker has not started yet
    leader = members("b1", cluster_size=2)
    assert leader.wait_for_role("leader", 10)
    ask(leader, deploy_command())
    for _ in range(30):
        ask(leader, create_command())

    # Then it shares snapshots but compacts nothing: the missing broker may need it all
    with ClusterStore(nats.url, "observer") as store:
        wait_until(lambda: store.newest_snapshot(1) is not None, 15, "a shared snapshot")
    time.sleep(0.5)
    assert stream_first_position(nats) == 1

    # And once the second broker is there (and reported), the stream is compacted
    follower = members("b2", cluster_size=2)
    assert follower.wait_for_role("follower", 10)
    assert follower.restored_shared == 0
    for _ in range(10):  # enough for the follower's first snapshot, which it then reports
        ask(leader, create_command())
    wait_until(lambda: stream_first_position(nats) > 1, 15, "the stream compacted")
