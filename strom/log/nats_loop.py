"""``NatsLoop``: a private asyncio event loop on a thread of its own, for one NATS client.

nats-py is asyncio, the broker's callers are threads. The lease manager and the cluster store each
run their connection on such a loop and call into it synchronously; this is that plumbing, once:
start the thread, run a coroutine and wait for it (turning a timeout or a NATS error into the
caller's own error), close the connection and let nats-py's tasks finish, stop the thread; and
open a KV bucket, creating it when it is missing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import nats.errors
import nats.js.errors
from nats.aio.client import Client
from nats.js import api as js_api
from nats.js.client import JetStreamContext
from nats.js.kv import KeyValue

from strom.log.nats_connection import stream_info_patiently

_T = TypeVar("_T")


class NatsLoop:
    """Args: ``name`` of the thread; ``error`` raised (with ``what`` in its message) when a call
    does not answer in time, fails with a NATS error, or comes after ``stop``."""

    def __init__(self, name: str, error: type[Exception], what: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._error = error
        self._what = what
        self._thread = threading.Thread(target=self.loop.run_forever, name=name, daemon=True)
        self._thread.start()

    def call(self, coro: Coroutine[Any, Any, _T], timeout: float) -> _T:
        """Run ``coro`` on the loop and wait for its result (from any thread but the loop's)."""
        if self.loop.is_closed():
            coro.close()
            raise self._error(f"{self._what} is closed")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError as exc:
            future.cancel()
            raise self._error(f"{self._what}: NATS did not answer in time") from exc
        except (nats.errors.Error, TimeoutError) as exc:
            raise self._error(f"{self._what}: {exc!r}") from exc

    @staticmethod
    async def disconnect(client: Client | None, timeout_s: float = 5.0) -> bool:
        """On the loop: close ``client`` (False if that took longer than ``timeout_s``), then let
        nats-py's own tasks finish here rather than be garbage-collected on a closed loop."""
        closed = True
        if client is not None:
            try:
                await asyncio.wait_for(client.close(), timeout_s)
            except TimeoutError:
                closed = False
        others = [task for task in asyncio.all_tasks() if task is not asyncio.current_task()]
        for task in others:
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*others, return_exceptions=True)
        return closed

    def stop(self) -> None:
        """Stop the loop and its thread; calls afterwards raise the error."""
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(10)
        if not self._thread.is_alive():
            self.loop.close()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


async def key_value_bucket(nc: Client, js: JetStreamContext, bucket: str, replicas: int) -> KeyValue:
    """The KV bucket ``bucket`` (history 1, file storage), created with ``replicas`` if missing.
    A NATS error (a server restarting, another node creating it meanwhile) is the caller's to retry."""
    await until_jetstream_answers(nc, f"KV_{bucket}")
    try:
        found: KeyValue = await js.key_value(bucket)
        return found
    except nats.js.errors.BucketNotFoundError:
        created: KeyValue = await js.create_key_value(
            bucket=bucket, history=1, storage=js_api.StorageType.FILE, replicas=replicas
        )
        return created


async def until_jetstream_answers(nc: Client, stream: str) -> None:
    """Wait (shortly, in growing steps) until JetStream answers about ``stream``, existing or not:
    the requests that follow then get answers instead of waiting out their timeouts."""
    with contextlib.suppress(nats.js.errors.NotFoundError):
        await stream_info_patiently(nc, stream, timeout_s=10.0, longest_s=2.0)


__all__ = ["NatsLoop", "key_value_bucket", "until_jetstream_answers"]
