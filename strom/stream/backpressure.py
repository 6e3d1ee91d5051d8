"""Backpressure: a limit on client requests in flight per partition (accepted, not yet answered).

A partition that keeps accepting requests faster than it processes them only grows a backlog and
latency. Like Zeebe, Strom counts the requests it accepted and has not answered yet and rejects new
ones (RESOURCE_EXHAUSTED at the gateway) once the count reaches a limit. The limit adapts to the
latency observed between accepting a request and answering it:

* ``aimd`` (default): Zeebe's stabilizing AIMD. +1 per answer while the latency stays below the
  expected latency (and the partition uses at least half the limit); x backoff ratio when an answer
  takes longer, unless more requests are in flight than the limit (so it settles instead of
  oscillating between 1 and twice the optimum).
* ``vegas``: TCP Vegas as in Netflix's concurrency-limits: estimates the queue as
  ``limit * (1 - min_latency / latency)`` and grows the limit while the queue is below ``alpha``,
  shrinks it above ``beta``.
* ``fixed``: a constant limit.

Commands that finish work (job COMPLETE, FAIL, YIELD; process instance CANCEL; deployment CREATE)
are always accepted: rejecting them would keep the load in the system. They still count in flight.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from strom.protocol.enums import ValueType
from strom.protocol.intents import DeploymentIntent, JobIntent, ProcessInstanceIntent

EXEMPT_COMMANDS: frozenset[tuple[ValueType, int]] = frozenset(
    {
        (ValueType.JOB, JobIntent.COMPLETE),
        (ValueType.JOB, JobIntent.FAIL),
        (ValueType.JOB, JobIntent.YIELD),
        (ValueType.PROCESS_INSTANCE, ProcessInstanceIntent.CANCEL),
        (ValueType.DEPLOYMENT, DeploymentIntent.CREATE),
    }
)
"""Commands accepted even when the limit is reached (Zeebe's list, plus the stream's YIELD)."""

ALGORITHMS = ("aimd", "vegas", "fixed")


# -- settings ----------------------------------------------------------------------------------------


@dataclass
class AimdSettings:
    """Zeebe's defaults (``backpressure.aimd``)."""

    initial_limit: int = 100
    min_limit: int = 1
    max_limit: int = 1000
    backoff_ratio: float = 0.9
    expected_latency_ms: float = 200.0


@dataclass
class VegasSettings:
    """Zeebe's defaults (``backpressure.vegas``); ``max_limit`` is concurrency-limits' default."""

    initial_limit: int = 20
    alpha: int = 3
    beta: int = 6
    max_limit: int = 1000


@dataclass
class FixedSettings:
    limit: int = 20


@dataclass
class BackpressureSettings:
    enabled: bool = True
    algorithm: str = "aimd"
    aimd: AimdSettings = field(default_factory=AimdSettings)
    vegas: VegasSettings = field(default_factory=VegasSettings)
    fixed: FixedSettings = field(default_factory=FixedSettings)

    def validate(self) -> None:
        """Raise ``ValueError`` naming the setting that is out of range."""
        if self.algorithm not in ALGORITHMS:
            raise ValueError(
                f"backpressure.algorithm must be one of {', '.join(ALGORITHMS)}, got {self.algorithm!r}"
            )
        a = self.aimd
        if not 1 <= a.min_limit <= a.initial_limit <= a.max_limit:
            raise ValueError(
                "backpressure.aimd needs 1 <= min_limit <= initial_limit <= max_limit, got "
                f"{a.min_limit}, {a.initial_limit}, {a.max_limit}"
            )
        if not 0.5 <= a.backoff_ratio < 1.0:
            raise ValueError(f"backpressure.aimd.backoff_ratio must be in [0.5, 1.0), got {a.backoff_ratio}")
        if a.expected_latency_ms <= 0:
            raise ValueError(
                f"backpressure.aimd.expected_latency_ms must be positive, got {a.expected_latency_ms}"
            )
        v = self.vegas
        if not 1 <= v.initial_limit <= v.max_limit:
            raise ValueError(
                f"backpressure.vegas needs 1 <= initial_limit <= max_limit, got {v.initial_limit}, "
                f"{v.max_limit}"
            )
        if not 0 < v.alpha < v.beta:
            raise ValueError(f"backpressure.vegas needs 0 < alpha < beta, got {v.alpha}, {v.beta}")
        if self.fixed.limit < 1:
            raise ValueError(f"backpressure.fixed.limit must be at least 1, got {self.fixed.limit}")


# -- limit algorithms ------------------------------------------------------------------------------


class Limit(Protocol):
    @property
    def limit(self) -> int: ...

    def on_sample(self, rtt_ns: int, inflight: int, dropped: bool) -> None:
        """A request answered after ``rtt_ns``; ``inflight`` was the count when it was accepted."""


class FixedLimit:
    def __init__(self, limit: int) -> None:
        self._limit = limit

    @property
    def limit(self) -> int:
        return self._limit

    def on_sample(self, rtt_ns: int, inflight: int, dropped: bool) -> None:
        return None


class AimdLimit:
    """Zeebe's StabilizingAIMDLimit."""

    def __init__(self, settings: AimdSettings) -> None:
        self._limit = settings.initial_limit
        self._min = settings.min_limit
        self._max = settings.max_limit
        self._backoff = settings.backoff_ratio
        self._expected_ns = int(settings.expected_latency_ms * 1_000_000)

    @property
    def limit(self) -> int:
        return self._limit

    def on_sample(self, rtt_ns: int, inflight: int, dropped: bool) -> None:
        limit = self._limit
        if dropped or rtt_ns > self._expected_ns:
            if inflight <= limit:
                limit = int(limit * self._backoff)
        elif inflight * 2 >= limit:
            limit += 1
        self._limit = min(self._max, max(self._min, limit))


class VegasLimit:
    """TCP Vegas over request latency (Netflix concurrency-limits' VegasLimit, fixed alpha/beta)."""

    _PROBE_MULTIPLIER = 30
    _PROBE_JITTER = 0.75

    def __init__(self, settings: VegasSettings) -> None:
        self._estimate = float(settings.initial_limit)
        self._max = settings.max_limit
        self._alpha = settings.alpha
        self._beta = settings.beta
        self._rtt_noload = 0
        self._probe_count = 0

    @property
    def limit(self) -> int:
        return int(self._estimate)

    def on_sample(self, rtt_ns: int, inflight: int, dropped: bool) -> None:
        if rtt_ns <= 0:
            return
        self._probe_count += 1
        if self._probe_count >= self._PROBE_JITTER * self._PROBE_MULTIPLIER * self._estimate:
            # Re-learn the no-load latency now and then: it may have grown for good.
            self._probe_count = 0
            self._rtt_noload = rtt_ns
            return
        if self._rtt_noload == 0 or rtt_ns < self._rtt_noload:
            self._rtt_noload = rtt_ns
            return
        limit = self._estimate
        log_limit = math.log10(max(limit, 1.0))
        if dropped:
            new = limit - log_limit
        elif inflight * 2 < limit:
            return  # the partition does not use its limit: latency says nothing about it
        else:
            queue = math.ceil(limit * (1 - self._rtt_noload / rtt_ns))
            if queue <= log_limit:
                new = limit + self._beta
            elif queue < self._alpha:
                new = limit + log_limit
            elif queue > self._beta:
                new = limit - log_limit
            else:
                return
        self._estimate = max(1.0, min(float(self._max), new))


def build_limit(settings: BackpressureSettings) -> Limit:
    settings.validate()
    if settings.algorithm == "vegas":
        return VegasLimit(settings.vegas)
    if settings.algorithm == "fixed":
        return FixedLimit(settings.fixed.limit)
    return AimdLimit(settings.aimd)


# -- the limiter -----------------------------------------------------------------------------------


class RequestLimiter:
    """Counts requests in flight and asks the limit whether to take one more. Thread-safe: requests
    are accepted on the gateway's thread and answered on the partition's."""

    def __init__(self, limit: Limit, clock: Callable[[], int] = time.monotonic_ns) -> None:
        self._limit = limit
        self._clock = clock
        self._lock = threading.Lock()
        # request id -> (accepted at ns, in flight when accepted; -1: answer without a sample)
        self._inflight: dict[int, tuple[int, int]] = {}
        self.accepted = 0
        self.rejected = 0

    @property
    def limit(self) -> int:
        return self._limit.limit

    @property
    def inflight(self) -> int:
        return len(self._inflight)

    def try_acquire(self, request_id: int, exempt: bool = False, sample: bool = True) -> bool:
        """Take a slot for ``request_id``; False (and nothing taken) when the limit is reached.

        ``sample=False`` keeps the answer's latency out of the limit (e.g. create-with-result waits
        for the instance to complete, which says nothing about the partition's load).
        """
        with self._lock:
            count = len(self._inflight)
            if not exempt and count >= self._limit.limit:
                self.rejected += 1
                return False
            self._inflight[request_id] = (self._clock(), count + 1 if sample else -1)
            self.accepted += 1
            return True

    def on_response(self, request_id: int) -> int | None:
        """The request was answered; returns its latency in ns (None if it was not tracked)."""
        with self._lock:
            entry = self._inflight.pop(request_id, None)
            if entry is None:
                return None
            started, inflight = entry
            rtt = self._clock() - started
            if inflight >= 0:
                self._limit.on_sample(rtt, inflight, False)
            return rtt

    def on_ignore(self, request_id: int) -> None:
        """The request will not be answered (the client gave up): free its slot without a sample."""
        with self._lock:
            self._inflight.pop(request_id, None)


def build_limiter(settings: BackpressureSettings) -> RequestLimiter:
    """The limiter for ``settings``; when backpressure is off, a limit nothing reaches."""
    if not settings.enabled:
        return RequestLimiter(FixedLimit(1 << 62))
    return RequestLimiter(build_limit(settings))
