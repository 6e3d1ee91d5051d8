"""Prometheus metrics of a broker, on their own registry and HTTP endpoint (``/metrics``).

Counters that already exist as numbers somewhere (commands processed, log positions, exporter
positions, the backpressure limit and in-flight count) are read when Prometheus scrapes, so the
processing thread pays nothing for them. Only the two histograms are observed as things happen:
the duration of each processing step and the latency of each client request (accepted -> answered);
they count into plain lists (a bisect and an increment, no lock) and become Prometheus histograms
at scrape time. Other parts of the broker (the gateway) add collectors with ``add_collector``.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections.abc import Callable, Iterable
from typing import Any

from prometheus_client import CollectorRegistry, start_http_server
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector

from strom.broker.partition import Partition

_log = logging.getLogger(__name__)

_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_STEP_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0)


class BrokerMetrics:
    def __init__(self, partition: Partition) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
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
        self._http: Any = None

    def add_collector(self, collect: Callable[[], Iterable[Metric]]) -> None:
        """Add metrics computed at scrape time by ``collect``."""
        self.registry.register(_FunctionCollector(collect))

    def serve(self, host: str, port: int) -> int:
        """Serve ``/metrics`` on a daemon thread; returns the bound port."""
        server, _ = start_http_server(port, host, registry=self.registry)
        self._http = server
        return int(server.server_address[1])

    def close(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None


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
        exporters = GaugeMetricFamily(
            "strom_exporter_position",
            "Last position each exporter acknowledged.",
            labels=["partition", "exporter"],
        )
        for exporter_id, position in partition.director.positions().items():
            exporters.add_metric([pid, exporter_id], position)
        yield exporters
        yield gauge(
            "strom_partition_healthy",
            "1 while the partition processes, 0 once it stopped on a failure.",
            1 if processor.failure is None else 0,
        )


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
