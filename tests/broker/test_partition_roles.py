"""How the topology (gRPC ``Topology``, REST ``/v2/topology``) names a partition's role here: a
cluster member between roles is INACTIVE, as in Zeebe, not a leader."""

from __future__ import annotations

import pytest

from strom.broker.endpoint import PartitionStatus, partition_role


@pytest.mark.parametrize(
    ("phase", "healthy", "role"),
    [
        ("processing", True, "leader"),  # an embedded partition, or a cluster member that leads
        ("follower", False, "follower"),  # a cluster member replaying the leader's stream
        ("stepping-down", False, "inactive"),  # lost its lease: refuses requests, reopens as follower
        ("closed", False, "inactive"),
        ("dead", False, "leader"),  # a partition process that died: still this broker's, unhealthy
    ],
)
def test_a_partition_role_follows_its_phase(phase: str, healthy: bool, role: str) -> None:
    assert partition_role(PartitionStatus(1, healthy, phase)) == role
