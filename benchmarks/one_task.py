"""One-task throughput: start -> service task -> end, in-process and durable, against SpiffWorkflow.

Strom runs one partition on its embedded default (file journal with group commit: one fdatasync
per group of batches, RocksDB state), started instances wait for their result
(CreateProcessInstanceWithResult), and an in-process job worker completes each job as it is
pushed. SpiffWorkflow runs the same BPMN in memory (it keeps nothing on disk), its waiting service
task completed from the driver loop. After the run the partition is reopened without a snapshot,
which replays the whole log: ``replay_records_per_s`` is the replay itself (reading, decoding and
applying every record); ``restart_seconds`` the whole reopening, which also verifies every log
segment's checksums and opens RocksDB.

    .venv/bin/python benchmarks/one_task.py [--instances 20000] [--window 400]

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
from pathlib import Path
from typing import Any

from strom.broker import Partition, PartitionSettings
from strom.broker.broker import tune_garbage_collector
from strom.client import Client, JobWorker
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


def run_strom(data_dir: Path, instances: int, window: int) -> dict[str, Any]:
    tune_garbage_collector()  # what `strom broker` does at start-up
    partition = Partition(
        PartitionSettings(data_dir=data_dir, group_commit=True, snapshot_period_s=float("inf"))
    ).open()
    partition.start()
    Client(partition).deploy(("one_task.bpmn", BPMN.encode()))
    worker = JobWorker(partition, "work", lambda job: None, inline=True).start()
    creation = RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue]
    value = ProcessInstanceCreationRecordValue(bpmn_process_id="one_task")
    slots = threading.Semaphore(window)
    done = threading.Event()
    latencies: list[float] = []
    rejected = 0
    lock = threading.Lock()
    first_position = partition.log.next_position

    def submit() -> None:
        started = time.perf_counter()

        def finished(record: Record[Any]) -> None:
            nonlocal rejected
            elapsed = time.perf_counter() - started
            with lock:
                if record.is_rejection:
                    rejected += 1
                latencies.append(elapsed)
                if len(latencies) == instances:
                    done.set()
            slots.release()

        partition.submit(
            creation(
                record_type=RecordType.COMMAND,
                intent=ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
                value=value,
            ),
            finished,
        )

    began = time.perf_counter()
    for _ in range(instances):
        slots.acquire()
        submit()
    done.wait(600)
    elapsed = time.perf_counter() - began
    records = partition.log.next_position - first_position
    worker.stop()
    partition.close(snapshot=False)
    latencies.sort()

    reopened_at = time.perf_counter()
    replayed = Partition(
        PartitionSettings(data_dir=data_dir, group_commit=False, snapshot_period_s=float("inf"))
    ).open()
    restart_seconds = time.perf_counter() - reopened_at
    replay_seconds = replayed.replay_seconds  # reading and applying the log (StreamProcessor.recover)
    replay_records = replayed.log.next_position - 1
    replayed.close(snapshot=False)
    return {
        "completed_pi_per_s": round(len(latencies) / elapsed, 1),
        "records_per_s": round(records / elapsed, 1),
        "records_per_instance": round(records / instances, 1),
        "p50_latency_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_latency_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "rejected": rejected,
        "job_completions_rejected": worker.rejected,
        "replay_records_per_s": round(replay_records / replay_seconds, 1),
        "replay_seconds": round(replay_seconds, 3),
        "restart_seconds": round(restart_seconds, 3),
        "replayed_records": replay_records,
    }


def run_spiffworkflow(instances: int) -> float:
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.util.task import TaskState

    parser = BpmnParser()
    parser.add_bpmn_str(BPMN.encode())
    spec = parser.get_spec("one_task")
    began = time.perf_counter()
    for _ in range(instances):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        [task] = workflow.get_tasks(state=TaskState.STARTED)
        task.complete()
        workflow.do_engine_steps()
        if not workflow.is_completed():
            raise RuntimeError("SpiffWorkflow did not complete the instance")
    return instances / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=20_000)
    parser.add_argument("--window", type=int, default=400, help="instances in flight at once")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary folder")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="strom-bench-"))
    try:
        strom = run_strom(data_dir, args.instances, args.window)
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    spiff = run_spiffworkflow(min(args.instances, 5_000))
    figures = {
        "instances": args.instances,
        **strom,
        "spiffworkflow_pi_per_s": round(spiff, 1),
        "vs_spiffworkflow": round(strom["completed_pi_per_s"] / spiff, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "durable": True,
    }
    for name, value in figures.items():
        print(f"{name:>26}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
