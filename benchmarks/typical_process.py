"""Typical-process throughput: ten service tasks and an exclusive gateway with Zeebe's ~1 KB
"typical" benchmark payload, in-process and durable.

The shape of the camunda-8-benchmark's typical process (its timers left out): start, five
service tasks, an exclusive gateway on ``var2`` (``= var2=true`` / ``= var2=false``), five more
service tasks, end. Each instance is created with the payload of
``../shared/corpus/camunda-community-hub__camunda-8-benchmark/…typical_payload.json`` (a fresh UUID
in place of ``${RANDOM_UUID}``) and waits for its result (CreateProcessInstanceWithResult); an
in-process job worker completes every job with no variables as it is pushed. One partition on
its embedded default: file journal with group commit, RocksDB state.

    .venv/bin/python benchmarks/typical_process.py [--instances 5000] [--window 200]

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import shutil
import tempfile
import threading
import time
import uuid
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

ROOT = Path(__file__).resolve().parents[1]
PAYLOAD = (
    ROOT.parent
    / "shared"
    / "corpus"
    / "camunda-community-hub__camunda-8-benchmark"
    / "src__main__resources__bpmn__typical_payload.json"
)
JOB_TYPE = "benchmark-task"


def _task(number: int) -> str:
    return (
        f'<bpmn:serviceTask id="task{number}" name="task{number}"><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{JOB_TYPE}"/></bpmn:extensionElements></bpmn:serviceTask>'
    )


def _flow(flow_id: str, source: str, target: str, condition: str = "") -> str:
    body = (
        f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{condition}</bpmn:conditionExpression>'
        if condition
        else ""
    )
    return (
        f'<bpmn:sequenceFlow id="{flow_id}" sourceRef="{source}" targetRef="{target}">'
        f"{body}</bpmn:sequenceFlow>"
    )


def typical_bpmn() -> str:
    chain = ["start", *(f"task{n}" for n in range(1, 6)), "gateway"]
    flows = [_flow(f"f{i}", a, b) for i, (a, b) in enumerate(itertools.pairwise(chain))]
    flows.append(_flow("yes", "gateway", "task6", "= var2=true"))
    flows.append(_flow("no", "gateway", "end_no", "= var2=false"))
    tail = [f"task{n}" for n in range(6, 11)] + ["end"]
    flows += [_flow(f"g{i}", a, b) for i, (a, b) in enumerate(itertools.pairwise(tail))]
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="typical_definitions" '
        'targetNamespace="http://strom/benchmark">'
        '<bpmn:process id="typical" isExecutable="true">'
        '<bpmn:startEvent id="start"/>'
        + "".join(_task(n) for n in range(1, 11))
        + '<bpmn:exclusiveGateway id="gateway"/><bpmn:endEvent id="end"/><bpmn:endEvent id="end_no"/>'
        + "".join(flows)
        + "</bpmn:process></bpmn:definitions>"
    )


def payload() -> dict[str, Any]:
    text = PAYLOAD.read_text(encoding="utf-8").replace("${RANDOM_UUID}", str(uuid.uuid4()))
    return json.loads(text)


def run(data_dir: Path, instances: int, window: int) -> dict[str, Any]:
    tune_garbage_collector()  # what `strom broker` does at start-up
    partition = Partition(
        PartitionSettings(data_dir=data_dir, group_commit=True, snapshot_period_s=float("inf"))
    ).open()
    partition.start()
    Client(partition).deploy(("typical.bpmn", typical_bpmn().encode()))
    worker = JobWorker(partition, JOB_TYPE, lambda job: None, inline=True).start()
    creation = RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue]
    variables = payload()
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

        value = ProcessInstanceCreationRecordValue(bpmn_process_id="typical", variables=variables)
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
    finished_in_time = done.wait(900)
    elapsed = time.perf_counter() - began
    records = partition.log.next_position - first_position
    jobs = worker.completed
    worker.stop()
    partition.close(snapshot=False)
    latencies.sort()
    if not finished_in_time or not latencies:
        raise RuntimeError(f"only {len(latencies)} of {instances} instances completed")
    return {
        "completed_pi_per_s": round(len(latencies) / elapsed, 1),
        "jobs_per_s": round(jobs / elapsed, 1),
        "records_per_s": round(records / elapsed, 1),
        "records_per_instance": round(records / instances, 1),
        "p50_latency_ms": round(latencies[len(latencies) // 2] * 1000, 2),
        "p99_latency_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 2),
        "rejected": rejected,
        "job_completions_rejected": worker.rejected,
        "seconds": round(elapsed, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=5_000)
    parser.add_argument("--window", type=int, default=200, help="instances in flight at once")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary folder")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="strom-typical-"))
    try:
        figures = {
            "instances": args.instances,
            "service_tasks": 10,
            "payload_bytes": len(json.dumps(payload()).encode()),
            **run(data_dir, args.instances, args.window),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "durable": True,
        }
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    for name, value in figures.items():
        print(f"{name:>26}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
