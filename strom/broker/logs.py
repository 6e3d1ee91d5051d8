"""How a broker writes its log lines: text for a person at a terminal, or one JSON object per line
(``log_format = "json"``, ``--log-format json``, ``STROM_LOG_FORMAT=json``) for a log collector
(Loki, Elasticsearch, CloudWatch …) that should not have to parse free text.

A JSON line has ``timestamp`` (ISO 8601, UTC, milliseconds), ``level``, ``logger``, ``message``,
``process`` (``broker`` or ``partition-N``), ``exception`` when there is a traceback, and whatever
``extra=`` fields the call passed that JSON can hold.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

LOG_FORMATS = ("text", "json")

_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module docstring)."""

    def __init__(self, process: str) -> None:
        super().__init__()
        self._process = process

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "process": self._process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        for name, value in vars(record).items():
            if name not in _STANDARD and name not in entry:
                entry[name] = value if isinstance(value, (str, int, float, bool, type(None))) else repr(value)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str, log_format: str, process: str = "broker") -> None:
    """Send the process's log lines to stderr at ``level`` in ``log_format`` ("text" or "json")."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter(process))
    else:
        prefix = "" if process == "broker" else f"{process} "
        handler.setFormatter(logging.Formatter(f"%(asctime)s {prefix}%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler])
