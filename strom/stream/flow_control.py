"""Flow control (the seeds' "static write rate limits" and "throttling on the exporter backlog").

Backpressure bounds the requests in flight; flow control bounds what a partition takes in over
time, before a request counts as in flight:

* a **write-rate limit**: user commands per second from a token bucket (``write_rate_limit``, with
  ``write_rate_burst`` tokens at most), for deployments that must not write faster than their disk
  or their exporters' sinks can take;
* **exporter-backlog throttling**: while every exporter's acknowledged position trails the durable
  log by more than ``exporter_backlog_limit`` records, new user commands are refused, so a stalled
  exporter slows intake instead of letting the log (which cannot be compacted below it) fill the
  disk.

Commands that finish work (backpressure's exempt list) and job activations always pass. A refusal
says which limit and by how much, and is counted per reason for the metrics.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class FlowControlSettings:
    write_rate_limit: float = 0.0
    """User commands per second; 0 turns the limit off."""
    write_rate_burst: float = 0.0
    """Most commands taken at once after a quiet period; 0: one second's worth."""
    exporter_backlog_limit: int = 0
    """Records the slowest exporter may trail the durable log by; 0 turns throttling off."""

    def validate(self) -> None:
        if self.write_rate_limit < 0 or self.write_rate_burst < 0:
            raise ValueError("flow_control.write_rate_limit and write_rate_burst must be 0 (off) or positive")
        if self.exporter_backlog_limit < 0:
            raise ValueError("flow_control.exporter_backlog_limit must be 0 (off) or positive")


class FlowControl:
    """``refusal(exempt)`` is None when a command may enter, else the reason it may not."""

    def __init__(
        self,
        settings: FlowControlSettings,
        exporter_backlog: Callable[[], int],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rate = settings.write_rate_limit
        self._burst = settings.write_rate_burst or settings.write_rate_limit
        self._tokens = self._burst
        self._backlog_limit = settings.exporter_backlog_limit
        self._exporter_backlog = exporter_backlog
        self._clock = clock
        self._refilled = clock()
        self._lock = threading.Lock()
        self.refused: dict[str, int] = {"write_rate": 0, "exporter_backlog": 0}

    @property
    def enabled(self) -> bool:
        return self._rate > 0 or self._backlog_limit > 0

    def refusal(self, exempt: bool) -> str | None:
        if exempt:
            return None
        if self._backlog_limit:
            backlog = self._exporter_backlog()
            if backlog > self._backlog_limit:
                self.refused["exporter_backlog"] += 1
                return (
                    f"the exporters trail the log by {backlog} records, more than the exporter backlog "
                    f"limit of {self._backlog_limit}; intake resumes as they catch up"
                )
        if self._rate:
            with self._lock:
                now = self._clock()
                self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self._rate)
                self._refilled = now
                if self._tokens < 1:
                    self.refused["write_rate"] += 1
                    return f"the write rate limit of {self._rate:g} commands/s is reached"
                self._tokens -= 1
        return None
