"""Runs a partition under load until killed; prints what the partition acknowledged.

Each line on stdout is an acknowledgement the partition sent (so it was durable first):
``created <process instance key>`` or ``completed <job key>``. The parent test SIGKILLs this
process at some point and then checks that every acknowledged effect survived.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

from strom.broker import Partition, PartitionSettings
from strom.client import JobWorker
from strom.protocol.enums import RecordType
from strom.protocol.intents import DeploymentIntent, JobIntent, ProcessInstanceCreationIntent
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource
from strom.protocol.values.job import JobRecordValue
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue
from strom.testing import bpmn

_print_lock = threading.Lock()


def say(line: str) -> None:
    with _print_lock:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


def main(data_dir: str) -> None:
    partition = Partition(
        PartitionSettings(data_dir=Path(data_dir), group_commit=True, snapshot_period_s=0.5)
    ).open()
    partition.start()
    xml = bpmn.process("load").start_event().service_task("task", job_type="work").end_event().to_xml()
    deployed = threading.Event()
    partition.submit(
        RECORD_CLASS_FOR_VALUE[DeploymentRecordValue](
            record_type=RecordType.COMMAND,
            intent=DeploymentIntent.CREATE,
            value=DeploymentRecordValue(
                resources=[DeploymentResource(resource_name="load.bpmn", resource=xml.encode())]
            ),
        ),
        lambda record: deployed.set(),
    )
    deployed.wait(30)

    class AcknowledgingWorker(JobWorker):
        def _send(self, job_key: int, intent: int, value: JobRecordValue) -> None:
            command = RECORD_CLASS_FOR_VALUE[JobRecordValue](
                key=job_key, record_type=RecordType.COMMAND, intent=intent, value=value
            )
            partition.submit(
                command,
                lambda record, key=job_key: (
                    say(f"completed {key}") if record.intent == JobIntent.COMPLETED else None
                ),
            )

    AcknowledgingWorker(partition, "work", lambda job: {"done": True}, inline=True).start()
    window = threading.BoundedSemaphore(200)
    creation = RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue]
    while True:
        window.acquire()

        def created(record: object) -> None:
            window.release()
            say(f"created {record.value.process_instance_key}")  # type: ignore[attr-defined]

        partition.submit(
            creation(
                record_type=RecordType.COMMAND,
                intent=ProcessInstanceCreationIntent.CREATE,
                value=ProcessInstanceCreationRecordValue(bpmn_process_id="load"),
            ),
            created,
        )


if __name__ == "__main__":
    main(sys.argv[1])
