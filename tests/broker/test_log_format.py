"""``--log-format json``: one JSON object per log line, for a log collector."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import pytest
from broker_process import BrokerProcess

from strom.broker.config import ConfigError, load_config
from strom.broker.logs import JsonFormatter


def _record(message: str, **extra: object) -> logging.LogRecord:
    record = logging.LogRecord("strom.test", logging.WARNING, __file__, 1, message, ("x",), None)
    record.__dict__.update(extra)
    return record


def test_a_record_is_one_json_object_with_level_logger_message_and_extras() -> None:
    line = JsonFormatter("partition-2").format(
        _record("exporter %s failed", position=42, error=ValueError("bad"))
    )

    entry = json.loads(line)
    assert entry["level"] == "WARNING" and entry["logger"] == "strom.test"
    assert entry["message"] == "exporter x failed"
    assert entry["process"] == "partition-2"
    assert entry["position"] == 42 and entry["error"] == "ValueError('bad')"
    assert entry["timestamp"].endswith("+00:00")


def test_a_traceback_is_kept_in_one_field() -> None:
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        record = logging.LogRecord("strom.test", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())

    entry = json.loads(JsonFormatter("broker").format(record))

    assert "RuntimeError: boom" in entry["exception"] and "\n" not in JsonFormatter("broker").format(record)


def test_an_unknown_log_format_is_refused_naming_the_setting() -> None:
    with pytest.raises(ConfigError, match="log_format must be 'text' or 'json', got 'xml'"):
        load_config(environ={"STROM_LOG_FORMAT": "xml"})


def test_a_broker_started_with_json_logs_writes_json_lines(tmp_path: Path) -> None:
    broker = BrokerProcess(tmp_path, "--log-format", "json").start()
    assert broker.stop() == 0
    lines = [line for line in broker.logs().splitlines() if line.startswith("{")]

    entries = [json.loads(line) for line in lines]
    assert any("authentication is off" in entry["message"] for entry in entries), broker.logs()
    assert all(entry["process"] == "broker" for entry in entries)
