"""One log line per incident and per rejected command, with the fields a log collector needs, and
no flood of lines when commands are rejected by the thousand."""

from __future__ import annotations

import json
import logging
import time

import pytest

from strom.broker.logs import JsonFormatter, LogBudget
from strom.broker.record_observer import REJECTION_LINES_PER_WINDOW, RecordObserver
from strom.testing import bpmn
from strom.testing._engine import TestEngine


def _events(caplog: pytest.LogCaptureFixture, event: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if getattr(record, "event", None) == event]


def test_an_incident_is_one_warning_with_its_fields(
    engine: TestEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="strom.broker")
    engine.deployments.deploy(
        bpmn.process("order").start_event().service_task("charge", job_type="work").end_event()
    )
    instance_key = engine.instances.create("order")
    job = engine.jobs.activate("work")[0]
    engine.jobs.fail(job.key, retries=0, error_message="card declined")

    [line] = _events(caplog, "incident_created")
    assert line.levelno == logging.WARNING and line.name == "strom.broker.incidents"
    entry = json.loads(JsonFormatter("partition-1").format(line))
    incident = engine.records.incidents().first()
    assert entry["event"] == "incident_created"
    assert entry["partition"] == 1 and entry["position"] == incident.position
    assert entry["incidentKey"] == incident.key
    assert entry["errorType"] == "JOB_NO_RETRIES" and entry["errorMessage"] == "card declined"
    assert entry["bpmnProcessId"] == "order" and entry["elementId"] == "charge"
    assert entry["processInstanceKey"] == instance_key and entry["jobKey"] == job.key
    assert "card declined" in entry["message"] and str(incident.key) in entry["message"]


def test_a_rejected_client_command_is_one_info_line_with_its_fields(
    engine: TestEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="strom.broker")
    rejection = engine.jobs.complete(123456, expect_rejection=True)

    [line] = _events(caplog, "command_rejected")
    assert line.levelno == logging.INFO and line.name == "strom.broker.rejections"
    entry = json.loads(JsonFormatter("broker").format(line))
    assert entry["valueType"] == "JOB" and entry["intent"] == "COMPLETE"
    assert entry["rejectionType"] == "NOT_FOUND"
    assert entry["rejectionReason"] == rejection.rejection_reason and "123456" in entry["rejectionReason"]
    assert entry["key"] == 123456 and entry["position"] == rejection.position and entry["client"] is True


def test_a_flood_of_rejections_logs_a_few_lines_and_one_summary(
    engine: TestEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="strom.broker")
    for key in range(1, 501):
        engine.jobs.complete(key, expect_rejection=True)
    engine.partition.record_observer.flush()  # what the timer does when the window ends

    assert len(_events(caplog, "command_rejected")) == REJECTION_LINES_PER_WINDOW
    [summary] = _events(caplog, "command_rejected_suppressed")
    assert summary.levelno == logging.WARNING
    entry = json.loads(JsonFormatter("broker").format(summary))
    assert entry["count"] == 500 - REJECTION_LINES_PER_WINDOW
    assert entry["by"] == {"JOB COMPLETE NOT_FOUND": 500 - REJECTION_LINES_PER_WINDOW}
    assert entry["partition"] == 1


def test_the_summary_comes_by_itself_when_the_window_ends(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("strom.broker.test_budget")
    caplog.set_level(logging.INFO, logger=logger.name)
    budget = LogBudget(logger, "thing_happened", "things", limit=2, window_s=0.2)

    allowed = [budget.allow("kind A" if n % 2 else "kind B") for n in range(10)]

    assert allowed == [True, True] + [False] * 8
    deadline = time.monotonic() + 5
    while not _events(caplog, "thing_happened_suppressed") and time.monotonic() < deadline:
        time.sleep(0.02)
    [summary] = _events(caplog, "thing_happened_suppressed")
    assert summary.count == 8 and summary.by == {"kind A": 4, "kind B": 4}  # type: ignore[attr-defined]
    time.sleep(0.25)
    assert budget.allow("kind A")  # a new window: lines again


def test_nothing_is_counted_or_logged_for_a_disabled_level(
    engine: TestEngine, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="strom.broker")
    for key in range(1, 51):
        engine.jobs.complete(key, expect_rejection=True)
    engine.partition.record_observer.flush()

    assert not _events(caplog, "command_rejected")
    assert not _events(caplog, "command_rejected_suppressed")  # INFO lines off: nothing to sum up


def test_a_failure_to_observe_never_stops_processing_nor_floods_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="strom.broker")
    observer = RecordObserver(3)

    for _ in range(100):
        observer.observe([object()])  # type: ignore[list-item]  # not a record: a bug upstream

    assert observer.failures == 100
    [line] = [record for record in caplog.records if "observing the records" in record.getMessage()]
    assert line.levelno == logging.ERROR and "partition 3" in line.getMessage()
