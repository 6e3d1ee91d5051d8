"""Job streams and long polls of a broker, shared by the gRPC gateway and in-process workers.

Implements the engine's ``JobStreams``: the engine asks for a stream when a job becomes
activatable (round robin over the streams of that type) and pushes the activated job to it after
the batch is durable. Pollers waiting for a job type are woken the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from strom.engine import JobStream

Listener = Callable[[str], None]


class JobStreamRegistry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._streams: dict[str, list[JobStream]] = {}
        self._cursor: dict[str, int] = {}
        self._listeners: list[Listener] = []

    def add(self, job_type: str, stream: JobStream) -> None:
        with self._lock:
            self._streams.setdefault(job_type, []).append(stream)

    def remove(self, job_type: str, stream: Any) -> None:
        with self._lock:
            streams = self._streams.get(job_type)
            if streams and stream in streams:
                streams.remove(stream)
                if not streams:
                    del self._streams[job_type]

    def pick(self, job_type: str) -> JobStream | None:
        streams = self._streams.get(job_type)
        if not streams:
            return None
        with self._lock:
            streams = self._streams.get(job_type)
            if not streams:
                return None
            index = self._cursor.get(job_type, 0) % len(streams)
            self._cursor[job_type] = index + 1
            return streams[index]

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
