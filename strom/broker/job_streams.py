"""Job streams and long polls of a broker, shared by the gRPC gateway and in-process workers.

Implements the engine's ``JobStreams``: the engine asks for a stream when a job becomes
activatable (round robin over the streams of that type) and pushes the activated job to it after
the batch is durable. Pollers waiting for a job type are woken the same way.

Stream observers (``add_stream_observer``) hear of every stream added or removed: a broker whose
partitions run in processes of their own mirrors its gateway's streams into each of them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from strom.engine import JobStream

Listener = Callable[[str], None]
StreamObserver = Callable[[str, JobStream], None]
"""Called with (job type, stream), on the thread that added or removed the stream."""


class JobStreamRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: dict[str, list[JobStream]] = {}
        self._cursor: dict[str, int] = {}
        self._listeners: list[Listener] = []
        self._observers: list[tuple[StreamObserver, StreamObserver]] = []

    def add(self, job_type: str, stream: JobStream) -> None:
        with self._lock:
            self._streams.setdefault(job_type, []).append(stream)
            observers = list(self._observers)
        for on_added, _ in observers:
            on_added(job_type, stream)

    def remove(self, job_type: str, stream: Any) -> None:
        with self._lock:
            streams = self._streams.get(job_type)
            if not streams or stream not in streams:
                return
            streams.remove(stream)
            if not streams:
                del self._streams[job_type]
            observers = list(self._observers)
        for _, on_removed in observers:
            on_removed(job_type, stream)

    def add_stream_observer(self, on_added: StreamObserver, on_removed: StreamObserver) -> None:
        """Tell ``on_added`` of every stream there is now and every one added later, ``on_removed``
        of every one removed (on the thread that added or removed it)."""
        with self._lock:
            self._observers.append((on_added, on_removed))
            existing = self.streams()
        for job_type, stream in existing:
            on_added(job_type, stream)

    def remove_stream_observer(self, on_added: StreamObserver, on_removed: StreamObserver) -> None:
        with self._lock:
            if (on_added, on_removed) in self._observers:
                self._observers.remove((on_added, on_removed))

    def streams(self) -> list[tuple[str, JobStream]]:
        """Every (job type, stream) registered now."""
        return [(job_type, stream) for job_type, streams in list(self._streams.items()) for stream in streams]

    def pick(self, job_type: str, accepts: Callable[[JobStream], bool] | None = None) -> JobStream | None:
        """The next stream of ``job_type`` in turn (round robin) that ``accepts`` takes."""
        streams = self._streams.get(job_type)
        if not streams:
            return None
        with self._lock:
            streams = self._streams.get(job_type)
            if not streams:
                return None
            start = self._cursor.get(job_type, 0)
            for offset in range(len(streams)):
                index = (start + offset) % len(streams)
                stream = streams[index]
                if accepts is None or accepts(stream):
                    self._cursor[job_type] = index + 1
                    return stream
            return None

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(job_type)`` whenever jobs of a type become activatable."""
        with self._lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        with self._lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def notify_available(self, job_type: str) -> None:
        for listener in list(self._listeners):
            listener(job_type)

    def count(self, job_type: str) -> int:
        return len(self._streams.get(job_type, ()))
