"""One-task throughput: start -> service task -> end, in-process and durable, against SpiffWorkflow.

Strom runs one partition on its embedded default (file journal with group commit: one fdatasync
per group of batches, RocksDB state), started instances wait for their result
(CreateProcessInstanceWithResult), and an in-process job worker completes each job as it is
pushed. SpiffWorkflow runs the same BPMN in memory (it keeps nothing on disk), its waiting service
task completed from the driver loop. The partition takes no snapshot during the run (after one, the
log below it may be deleted); after the run it is reopened without a snapshot, which replays the
whole log: ``replay_records_per_s`` is the replay itself (reading, decoding and
applying every record); ``restart_seconds`` the whole reopening, which also verifies every log
segment's checksums and opens RocksDB.

    .venv/bin/python benchmarks/one_task.py [--instances 20000] [--rounds 5] [--window 400]

Strom and SpiffWorkflow run in alternating rounds in this one process (a warm-up round each first)
and each figure is the median of its rounds, so machine drift hits both alike. ``variant`` says
whether the engine ran compiled with mypyc or interpreted (``strom.build_variant``);
``replay_vs_processing`` is replay records/s over processing records/s of the same run.
``read_decode_records_per_s`` reads and decodes the same log once more, applying nothing: the floor
under any replay, and ``replay_vs_processing_ceiling`` that rate over processing records/s (the
most ``replay_vs_processing`` could be if applying cost nothing).

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _spiff import SpiffRun, alternate

from strom.broker import Partition, PartitionSettings
from strom.broker.broker import tune_garbage_collector
from strom.build_variant import variant
from strom.client import Client, JobWorker
from strom.protocol import codec
from strom.protocol.enums import RecordType
from strom.protocol.intents import ProcessInstanceCreationIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="benchmark" targetNamespace="http://strom/benchmark">
  <bpmn:process id="one_task" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>to_task</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="task">
      <bpmn:extensionElements><zeebe:taskDefinition type="work"/></bpmn:extensionElements>
      <bpmn:incoming>to_task</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end"><bpmn:incoming>to_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="to_task" sourceRef="start" targetRef="task"/>
    <bpmn:sequenceFlow id="to_end" sourceRef="task" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


class StromRun:
    """One partition as `strom broker` runs it, measured in rounds (so Spiff can run in between).

    Each instance of ``process_id`` (default: the one-task model above) is created with
    ``variables`` and waits for its result; an in-process job worker completes every job of
    ``job_type`` with no variables as it is pushed. With ``authorizations`` every command names
    that caller (as a gateway with authentication on does); ``before_start`` runs first with a
    client of the open partition (to create that caller's user and permissions).
    """

    def __init__(
        self,
        data_dir: Path,
        window: int,
        *,
        bpmn: str = BPMN,
        process_id: str = "one_task",
        job_type: str = "work",
        variables: dict[str, Any] | None = None,
        authorizations: dict[str, Any] | None = None,
        before_start: Callable[[Client], None] | None = None,
    ) -> None:
        tune_garbage_collector()  # what `strom broker` does at start-up
        self.data_dir = data_dir
        self.window = window
        # No snapshot during the run (a broker takes one every 5 minutes or 200,000 records, a flush
        # and a checkpoint): after one the log below it may be deleted, and ``finish`` replays the
        # whole log.
        self.partition = Partition(
            PartitionSettings(
                data_dir=data_dir,
                group_commit=True,
                snapshot_period_s=float("inf"),
                snapshot_every_records=1 << 62,
            )
        ).open()
        self.partition.start()
        client = Client(self.partition)
        if before_start is not None:
            before_start(client)
        client.deploy((f"{process_id}.bpmn", bpmn.encode()))
        self.authorizations = dict(authorizations or {})
        self.worker = JobWorker(
            self.partition, job_type, lambda job: None, inline=True, caller=self.authorizations
        ).start()
        self.value = ProcessInstanceCreationRecordValue(bpmn_process_id=process_id, variables=variables or {})
        self.latencies: list[float] = []
        self.rejected = 0
        self.records = 0
        self.seconds = 0.0

    def round(self, instances: int) -> float:
        """Run ``instances`` instances to completion; their PI/s."""
        partition = self.partition
        creation = RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue]
        value = self.value
        authorizations = self.authorizations
        slots = threading.Semaphore(self.window)
        done = threading.Event()
        latencies: list[float] = []
        lock = threading.Lock()
        first_position = partition.log.next_position

        def submit() -> None:
            started = time.perf_counter()

            def finished(record: Record[Any]) -> None:
                elapsed = time.perf_counter() - started
                with lock:
                    if record.is_rejection:
                        self.rejected += 1
                    latencies.append(elapsed)
                    if len(latencies) == instances:
                        done.set()
                slots.release()

            partition.submit(
                creation(
                    record_type=RecordType.COMMAND,
                    intent=ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
                    value=value,
                    authorizations=authorizations,
                ),
                finished,
            )

        began = time.perf_counter()
        for _ in range(instances):
            slots.acquire()
            submit()
        if not done.wait(900):
            raise RuntimeError(f"only {len(latencies)} of {instances} instances completed in 15 minutes")
        elapsed = time.perf_counter() - began
        self.records += partition.log.next_position - first_position
        self.seconds += elapsed
        self.latencies.extend(latencies)
        return len(latencies) / elapsed

    def warm_up(self, instances: int) -> None:
        """A round left out of the figures: imports, caches, the first RocksDB files."""
        self.round(instances)
        self.records, self.seconds, self.latencies, self.rejected = 0, 0.0, [], 0

    def finish(self) -> dict[str, Any]:
        """Close, reopen without a snapshot (replaying the whole log), and report."""
        self.worker.stop()
        self.partition.close(snapshot=False)
        # A snapshot would shorten the replay: drop any, so the reopening replays the whole log.
        shutil.rmtree(self.partition.snapshots_dir, ignore_errors=True)
        latencies = sorted(self.latencies)
        instances = len(latencies)
        reopened_at = time.perf_counter()
        replayed = Partition(
            PartitionSettings(data_dir=self.data_dir, group_commit=False, snapshot_period_s=float("inf"))
        ).open()
        restart_seconds = time.perf_counter() - reopened_at
        replay_seconds = replayed.replay_seconds  # reading and applying the log (StreamProcessor.recover)
        replay_records = replayed.log.next_position - 1
        read_decode_seconds = _read_and_decode(replayed)
        replayed.close(snapshot=False)
        processing_records_per_s = self.records / self.seconds
        replay_records_per_s = replay_records / replay_seconds
        return {
            "records_per_s": round(processing_records_per_s, 1),
            "records_per_instance": round(self.records / instances, 1),
            "p50_latency_ms": round(latencies[instances // 2] * 1000, 2),
            "p99_latency_ms": round(latencies[int(instances * 0.99)] * 1000, 2),
            "rejected": self.rejected,
            "job_completions_rejected": self.worker.rejected,
            "replay_records_per_s": round(replay_records_per_s, 1),
            "replay_vs_processing": round(replay_records_per_s / processing_records_per_s, 2),
            "replay_seconds": round(replay_seconds, 3),
            # The floor under replay: reading and decoding every record, applying none.
            "read_decode_records_per_s": round(replay_records / read_decode_seconds, 1),
            "replay_vs_processing_ceiling": round(
                replay_records / read_decode_seconds / processing_records_per_s, 2
            ),
            "restart_seconds": round(restart_seconds, 3),
            "replayed_records": replay_records,
        }


def _read_and_decode(partition: Partition) -> float:
    """Seconds to read the whole log of ``partition`` and decode every record, as replay does
    (``StreamProcessor.recover``: the file journal's batches, msgspec's decoder), applying none."""
    decode = codec.decoder()
    began = time.perf_counter()
    for _first, batch in partition.log.reader(1).read_batches():
        for data in batch:
            decode(data)
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=20_000, help="Strom instances in all")
    parser.add_argument("--rounds", type=int, default=5, help="alternating Strom / Spiff rounds")
    parser.add_argument("--window", type=int, default=400, help="instances in flight at once")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary folder")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="strom-bench-"))
    per_round = max(1, args.instances // args.rounds)
    spiff_per_round = min(per_round, 1_000)
    try:
        run = StromRun(data_dir, args.window)
        spiff = SpiffRun(BPMN, "one_task")
        run.warm_up(min(per_round, 1_000))
        spiff.round(min(spiff_per_round, 200))
        strom_pi_per_s, spiff_pi_per_s = alternate(
            args.rounds, lambda: run.round(per_round), lambda: spiff.round(spiff_per_round)
        )
        strom = run.finish()
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    figures = {
        "instances": per_round * args.rounds,
        "rounds": args.rounds,
        "variant": variant(),
        "completed_pi_per_s": round(strom_pi_per_s, 1),
        **strom,
        "spiffworkflow_pi_per_s": round(spiff_pi_per_s, 1),
        "vs_spiffworkflow": round(strom_pi_per_s / spiff_pi_per_s, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "durable": True,
    }
    for name, value in figures.items():
        print(f"{name:>26}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
