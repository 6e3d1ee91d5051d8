"""Typical-process throughput: ten service tasks and an exclusive gateway with Zeebe's ~1 KB
"typical" benchmark payload, in-process and durable, against SpiffWorkflow.

The shape of the camunda-8-benchmark's typical process (its timers left out): start, five
service tasks, an exclusive gateway on ``var2`` (``= var2=true`` / ``= var2=false``), five more
service tasks, end. Each instance is created with the payload of
``../shared/corpus/camunda-community-hub__camunda-8-benchmark/…typical_payload.json`` (a fresh UUID
in place of ``${RANDOM_UUID}``) and waits for its result (CreateProcessInstanceWithResult); an
in-process job worker completes every job with no variables as it is pushed. One partition on
its embedded default: file journal with group commit, RocksDB state (``one_task.StromRun``).

SpiffWorkflow runs the same model in memory with the same payload, its gateway conditions in
Python (``var2 == True``), each waiting service task completed from the driver loop. Strom and
SpiffWorkflow run in alternating rounds in this one process (a warm-up round each first), each
figure the median of its rounds, as in ``one_task.py``: ``vs_spiffworkflow`` is Strom's PI/s over
Spiff's (goal 2.0).

    .venv/bin/python benchmarks/typical_process.py [--instances 5000] [--rounds 5] [--window 200]

Without the corpus (``../shared`` next to the repository) the benchmark skips, saying why. The last
line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import itertools
import json
import resource
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from _spiff import SpiffRun, alternate
from one_task import StromRun

from strom.build_variant import variant

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


def typical_bpmn(when_true: str = "= var2=true", when_false: str = "= var2=false") -> str:
    """The model, with the gateway's two conditions (FEEL for Strom; Python for SpiffWorkflow)."""
    chain = ["start", *(f"task{n}" for n in range(1, 6)), "gateway"]
    flows = [_flow(f"f{i}", a, b) for i, (a, b) in enumerate(itertools.pairwise(chain))]
    flows.append(_flow("yes", "gateway", "task6", when_true))
    flows.append(_flow("no", "gateway", "end_no", when_false))
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=5_000, help="Strom instances in all")
    parser.add_argument("--rounds", type=int, default=5, help="alternating Strom / Spiff rounds")
    parser.add_argument("--window", type=int, default=200, help="instances in flight at once")
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary folder")
    args = parser.parse_args()
    if not PAYLOAD.is_file():
        reason = f"no payload at {PAYLOAD} (the shared corpus is not next to the repository)"
        print(f"skipped: {reason}")
        print(json.dumps({"benchmark": "typical_process", "skipped": reason}))
        return
    data_dir = args.data_dir or Path(tempfile.mkdtemp(prefix="strom-typical-"))
    per_round = max(1, args.instances // args.rounds)
    spiff_per_round = min(per_round, 500)
    variables = payload()
    try:
        run = StromRun(
            data_dir,
            args.window,
            bpmn=typical_bpmn(),
            process_id="typical",
            job_type=JOB_TYPE,
            variables=variables,
        )
        spiff = SpiffRun(typical_bpmn("var2 == True", "var2 == False"), "typical", variables)
        run.warm_up(min(per_round, 500))
        spiff.round(min(spiff_per_round, 100))
        if spiff.service_tasks != 10:
            raise RuntimeError(f"SpiffWorkflow ran {spiff.service_tasks} service tasks, not 10")
        jobs_before = run.worker.completed
        strom_pi_per_s, spiff_pi_per_s = alternate(
            args.rounds, lambda: run.round(per_round), lambda: spiff.round(spiff_per_round)
        )
        jobs = run.worker.completed - jobs_before
        strom = run.finish()
    finally:
        if args.data_dir is None:
            shutil.rmtree(data_dir, ignore_errors=True)
    instances = per_round * args.rounds
    if jobs != 10 * instances:
        raise RuntimeError(f"{jobs} jobs completed for {instances} instances, not 10 each")
    figures = {
        "benchmark": "typical_process",
        "instances": instances,
        "rounds": args.rounds,
        "variant": variant(),
        "service_tasks": 10,
        "payload_bytes": len(json.dumps(variables).encode()),
        "completed_pi_per_s": round(strom_pi_per_s, 1),
        "jobs_per_s": round(strom_pi_per_s * 10, 1),
        **strom,
        "spiffworkflow_pi_per_s": round(spiff_pi_per_s, 1),
        "vs_spiffworkflow": round(strom_pi_per_s / spiff_pi_per_s, 3),
        "goal_vs_spiffworkflow_met": strom_pi_per_s / spiff_pi_per_s >= 2.0,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "durable": True,
    }
    for name, value in figures.items():
        print(f"{name:>26}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
