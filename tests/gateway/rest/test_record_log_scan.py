"""The gateway's scan of a partition log for one instance (``strom.gateway.rest.records``) on a real
``FileJournal`` of encoded records: what concerns the instance, and what compaction leaves of it
(a real broker compacts only 128 MiB segments, too large to fill in a test)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strom.gateway.rest.records import _PartitionLog
from strom.log import FileJournal
from strom.protocol import codec
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.enums import RecordType
from strom.protocol.intents import JobIntent, ProcessInstanceIntent
from strom.protocol.records import JobRecord, ProcessInstanceRecord
from strom.protocol.values.job import JobRecordValue
from strom.protocol.values.process_instance import ProcessInstanceRecordValue

BASE = 1 << 51


class _Log:
    """Writes records with consecutive positions, one batch each."""

    def __init__(self, journal: FileJournal) -> None:
        self.journal = journal

    def write(self, record: Any) -> int:
        position = self.journal.next_position
        self.journal.append([codec.encode(record.__class__(**{**_fields(record), "position": position}))])
        return position

    def element(self, instance: int, key: int, element_id: str, intent: ProcessInstanceIntent) -> int:
        value = ProcessInstanceRecordValue(
            bpmn_process_id="scan",
            process_instance_key=instance,
            element_id=element_id,
            bpmn_element_type=BpmnElementType.SERVICE_TASK,
        )
        return self.write(
            ProcessInstanceRecord(key=key, record_type=RecordType.EVENT, intent=intent, value=value)
        )


def _fields(record: Any) -> dict[str, Any]:
    return {name: getattr(record, name) for name in record.__struct_fields__}


def test_commands_naming_only_an_entity_of_the_instance_are_found(tmp_path: Path) -> None:
    a, b, job = BASE + 1, BASE + 2, BASE + 10
    with FileJournal(tmp_path, segment_size=4096) as journal:
        log = _Log(journal)
        ours = [log.element(a, a, "scan", ProcessInstanceIntent.ELEMENT_ACTIVATED)]
        log.element(b, b, "scan", ProcessInstanceIntent.ELEMENT_ACTIVATED)
        job_value = JobRecordValue(type="w", process_instance_key=a, element_id="task")
        ours.append(
            log.write(
                JobRecord(key=job, record_type=RecordType.EVENT, intent=JobIntent.CREATED, value=job_value)
            )
        )
        # a worker's COMPLETE names the job only; its rejection too
        ours.append(log.write(JobRecord(key=job, intent=JobIntent.COMPLETE, value=JobRecordValue())))
        rejected = JobRecord(
            key=job,
            record_type=RecordType.COMMAND_REJECTION,
            intent=JobIntent.COMPLETE,
            source_record_position=ours[-1],
            value=JobRecordValue(),
        )
        ours.append(log.write(rejected))
        log.write(JobRecord(key=BASE + 11, intent=JobIntent.COMPLETE, value=JobRecordValue()))  # b's job
        journal.flush()
        scan = _PartitionLog(tmp_path)
        trail, first = scan.trail(a)
        assert first == 1 and list(trail.positions) == ours
        assert trail.bpmn_process_id == "scan" and trail.sources == {ours[2]}
        assert [r["recordType"] for r in scan.records(ours)] == [
            "EVENT",
            "EVENT",
            "COMMAND",
            "COMMAND_REJECTION",
        ]


def test_compaction_leaves_the_instances_later_records_and_says_from_where(tmp_path: Path) -> None:
    early, late = BASE + 1, BASE + 2
    with FileJournal(tmp_path, segment_size=4096) as journal:
        log = _Log(journal)
        log.element(early, early, "scan", ProcessInstanceIntent.ELEMENT_ACTIVATED)
        positions = [log.element(late, late, "scan", ProcessInstanceIntent.ELEMENT_ACTIVATED)]
        for n in range(60):
            log.element(BASE + 100, BASE + 100 + n, f"other{n}", ProcessInstanceIntent.ELEMENT_ACTIVATED)
        positions.append(log.element(late, late, "scan", ProcessInstanceIntent.ELEMENT_COMPLETED))
        journal.flush()
        scan = _PartitionLog(tmp_path)
        before, _ = scan.trail(late)
        assert list(before.positions) == positions

        first = journal.compact(positions[-1] - 5)
        assert 1 < first <= positions[-1]
        # what was read before compaction is still listed, but only what is stored can be read
        assert [r["position"] for r in scan.records(list(before.positions))] == positions[1:]
        # a scan from scratch starts at the first stored position
        assert scan.trail(early)[0].positions.tolist() == []
        fresh = _PartitionLog(tmp_path)
        trail, stored_from = fresh.trail(late)
        assert stored_from == first and list(trail.positions) == positions[1:]
