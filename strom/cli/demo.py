"""``strom demo``: the whole engine end to end on the embedded default, no other service.

Opens a partition in ``--data-dir`` (a file log and RocksDB state), deploys an example order
process, starts instances, completes their jobs with in-process workers, prints the compact record
log of the first instance and a summary. Run it again: the partition replays its log, the
unchanged process keeps its version, and the instances continue the numbering.
"""

from __future__ import annotations

import time
from importlib import resources
from pathlib import Path
from typing import Any

import click

from strom.broker import Partition, PartitionSettings
from strom.client import ActivatedJob, Client, JobWorker
from strom.protocol import codec
from strom.testing import compact_log


def _charge(job: ActivatedJob) -> dict[str, Any]:
    return {"receipt": {"charged": job.variables["amount"], "currency": "EUR"}}


def _ship(job: ActivatedJob) -> dict[str, Any]:
    return {"tracking": f"{job.custom_headers['carrier'].upper()}-{job.process_instance_key % 100000:05d}"}


@click.command()
@click.option("--data-dir", type=click.Path(path_type=Path), default=Path("data"), show_default=True,
              help="Where the partition keeps its log, state and snapshots.")
@click.option("--instances", type=click.IntRange(1, 1_000_000), default=20, show_default=True,
              help="How many order instances to run.")
def demo(data_dir: Path, instances: int) -> None:
    """Run an example order process end to end and print its record log."""
    started = time.perf_counter()
    partition = Partition(PartitionSettings(data_dir=data_dir, group_commit=True)).open()
    replayed = partition.replayed_events
    partition.start()
    try:
        client = Client(partition)
        bpmn = resources.files("strom.cli").joinpath("examples/order.bpmn").read_bytes()
        deployment = client.deploy(("order.bpmn", bpmn))
        [process] = deployment.value.processes_metadata
        first_position = partition.log.next_position
        with JobWorker(partition, "charge-card", _charge, inline=True), \
                JobWorker(partition, "ship-parcel", _ship, inline=True):
            results = [client.create_instance_with_result("order", {"order": {"id": n, "total": 10 + n}},
                                                          fetch_variables=["payment", "tracking"])
                       for n in range(instances)]
        elapsed = time.perf_counter() - started
        first_instance = results[0].value.process_instance_key
        partition.log.flush()
        with partition.log.reader(first_position) as reader:
            records = [codec.decode(data) for _, data in reader]
        mine = [r for r in records if getattr(r.value, "process_instance_key", None) == first_instance
                or r.key == first_instance]
        click.echo(compact_log(mine))
        click.echo("")
        click.echo(f"process        order, version {process.version}"
                   f"{' (unchanged, kept its version)' if process.duplicate else ''}")
        click.echo(f"instances      {instances} completed in {elapsed:.2f} s")
        click.echo(f"first result   {results[0].value.variables}")
        click.echo(f"records        {len(records)} written to {data_dir / 'partition-1' / 'log'}")
        click.echo(f"replayed       {replayed} events from the log at start")
    finally:
        partition.close()
