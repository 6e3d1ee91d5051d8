"""How a broker writes its log lines: text for a person at a terminal, or one JSON object per line
(``log_format = "json"``, ``--log-format json``, ``STROM_LOG_FORMAT=json``) for a log collector
(Loki, Elasticsearch, CloudWatch …) that should not have to parse free text.

A JSON line has ``timestamp`` (ISO 8601, UTC, milliseconds), ``level``, ``logger``, ``message``,
``process`` (``broker`` or ``partition-N``), ``exception`` when there is a traceback, and whatever
``extra=`` fields the call passed (lists and dicts as JSON, anything else JSON cannot hold as its
``repr``).

``LogBudget`` keeps a kind of event that can come in floods (command rejections, incidents) from
flooding the log: a few lines per time window, the rest summed up in one line.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
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
                entry[name] = value if isinstance(value, _JSON_TYPES) else repr(value)
        return json.dumps(entry, ensure_ascii=False, default=repr)


_JSON_TYPES = (str, int, float, bool, type(None), list, dict)


def configure_logging(level: str, log_format: str, process: str = "broker") -> None:
    """Send the process's log lines to stderr at ``level`` in ``log_format`` ("text" or "json")."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter(process))
    else:
        prefix = "" if process == "broker" else f"{process} "
        handler.setFormatter(logging.Formatter(f"%(asctime)s {prefix}%(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=level.upper(), handlers=[handler])


class LogBudget:
    """At most ``limit`` lines of one kind of event per ``window_s`` seconds; what comes over it is
    counted by a short key (e.g. ``"JOB COMPLETE NOT_FOUND"``) and written as one summary line
    when the window ends (from a timer thread, so it comes even when the flood stops): a WARNING
    with ``event`` = ``<event>_suppressed``, ``count`` and ``by`` (the ten most frequent keys).

    ``allow`` is called on the processing thread for each event: a clock read and a comparison
    while under the limit; a lock and a counter increment over it.
    """

    def __init__(
        self,
        logger: logging.Logger,
        event: str,
        what: str,
        *,
        limit: int,
        window_s: float,
        extra: dict[str, Any] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._event = event
        self._what = what
        self.limit = limit
        self.window_s = window_s
        self._extra = extra or {}
        self._clock = clock
        self._window_end = 0.0
        self._used = 0
        self._suppressed: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def allow(self, key: str) -> bool:
        """Whether this event may be logged now; if not it is counted under ``key``."""
        now = self._clock()
        if now >= self._window_end:
            self._window_end = now + self.window_s
            self._used = 0
        if self._used < self.limit:
            self._used += 1
            return True
        with self._lock:
            self._suppressed[key] += 1
            if self._timer is None:
                self._timer = threading.Timer(max(0.0, self._window_end - now), self.flush)
                self._timer.daemon = True
                self._timer.start()
        return False

    def flush(self) -> int:
        """Write the summary of what was suppressed so far (if anything); returns how many."""
        with self._lock:
            suppressed, self._suppressed = self._suppressed, Counter()
            timer, self._timer = self._timer, None
        if timer is not None:
            timer.cancel()
        total = sum(suppressed.values())
        if total:
            top = dict(suppressed.most_common(10))
            self._logger.warning(
                "%d more %s not logged (over %d per %g s); most frequent: %s",
                total,
                self._what,
                self.limit,
                self.window_s,
                ", ".join(f"{key} x{count}" for key, count in top.items()),
                extra={**self._extra, "event": f"{self._event}_suppressed", "count": total, "by": top},
            )
        return total
