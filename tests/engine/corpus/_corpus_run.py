"""Run the third-party corpus: every process that uses only constructs the engine executes is
deployed (with the DMN and form files of its repository) and run with workers that complete each
job and user task with no variables. The checked-in table ``corpus_run.tsv`` records the outcome
of every process: ``completed``, or why it did not complete (an incident, where it waits), or why
it was not run (the first construct it uses that the run does not drive).

Regenerate the table after a deliberate change and review every changed row::

    .venv/bin/python tests/engine/corpus/_corpus_run.py

Extending the run: constructs become eligible in ``DRIVEN`` (element types and event types), and
``HANDLERS`` lists what drives a waiting instance on (complete jobs, complete user tasks; publish a
message for an open subscription, move the clock for a timer, ...). A handler gets the run and
the process instance key and returns whether it did anything.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _corpus_events import EVENT_HANDLERS, can_start_by_event, start_by_event, with_events

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT.parent / "shared" / "corpus"
TABLE = Path(__file__).resolve().parent / "corpus_run.tsv"
COMPLETED = "completed"
_HEADER = "# file\tprocess id\toutcome ('completed', 'incident ...', 'waiting at ...', 'not run: ...')\n"
MAX_STEPS = 5_000
"""Processing steps one command may cause before the run calls it a runaway (a model that forks
forever keeps the partition busy; Zeebe would too)."""
MAX_ROUNDS = 50
"""Rounds of handlers per instance: a model looping forever stops here (and shows as waiting)."""


def _driven() -> dict[Any, frozenset[Any]]:
    from strom.protocol.bpmn import BpmnElementType as E
    from strom.protocol.bpmn import BpmnEventType as V

    plain = frozenset({V.UNSPECIFIED, V.NONE})
    return {
        element_type: plain
        for element_type in (
            E.PROCESS,
            E.START_EVENT,
            E.END_EVENT,
            E.INTERMEDIATE_THROW_EVENT,
            E.TASK,
            E.MANUAL_TASK,
            E.SERVICE_TASK,
            E.SEND_TASK,
            E.SCRIPT_TASK,
            E.BUSINESS_RULE_TASK,
            E.USER_TASK,
            E.EXCLUSIVE_GATEWAY,
            E.PARALLEL_GATEWAY,
            E.INCLUSIVE_GATEWAY,
            E.SUB_PROCESS,
            E.CALL_ACTIVITY,
        )
    }


DRIVEN: dict[Any, frozenset[Any]] = with_events(_driven())
"""Element type -> the event types of it that the run drives (events: see ``_corpus_events``)."""


def not_driven(process: Any) -> str | None:
    """The first construct of ``process`` the run does not drive, or None."""
    from strom.model import FlowNode

    for element in process.elements.values():
        if not isinstance(element, FlowNode):
            continue
        kinds = DRIVEN.get(element.element_type)
        if kinds is None or element.event_type not in kinds:
            kind = element.element_type.name
            if element.event_type.name not in ("UNSPECIFIED", "NONE"):
                kind = f"{element.event_type.name} {kind}"
            return f"{kind} '{element.id}'"
        if element.element_type.name == "SEND_TASK" and element.job is None:
            return f"message SEND_TASK '{element.id}'"
    return None


# -- driving ----------------------------------------------------------------------------------------


class Runaway(Exception):
    """A command kept the partition busy beyond ``MAX_STEPS``."""


@dataclass
class CorpusRun:
    """One engine per corpus repository; remembers what it has seen of the record log."""

    engine: Any
    seen: int = 0
    job_types: set[str] = field(default_factory=set)
    open_user_tasks: dict[int, int] = field(default_factory=dict)  # user task key -> process instance

    def new_records(self) -> list[Any]:
        records = self.engine.recorder.records
        fresh = records[self.seen :]
        self.seen = len(records)
        return fresh

    def send(self, value: Any, intent: int, key: int = -1) -> Any:
        """Send a command and process what follows, at most ``MAX_STEPS`` steps; its answer."""
        return bounded_send(self.engine, value, intent, key)


def bounded_send(engine: Any, value: Any, intent: int, key: int = -1) -> Any:
    from strom.protocol.enums import RecordType
    from strom.protocol.records import RECORD_CLASS_FOR_VALUE

    partition = engine.partition
    command = RECORD_CLASS_FOR_VALUE[type(value)](
        key=key, record_type=RecordType.COMMAND, intent=intent, value=value
    )
    answers: list[Any] = []
    partition.submit(command, answers.append)
    steps = partition.processor.run_until_idle(max_steps=MAX_STEPS)
    partition.director.export_available(max_records=1 << 62)
    if steps >= MAX_STEPS:
        raise Runaway(f"more than {MAX_STEPS} processing steps")
    return answers[0] if answers else None


Handler = Callable[[CorpusRun, int], bool]


def complete_jobs(run: CorpusRun, instance: int) -> bool:
    from strom.protocol.intents import JobBatchIntent, JobIntent
    from strom.protocol.values.job import JobBatchRecordValue, JobRecordValue

    done = False
    for job_type in sorted(run.job_types):
        batch = run.send(
            JobBatchRecordValue(type=job_type, worker="corpus", timeout=300_000, max_jobs_to_activate=100),
            JobBatchIntent.ACTIVATE,
        )
        for job_key in batch.value.job_keys if batch is not None and not batch.is_rejection else ():
            run.send(JobRecordValue(), JobIntent.COMPLETE, job_key)
            done = True
    return done


def complete_user_tasks(run: CorpusRun, instance: int) -> bool:
    from strom.protocol.intents import UserTaskIntent
    from strom.protocol.values.user_task import UserTaskRecordValue

    done = False
    for key in list(run.open_user_tasks):
        run.send(UserTaskRecordValue(), UserTaskIntent.COMPLETE, key)
        run.open_user_tasks.pop(key, None)
        done = True
    return done


HANDLERS: list[Handler] = [complete_jobs, complete_user_tasks, *EVENT_HANDLERS]
"""What moves a waiting instance on, tried in order each round until none does anything."""


def _observe(run: CorpusRun) -> None:
    from strom.protocol.enums import RecordType, ValueType
    from strom.protocol.intents import JobIntent, UserTaskIntent

    for record in run.new_records():
        if record.record_type is not RecordType.EVENT:
            continue
        if record.value_type is ValueType.JOB and record.intent == JobIntent.CREATED:
            run.job_types.add(record.value.type)
        elif record.value_type is ValueType.USER_TASK:
            if record.intent == UserTaskIntent.CREATED:
                run.open_user_tasks[record.key] = record.value.process_instance_key
            elif record.intent in (UserTaskIntent.COMPLETED, UserTaskIntent.CANCELED):
                run.open_user_tasks.pop(record.key, None)


def drive(run: CorpusRun, instance: int) -> bool:
    """Run the handlers until none does anything; False if ``MAX_ROUNDS`` were not enough."""
    for _ in range(MAX_ROUNDS):
        _observe(run)
        if not any(handler(run, instance) for handler in HANDLERS):
            return True
    _observe(run)
    return False


_KEY = re.compile(r"\b\d{16,}\b")


def outcome_of(run: CorpusRun, instance: int, start: int) -> str:
    """``completed``, the instance's open incident, or the elements it waits at."""
    from strom.protocol.enums import RecordType, ValueType
    from strom.protocol.intents import IncidentIntent
    from strom.protocol.intents import ProcessInstanceIntent as PI

    records = run.engine.recorder.records[start:]
    active: dict[int, str] = {}
    incidents: dict[int, str] = {}
    family = {instance}
    for record in records:
        if record.record_type is not RecordType.EVENT:
            continue
        value = record.value
        if record.value_type is ValueType.PROCESS_INSTANCE:
            if value.parent_process_instance_key in family or value.process_instance_key in family:
                family.add(value.process_instance_key)
            else:
                continue
            if record.key == instance and record.intent == PI.ELEMENT_COMPLETED:
                return COMPLETED
            if record.intent == PI.ELEMENT_ACTIVATED:
                active[record.key] = value.element_id
            elif record.intent in (PI.ELEMENT_COMPLETED, PI.ELEMENT_TERMINATED):
                active.pop(record.key, None)
        elif record.value_type is ValueType.INCIDENT and value.process_instance_key in family:
            if record.intent == IncidentIntent.CREATED:
                message = _KEY.sub("<key>", value.error_message).replace("\t", " ").replace("\n", " ")
                incidents[record.key] = f"incident {value.error_type} at '{value.element_id}': {message}"
            elif record.intent == IncidentIntent.RESOLVED:
                incidents.pop(record.key, None)
    if incidents:
        return next(iter(incidents.values()))
    waiting = sorted(set(active.values()) - {_process_id(run, instance)})
    return f"waiting at {', '.join(repr(w) for w in waiting)}" if waiting else "waiting"


def _process_id(run: CorpusRun, instance: int) -> str:
    from strom.protocol.enums import ValueType

    for record in run.engine.recorder.records:
        if record.value_type is ValueType.PROCESS_INSTANCE and record.key == instance:
            return str(record.value.element_id)
    return ""


# -- the corpus ------------------------------------------------------------------------------------


def repositories() -> list[Path]:
    return sorted(path for path in CORPUS.iterdir() if path.is_dir())


def run_repository(directory: Path) -> dict[tuple[str, str], str]:
    """Outcome per (file, process id) of one corpus repository."""
    from strom.model import ModelError, parse_bpmn

    outcomes: dict[tuple[str, str], str] = {}
    runnable: list[tuple[str, Any]] = []
    for path in sorted(directory.glob("*.bpmn")):
        name = path.relative_to(CORPUS).as_posix()
        try:
            definitions = parse_bpmn(path.read_bytes(), resource_name=path.name)
        except ModelError:
            outcomes[(name, "")] = "not run: rejected by the model (see tests/model/corpus_expectations.tsv)"
            continue
        for process in sorted(definitions.processes, key=lambda p: p.id):
            reason = not_driven(process)
            if reason is not None:
                outcomes[(name, process.id)] = f"not run: uses {reason}"
            elif process.none_start_event is None and not can_start_by_event(process):
                outcomes[(name, process.id)] = "not run: no none start event"
            else:
                runnable.append((name, process))
    while runnable:
        # one engine for the repository; a runaway instance spoils it, so the rest gets a new one
        engine, keys = _engine_with(directory)
        try:
            run = CorpusRun(engine)
            run.new_records()
            while runnable:
                name, process = runnable.pop(0)
                key = keys.get(process.id)
                if not isinstance(key, int):
                    reason = keys.get(Path(name).name, "")
                    outcomes[(name, process.id)] = f"not run: deployment rejected: {reason}"
                    continue
                try:
                    outcomes[(name, process.id)] = _run_instance(run, key, process)
                except Runaway as runaway:
                    outcomes[(name, process.id)] = f"runaway: {runaway} (the model loops without waiting)"
                    break
            else:
                engine.check_replay()
        finally:
            engine.close()
    return outcomes


def _engine_with(directory: Path) -> tuple[Any, dict[str, int | str]]:
    """A new engine with the repository's DMN, forms and BPMN files deployed (one by one); the
    process definition key per process id, and for a rejected file the last line of the reason
    under the file's name."""
    from strom.testing import TestEngine

    engine = TestEngine()
    for extra in sorted([*directory.glob("*.dmn"), *directory.glob("*.form")]):
        _deploy(engine, extra)
    keys: dict[str, int | str] = {}
    for path in sorted(directory.glob("*.bpmn")):
        answer = _deploy(engine, path)
        if answer.is_rejection:
            keys[path.name] = answer.rejection_reason.splitlines()[-1].split(": ", 2)[-1]
        else:
            keys.update(
                {m.bpmn_process_id: m.process_definition_key for m in answer.value.processes_metadata}
            )
    return engine, keys


def _run_instance(run: CorpusRun, process_definition_key: int, process: Any) -> str:
    from strom.protocol.intents import ProcessInstanceCreationIntent
    from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue

    start = len(run.engine.recorder.records)
    if process.none_start_event is None:
        started = start_by_event(run, process, process_definition_key)
        if isinstance(started, str):
            return f"not started: {started}"
        instance = started
    else:
        created = run.send(
            ProcessInstanceCreationRecordValue(process_definition_key=process_definition_key),
            ProcessInstanceCreationIntent.CREATE,
        )
        if created.is_rejection:
            return f"creation rejected: {created.rejection_reason}"
        instance = created.value.process_instance_key
    settled = drive(run, instance)
    outcome = outcome_of(run, instance, start)
    if not settled and outcome.startswith("waiting"):
        return f"still running after {MAX_ROUNDS} rounds of workers ({outcome}): the model loops"
    return outcome


def _deploy(engine: Any, path: Path) -> Any:
    """Deploy one file; the answer, whether accepted or rejected."""
    from strom.protocol.intents import DeploymentIntent
    from strom.protocol.values.deployment import DeploymentRecordValue, DeploymentResource

    resource = DeploymentResource(resource_name=path.name, resource=path.read_bytes())
    return bounded_send(engine, DeploymentRecordValue(resources=[resource]), DeploymentIntent.CREATE)


def run_corpus() -> dict[tuple[str, str], str]:
    outcomes: dict[tuple[str, str], str] = {}
    for directory in repositories():
        outcomes.update(run_repository(directory))
    return outcomes


def read_table() -> dict[tuple[str, str], str]:
    table: dict[tuple[str, str], str] = {}
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, process_id, outcome = line.split("\t", 2)
            table[(name, process_id)] = outcome
    return table


def summary(outcomes: dict[tuple[str, str], str]) -> str:
    run = [outcome for outcome in outcomes.values() if not outcome.startswith("not run")]
    done = sum(outcome == COMPLETED for outcome in run)
    return f"{done} of {len(run)} processes run completed ({len(outcomes) - len(run)} not run)"


def write_table(outcomes: dict[tuple[str, str], str]) -> None:
    rows = [_HEADER, f"# {summary(outcomes)}\n"]
    rows.extend(
        f"{name}\t{process_id}\t{outcome}\n" for (name, process_id), outcome in sorted(outcomes.items())
    )
    TABLE.write_text("".join(rows), encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    results = run_corpus()
    write_table(results)
    print(summary(results))
