"""Process coverage: which flow nodes and sequence flows of the deployed processes tests reached.

``pytest --strom-coverage[=PATH]`` collects it over every test that used the ``engine`` fixture
and writes a JSON report (default ``strom-coverage.json``), an HTML page beside it with each
process's diagram (``strom.testing.coverage_html``) and a table in the terminal summary.
Without pytest::

    coverage = ProcessCoverage()
    coverage.add_engine(engine)          # after the engine ran; as often as there are engines
    print(coverage.format_table())
    coverage.write_json(Path("coverage.json"))
    coverage.write_html(Path("coverage.html"))

Per process id, the model's elements are the flow nodes (the process itself excluded) and the
sequence flows of every deployed version; an element is covered when an ELEMENT_ACTIVATED record
names it, a flow when a SEQUENCE_FLOW_TAKEN record does.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from strom.model import BpmnValidationError, FlowNode, SequenceFlow, parse_bpmn
from strom.protocol.bpmn import BpmnElementType
from strom.protocol.intents import ProcessInstanceIntent
from strom.testing._engine import TestEngine
from strom.testing.coverage_html import write_html

DEFAULT_PATH = "strom-coverage.json"
RECORD_LIMIT = 10_000_000
"""The bound on the records read from one engine."""

_BPMN_NAMESPACE = b"http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass
class ProcessReport:
    """Coverage of one process id."""

    process_id: str
    elements: dict[str, int] = field(default_factory=dict)
    """Element id -> times activated (0: never reached; a multi-instance activity counts its body
    and each of its instances)."""
    flows: dict[str, int] = field(default_factory=dict)
    """Sequence flow id -> times taken."""

    @property
    def elements_covered(self) -> int:
        return sum(1 for count in self.elements.values() if count)

    @property
    def flows_covered(self) -> int:
        return sum(1 for count in self.flows.values() if count)

    @property
    def percentage(self) -> float:
        """Covered elements and flows over all of them, in percent."""
        total = len(self.elements) + len(self.flows)
        if not total:
            return 100.0
        return round(100.0 * (self.elements_covered + self.flows_covered) / total, 1)

    @property
    def elements_missed(self) -> list[str]:
        return [element for element, count in self.elements.items() if not count]

    @property
    def flows_missed(self) -> list[str]:
        return [flow for flow, count in self.flows.items() if not count]

    def to_json(self) -> dict[str, Any]:
        return {
            "elements": {
                "covered": self.elements_covered,
                "total": len(self.elements),
                "not_covered": self.elements_missed,
                "activations": dict(self.elements),
            },
            "flows": {
                "covered": self.flows_covered,
                "total": len(self.flows),
                "not_covered": self.flows_missed,
                "taken": dict(self.flows),
            },
            "percentage": self.percentage,
        }


class ProcessCoverage:
    """Coverage accumulated over engines (one per test), per deployed process id."""

    def __init__(self) -> None:
        self.processes: dict[str, ProcessReport] = {}
        self._models: dict[str, list[tuple[str, list[str], list[str]]]] = {}
        """Digest of a deployed resource -> (process id, flow node ids, flow ids) of its processes."""
        self.diagrams: dict[str, str] = {}
        """Process id -> the XML of the resource that deployed it last (what the HTML page draws)."""

    def add_model(self, resource: bytes, resource_name: str = "<resource>") -> None:
        """Count the elements of the processes of a BPMN resource (other resources are ignored)."""
        digest = hashlib.sha256(resource).hexdigest()
        models = self._models.get(digest)
        if models is None:
            models = self._models[digest] = _parse(resource, resource_name)
        for process_id, element_ids, flow_ids in models:
            self.diagrams[process_id] = resource.decode("utf-8", "replace")
            report = self.processes.setdefault(process_id, ProcessReport(process_id))
            for element_id in element_ids:
                report.elements.setdefault(element_id, 0)
            for flow_id in flow_ids:
                report.flows.setdefault(flow_id, 0)

    def add_engine(self, engine: TestEngine) -> None:
        """The models ``engine`` deployed and what its process instances reached."""
        for resource_name, resource in engine.deployed:
            self.add_model(resource, resource_name)
        records = (
            engine.records.process_instances()
            .events()
            .where(lambda r: r.intent in _COUNTED)
            .limit(RECORD_LIMIT)
        )
        for record in records:
            value = record.value
            report = self.processes.get(value.bpmn_process_id)
            if report is None:
                continue
            if record.intent == ProcessInstanceIntent.SEQUENCE_FLOW_TAKEN:
                if value.element_id in report.flows:
                    report.flows[value.element_id] += 1
            elif (
                value.bpmn_element_type is not BpmnElementType.PROCESS and value.element_id in report.elements
            ):
                report.elements[value.element_id] += 1

    def to_json(self) -> dict[str, Any]:
        elements = sum(len(report.elements) for report in self.processes.values())
        flows = sum(len(report.flows) for report in self.processes.values())
        covered = sum(r.elements_covered + r.flows_covered for r in self.processes.values())
        return {
            "processes": {
                process_id: self.processes[process_id].to_json() for process_id in sorted(self.processes)
            },
            "total": {
                "elements": elements,
                "flows": flows,
                "covered": covered,
                "percentage": round(100.0 * covered / (elements + flows), 1) if elements + flows else 100.0,
            },
        }

    def write_json(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")

    def write_html(self, path: Path) -> None:
        """The page with each process's diagram, reached elements and taken flows highlighted."""
        write_html(self, path)

    def format_table(self) -> str:
        """One line per process: elements and flows covered/total, percentage, elements never reached."""
        header = ("process", "elements", "flows", "coverage", "not reached")
        rows = [
            (
                process_id,
                f"{report.elements_covered}/{len(report.elements)}",
                f"{report.flows_covered}/{len(report.flows)}",
                f"{report.percentage:.1f}%",
                ", ".join(report.elements_missed) or "-",
            )
            for process_id, report in sorted(self.processes.items())
        ]
        total = self.to_json()["total"]
        rows.append(("TOTAL", str(total["elements"]), str(total["flows"]), f"{total['percentage']:.1f}%", ""))
        widths = [max(len(row[i]) for row in (header, *rows)) for i in range(4)]
        lines = []
        for row in (header, *rows):
            cells = [
                row[0].ljust(widths[0]),
                *(cell.rjust(width) for cell, width in zip(row[1:4], widths[1:], strict=True)),
            ]
            lines.append("  ".join([*cells, row[4]]).rstrip())
        return "\n".join(lines)


_COUNTED = frozenset({ProcessInstanceIntent.ELEMENT_ACTIVATED, ProcessInstanceIntent.SEQUENCE_FLOW_TAKEN})


def _parse(resource: bytes, resource_name: str) -> list[tuple[str, list[str], list[str]]]:
    if _BPMN_NAMESPACE not in resource:
        return []
    try:
        definitions = parse_bpmn(resource, resource_name=resource_name)
    except BpmnValidationError:
        return []
    models = []
    for process in definitions.processes:
        elements = [
            element.id
            for element in process.elements.values()
            if isinstance(element, FlowNode) and element.element_type is not BpmnElementType.PROCESS
        ]
        flows = [element.id for element in process.elements.values() if isinstance(element, SequenceFlow)]
        models.append((process.id, elements, flows))
    return models


__all__ = ["DEFAULT_PATH", "ProcessCoverage", "ProcessReport"]
