"""``GroupCommitter``: the background thread that turns appended batches into durable ones.

One sync covers every batch appended before it started, so under load many batches share one
``fdatasync`` (group commit) while the writer goes on appending: the sync runs on this thread and
releases the GIL.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

_log = logging.getLogger(__name__)


class GroupCommitter:
    """Calls ``sync()`` whenever woken, then ``on_durable(position)`` if the position advanced.

    Args:
        name: thread name, for debugging.
        sync: makes everything appended so far durable and returns the durable position.
        on_durable: called from this thread with strictly increasing positions.
        max_delay_s: after waking, wait this long for more batches before syncing.
        on_failure: told about an exception from ``sync`` or ``on_durable``; the thread then ends,
            so the owner must refuse further appends (a durable position might otherwise be lost).
        reported: the durable position already known to the caller; only later ones are reported.
    """

    def __init__(
        self,
        name: str,
        sync: Callable[[], int],
        on_durable: Callable[[int], None],
        max_delay_s: float,
        on_failure: Callable[[BaseException], None],
        reported: int,
    ) -> None:
        if max_delay_s < 0:
            raise ValueError(f"`max_delay_s` must be non-negative, got {max_delay_s}")
        self.wake = threading.Event()
        """Set it (only if not set: that is cheaper) to tell the committer there is new data."""
        self._stop = threading.Event()
        self._sync = sync
        self._on_durable = on_durable
        self._max_delay_s = max_delay_s
        self._on_failure = on_failure
        self._reported = reported
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Sync once more, report, and end the thread; returns when it has ended."""
        self._stop.set()
        self.wake.set()
        self._thread.join()

    def _run(self) -> None:
        wake, stop = self.wake, self._stop
        try:
            while True:
                wake.wait()
                if self._max_delay_s and not stop.is_set():
                    stop.wait(self._max_delay_s)  # gather more batches into this sync
                # Cleared before syncing: a batch appended from here on sets it again, so it is
                # either covered by this sync or triggers the next one.
                wake.clear()
                durable = self._sync()
                if durable > self._reported:
                    self._reported = durable
                    self._on_durable(durable)
                if stop.is_set() and not wake.is_set():
                    return  # `wake` set again means data or the stop request came after the clear
        except BaseException as exc:
            # Not carried on: the owner fails the log and its writer's next call raises.
            _log.exception("log committer %s failed; the log refuses further appends", self._thread.name)
            self._on_failure(exc)
