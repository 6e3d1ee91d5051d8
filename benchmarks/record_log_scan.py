"""The record log explorer's read of a partition log: how long the gateway's first scan for one
instance takes, a scan again (nothing new written), and reading that instance's records.

    .venv/bin/python benchmarks/record_log_scan.py [--records 1000000] [--instances 1000]

Writes a ``FileJournal`` of ``--records`` encoded records (``PROCESS_INSTANCE`` events and job
commands of ``--instances`` instances, interleaved round-robin as concurrent instances write them,
100 records a batch) and then calls what ``/v2/strom/process-instances/{key}/records`` calls
(``strom.gateway.rest.records._PartitionLog``) for one instance: the first scan reads the whole
log, a record of that instance every ``--instances`` records. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from strom.gateway.rest.records import _PartitionLog
from strom.log import FileJournal
from strom.protocol import codec
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RecordType
from strom.protocol.intents import JobIntent, ProcessInstanceIntent
from strom.protocol.record import Record
from strom.protocol.records import JobRecord, ProcessInstanceRecord
from strom.protocol.values.job import JobRecordValue
from strom.protocol.values.process_instance import ProcessInstanceRecordValue

BASE = 1 << 51


def write_log(directory: Path, records: int, instances: int) -> int:
    """The log; returns the key of an instance in the middle."""
    journal = FileJournal(directory)
    batch: list[bytes] = []
    position = 1
    for n in range(records):
        instance = BASE + 1 + (n % instances) * 1_000_000
        step = n // instances
        if step % 5 == 4:  # a worker's command: names the job only
            record: Record[Any] = JobRecord(
                position=position, key=instance + step, intent=JobIntent.COMPLETE, value=JobRecordValue()
            )
        else:
            value = ProcessInstanceRecordValue(
                bpmn_process_id="order",
                process_instance_key=instance,
                process_definition_key=BASE + 7,
                element_id=f"task_{step}",
                bpmn_element_type=BpmnElementType.SERVICE_TASK,
                flow_scope_key=instance,
            )
            record = ProcessInstanceRecord(
                position=position,
                key=instance + step,
                source_record_position=position - 1,
                timestamp=1_700_000_000_000,
                record_type=RecordType.EVENT,
                intent=ProcessInstanceIntent.ELEMENT_ACTIVATED,
                value=value,
            )
        batch.append(codec.encode(record))
        position += 1
        if len(batch) == 100:
            journal.append(batch)
            batch = []
    if batch:
        journal.append(batch)
    journal.close()
    return BASE + 1 + (instances // 2) * 1_000_000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--instances", type=int, default=1_000)
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="strom-record-log-"))
    try:
        started = time.perf_counter()
        instance = write_log(directory, args.records, args.instances)
        written = time.perf_counter() - started
        log = _PartitionLog(directory)
        started = time.perf_counter()
        trail, _ = log.trail(instance)
        first_scan = time.perf_counter() - started
        started = time.perf_counter()
        log.trail(instance)
        again = time.perf_counter() - started
        positions = list(trail.positions)[:100]
        started = time.perf_counter()
        page = log.records(positions)
        read_page = time.perf_counter() - started
        size = sum(path.stat().st_size for path in directory.iterdir())
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(
        f"{args.records:,} records ({size / 1e6:.0f} MB, written in {written:.1f} s): first scan for one "
        f"instance {first_scan:.2f} s ({args.records / first_scan:,.0f} records/s, {len(trail.positions)} "
        f"of its records found), again {again * 1000:.1f} ms, its first {len(page)} records read in "
        f"{read_page * 1000:.0f} ms"
    )
    print(
        json.dumps(
            {
                "records": args.records,
                "instances": args.instances,
                "log_bytes": size,
                "first_scan_s": round(first_scan, 3),
                "records_per_s": round(args.records / first_scan),
                "again_ms": round(again * 1000, 2),
                "page_records": len(page),
                "page_ms": round(read_page * 1000, 1),
            }
        )
    )


if __name__ == "__main__":
    main()
