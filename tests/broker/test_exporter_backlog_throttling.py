"""A partition whose exporter stalls stops taking user commands once the backlog passes the limit
(the log cannot be compacted below the exporter, so it would otherwise fill the disk), keeps taking
commands that finish work, and resumes when the exporter catches up."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strom.broker import Partition, PartitionSettings
from strom.client import Client
from strom.exporter import Controller, ExporterContext
from strom.protocol.enums import RecordType
from strom.protocol.intents import ProcessInstanceCreationIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue
from strom.stream.flow_control import FlowControlSettings
from strom.testing import bpmn


class Stalled:
    """An exporter whose sink is down until ``recover``."""

    def __init__(self) -> None:
        self.down = True
        self.controller: Controller | None = None

    def configure(self, context: ExporterContext) -> None:
        return None

    def open(self, controller: Controller) -> None:
        self.controller = controller

    def export(self, record: Record[Any]) -> None:
        if self.down:
            raise ConnectionError("sink unavailable")
        assert self.controller is not None
        self.controller.update_last_exported_position(record.position)

    def close(self) -> None:
        return None


def _create() -> Record[Any]:
    return RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue](
        record_type=RecordType.COMMAND,
        intent=ProcessInstanceCreationIntent.CREATE,
        value=ProcessInstanceCreationRecordValue(bpmn_process_id="p"),
    )


def test_a_stalled_exporter_throttles_intake_and_intake_resumes_when_it_catches_up(tmp_path: Path) -> None:
    exporter = Stalled()
    partition = Partition(
        PartitionSettings(
            data_dir=tmp_path,
            group_commit=False,
            snapshot_period_s=float("inf"),
            exporters={"stalled": exporter},
            flow_control=FlowControlSettings(exporter_backlog_limit=50),
        )
    ).open()
    try:
        Client(partition).deploy(("p.bpmn", bpmn.process("p").start_event().end_event().to_xml().encode()))
        accepted = 0
        while partition.try_submit(_create()) is not None and accepted < 1000:
            accepted += 1
            partition.run_until_idle()

        refusal = partition.refusal
        assert accepted < 20, "intake was not throttled"
        assert refusal is not None and "exporter backlog limit of 50" in refusal

        exporter.down = False
        partition.director._slots[0].retry_at = 0.0
        partition.run_until_idle()
        assert partition.try_submit(_create()) is not None
    finally:
        partition.close(snapshot=False)
