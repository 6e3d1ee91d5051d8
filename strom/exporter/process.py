"""``ExporterProcess``: a partition's exporters in a process of their own.

Exporting costs about as much Python as processing (the SQL exporter turns a record into rows about
as fast as the engine writes it), and a thread of the partition's process shares its interpreter
lock: with the exporter on a thread, a partition processes ~40% less. In a child process it runs on
another core. The child (``strom.exporter._child``) reads the partition's log files read-only
(``strom.log.files.LogFiles``) up to the durable position this side sends it, and reports its
acknowledged positions back; the log is compacted only below them, as with the in-process director.

Exporters are made anew in the child from their classes (a class with a constructor without
arguments, as ``strom broker`` makes them), configured with the same settings; they are configured
here too, first, so a bad setting fails the partition's start as it does in-process. The positions
file, the exporters' resume-after-acknowledged contract and the back-off on failures are the
director's, unchanged. A child that dies is reported as a failure of each of its exporters (health,
metrics, a log line) and started again with back-off; it resumes after the persisted positions.

Only for a log kept in files in this machine's data directory (the file journal), not for the
cluster's JetStream log.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from strom.exporter._child import ChildSpec
from strom.exporter.api import Exporter, ExporterContext, ExporterError
from strom.exporter.director import DurableLog, ExporterFailure, ExporterLag, LagProbe, load_positions

_log = logging.getLogger(__name__)
_CHILD_MAIN = "from strom.exporter._child import main; main()"
_START_TIMEOUT_S = 120.0
_CLOSE_TIMEOUT_S = 120.0
_RESTART_AFTER_S = 1.0
_MAX_RESTART_AFTER_S = 60.0


class ExporterProcess:
    """Runs the exporters of one partition in a child process (see the module docstring).

    Args:
        log: the partition's log (this side reads its durable position, and timestamps for ``lag``).
        log_directory: the directory of the log's segment files, which the child reads.
        positions_file: where the child keeps acknowledged positions between runs.
        lock_file: held by the child while it runs, so that a successor waits for a dying one.
    """

    def __init__(
        self,
        log: DurableLog,
        log_directory: Path,
        exporters: Mapping[str, Exporter],
        positions_file: Path,
        lock_file: Path,
        partition_id: int = 1,
        configs: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        settings = {exporter_id: dict((configs or {}).get(exporter_id, {})) for exporter_id in exporters}
        for exporter_id, exporter in exporters.items():  # bad settings: refused here, at once
            exporter.configure(ExporterContext(exporter_id, partition_id, settings[exporter_id]))
        self._spec = ChildSpec(
            log_directory=log_directory,
            positions_file=positions_file,
            lock_file=lock_file,
            partition_id=partition_id,
            factories={exporter_id: type(exporter) for exporter_id, exporter in exporters.items()},
            configs=settings,
            log_level=logging.getLogger().getEffectiveLevel(),
        )
        self._log = log
        self._partition_id = partition_id
        stored = load_positions(positions_file)
        self._positions = {exporter_id: stored.get(exporter_id, 0) for exporter_id in exporters}
        self._persisted = dict(self._positions)
        self._failures: list[ExporterFailure] = []
        self._lag_probe = LagProbe(log)
        self._send_lock = threading.Lock()
        self._connection: Connection | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._receiver: threading.Thread | None = None
        self._sent_durable = 0
        self._closing = threading.Event()
        self._closed = threading.Event()

    @property
    def exporter_ids(self) -> list[str]:
        return list(self._positions)

    @property
    def pid(self) -> int | None:
        """The child's process id (None before ``open`` and after ``close``)."""
        process = self._process
        return process.pid if process is not None else None

    def open(self) -> None:
        """Start the child and wait until its exporters are open.

        Raises:
            ExporterError: an exporter failed to open (the message is its error), or the child did
                not start.
        """
        if not self._positions:
            return
        self._start()
        self._receiver = threading.Thread(
            target=self._receive, daemon=True, name=f"exporter-process-{self._partition_id}"
        )
        self._receiver.start()
        self.export_available()

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        try:
            process = subprocess.Popen(
                [sys.executable, "-c", _CHILD_MAIN, str(theirs.fileno())],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
            )
        finally:
            theirs.close()
        connection = Connection(ours.detach())
        try:
            connection.send(("spec", self._spec))
            self._await_opened(connection, process)
        except BaseException:
            connection.close()
            if process.poll() is None:
                process.kill()
            process.wait()
            raise
        with self._send_lock:
            self._connection, self._process = connection, process
            self._sent_durable = 0

    def _await_opened(self, connection: Connection, process: subprocess.Popen[bytes]) -> None:
        deadline = time.monotonic() + _START_TIMEOUT_S
        while True:
            if not connection.poll(max(0.0, deadline - time.monotonic())):
                raise ExporterError(
                    f"the exporter process of partition {self._partition_id} did not open its exporters"
                    f" within {_START_TIMEOUT_S:.0f} s"
                )
            try:
                message = connection.recv()
            except EOFError:
                raise ExporterError(
                    f"the exporter process of partition {self._partition_id} exited with code"
                    f" {process.wait()} before it opened its exporters (its log lines say why)"
                ) from None
            kind = message[0]
            if kind == "log":
                _handle_log(message[1])
            elif kind == "open_failed":
                raise ExporterError(message[1])
            elif kind == "opened":
                self._positions, self._persisted = message[1], message[2]
                return

    def _receive(self) -> None:
        """The child's reports, on a thread of their own; restarts a child that died."""
        restarts = 0
        while True:
            connection = self._connection
            assert connection is not None
            try:
                message = connection.recv()
            except (EOFError, OSError):
                if self._closing.is_set():
                    self._closed.set()
                    return
                restarts += 1
                if not self._restart(restarts):
                    self._closed.set()
                    return
                continue
            kind = message[0]
            if kind == "state":
                self._positions, self._persisted, self._failures = message[1], message[2], message[3]
                restarts = 0
            elif kind == "log":
                _handle_log(message[1])
            elif kind == "closed":
                self._positions, self._persisted = message[1], message[2]
                self._closed.set()
                return

    def _restart(self, attempt: int) -> bool:
        """Report the dead child, wait the back-off, start another; False once closing."""
        process = self._process
        code = process.wait() if process is not None else None
        delay = min(_MAX_RESTART_AFTER_S, _RESTART_AFTER_S * 2 ** (attempt - 1))
        error = f"the exporter process exited with code {code}"
        _log.error(
            "the exporter process of partition %d exited with code %s; starting another in %.0f s",
            self._partition_id,
            code,
            delay,
        )
        started = time.monotonic()
        self._failures = [
            ExporterFailure(exporter_id, attempt, 0.0, position + 1, error)
            for exporter_id, position in self._positions.items()
        ]
        while not self._closing.wait(delay):
            try:
                self._start()
            except Exception as failure:  # try again, later
                _log.error("starting partition %d's exporter process failed: %s", self._partition_id, failure)
                attempt += 1
                delay = min(_MAX_RESTART_AFTER_S, _RESTART_AFTER_S * 2 ** (attempt - 1))
                since = time.monotonic() - started
                self._failures = [
                    ExporterFailure(old.exporter_id, attempt, since, old.position, str(failure))
                    for old in self._failures
                ]
                continue
            self.export_available()
            return True
        return False

    def export_available(self, max_records: int = 10_000) -> int:
        """Tell the child how far the log is durable (it exports on its own); returns 0."""
        durable = self._log.durable_position
        if durable > self._sent_durable:
            with self._send_lock:
                connection = self._connection
                if connection is not None and durable > self._sent_durable:
                    try:
                        connection.send(("durable", durable))
                        self._sent_durable = durable
                    except OSError:  # the child died: the receiver restarts it and sends again
                        pass
        return 0

    def positions(self) -> dict[str, int]:
        """Acknowledged position per exporter, as the child last reported."""
        return dict(self._positions)

    def persisted_positions(self) -> dict[str, int]:
        return dict(self._persisted)

    def min_acknowledged_position(self) -> int | None:
        positions = self._positions
        return min(positions.values()) if positions else None

    def lag(self) -> list[ExporterLag]:
        """How far each exporter is behind the durable log; safe to call from any thread."""
        return self._lag_probe.lags(self._positions, self._persisted)

    def failing(self) -> list[ExporterFailure]:
        return list(self._failures)

    def close(self) -> None:
        """Have the child export what is durable, close its exporters and exit (then it is killed)."""
        process = self._process
        if process is None:
            return
        self._closing.set()
        with self._send_lock:
            connection = self._connection
            if connection is not None:
                with contextlib.suppress(OSError):
                    connection.send(("close", self._log.durable_position))
        if not self._closed.wait(_CLOSE_TIMEOUT_S):
            _log.error(
                "the exporter process of partition %d did not finish within %.0f s; killing it",
                self._partition_id,
                _CLOSE_TIMEOUT_S,
            )
        process = self._process
        if process is not None:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        if self._receiver is not None:
            self._receiver.join(10)
        if self._connection is not None:
            self._connection.close()
        self._process = self._connection = None


def _handle_log(attributes: dict[str, Any]) -> None:
    """A log record of the child, handled by this process's logging (its format, its handlers)."""
    record = logging.makeLogRecord(attributes)
    logger = logging.getLogger(record.name)
    if logger.isEnabledFor(record.levelno):
        logger.handle(record)
