"""Helpers for the read model tests: a fake controller, feeding records to a ``SqlExporter``,
dumping every table, and one shared scenario run on a real engine."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from strom.exporter import ExporterContext
from strom.protocol.intents import MessageIntent, UserTaskIntent
from strom.protocol.record import Record
from strom.protocol.values.message import MessageRecordValue
from strom.protocol.values.user_task import UserTaskRecordValue
from strom.search import SqlExporter, schema
from strom.testing import TestEngine, bpmn


class FakeController:
    """Records what the exporter acknowledges."""

    def __init__(self, acknowledged: int = 0) -> None:
        self.acknowledged = acknowledged
        self.updates: list[int] = []

    def update_last_exported_position(self, position: int) -> None:
        self.updates.append(position)
        self.acknowledged = max(self.acknowledged, position)

    @property
    def last_exported_position(self) -> int:
        return self.acknowledged


def open_exporter(
    url: str, controller: FakeController | None = None, partition_id: int = 1, **config: Any
) -> tuple[SqlExporter, FakeController]:
    exporter = SqlExporter()
    # The engine tests' clock stands still in the past: keep its "old" history (retention has its own tests).
    exporter.configure(ExporterContext("sql", partition_id, {"url": url, "history_ttl_days": 0, **config}))
    controller = controller or FakeController()
    exporter.open(controller)
    return exporter, controller


def export_all(url: str, records: Iterable[Record[Any]], **config: Any) -> FakeController:
    exporter, controller = open_exporter(url, **config)
    for record in records:
        exporter.export(record)
    exporter.close()
    return controller


def _plain(value: Any) -> Any:
    return int(value) if isinstance(value, bool) else value


def dump(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every read model table, sorted: equal dumps mean equal read models (booleans as
    integers, so SQLite and PostgreSQL dumps compare)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: sorted(
                    (tuple(_plain(v) for v in row) for row in connection.execute(sa.select(table))),
                    key=repr,
                )
                for table in schema.metadata.sorted_tables
            }
    finally:
        engine.dispose()


# -- BPMN pieces ----------------------------------------------------------------------------------


DMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="drg_discount"
             name="Discounts" namespace="http://strom.test/dmn">
  <decision id="discount" name="Discount">
    <decisionTable id="table" hitPolicy="FIRST">
      <input id="in_customer" label="Customer">
        <inputExpression id="expr_customer" typeRef="string"><text>customer</text></inputExpression>
      </input>
      <output id="out_discount" name="discount" typeRef="number"/>
      <rule id="gold"><inputEntry id="gold_in"><text>"gold"</text></inputEntry>
        <outputEntry id="gold_out"><text>0.15</text></outputEntry></rule>
      <rule id="other"><inputEntry id="other_in"><text>-</text></inputEntry>
        <outputEntry id="other_out"><text>0.05</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""

FORM = b'{"id": "approval", "components": [], "versionTag": "v7"}'


def order_process() -> bpmn.ProcessBuilder:
    return (
        bpmn.process("order", name="Order process")
        .start_event()
        .service_task("ship", job_type="ship")
        .end_event("done")
    )


def assign(engine: TestEngine, task_key: int, assignee: str) -> None:
    engine.send(UserTaskRecordValue(assignee=assignee), UserTaskIntent.ASSIGN, task_key)


def complete_task(engine: TestEngine, task_key: int) -> None:
    engine.send(UserTaskRecordValue(), UserTaskIntent.COMPLETE, task_key)


def publish(engine: TestEngine, name: str, correlation_key: str) -> None:
    engine.send(
        MessageRecordValue(name=name, correlation_key=correlation_key, time_to_live=60_000),
        MessageIntent.PUBLISH,
    )


# -- the shared scenario --------------------------------------------------------------------------


@dataclass
class Scenario:
    """What happened, for the assertions: keys by role."""

    records: list[Record[Any]] = field(default_factory=list)
    orders: list[int] = field(default_factory=list)
    completed: list[int] = field(default_factory=list)
    terminated: list[int] = field(default_factory=list)
    failed: int = 0
    active: list[int] = field(default_factory=list)
    review: list[int] = field(default_factory=list)
    tasks: list[int] = field(default_factory=list)
    parent: int = 0
    rules: int = 0
    waiting: list[int] = field(default_factory=list)
    order_definition: int = 0
    big_value: str = ""


ORDERS = 25


def run_scenario(directory: Path) -> Scenario:
    """Orders (completed, terminated, one with an incident, active), user tasks, a call activity
    whose child has an incident, a business rule task, message catch events and a form."""
    engine = TestEngine(directory)
    scenario = Scenario()
    try:
        deployment = engine.deploy(
            order_process(),
            bpmn.process("review", name="Review")
            .start_event()
            .user_task("approve", candidate_groups="sales,ops", candidate_users="carol")
            .named("Approve order")
            .end_event("reviewed"),
            bpmn.process("child").start_event().service_task("child_work", job_type="child").end_event(),
            bpmn.process("parent").start_event().call_activity("call", called_process_id="child").end_event(),
            bpmn.process("wait")
            .start_event()
            .intermediate_catch_event("catch")
            .message("order-paid", "=orderId")
            .end_event(),
            ("discount.dmn", DMN),
            bpmn.process("rules")
            .start_event()
            .business_rule_task("rule", decision_id="discount", result_variable="discount")
            .end_event(),
            ("approval.form", FORM),
        )
        scenario.order_definition = next(
            p.process_definition_key
            for p in deployment.value.processes_metadata
            if p.bpmn_process_id == "order"
        )
        scenario.big_value = "y" * 9000
        for index in range(ORDERS):
            variables: dict[str, Any] = {"n": index, "customer": f"c{index % 3}"}
            if index == 0:
                variables["note"] = scenario.big_value
            scenario.orders.append(engine.instances.create("order", variables))
            engine.advance_time(timedelta(seconds=1))
        jobs = {
            job.record.process_instance_key: job.key for job in engine.jobs.activate("ship", max_jobs=100)
        }
        for instance in scenario.orders[:10]:
            engine.jobs.complete(jobs[instance], {"shipped": True})
        scenario.completed = scenario.orders[:10]
        for instance in scenario.orders[10:13]:
            engine.instances.cancel(instance)
        scenario.terminated = scenario.orders[10:13]
        scenario.failed = scenario.orders[13]
        engine.jobs.fail(jobs[scenario.failed], 0, "no stock")
        scenario.active = scenario.orders[13:]

        for _ in range(3):
            scenario.review.append(engine.instances.create("review"))
        scenario.tasks = [
            r.key for r in engine.records.user_tasks().with_intent(UserTaskIntent.CREATED).limit(3)
        ]
        assign(engine, scenario.tasks[0], "alice")
        complete_task(engine, scenario.tasks[1])

        scenario.parent = engine.instances.create("parent")
        [child_job] = engine.jobs.activate("child")
        engine.jobs.fail(child_job.key, 0, "child failed")

        scenario.rules = engine.instances.create("rules", {"customer": "gold"})
        scenario.waiting = [
            engine.instances.create("wait", {"orderId": "o1"}),
            engine.instances.create("wait", {"orderId": "o2"}),
        ]
        publish(engine, "order-paid", "o1")
        engine.run()
        scenario.records = list(engine.recorder.records)
    finally:
        engine.close()
    return scenario
