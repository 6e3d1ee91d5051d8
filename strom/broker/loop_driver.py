"""Processing a partition on an asyncio event loop instead of a thread of its own.

A broker's gateway runs on an event loop. With the partition on its own thread, the two busiest
threads of the process hand the GIL back and forth for every request; measured through the gRPC
gateway that costs about a third of the throughput. Driven from the loop, a step runs between
gateway callbacks: the driver processes a bounded burst of steps, delivers what is durable, and
yields to the loop, so requests keep flowing while the engine works. The log's group commit (the
fsync) and the exporters stay on their threads; they wake the driver through the loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from strom.stream.processor import StreamProcessor

_log = logging.getLogger(__name__)

MAX_BURST_STEPS = 64
"""Steps processed before the loop gets a turn."""
MAX_BURST_SECONDS = 0.005
"""Time spent processing before the loop gets a turn, whatever the step count."""


class LoopDriver:
    def __init__(self, processor: StreamProcessor, loop: asyncio.AbstractEventLoop) -> None:
        self._processor = processor
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._wakeup = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.failure: BaseException | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def on_loop_thread(self) -> bool:
        return threading.get_ident() == self._loop_thread

    def start(self) -> None:
        """Start driving (call on the loop's thread)."""
        self._task = self._loop.create_task(self._drive(), name="partition-processing")

    def wake(self) -> None:
        """Work arrived (a command, durability progress); callable from any thread."""
        if threading.get_ident() == self._loop_thread:
            self._wakeup.set()
        else:
            with contextlib.suppress(RuntimeError):  # the loop is closed: shutting down
                self._loop.call_soon_threadsafe(self._wakeup.set)

    def on_durable(self, position: int) -> None:
        self.wake()

    def stop(self) -> None:
        """Stop driving after the current step (call on the loop's thread)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    async def _drive(self) -> None:
        processor = self._processor
        scheduler = processor.scheduler
        wakeup = self._wakeup
        clock = time.perf_counter
        try:
            while True:
                wakeup.clear()
                scheduler.run_due()
                steps = 0
                started = clock()
                while steps < MAX_BURST_STEPS and processor.process_step():
                    steps += 1
                    if clock() - started > MAX_BURST_SECONDS:
                        break
                processor.deliver_durable()
                if steps:
                    await asyncio.sleep(0)  # let the gateway take requests, then go on
                    continue
                if processor.has_work():
                    continue
                next_due = scheduler.next_due()
                timeout = 0.5
                if next_due is not None:
                    timeout = min(timeout, max(0.0, (next_due - processor.clock.now_millis()) / 1000))
                if timeout > 0:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(wakeup.wait(), timeout)
        except asyncio.CancelledError:
            raise
        except BaseException as error:  # the partition stopped on a failure (e.g. the disk is full)
            self.failure = error
            _log.critical("partition processing stopped", exc_info=error)
