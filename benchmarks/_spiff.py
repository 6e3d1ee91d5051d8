"""SpiffWorkflow as the benchmarks' yardstick, and the alternating rounds that compare it with Strom.

SpiffWorkflow runs a BPMN model in memory (it keeps nothing on disk); every service task waits
(STARTED) until the driver loop completes it, as a job worker would complete Strom's job. Spiff
evaluates gateway conditions as Python, so a model with FEEL conditions is given to it with the
same conditions written in Python.

Strom and Spiff run in alternating rounds in one process, each figure the median of its rounds,
so machine drift hits both alike (``alternate``).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from typing import Any


class SpiffRun:
    """Instances of one process run to completion by SpiffWorkflow, measured in rounds."""

    def __init__(self, bpmn: str, process_id: str, variables: Mapping[str, Any] | None = None) -> None:
        from SpiffWorkflow.bpmn.parser import BpmnParser

        parser = BpmnParser()
        parser.add_bpmn_str(bpmn.encode())
        self.spec = parser.get_spec(process_id)
        self.variables = dict(variables or {})
        self.service_tasks = 0
        """Service tasks completed by the last instance (a check that the model ran as expected)."""

    def round(self, instances: int) -> float:
        """Run ``instances`` instances to completion; their PI/s."""
        from SpiffWorkflow.bpmn import BpmnWorkflow
        from SpiffWorkflow.util.task import TaskState

        began = time.perf_counter()
        for _ in range(instances):
            workflow = BpmnWorkflow(self.spec)
            if self.variables:
                [start] = workflow.get_tasks(state=TaskState.READY)
                start.data.update(self.variables)
            workflow.do_engine_steps()
            completed = 0
            while not workflow.is_completed():
                waiting = workflow.get_tasks(state=TaskState.STARTED)
                if not waiting:
                    raise RuntimeError("SpiffWorkflow's instance is stuck with no waiting task")
                for task in waiting:
                    task.complete()
                    completed += 1
                workflow.do_engine_steps()
            self.service_tasks = completed
        return instances / (time.perf_counter() - began)


def alternate(rounds: int, strom: Callable[[], float], spiff: Callable[[], float]) -> tuple[float, float]:
    """Median rate of ``strom`` and of ``spiff`` over ``rounds`` alternating rounds (Strom first).

    Warm both up before: the first round of each pays for imports and caches.
    """
    strom_rates: list[float] = []
    spiff_rates: list[float] = []
    for _ in range(rounds):
        strom_rates.append(strom())
        spiff_rates.append(spiff())
    return statistics.median(strom_rates), statistics.median(spiff_rates)
