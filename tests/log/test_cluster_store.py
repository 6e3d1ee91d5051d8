"""``ClusterStore`` against a real ``nats-server``: shared snapshots in the object store and the
brokers' held positions in a KV bucket (what lets the leader compact a partition's stream)."""

from __future__ import annotations

import os
import time

from strom.log.cluster_store import ClusterStore, snapshot_name

from ._nats import NatsServer


def test_shared_snapshots_keep_the_two_newest_and_come_back_byte_for_byte(nats: NatsServer) -> None:
    with ClusterStore(nats.url, "b1") as leader, ClusterStore(nats.url, "b2") as joiner:
        assert joiner.newest_snapshot(1) is None

        big = os.urandom(600_000)  # several object-store chunks
        for position in (100, 300, 200):
            leader.put_snapshot(1, position, big if position == 300 else b"small %d" % position)
        leader.put_snapshot(2, 50, b"another partition")

        newest = joiner.newest_snapshot(1)
        assert newest is not None
        assert (newest.processed_position, newest.name, newest.size) == (300, snapshot_name(1, 300), len(big))
        assert joiner.fetch_snapshot(newest) == big
        # Only the two newest stay: the one at 100 was deleted when the third was stored.
        assert [shared.processed_position for shared in joiner.snapshots(1)] == [200, 300]
        assert leader.put_snapshot(1, 300, b"not sent again").size == len(big)
        assert joiner.newest_snapshot(2) is not None
        assert joiner.fetch_snapshot(joiner.newest_snapshot(2)) == b"another partition"  # type: ignore[arg-type]


def test_held_positions_are_per_broker_with_their_age(nats: NatsServer) -> None:
    with ClusterStore(nats.url, "b1") as one, ClusterStore(nats.url, "b2") as two:
        assert one.held_positions(1) == {}
        one.report_held(1, 500)
        two.report_held(1, 420)
        two.report_held(2, 9)
        one.report_held(1, 510)  # a later report replaces the earlier one

        assert {node: h.position for node, h in two.held_positions(1).items()} == {"b1": 510, "b2": 420}
        assert {node: h.position for node, h in one.held_positions(2).items()} == {"b2": 9}
        time.sleep(1.2)
        one.report_held(1, 600)
        ages = {node: h.age_s for node, h in two.held_positions(1).items()}
        assert ages["b1"] < 1.0 <= ages["b2"] < 10
