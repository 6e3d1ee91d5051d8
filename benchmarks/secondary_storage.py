"""Secondary storage: one-task throughput with the SQLite SQL exporter on vs off, its lag, how soon a
created instance is searchable, and search latency over a large read model.

    .venv/bin/python benchmarks/secondary_storage.py            # 1,000,000 instances in the read model
    .venv/bin/python benchmarks/secondary_storage.py --quick    # smoke run: 50,000, short rounds

Four parts, one run; the last line is one JSON object with the figures.

1. **Throughput, exporter on vs off.** Two partitions as the broker runs them (file journal with
   group commit, durable, RocksDB state): one with the ``SqlExporter`` on SQLite, configured as
   ``strom broker`` configures it (``PartitionSettings(exporters=..., exporter_configs=...,
   exporter_process=True)``, so the exporter runs in a process of its own, ``strom.exporter.process``,
   default batching; ``--exporter-thread`` runs it on the partition's exporting thread instead, as
   before), one without. Rounds
   alternate between them (off, on, off, on, ...). A round creates ``--round-instances`` one-task
   instances (CreateProcessInstanceWithResult with an ``orderId`` variable, at most ``--window`` in
   flight) that an in-process job worker completes. An "on" round ends only once its last instance
   completed AND the exporter acknowledged every record written until then (the read model is
   current), so ``with_pi_per_s`` is what the broker sustains with an up-to-date read model
   (``with_completed_pi_per_s`` leaves the catching up out). The median of each side gives
   ``with_pi_per_s``, ``without_pi_per_s`` and ``with_vs_without`` (target >= 0.8).
2. **Exporter lag**, sampled every 50 ms during the "on" rounds with ``ExporterDirector.lag()``
   (what ``/metrics`` reports as ``strom_exporter_lag_records`` / ``strom_exporter_lag_seconds``):
   records between the log's durable position and the exporter's acknowledged one, and the age of
   the oldest of them: ``lag_p99_records``, ``lag_p99_ms``.
3. **Visibility** at half the maximum load (half the median ``with_pi_per_s``, instances created
   with CreateProcessInstance at that rate and completed by the worker): for ~200 sampled
   instances, the time from the creation's answer to ``SearchStore.search("processInstance",
   {"filter": {"processInstanceKey": key}})`` returning the instance (polled every 5 ms):
   ``visible_p50_ms``, ``visible_p99_ms`` (issue target: p99 <= 1 s).
4. **Search latency** over ``--instances`` exported instances. The read model is filled by bulk
   inserts (raw ``executemany``) into the schema's own tables (``strom.search.create_schema``; its
   secondary indexes dropped for the load and rebuilt after it from their own ``CREATE INDEX``
   statements; no ``ANALYZE``, as in the broker), not through the engine and ``SqlExporter.export``
   (a million instances that way take well over the ten minutes this run may use): rows are
   copies of what the
   ``SqlExporter`` wrote for real instances of ten one-task processes (one completed and one
   active instance of each; every table a one-task instance touches: process instance, three
   element instances, two sequence flows, the job, two variables), with new keys, dates spread
   over 30 days, a unique ``orderId`` per instance, the processes weighted 30%, 20%, 15%, ... 1%
   and one instance in twenty active. Then, through ``SearchStore``, p50/p99 of (a) the instance
   search by process id (``filter: {processDefinitionId}``, sorted by ``startDate`` desc, limit 50;
   the ten ids in turn), (b) the instance search by variable (``filter: {variables: [{name:
   "orderId", value: "\\"o-N\\""}]}``, same sort and limit, random N), (c) one page of a cursor
   walk (``page.after`` = the previous page's ``endCursor``) over the largest process's instances
   in the same order: from the first page on, and from halfway down its instances.
   Target: p99 <= 50 ms on SQLite. Each kind stops after ``--searches`` searches or
   ``--search-budget`` seconds (at least 10 searches): ``search_samples`` says how many ran.

The machine's load matters: compare ratios within one run, not absolute figures across runs.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sqlite3
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from strom.broker import Partition, PartitionSettings
from strom.broker.broker import SECONDARY_STORAGE_EXPORTER, tune_garbage_collector
from strom.client import Client, JobWorker
from strom.protocol.enums import RecordType
from strom.protocol.intents import ProcessInstanceCreationIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue
from strom.search import SearchStore, SqlExporter
from strom.search import schema as read_model

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="benchmark" targetNamespace="http://strom/benchmark">
  <bpmn:process id="{process_id}" name="{name}" isExecutable="true">
    <bpmn:startEvent id="start" name="Received"><bpmn:outgoing>to_task</bpmn:outgoing></bpmn:startEvent>
    <bpmn:serviceTask id="task" name="Handle">
      <bpmn:extensionElements><zeebe:taskDefinition type="work"/></bpmn:extensionElements>
      <bpmn:incoming>to_task</bpmn:incoming><bpmn:outgoing>to_end</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="end" name="Done"><bpmn:incoming>to_end</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="to_task" sourceRef="start" targetRef="task"/>
    <bpmn:sequenceFlow id="to_end" sourceRef="task" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

PROCESSES: tuple[tuple[str, float], ...] = (
    ("order-fulfillment", 0.30),
    ("invoice-approval", 0.20),
    ("customer-onboarding", 0.15),
    ("payment-retry", 0.10),
    ("shipment-tracking", 0.08),
    ("refund-request", 0.06),
    ("kyc-check", 0.05),
    ("loan-application", 0.03),
    ("support-ticket", 0.02),
    ("subscription-renewal", 0.01),
)
"""The process ids of the filled read model and their share of its instances."""

BENCH_PROCESS = PROCESSES[0][0]
EXPORTER = SECONDARY_STORAGE_EXPORTER
_CREATION = RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue]


def _bpmn(process_id: str) -> bytes:
    name = process_id.replace("-", " ").title()
    return BPMN.replace("{process_id}", process_id).replace("{name}", name).encode()


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


# -- 1 + 2: throughput with and without the exporter, lag --------------------------------------------


class Side:
    """One partition (with or without the SQL exporter), open across all of its rounds."""

    def __init__(self, data_dir: Path, with_exporter: bool, exporter_process: bool = True) -> None:
        self.with_exporter = with_exporter
        self.url = f"sqlite:///{data_dir / 'secondary.db'}"
        exporters = {EXPORTER: SqlExporter()} if with_exporter else {}
        configs = {EXPORTER: {"url": self.url}} if with_exporter else {}
        self.partition = Partition(
            PartitionSettings(
                data_dir=data_dir,
                group_commit=True,
                snapshot_period_s=float("inf"),
                exporters=exporters,
                exporter_configs=configs,
                exporter_process=exporter_process,  # as `strom broker` runs it (True)
            )
        ).open()
        self.partition.start()
        Client(self.partition).deploy((f"{BENCH_PROCESS}.bpmn", _bpmn(BENCH_PROCESS)))
        self.worker = JobWorker(self.partition, "work", lambda job: None, inline=True).start()
        self.created = 0

    def exported(self) -> int:
        return self.partition.director.positions()[EXPORTER]

    def wait_exported(self, position: int, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while self.exported() < position:
            if time.monotonic() > deadline:
                raise TimeoutError(f"the exporter did not reach position {position} in {timeout} s")
            time.sleep(0.001)

    def close(self) -> None:
        self.worker.stop()
        self.partition.close(snapshot=False)


@dataclass
class Round:
    pi_per_s: float
    """Instances over the round's time, the exporter's catching up included."""
    completed_pi_per_s: float
    """Instances over the time until the last one completed (the exporter may still be behind)."""
    p99_latency_ms: float
    drain_ms: float
    rejected: int


@dataclass
class LagSamples:
    records: list[int] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)


def _sample_lag(side: Side, samples: LagSamples, stop: threading.Event, every_s: float = 0.05) -> None:
    director = side.partition.director
    clock = side.partition.clock
    while not stop.wait(every_s):
        for lag in director.lag():
            samples.records.append(lag.records)
            oldest = lag.oldest_timestamp
            samples.ms.append(0.0 if oldest is None else max(0, clock.now_millis() - oldest))


def run_round(side: Side, instances: int, window: int, lag: LagSamples | None) -> Round:
    partition = side.partition
    slots = threading.Semaphore(window)
    done = threading.Event()
    latencies: list[float] = []
    rejected = 0
    lock = threading.Lock()
    stop_sampling = threading.Event()
    sampler: threading.Thread | None = None
    if lag is not None:
        sampler = threading.Thread(target=_sample_lag, args=(side, lag, stop_sampling), daemon=True)
        sampler.start()

    def submit(number: int) -> None:
        started = time.perf_counter()

        def finished(record: Record[Any]) -> None:
            nonlocal rejected
            elapsed = time.perf_counter() - started
            with lock:
                if record.is_rejection:
                    rejected += 1
                latencies.append(elapsed)
                if len(latencies) == instances:
                    done.set()
            slots.release()

        partition.submit(
            _CREATION(
                record_type=RecordType.COMMAND,
                intent=ProcessInstanceCreationIntent.CREATE_WITH_AWAITING_RESULT,
                value=ProcessInstanceCreationRecordValue(
                    bpmn_process_id=BENCH_PROCESS, variables={"orderId": f"o-{number}"}
                ),
            ),
            finished,
        )

    began = time.perf_counter()
    for _ in range(instances):
        slots.acquire()
        side.created += 1
        submit(side.created)
    if not done.wait(600):
        raise TimeoutError("the round did not complete within 600 s")
    completed = time.perf_counter()
    drain = 0.0
    if side.with_exporter:
        side.wait_exported(partition.log.durable_position)
        drain = time.perf_counter() - completed
    elapsed = time.perf_counter() - began
    stop_sampling.set()
    if sampler is not None:
        sampler.join()
    return Round(
        instances / elapsed,
        instances / (completed - began),
        _ms(_percentile(latencies, 0.99)),
        _ms(drain),
        rejected,
    )


def run_throughput(
    base: Path, rounds: int, round_instances: int, window: int, exporter_process: bool = True
) -> tuple[dict[str, Any], Side, LagSamples]:
    without = Side(base / "without", with_exporter=False)
    with_ = Side(base / "with", with_exporter=True, exporter_process=exporter_process)
    lag = LagSamples()
    # Warm-up (untimed): code paths, RocksDB, SQLite page cache, both sides alike.
    run_round(without, max(500, round_instances // 10), window, None)
    run_round(with_, max(500, round_instances // 10), window, None)
    off: list[Round] = []
    on: list[Round] = []
    for index in range(rounds):
        sides = ((without, off, None), (with_, on, lag))
        for side, results, samples in sides if index % 2 == 0 else reversed(sides):
            result = run_round(side, round_instances, window, samples)
            results.append(result)
            kind = "with" if side.with_exporter else "without"
            print(
                f"round {index + 1} {kind:>7}: {result.pi_per_s:8.1f} PI/s  p99 {result.p99_latency_ms} ms"
                f"  drain {result.drain_ms} ms",
                flush=True,
            )
    without.close()
    with_pi = statistics.median(r.pi_per_s for r in on)
    without_pi = statistics.median(r.pi_per_s for r in off)
    figures = {
        "with_pi_per_s": round(with_pi, 1),
        "without_pi_per_s": round(without_pi, 1),
        "with_vs_without": round(with_pi / without_pi, 3),
        "with_completed_pi_per_s": round(statistics.median(r.completed_pi_per_s for r in on), 1),
        "with_rounds_pi_per_s": [round(r.pi_per_s, 1) for r in on],
        "without_rounds_pi_per_s": [round(r.pi_per_s, 1) for r in off],
        "with_p99_latency_ms": round(statistics.median(r.p99_latency_ms for r in on), 2),
        "without_p99_latency_ms": round(statistics.median(r.p99_latency_ms for r in off), 2),
        "drain_ms_max": max(r.drain_ms for r in on),
        "rejected": sum(r.rejected for r in on + off),
    }
    return figures, with_, lag


# -- 3: visibility in search at half load --------------------------------------------------------------


def run_visibility(side: Side, rate: float, duration: float, samples: int) -> dict[str, Any]:
    """Create instances at ``rate`` for ``duration`` seconds; time when sampled ones become searchable."""
    partition = side.partition
    store = SearchStore(side.url)
    every = max(1, int(rate * duration / samples))
    pending: list[tuple[int, float]] = []  # (instance key, answered at), sampled, not visible yet
    pending_lock = threading.Lock()
    visible: list[float] = []
    creating = threading.Event()
    creating.set()
    failures: list[str] = []

    def answered(record: Record[Any], sampled: bool) -> None:
        if record.is_rejection:
            failures.append(record.rejection_reason)
        elif sampled:
            with pending_lock:
                pending.append((int(record.value.process_instance_key), time.perf_counter()))

    def create(number: int) -> None:
        sampled = number % every == 0
        partition.submit(
            _CREATION(
                record_type=RecordType.COMMAND,
                intent=ProcessInstanceCreationIntent.CREATE,
                value=ProcessInstanceCreationRecordValue(
                    bpmn_process_id=BENCH_PROCESS, variables={"orderId": f"o-{number}"}
                ),
            ),
            lambda record: answered(record, sampled),
        )

    def poll() -> None:
        give_up = float("inf")
        while creating.is_set() or (pending and time.perf_counter() < give_up):
            if not creating.is_set() and give_up == float("inf"):
                give_up = time.perf_counter() + 30
            with pending_lock:
                waiting = list(pending)
            for key, answered_at in waiting:
                found = store.search("processInstance", {"filter": {"processInstanceKey": str(key)}})
                if found["items"]:
                    visible.append(time.perf_counter() - answered_at)
                    with pending_lock:
                        pending.remove((key, answered_at))
            time.sleep(0.005)

    poller = threading.Thread(target=poll, daemon=True)
    poller.start()
    began = time.perf_counter()
    sent = 0
    while (now := time.perf_counter() - began) < duration:
        due = int(now * rate)
        while sent < due:
            side.created += 1
            sent += 1
            create(side.created)
        time.sleep(0.002)
    elapsed = time.perf_counter() - began
    time.sleep(0.5)
    creating.clear()
    poller.join(40)
    store.close()
    return {
        "visible_rate_pi_per_s": round(sent / elapsed, 1),
        "visible_samples": len(visible),
        "visible_never": len(pending),
        "visible_p50_ms": _ms(_percentile(visible, 0.50)),
        "visible_p99_ms": _ms(_percentile(visible, 0.99)),
        "visible_max_ms": _ms(max(visible, default=float("nan"))),
        "visible_rejected": len(failures),
    }


# -- 4: a large read model, and searches over it ----------------------------------------------------

_DATE_COLUMNS = frozenset(
    {"start_date", "end_date", "creation_time", "last_update_time", "end_time", "deadline"}
)
_INSTANCE_TABLES = ("process_instance", "element_instance", "sequence_flow", "variable", "job")


@dataclass
class Template:
    """The rows the exporter wrote for one real instance, as recipes for copies of it."""

    process_id: str
    active: bool
    key_deltas: list[int]
    """Every key of the instance's rows, relative to the process instance key."""
    start: int
    rows: dict[str, list[dict[str, Any]]]


def _record_templates(base: Path) -> tuple[list[Template], Path]:
    """Run one completed and one active instance of every process through a real partition with the
    SQL exporter and read back the rows it wrote."""
    data_dir = base / "templates"
    url = f"sqlite:///{data_dir / 'secondary.db'}"
    partition = Partition(
        PartitionSettings(
            data_dir=data_dir,
            group_commit=False,
            snapshot_period_s=float("inf"),
            exporters={EXPORTER: SqlExporter()},
            exporter_configs={EXPORTER: {"url": url}},
        )
    ).open()
    client = Client(partition)
    client.deploy(*((f"{pid}.bpmn", _bpmn(pid)) for pid, _ in PROCESSES))
    completed: dict[str, int] = {}
    active: dict[str, int] = {}
    variables = {"orderId": "o-0", "amount": 149.9}
    worker = JobWorker(partition, "work", lambda job: None, inline=True).start()
    for pid, _ in PROCESSES:
        completed[pid] = client.create_instance(pid, variables)
        partition.run_until_idle()
    worker.stop()
    for pid, _ in PROCESSES:
        active[pid] = client.create_instance(pid, variables)
    partition.close(snapshot=False)

    db = data_dir / "secondary.db"
    connection = sqlite3.connect(db)
    connection.row_factory = sqlite3.Row
    templates: list[Template] = []
    for pid, _ in PROCESSES:
        for is_active, instance in ((False, completed[pid]), (True, active[pid])):
            rows: dict[str, list[dict[str, Any]]] = {}
            for table in _INSTANCE_TABLES:
                column = "key" if table == "process_instance" else "process_instance_key"
                found = connection.execute(
                    f'SELECT * FROM {table} WHERE "{column}" = ? ORDER BY rowid', (instance,)
                ).fetchall()
                rows[table] = [dict(row) for row in found]
            [instance_row] = rows["process_instance"]
            keys = {instance}
            for table in ("element_instance", "variable", "job"):
                keys.update(row["key"] for row in rows[table])
            templates.append(
                Template(pid, is_active, sorted(k - instance for k in keys), instance_row["start_date"], rows)
            )
    connection.close()
    return templates, db


_CONSTANT, _KEY, _DATE, _TEXT = range(4)

RowMaker = Callable[[int, int, int], list[tuple[Any, ...]]]
"""The rows of one table for one copy: (instance key, start date, order number) -> rows."""


def _recipe(template: Template, table: str) -> tuple[str, RowMaker]:
    """(insert statement, row maker) for one table of a template."""
    instance = template.rows["process_instance"][0]["key"]
    key_names = {instance + delta: f"k{index}" for index, delta in enumerate(template.key_deltas)}
    columns = list(template.rows[table][0]) if template.rows[table] else []
    # Each cell is a constant, a key, a date (relative to the start), or text holding keys (tree
    # paths, flow ids) or the order id (variable values).
    recipes: list[list[tuple[int, Any]]] = []
    for row in template.rows[table]:
        cells: list[tuple[int, Any]] = []
        for column in columns:
            value = row[column]
            if isinstance(value, int) and not isinstance(value, bool) and value in key_names:
                cells.append((_KEY, key_names[value]))
            elif column in _DATE_COLUMNS and isinstance(value, int):
                cells.append((_DATE, value - template.start))
            elif isinstance(value, str) and ('"o-0"' in value or any(str(k) in value for k in key_names)):
                text = value.replace("{", "{{").replace("}", "}}").replace('"o-0"', '"o-{number}"')
                for key, name in key_names.items():
                    text = text.replace(str(key), "{" + name + "}")
                cells.append((_TEXT, text))
            else:
                cells.append((_CONSTANT, value))
        recipes.append(cells)
    names = [f"k{index}" for index in range(len(template.key_deltas))]
    deltas = template.key_deltas

    def rows(instance_key: int, start: int, number: int) -> list[tuple[Any, ...]]:
        keys = {name: instance_key + delta for name, delta in zip(names, deltas, strict=True)}
        made: list[tuple[Any, ...]] = []
        for cells in recipes:
            values: list[Any] = []
            for kind, payload in cells:
                if kind == _CONSTANT:
                    values.append(payload)
                elif kind == _KEY:
                    values.append(keys[payload])
                elif kind == _DATE:
                    values.append(start + payload)
                else:
                    values.append(payload.format(number=number, **keys))
            made.append(tuple(values))
        return made

    quoted = ", ".join(f'"{column}"' for column in columns)
    statement = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(columns))})"
    return statement, rows


def fill_read_model(base: Path, instances: int, seed: int = 7) -> tuple[str, dict[str, Any]]:
    """A read model holding ``instances`` one-task instances (see the module docstring)."""
    templates, template_db = _record_templates(base)
    db = base / "search" / "secondary.db"
    db.parent.mkdir(parents=True)
    url = f"sqlite:///{db}"
    engine = read_model.create_engine(url)
    read_model.create_schema(engine)
    engine.dispose()
    source = sqlite3.connect(template_db)
    target = sqlite3.connect(db)
    target.execute("PRAGMA journal_mode=WAL")
    target.execute("PRAGMA synchronous=OFF")
    target.execute("PRAGMA cache_size=-262144")
    for definition in source.execute("SELECT * FROM process_definition").fetchall():
        target.execute(
            f"INSERT INTO process_definition VALUES ({', '.join('?' * len(definition))})", definition
        )
    source.close()
    target.commit()
    # The schema's secondary indexes are built after the load (same definitions, much faster than
    # maintaining them row by row); the primary keys grow in order as they do under the exporter.
    tables = ", ".join(f"'{table}'" for table in _INSTANCE_TABLES)
    indexes = target.execute(
        "SELECT name, sql FROM sqlite_master"
        f" WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({tables})"
    ).fetchall()
    for name, _ in indexes:
        target.execute(f'DROP INDEX "{name}"')

    by_kind = {(t.process_id, t.active): t for t in templates}
    recipes = {
        kind: [_recipe(template, table) for table in _INSTANCE_TABLES] for kind, template in by_kind.items()
    }
    stride = 1 + max(max(t.key_deltas) for t in templates)
    rng = random.Random(seed)
    weights = [share for _, share in PROCESSES]
    process_ids = [pid for pid, _ in PROCESSES]
    now_ms = int(time.time() * 1000)
    span_ms = 30 * 24 * 3600 * 1000
    first_key = (1 << 51) + 1_000_000
    began = time.perf_counter()
    batch = 20_000
    for first in range(0, instances, batch):
        pending: dict[str, list[tuple[Any, ...]]] = {}
        statements: dict[str, str] = {}
        chosen = rng.choices(process_ids, weights, k=min(batch, instances - first))
        for offset, pid in enumerate(chosen):
            number = first + offset + 1
            active = number % 20 == 0
            start = now_ms - span_ms + (span_ms * number) // (instances + 1) + rng.randrange(1000)
            for statement, rows in recipes[pid, active]:
                statements[statement] = statement
                pending.setdefault(statement, []).extend(rows(first_key + number * stride, start, number))
        with target:
            for statement, rows_ in pending.items():
                target.executemany(statement, rows_)
        if (first // batch) % 10 == 9:
            done = first + len(chosen)
            print(f"filled {done:,} instances ({done / (time.perf_counter() - began):,.0f}/s)", flush=True)
    indexed = time.perf_counter()
    for _, sql in indexes:
        target.execute(sql)
    print(f"indexes built in {time.perf_counter() - indexed:.1f} s", flush=True)
    # No ANALYZE: the broker's read model has no planner statistics either.
    target.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    target.commit()
    counts = {
        table: target.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in _INSTANCE_TABLES
    }
    target.close()
    fill_seconds = time.perf_counter() - began
    return url, {
        "fill_seconds": round(fill_seconds, 1),
        "read_model_mb": round(db.stat().st_size / 2**20, 1),
        "read_model_rows": counts,
    }


def _timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return time.perf_counter() - started, result


SEARCH_TARGET_MS = 50.0


def run_searches(url: str, instances: int, samples: int, budget_s: float, seed: int = 11) -> dict[str, Any]:
    """Search latencies over the filled read model: ``samples`` of each kind, or fewer when a kind
    has used up ``budget_s`` seconds (slow searches must not make the run endless)."""
    store = SearchStore(url)
    rng = random.Random(seed)
    sort = [{"field": "startDate", "order": "DESC"}]
    process_ids = [pid for pid, _ in PROCESSES]

    def by_process(pid: str) -> dict[str, Any]:
        return store.search(
            "processInstance",
            {"filter": {"processDefinitionId": pid}, "sort": sort, "page": {"limit": 50}},
        )

    def by_variable(number: int) -> dict[str, Any]:
        return store.search(
            "processInstance",
            {
                "filter": {"variables": [{"name": "orderId", "value": json.dumps(f"o-{number}")}]},
                "sort": sort,
                "page": {"limit": 50},
            },
        )

    def page_after(cursor: str) -> dict[str, Any]:
        return store.search(
            "processInstance",
            {
                "filter": {"processDefinitionId": BENCH_PROCESS},
                "sort": sort,
                "page": {"limit": 50, "after": cursor},
            },
        )

    by_process(process_ids[-1])  # warm-up (connection pool, statement caches)

    process_times: dict[str, list[float]] = {pid: [] for pid in process_ids}
    deadline = time.perf_counter() + budget_s
    for index in range(samples):
        if time.perf_counter() > deadline and index >= len(process_ids):
            break
        pid = process_ids[index % len(process_ids)]
        elapsed, result = _timed(partial(by_process, pid))
        assert len(result["items"]) == 50, pid
        process_times[pid].append(elapsed)
    all_process = [t for times in process_times.values() for t in times]

    variable_times: list[float] = []
    deadline = time.perf_counter() + budget_s
    while len(variable_times) < samples and (time.perf_counter() < deadline or len(variable_times) < 10):
        number = rng.randrange(1, instances + 1)
        elapsed, result = _timed(partial(by_variable, number))
        assert len(result["items"]) == 1, number
        variable_times.append(elapsed)

    total = by_process(BENCH_PROCESS)["page"]["totalItems"]
    halfway = store.search(
        "processInstance",
        {
            "filter": {"processDefinitionId": BENCH_PROCESS},
            "sort": sort,
            "page": {"from": total // 2, "limit": 1},
        },
    )["page"]["endCursor"]
    cursor_times: list[float] = []
    for cursor in (by_process(BENCH_PROCESS)["page"]["endCursor"], halfway):  # from the top, from halfway
        deadline = time.perf_counter() + budget_s / 2
        for page in range(samples // 2):
            if page >= 5 and time.perf_counter() > deadline:
                break
            elapsed, result = _timed(partial(page_after, cursor))
            assert len(result["items"]) == 50
            cursor_times.append(elapsed)
            cursor = result["page"]["endCursor"]
    store.close()
    figures = {
        "search_by_process_p50_ms": _ms(_percentile(all_process, 0.50)),
        "search_by_process_p99_ms": _ms(_percentile(all_process, 0.99)),
        "search_by_variable_p50_ms": _ms(_percentile(variable_times, 0.50)),
        "search_by_variable_p99_ms": _ms(_percentile(variable_times, 0.99)),
        "cursor_page_p50_ms": _ms(_percentile(cursor_times, 0.50)),
        "cursor_page_p99_ms": _ms(_percentile(cursor_times, 0.99)),
    }
    return {
        **figures,
        "search_target_ms": SEARCH_TARGET_MS,
        "searches_within_target": all(
            value <= SEARCH_TARGET_MS for name, value in figures.items() if name.endswith("p99_ms")
        ),
        "search_by_process_p50_ms_per_id": {
            pid: _ms(_percentile(times, 0.50)) for pid, times in process_times.items()
        },
        "largest_process_instances": total,
        "search_samples": {
            "by_process": len(all_process),
            "by_variable": len(variable_times),
            "cursor_pages": len(cursor_times),
        },
    }


# -- main -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: 50,000 instances, short rounds")
    parser.add_argument("--instances", type=int, default=None, help="instances in the read model (1,000,000)")
    parser.add_argument("--rounds", type=int, default=None, help="rounds per side (5; quick: 2)")
    parser.add_argument("--round-instances", type=int, default=None, help="instances per round (10,000)")
    parser.add_argument("--window", type=int, default=400, help="instances in flight at once")
    parser.add_argument("--visible-seconds", type=float, default=None, help="half-load phase (30 s)")
    parser.add_argument("--searches", type=int, default=None, help="searches per kind (300; quick: 100)")
    parser.add_argument(
        "--search-budget", type=float, default=None, help="seconds per kind of search at most (45; quick: 10)"
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="default: a fresh temporary folder")
    parser.add_argument(
        "--exporter-thread",
        action="store_true",
        help="run the exporter on the partition's exporting thread (exporter_process = false)",
    )
    args = parser.parse_args()
    quick = args.quick
    instances = args.instances or (50_000 if quick else 1_000_000)
    rounds = args.rounds or (2 if quick else 5)
    round_instances = args.round_instances or (3_000 if quick else 10_000)
    visible_seconds = args.visible_seconds or (8.0 if quick else 30.0)
    searches = args.searches or (100 if quick else 300)

    tune_garbage_collector()  # what `strom broker` does at start-up
    base = args.data_dir or Path(tempfile.mkdtemp(prefix="strom-bench-secondary-"))
    base.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    try:
        throughput, with_side, lag = run_throughput(
            base, rounds, round_instances, args.window, exporter_process=not args.exporter_thread
        )
        try:
            visibility = run_visibility(
                with_side, throughput["with_pi_per_s"] / 2, visible_seconds, samples=200
            )
        finally:
            with_side.close()
        print(f"visibility: {visibility}", flush=True)
        url, filled = fill_read_model(base, instances)
        print(f"filled: {filled}", flush=True)
        budget = args.search_budget or (10.0 if quick else 45.0)
        searched = run_searches(url, instances, searches, budget)
    finally:
        if args.data_dir is None:
            shutil.rmtree(base, ignore_errors=True)
    figures = {
        "instances": instances,
        **throughput,
        "lag_p99_records": int(_percentile([float(r) for r in lag.records], 0.99)),
        "lag_p99_ms": round(float(_percentile(lag.ms, 0.99)), 1),
        "lag_max_ms": round(float(max(lag.ms, default=float("nan"))), 1),
        "lag_samples": len(lag.ms),
        **visibility,
        **filled,
        **searched,
        "quick": quick,
        "exporter": "thread" if args.exporter_thread else "process",
        "seconds": round(time.perf_counter() - began, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "durable": True,
    }
    for name, value in figures.items():
        print(f"{name:>32}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
