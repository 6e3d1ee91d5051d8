"""Prometheus metrics and health of a broker, on their own registry and HTTP endpoint.

The monitoring port serves ``/metrics`` and health probes that reflect the real state (Zeebe's paths
and its ``/actuator/health/...`` aliases), each a JSON body ``{"status": "UP"|"DOWN", "details": ...}``
with 200 when up and 503 when down; any other path is 404:

- ``/health``, ``/actuator/health/liveness``: the process serves (always UP while it answers).
- ``/ready``, ``/actuator/health/readiness``: the broker has started its services, is not shutting
  down, and its partition processes (not replaying, not stopped on a failure such as a full disk).
- ``/startup``, ``/actuator/health/startup``: the broker has started (stays UP afterwards).
- ``/actuator/health``: all three together.

Counters that already exist as numbers somewhere (commands processed, log positions, exporter
positions, the backpressure limit and in-flight count) are read when Prometheus scrapes, so the
processing thread pays nothing for them. So is each exporter's lag (``strom_exporter_lag_records``:
durable records after its acknowledged position; ``strom_exporter_lag_seconds``: the age of the
oldest of them, 0 when caught up), which reads one record from the log when the exporter moved.
Only the two histograms are observed as things happen: the duration of each processing step and
the latency of each client request (accepted -> answered); they count into plain lists (a bisect
and an increment, no lock) and become Prometheus histograms at scrape time. Zeebe's per-event
counts (``zeebe_element_instance_events_total``, ``zeebe_job_events_total``,
``zeebe_incident_events_total`` …) are counted by the partition's ``RecordObserver``
(``strom.broker.record_observer``) from the records each step wrote, and read here. Other parts of
the broker (the gateway) add collectors with ``add_collector``.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
from bisect import bisect_left
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from prometheus_client import CollectorRegistry, make_wsgi_app
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from strom.broker.disk import DiskSpaceMonitor
from strom.broker.endpoint import PartitionStatus
from strom.broker.partition import Partition
from strom.broker.record_observer import RecordObserver

_log = logging.getLogger(__name__)

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_STEP_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0)

Health = tuple[bool, dict[str, Any]]
"""Whether a probe is up, and the details its JSON body carries (a ``reason`` when down)."""

_PHASE_REASONS = {
    "new": "is not open yet",
    "replaying": "is replaying its log",
    "open": "is open but not processing (not started)",
    "stopped": "has stopped processing (shutting down)",
    "closed": "is closed",
}


class BrokerMetrics:
    """The metrics and health of a broker process.

    Either of a partition in this process (``partition``), or — the main process of a broker
    whose partitions run in their own processes — of the partitions' ``statuses`` only (their
    metrics are added as a collector by whoever gathers them).
    """

    def __init__(
        self,
        partition: Partition | None,
        statuses: Callable[[], list[PartitionStatus]] | None = None,
    ) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self._statuses = statuses
        self._created = time.monotonic()
        self._started = False
        self._stopping = False
        self._http: WSGIServer | None = None
        self.disk: DiskSpaceMonitor | None = None
        """The watch of the data directory's free space: readiness is DOWN while it pauses."""
        if partition is None:
            return
        partition_id = str(partition.settings.partition_id)
        self.step_seconds = FastHistogram(
            "strom_stream_processing_step_seconds",
            "Time a processing step takes (a command, its follow-ups, commit and append).",
            _STEP_BUCKETS,
            partition_id,
        )
        self.request_latency = FastHistogram(
            "strom_request_latency_seconds",
            "Time from accepting a client request to answering it (what backpressure watches).",
            _LATENCY_BUCKETS,
            partition_id,
        )
        observe_latency = self.request_latency.observe
        partition.step_observers.append(self.step_seconds.observe)
        partition.latency_observers.append(lambda ns: observe_latency(ns / 1e9))
        self.registry.register(_PartitionCollector(partition))
        self.add_collector(self.step_seconds.collect)
        self.add_collector(self.request_latency.collect)
        self.partition = partition
        if partition.disk is not None:
            self.disk = partition.disk.monitor
            self.add_collector(lambda: _disk_metrics(partition_id, partition))

    def add_collector(self, collect: Callable[[], Iterable[Metric]]) -> None:
        """Add metrics computed at scrape time by ``collect``."""
        self.registry.register(_FunctionCollector(collect))

    # -- health ----------------------------------------------------------------------------------

    def mark_started(self) -> None:
        """The broker serves clients (its services started): startup is UP, readiness may be."""
        self._started = True

    def mark_stopping(self) -> None:
        """The broker is shutting down: readiness is DOWN from now on."""
        self._stopping = True

    def liveness(self) -> Health:
        return True, {"pid": os.getpid(), "uptimeSeconds": round(time.monotonic() - self._created, 3)}

    def startup(self) -> Health:
        if self._started:
            return True, {"broker": "started"}
        return False, {"broker": "starting", "reason": "the broker has not started serving yet"}

    def readiness(self) -> Health:
        if self._statuses is not None:
            return self._readiness_of_processes(self._statuses())
        partition = self.partition
        pid = partition.settings.partition_id
        failure = partition.failure
        phase = partition.phase
        state: dict[str, Any] = {"phase": phase, "healthy": failure is None}
        reasons: list[str] = []
        if failure is not None:
            state["failure"] = _describe(failure)
            reasons.append(f"partition {pid} stopped on a failure: {state['failure']}")
        elif phase != "processing":
            reasons.append(f"partition {pid} {_PHASE_REASONS.get(phase, phase)}")
        if partition.disk_refusal is not None:
            state["refusing"] = partition.disk_refusal
            reasons.append(f"partition {pid} refuses commands: {partition.disk_refusal}")
        director = getattr(partition, "director", None)
        for stalled in director.failing() if director is not None else ():
            if stalled.seconds >= EXPORTER_STALLED_AFTER_S:
                state.setdefault("stalledExporters", {})[stalled.exporter_id] = stalled.error
                reasons.append(
                    f"exporter '{stalled.exporter_id}' of partition {pid} has failed {stalled.failures} "
                    f"times in a row for {stalled.seconds:.0f} s at position {stalled.position}: "
                    f"{stalled.error} (the log is kept for it; fix it or remove it from the config)"
                )
        return self._ready_when(reasons, {str(pid): state})

    def _readiness_of_processes(self, statuses: list[PartitionStatus]) -> Health:
        reasons = []
        partitions: dict[str, Any] = {}
        for status in statuses:
            partitions[str(status.partition_id)] = {"phase": status.phase, "healthy": status.healthy}
            if status.failure:
                partitions[str(status.partition_id)]["failure"] = status.failure
                reasons.append(f"partition {status.partition_id} stopped on a failure: {status.failure}")
            elif status.phase == "follower":
                pass  # a cluster broker's healthy follower is ready, as in Zeebe: it replays the leader
            elif not status.healthy or status.phase != "processing":
                doing = _PHASE_REASONS.get(status.phase, "is " + status.phase)
                reasons.append(f"partition {status.partition_id} {doing}")
        disk = self.disk
        if disk is not None and disk.paused:
            reasons.append(f"commands are refused: {disk.reason()}")
        return self._ready_when(reasons, partitions)

    def _ready_when(self, reasons: list[str], partitions: dict[str, Any]) -> Health:
        """Ready when nothing is wrong with the partitions and the broker serves (not starting,
        not shutting down)."""
        if self._stopping:
            broker = "stopping"
            reasons.insert(0, "the broker is shutting down")
        elif self._started:
            broker = "started"
        else:
            broker = "starting"
            reasons.insert(0, "the broker has not started serving yet")
        details: dict[str, Any] = {"broker": broker, "partitions": partitions}
        if reasons:
            details["reason"] = "; ".join(reasons)
        return not reasons, details

    def health(self) -> Health:
        """Liveness, readiness and startup together: UP when all three are."""
        probes = {"liveness": self.liveness(), "readiness": self.readiness(), "startup": self.startup()}
        details: dict[str, Any] = {
            name: {"status": "UP" if up else "DOWN", "details": probe_details}
            for name, (up, probe_details) in probes.items()
        }
        down = [name for name, (up, _) in probes.items() if not up]
        if down:
            details["reason"] = "; ".join(f"{name}: {probes[name][1].get('reason', 'DOWN')}" for name in down)
        return not down, details

    # -- HTTP ------------------------------------------------------------------------------------

    def wsgi_app(self) -> Callable[..., Iterable[bytes]]:
        """The monitoring endpoint: ``/metrics``, the health probes, 404 for anything else."""
        metrics_app = make_wsgi_app(self.registry)
        probes: dict[str, Callable[[], Health]] = {
            "/health": self.liveness,
            "/actuator/health/liveness": self.liveness,
            "/ready": self.readiness,
            "/actuator/health/readiness": self.readiness,
            "/startup": self.startup,
            "/actuator/health/startup": self.startup,
            "/actuator/health": self.health,
        }

        def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
            path = environ.get("PATH_INFO", "") or "/"
            if len(path) > 1:
                path = path.rstrip("/")
            if path == "/metrics":
                return metrics_app(environ, start_response)
            probe = probes.get(path)
            if probe is None:
                return _json(start_response, "404 Not Found", {"status": "NOT_FOUND", "path": path})
            method = environ.get("REQUEST_METHOD", "GET")
            if method not in ("GET", "HEAD"):
                allow = [("Allow", "GET, HEAD")]
                return _json(start_response, "405 Method Not Allowed", {"error": f"{method}: use GET"}, allow)
            try:
                up, details = probe()
            except Exception as error:  # a probe that cannot tell is a probe that says DOWN
                _log.exception("health probe %s failed", path)
                up, details = False, {"reason": f"the probe failed: {_describe(error)}"}
            body = {"status": "UP" if up else "DOWN", "details": details}
            response = _json(start_response, "200 OK" if up else "503 Service Unavailable", body)
            return [] if method == "HEAD" else response

        return app

    def serve(self, host: str, port: int) -> int:
        """Serve ``/metrics`` and the health probes on a daemon thread; returns the bound port."""
        family, address = _bind_family(host, port)
        server_class = type("_MonitoringServer", (_ThreadingWSGIServer,), {"address_family": family})
        server: WSGIServer = make_server(
            address, port, self.wsgi_app(), server_class, handler_class=_QuietHandler
        )
        threading.Thread(target=server.serve_forever, name="monitoring-http", daemon=True).start()
        self._http = server
        return int(server.server_address[1])

    def close(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None


class _ThreadingWSGIServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Probes come every few seconds: no access log."""


def _bind_family(host: str, port: int) -> tuple[socket.AddressFamily, str]:
    """The address family to listen on for ``host`` (IPv6 hosts need AF_INET6)."""
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    family, _, _, _, address = infos[0]
    return family, str(address[0])


def _json(
    start_response: Callable[..., Any],
    status: str,
    body: dict[str, Any],
    headers: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    data = json.dumps(body).encode()
    start_response(
        status,
        [("Content-Type", "application/json"), ("Content-Length", str(len(data))), *(headers or [])],
    )
    return [data]


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class _FunctionCollector(Collector):
    def __init__(self, collect: Callable[[], Iterable[Metric]]) -> None:
        self._collect = collect

    def collect(self) -> Iterable[Metric]:
        return self._collect()


class _PartitionCollector(Collector):
    def __init__(self, partition: Partition) -> None:
        self._partition = partition
        self._first_position = partition.log.next_position

    def collect(self) -> Iterable[Metric]:
        partition = self._partition
        pid = str(partition.settings.partition_id)
        labels = ["partition"]

        def counter(name: str, doc: str, value: float) -> Metric:
            family = CounterMetricFamily(name, doc, labels=labels)
            family.add_metric([pid], value)
            return family

        def gauge(name: str, doc: str, value: float) -> Metric:
            family = GaugeMetricFamily(name, doc, labels=labels)
            family.add_metric([pid], value)
            return family

        processor = partition.processor
        limiter = partition.limiter
        yield counter(
            "strom_records_processed",
            "Commands processed by the stream processor since the broker started.",
            partition.commands_processed,
        )
        yield counter(
            "strom_records_written",
            "Records appended to the log since the broker started.",
            max(0, partition.log.next_position - self._first_position),
        )
        yield gauge(
            "strom_stream_processed_position",
            "Position of the last processed command.",
            processor.processed_position,
        )
        yield gauge(
            "strom_log_last_position",
            "Position of the last record on the log.",
            partition.log.next_position - 1,
        )
        yield gauge("strom_backpressure_limit", "Current in-flight request limit.", limiter.limit)
        yield gauge(
            "strom_backpressure_inflight", "Client requests accepted, not yet answered.", limiter.inflight
        )
        requests = CounterMetricFamily(
            "strom_backpressure_requests",
            "Client requests by backpressure outcome.",
            labels=["partition", "outcome"],
        )
        requests.add_metric([pid, "accepted"], limiter.accepted)
        requests.add_metric([pid, "rejected"], limiter.rejected)
        yield requests
        yield gauge(
            "strom_log_durable_position",
            "Position of the last durable record on the log (what exporters can read).",
            partition.log.durable_position,
        )
        yield from _exporter_metrics(pid, partition)
        yield from _zeebe_metrics(pid, partition, max(0, partition.log.next_position - self._first_position))
        yield from _event_metrics(pid, partition.record_observer)
        yield gauge(
            "strom_partition_healthy",
            "1 while the partition processes, 0 once it stopped on a failure.",
            1 if processor.failure is None else 0,
        )


def _disk_metrics(pid: str, partition: Partition) -> Iterable[Metric]:
    """The data directory's free space, the watermark, and whether commands are refused for it."""
    guard = partition.disk
    if guard is None:
        return
    monitor = guard.monitor
    for name, doc, value in (
        ("strom_disk_free_bytes", "Free bytes on the data directory's file system.", monitor.free_bytes),
        (
            "strom_disk_free_space_processing_bytes",
            "The watermark: below this much free space client commands are refused.",
            monitor.watermark_bytes,
        ),
        (
            "strom_disk_processing_paused",
            "1 while client commands are refused for lack of disk space (or a full disk stopped "
            "processing and the partition waits to reopen), else 0.",
            0 if partition.disk_refusal is None else 1,
        ),
    ):
        family = GaugeMetricFamily(name, doc, labels=["partition"])
        family.add_metric([pid], value)
        yield family
    recoveries = CounterMetricFamily(
        "strom_disk_recoveries",
        "Times the partition reopened by itself after a full disk stopped processing.",
        labels=["partition"],
    )
    recoveries.add_metric([pid], guard.reopened)
    yield recoveries


EXPORTER_STALLED_AFTER_S = 30.0
"""An exporter failing this long makes the broker not ready: a stalled exporter holds the log."""


def _exporter_metrics(pid: str, partition: Partition) -> Iterable[Metric]:
    """Per exporter: its positions (Zeebe's names, with our prefix) and its lag behind the log."""
    labels = ["partition", "exporter"]
    acknowledged = GaugeMetricFamily(
        "strom_exporter_position",
        "Last position each exporter acknowledged (same as strom_exporter_last_exported_position).",
        labels=labels,
    )
    exported = GaugeMetricFamily(
        "strom_exporter_last_exported_position",
        "Last position each exporter acknowledged as stored (Zeebe: zeebe_exporter_last_exported_position).",
        labels=labels,
    )
    persisted = GaugeMetricFamily(
        "strom_exporter_last_updated_exported_position",
        "Acknowledged position last persisted for each exporter, where a restart resumes "
        "(Zeebe: zeebe_exporter_last_updated_exported_position).",
        labels=labels,
    )
    lag_records = GaugeMetricFamily(
        "strom_exporter_lag_records",
        "Durable records on the log after the exporter's acknowledged position (0 when caught up).",
        labels=labels,
    )
    lag_seconds = GaugeMetricFamily(
        "strom_exporter_lag_seconds",
        "Age of the oldest durable record the exporter has not acknowledged (0 when caught up): "
        "how stale what it stores (e.g. the secondary storage) may be.",
        labels=labels,
    )
    now = partition.clock.now_millis()
    for lag in partition.director.lag():
        exporter = [pid, lag.exporter_id]
        acknowledged.add_metric(exporter, lag.acknowledged)
        exported.add_metric(exporter, lag.acknowledged)
        persisted.add_metric(exporter, lag.persisted)
        lag_records.add_metric(exporter, lag.records)
        oldest = lag.oldest_timestamp
        lag_seconds.add_metric(exporter, 0.0 if oldest is None else max(0, now - oldest) / 1000)
    yield from (acknowledged, exported, persisted, lag_records, lag_seconds)
    failing = {failure.exporter_id: failure for failure in partition.director.failing()}
    failures = GaugeMetricFamily(
        "strom_exporter_consecutive_failures",
        "Failures in a row of each exporter (0 while it works); it is retried with back-off.",
        labels=labels,
    )
    for lag in partition.director.lag():
        failure = failing.get(lag.exporter_id)
        failures.add_metric([pid, lag.exporter_id], failure.failures if failure else 0)
    yield failures
    flow = CounterMetricFamily(
        "strom_flow_control_rejections",
        "User commands refused by flow control, by the limit that refused them.",
        labels=["partition", "limit"],
    )
    for limit, count in partition.flow_control.refused.items():
        flow.add_metric([pid, limit], count)
    yield flow


def _zeebe_metrics(pid: str, partition: Partition, written: int) -> Iterable[Metric]:
    """The same figures under Zeebe's metric names and labels, so Zeebe's Grafana dashboard and
    alerts find them (``strom_*`` stay the documented names)."""
    records = CounterMetricFamily(
        "zeebe_stream_processor_records",
        "Records the stream processor processed (commands) and wrote (Zeebe's name).",
        labels=["action", "partition"],
    )
    records.add_metric(["processed", pid], partition.commands_processed)
    records.add_metric(["written", pid], written)
    yield records
    processed = GaugeMetricFamily(
        "zeebe_stream_processor_last_processed_position",
        "Position of the last processed command (Zeebe's name).",
        labels=["partition"],
    )
    processed.add_metric([pid], partition.processor.processed_position)
    yield processed
    committed = GaugeMetricFamily(
        "zeebe_log_appender_last_committed_position",
        "Position of the last durable record (Zeebe's name).",
        labels=["partition"],
    )
    committed.add_metric([pid], partition.log.durable_position)
    yield committed
    limiter = partition.limiter
    limit = GaugeMetricFamily(
        "zeebe_backpressure_requests_limit",
        "Current in-flight request limit (Zeebe's name).",
        labels=["partition"],
    )
    limit.add_metric([pid], limiter.limit)
    inflight = GaugeMetricFamily(
        "zeebe_backpressure_inflight_requests_count",
        "Client requests accepted, not yet answered (Zeebe's name).",
        labels=["partition"],
    )
    inflight.add_metric([pid], limiter.inflight)
    received = CounterMetricFamily(
        "zeebe_received_request_count", "Client requests received (Zeebe's name).", labels=["partition"]
    )
    received.add_metric([pid], limiter.accepted + limiter.rejected)
    dropped = CounterMetricFamily(
        "zeebe_dropped_request_count",
        "Client requests refused by backpressure (Zeebe's name).",
        labels=["partition"],
    )
    dropped.add_metric([pid], limiter.rejected)
    yield from (limit, inflight, received, dropped)
    exported = GaugeMetricFamily(
        "zeebe_exporter_last_exported_position",
        "Last position each exporter acknowledged (Zeebe's name).",
        labels=["exporter", "partition"],
    )
    persisted = GaugeMetricFamily(
        "zeebe_exporter_last_updated_exported_position",
        "Acknowledged position last persisted for each exporter (Zeebe's name).",
        labels=["exporter", "partition"],
    )
    for lag in partition.director.lag():
        exported.add_metric([lag.exporter_id, pid], lag.acknowledged)
        persisted.add_metric([lag.exporter_id, pid], lag.persisted)
    yield from (exported, persisted)


def _event_metrics(pid: str, observer: RecordObserver) -> Iterable[Metric]:
    """Zeebe's per-event counts (``strom.broker.record_observer``), with Zeebe's names and labels;
    copied off the processing thread's dictionaries in one step each (no lock needed)."""
    elements = CounterMetricFamily(
        "zeebe_element_instance_events",
        "Number of process element instance events (activated, completed, terminated).",
        labels=["action", "type", "eventType", "partition"],
    )
    for (action, element_type, event_type), count in list(observer.element_events.items()):
        elements.add_metric([action, str(element_type), str(event_type), pid], count)
    executed = CounterMetricFamily(
        "zeebe_executed_instances",
        "Number of executed (root) process instances.",
        labels=["action", "type", "partition"],
    )
    for action, count in list(observer.executed_instances.items()):
        executed.add_metric([action, "ROOT_PROCESS_INSTANCE", pid], count)
    creations = CounterMetricFamily(
        "zeebe_process_instance_creations",
        "Number of created (root) process instances, by creation mode.",
        labels=["creation_mode", "partition"],
    )
    for mode, count in list(observer.creations.items()):
        creations.add_metric([mode, pid], count)
    jobs = CounterMetricFamily(
        "zeebe_job_events",
        "Number of job events (created, activated, pushed, completed, failed, timed out, canceled, "
        "error thrown), by job type and kind.",
        labels=["action", "partition", "type", "job_kind"],
    )
    for (action, job_type, job_kind), count in list(observer.job_events.items()):
        jobs.add_metric([action, pid, job_type, str(job_kind)], count)
    incidents = CounterMetricFamily(
        "zeebe_incident_events", "Number of incident events.", labels=["action", "partition"]
    )
    for action, count in list(observer.incident_events.items()):
        incidents.add_metric([action, pid], count)
    pending = GaugeMetricFamily(
        "zeebe_pending_incidents_total",
        "Number of pending incidents (created minus resolved since the broker started, as Zeebe's).",
        labels=["partition"],
    )
    pending.add_metric([pid], observer.pending_incidents)
    rejections = CounterMetricFamily(
        "strom_command_rejections",
        "Commands the engine rejected, by value type, intent and rejection type (their log lines "
        "are rate-limited; this count is not).",
        labels=["partition", "valueType", "intent", "rejectionType"],
    )
    for (value_type, intent, rejection_type), count in list(observer.rejections.items()):
        rejections.add_metric([pid, value_type, intent, rejection_type], count)
    yield from (elements, executed, creations, jobs, incidents, pending, rejections)


class FastHistogram:
    """A histogram for one hot path: observing costs a bisect and an increment."""

    __slots__ = ("_bounds", "_counts", "_doc", "_name", "_partition", "_sum")

    def __init__(self, name: str, doc: str, bounds: tuple[float, ...], partition_id: str) -> None:
        self._name = name
        self._doc = doc
        self._bounds = bounds
        self._counts = [0] * (len(bounds) + 1)
        self._sum = 0.0
        self._partition = partition_id

    def observe(self, value: float) -> None:
        self._counts[bisect_left(self._bounds, value)] += 1
        self._sum += value

    def collect(self) -> Iterable[Metric]:
        counts = list(self._counts)
        buckets: list[tuple[str, float]] = []
        total = 0
        for bound, count in zip((*self._bounds, float("inf")), counts, strict=True):
            total += count
            buckets.append(("+Inf" if bound == float("inf") else repr(float(bound)), total))
        family = HistogramMetricFamily(self._name, self._doc, labels=["partition"])
        family.add_metric([self._partition], buckets, self._sum)
        yield family
