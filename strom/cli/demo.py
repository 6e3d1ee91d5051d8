"""``strom demo``: the whole engine end to end on the embedded default, no other service.

Opens a partition (a file log and RocksDB state), deploys an example order process, starts
instances, completes their jobs with in-process workers, prints the compact record log of the first
instance and a summary. By default it runs in a fresh temporary directory, removed afterwards, so it
never touches a broker's data. With ``--data-dir`` it keeps its data there; run it again on the same
directory: the partition replays its log, the unchanged process keeps its version, and the instances
continue the numbering.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from strom.client import ActivatedJob


def _charge(job: ActivatedJob) -> dict[str, Any]:
    return {"receipt": {"charged": job.variables["amount"], "currency": "EUR"}}


def _ship(job: ActivatedJob) -> dict[str, Any]:
    return {"tracking": f"{job.custom_headers['carrier'].upper()}-{job.process_instance_key % 100000:05d}"}


@click.command()
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the partition keeps its log, state and snapshots, to run again on them "
    "(default: a fresh temporary directory, removed afterwards).",
)
@click.option(
    "--instances",
    type=click.IntRange(1, 1_000_000),
    default=20,
    show_default=True,
    help="How many order instances to run.",
)
def demo(data_dir: Path | None, instances: int) -> None:
    """Run an example order process end to end and print its record log."""
    if data_dir is not None:
        _run(data_dir, instances, kept=True)
        return
    temporary = Path(tempfile.mkdtemp(prefix="strom-demo-"))
    try:
        _run(temporary, instances, kept=False)
    finally:
        shutil.rmtree(temporary, ignore_errors=True)


def _run(data_dir: Path, instances: int, kept: bool) -> None:
    from strom.broker import Partition, PartitionSettings
    from strom.broker.data_dir import DataDirectoryError
    from strom.client import Client, JobWorker
    from strom.protocol import codec
    from strom.testing import compact_log

    started = time.perf_counter()
    try:
        partition = Partition(PartitionSettings(data_dir=data_dir, group_commit=True)).open()
    except DataDirectoryError as error:
        raise click.ClickException(str(error)) from None
    replayed = partition.replayed_events
    partition.start()
    try:
        client = Client(partition)
        bpmn = resources.files("strom.cli").joinpath("examples/order.bpmn").read_bytes()
        deployment = client.deploy(("order.bpmn", bpmn))
        [process] = deployment.value.processes_metadata
        first_position = partition.log.next_position
        with (
            JobWorker(partition, "charge-card", _charge, inline=True),
            JobWorker(partition, "ship-parcel", _ship, inline=True),
        ):
            results = [
                client.create_instance_with_result(
                    "order", {"order": {"id": n, "total": 10 + n}}, fetch_variables=["payment", "tracking"]
                )
                for n in range(instances)
            ]
        elapsed = time.perf_counter() - started
        first_instance = results[0].value.process_instance_key
        partition.log.flush()
        with partition.log.reader(first_position) as reader:
            records = [codec.decode(data) for _, data in reader]
        mine = [
            r
            for r in records
            if getattr(r.value, "process_instance_key", None) == first_instance or r.key == first_instance
        ]
        click.echo(compact_log(mine))
        click.echo("")
        click.echo(
            f"process        order, version {process.version}"
            f"{' (unchanged, kept its version)' if process.duplicate else ''}"
        )
        click.echo(f"instances      {instances} completed in {elapsed:.2f} s")
        click.echo(f"first result   {results[0].value.variables}")
        where = data_dir / "partition-1" / "log"
        click.echo(
            f"records        {len(records)} written to "
            f"{where if kept else f'{where} (temporary: removed now; keep it with --data-dir)'}"
        )
        click.echo(f"replayed       {replayed} events from the log at start")
    finally:
        partition.close()
