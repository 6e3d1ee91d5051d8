"""A partition also snapshots by log growth, so a broker restarted more often than its snapshot
period replays a bounded log, not one that grows with every restart."""

from __future__ import annotations

from pathlib import Path

from strom.broker import Partition, PartitionSettings
from strom.client import Client
from strom.testing import bpmn


def _open(data_dir: Path) -> Partition:
    settings = PartitionSettings(
        data_dir=data_dir, group_commit=False, snapshot_period_s=float("inf"), snapshot_every_records=200
    )
    return Partition(settings).open()


def test_a_partition_snapshots_after_so_many_records_and_replays_only_what_came_after(tmp_path: Path) -> None:
    partition = _open(tmp_path)
    client = Client(partition)
    client.deploy(("p.bpmn", bpmn.process("p").start_event().end_event().to_xml().encode()))
    for _ in range(100):  # ~10 records each
        client.create_instance("p")
    written = partition.log.next_position - 1
    partition.close(snapshot=False)  # as if killed: no snapshot on the way out

    again = _open(tmp_path)
    try:
        assert list((tmp_path / "partition-1" / "snapshots").iterdir()), "no snapshot was taken by growth"
        assert written > 1000
        assert again.replayed_events < 400, f"replayed {again.replayed_events} of {written} records"
    finally:
        again.close(snapshot=False)
