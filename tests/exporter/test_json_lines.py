"""The JSON-lines export shows whole records only: a reader never meets half a line."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from strom.exporter import ExporterContext, JsonLinesExporter
from strom.protocol.intents import VariableIntent
from strom.protocol.records import VariableRecord
from strom.protocol.values.variable import VariableRecordValue


class _Acknowledged:
    def __init__(self) -> None:
        self.position = -1

    def update_last_exported_position(self, position: int) -> None:
        self.position = position

    @property
    def last_exported_position(self) -> int:
        return self.position


def _record(position: int, size: int) -> VariableRecord:
    value = VariableRecordValue(name="v", value=json.dumps("x" * size))
    return VariableRecord(position=position, key=position, intent=VariableIntent.CREATED, value=value)


def _exporter(path: Path, controller: _Acknowledged, flush_every: int) -> JsonLinesExporter:
    exporter = JsonLinesExporter()
    exporter.configure(ExporterContext("records", 1, {"path": str(path), "flush_every": flush_every}))
    exporter.open(controller)
    return exporter


def test_between_flushes_the_file_holds_whole_lines_only(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    controller = _Acknowledged()
    exporter = _exporter(path, controller, flush_every=7)

    for position in range(1, 301):  # ~1 KB records: many times any write buffer between flushes
        exporter.export(_record(position, 1000))
        text = path.read_bytes()
        assert text == b"" or text.endswith(b"\n"), f"a torn line is visible after record {position}"
        lines = [json.loads(line) for line in text.splitlines()]
        assert [line["position"] for line in lines] == list(range(1, controller.position + 1))
    exporter.close()

    assert len(path.read_bytes().splitlines()) == 300


def test_after_a_torn_last_line_the_next_run_starts_on_a_fresh_line(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_bytes(b'{"position": 1}\n{"position": 2, "val')  # a crash in the middle of a write
    exporter = _exporter(path, _Acknowledged(), flush_every=1)

    exporter.export(_record(2, 10))
    exporter.close()

    text = path.read_bytes()
    lines = text.decode().splitlines()
    assert lines[1] == '{"position": 2, "val'  # left as it was: the reader skips it
    assert json.loads(lines[2])["position"] == 2
    assert text.endswith(b"\n")


def test_a_reader_running_alongside_sees_every_record_once_in_order(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    exporter = _exporter(path, _Acknowledged(), flush_every=3)
    reader = os.open(path, os.O_RDONLY)
    seen: list[Any] = []
    tail = b""
    try:
        for position in range(1, 501):
            exporter.export(_record(position, position % 50))
            tail += os.read(reader, 1 << 20)
            *complete, tail = tail.split(b"\n")
            seen.extend(json.loads(line)["position"] for line in complete)
        exporter.close()
        tail += os.read(reader, 1 << 20)
    finally:
        os.close(reader)

    *complete, tail = tail.split(b"\n")
    seen.extend(json.loads(line)["position"] for line in complete)
    assert tail == b""
    assert seen == list(range(1, 501))
