"""Message correlation throughput: publish one message to each of N waiting process instances.

One partition on its embedded default (file journal with group commit, RocksDB state), driven by
its own threads. N instances of ``start -> message catch event (correlation key = id) -> end`` are
created first, each waiting for its result (CreateProcessInstanceWithResult), so the answer to
the creation arrives when the instance completed, i.e. when its message was correlated. Then one
message per instance is published (a window of requests in flight): the publish rate counts the
PUBLISHED answers, the correlation rate the completed instances, both from the first publish.

    .venv/bin/python benchmarks/messages.py [--instances 10000] [--window 400]

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
from strom.client import Client
from strom.protocol.enums import RecordType
from strom.protocol.intents import MessageIntent, ProcessInstanceCreationIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.message import MessageRecordValue
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="benchmark" targetNamespace="http://strom/benchmark">
  <bpmn:message id="paid" name="order-paid">
    <bpmn:extensionElements><zeebe:subscription correlationKey="=orderId"/></bpmn:extensionElements>
  </bpmn:message>
  <bpmn:process id="await_payment" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>to_wait</bpmn:outgoing></bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:incoming>to_wait</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="paid"/>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="end"><bpmn:incoming>to_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="to_wait" sourceRef="start" targetRef="wait"/>
    <bpmn:sequenceFlow id="to_end" sourceRef="wait" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

_Creation = RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue]
_Message = RECORD_CLASS_FOR_VALUE[MessageRecordValue]


class _Window:
    """At most ``size`` requests in flight; counts answers and rejections."""

    def __init__(self, size: int, expected: int) -> None:
        self._slots = threading.Semaphore(size)
        self._lock = threading.Lock()
        self._expected = expected
        self.answered = 0
        self.rejected = 0
        self.done = threading.Event()
        self.finished_at = 0.0

    def acquire(self) -> None:
        self._slots.acquire()

    def answer(self, record: Record[Any]) -> None:
        with self._lock:
            self.answered += 1
            if record.is_rejection:
                self.rejected += 1
            if self.answered == self._expected:
                self.finished_at = time.perf_counter()
                self.done.set()
        self._slots.release()


def run(data_dir: Path, instances: int, window: int) -> dict[str, Any]:
    tune_garbage_collector()  # what `strom broker` does at start-up
    partition = Partition(
        PartitionSettings(data_dir=data_dir, group_commit=True, snapshot_period_s=float("inf"))
    ).open()
    partition.start()
    Client(partition).deploy(("await_payment.bpmn", BPMN.encode()))

    # N waiting instances; each creation is answered when its instance completes
    completions = _Window(instances, instances)
    created_at = time.perf_counter()
    for index in range(instances):
        partition.submit(
            _Creation(
                record_type=RecordType.COMMAND,
                intent=ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
                value=ProcessInstanceCreationRecordValue(
                    bpmn_process_id="await_payment", variables={"orderId": f"order-{index}"}
                ),
            ),
            completions.answer,
        )
    # wait until every instance waits at its catch event (its subscription is open): the
    # processor is idle and the log stopped growing
    last = -1
    while partition.processor.has_work() or partition.log.next_position != last:
        last = partition.log.next_position
        time.sleep(0.05)
    creation_seconds = time.perf_counter() - created_at
    first_position = partition.log.next_position

    publishes = _Window(window, instances)
    began = time.perf_counter()
    for index in range(instances):
        publishes.acquire()
        partition.submit(
            _Message(
                record_type=RecordType.COMMAND,
                intent=MessageIntent.PUBLISH,
                value=MessageRecordValue(
                    name="order-paid",
                    correlation_key=f"order-{index}",
                    time_to_live=60_000,
                    variables={"amount": index},
                ),
            ),
            publishes.answer,
        )
    publishes.done.wait(600)
    completions.done.wait(600)
    publish_seconds = publishes.finished_at - began
    correlation_seconds = completions.finished_at - began
    records = partition.log.next_position - first_position
    partition.close(snapshot=False)
    return {
        "waiting_instances": instances,
        "instance_setup_seconds": round(creation_seconds, 2),
        "published_per_s": round(instances / publish_seconds, 1),
        "correlated_per_s": round(completions.answered / correlation_seconds, 1),
        "correlated": completions.answered - completions.rejected,
        "publish_rejected": publishes.rejected,
        "records_per_correlation": round(records / instances, 1),
        "records_per_s": round(records / correlation_seconds, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10_000)
    parser.add_argument("--window", type=int, default=400, help="publish requests in flight at once")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary folder")
    args = parser.parse_args()
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="strom-bench-"))
    try:
        figures = run(data_dir, args.instances, args.window)
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    figures["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    figures["durable"] = True
    for name, value in figures.items():
        print(f"{name:>26}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
