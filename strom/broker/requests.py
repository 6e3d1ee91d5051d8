"""The requests a partition is answering: their ids, their callbacks and their backpressure slots.

A request id is unique across restarts (it starts at the time the partition opened, in
microseconds), so an answer to an instance awaited before a restart never reaches a new request
that happens to get its old id. Callbacks are registered before the command is queued and taken
exactly once: by the answer, or by ``forget`` when the requester gave up, which also frees the
in-flight slot backpressure counted for it.
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable
from typing import Any

from strom.protocol.record import Record
from strom.stream.backpressure import RequestLimiter

ResponseCallback = Callable[[Record[Any]], None]


class RequestRegistry:
    def __init__(self, limiter: RequestLimiter) -> None:
        self.limiter = limiter
        self._ids = itertools.count(time.time_ns() // 1000)
        self._callbacks: dict[int, ResponseCallback] = {}
        self._lock = threading.Lock()

    def next_id(self) -> int:
        return next(self._ids)

    def register(self, request_id: int, on_response: ResponseCallback | None) -> None:
        if on_response is not None:
            with self._lock:
                self._callbacks[request_id] = on_response

    def answered(self, request_id: int) -> tuple[ResponseCallback | None, int | None]:
        """The request's callback (None if nobody waits) and its round trip in ns (None if
        backpressure did not count it); frees its slot."""
        with self._lock:
            callback = self._callbacks.pop(request_id, None)
        return callback, self.limiter.on_response(request_id)

    def forget(self, request_id: int) -> None:
        """The requester gave up (timeout, disconnect): drop its callback and its in-flight slot."""
        with self._lock:
            self._callbacks.pop(request_id, None)
        self.limiter.on_ignore(request_id)
