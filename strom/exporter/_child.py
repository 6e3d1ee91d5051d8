"""The exporter process: ``main()`` of this module, given the connection's file descriptor as its
argument (started by ``ExporterProcess``; not ``python -m``, which would make this module ``__main__``
and its classes unpicklable by name).

Runs an ``ExporterDirector`` over the partition's log files, read-only (``strom.log.files.LogFiles``), up
to the durable position its parent sends; reports acknowledged positions and failures back, and
forwards its log lines to the parent (which formats them like its own). Messages on the connection
are pickled tuples — parent to child: ``("spec", ChildSpec)`` once, then ``("durable", position)``
and ``("close", position)``; child to parent: ``("opened", positions, persisted)`` or
``("open_failed", text)``, ``("state", positions, persisted, failures)``, ``("log", attributes)``,
``("closed", positions, persisted)``.

It outlives nothing: when the parent's end of the connection closes (the partition's process died),
it exports what it was told was durable, closes its exporters and exits. SIGINT and SIGTERM are
ignored: a Ctrl-C or a process-group SIGTERM reaches the parent, which closes it in order. A lock
file keeps a second exporter process of the partition (a dying one's successor) waiting until the
first is gone.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import signal
import socket
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

from strom.exporter.api import Exporter, ExporterError
from strom.exporter.director import ExporterDirector
from strom.log.files import LogFiles

_LOCK_WAIT_S = 60.0


@dataclass(frozen=True)
class ChildSpec:
    """What the exporter process runs (sent pickled; ``factories`` are classes, pickled by name)."""

    log_directory: Path
    positions_file: Path
    lock_file: Path
    partition_id: int
    factories: dict[str, Any]
    configs: dict[str, dict[str, Any]]
    log_level: int


class _FilesLog:
    """The partition's log files as the director reads them: up to ``durable_position`` only."""

    def __init__(self, directory: Path) -> None:
        self.files = LogFiles(directory)
        self.durable_position = 0

    @property
    def first_position(self) -> int:
        return self.files.first_position

    def reader(self, position: int) -> _FilesReader:
        return _FilesReader(self, position)


class _FilesReader:
    def __init__(self, log: _FilesLog, position: int) -> None:
        self._log = log
        self._next = position

    @property
    def next_position(self) -> int:
        return self._next

    def seek(self, position: int) -> None:
        self._next = position

    def read_available(self) -> Iterator[tuple[int, bytes]]:
        durable = self._log.durable_position
        if self._next > durable:
            return
        for position, data in self._log.files.read(self._next):
            if position > durable:
                return
            self._next = position + 1
            yield position, data

    def __iter__(self) -> Iterator[tuple[int, bytes]]:
        return self.read_available()

    def close(self) -> None:
        return None

    def __enter__(self) -> _FilesReader:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


class _ForwardingHandler(logging.Handler):
    """Sends each log record to the parent, which hands it to its own logging."""

    def __init__(self, connection: Connection) -> None:
        super().__init__()
        self._connection = connection

    def emit(self, record: logging.LogRecord) -> None:
        try:
            attributes = dict(vars(record))
            attributes["msg"] = record.getMessage()
            attributes["args"] = None
            if record.exc_info:
                attributes["exc_text"] = logging.Formatter().formatException(record.exc_info)
            attributes["exc_info"] = None
            attributes["processName"] = f"exporter-{os.getpid()}"
            self._connection.send(("log", attributes))
        except Exception:  # the parent is gone or the record cannot be sent: nothing to log it to
            self.handleError(record)


def _lock(path: Path) -> int:
    """Hold ``path`` exclusively (waiting while a previous exporter process still holds it)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    deadline = time.monotonic() + _LOCK_WAIT_S
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise RuntimeError(
                    f"another exporter process still holds {path} after {_LOCK_WAIT_S:.0f} s"
                ) from None
            time.sleep(0.05)


def run(connection: Connection) -> None:
    """Serve one partition's exporters until told to close or the parent goes away."""
    kind, spec = connection.recv()
    assert kind == "spec" and isinstance(spec, ChildSpec)
    root = logging.getLogger()
    root.handlers[:] = [_ForwardingHandler(connection)]
    root.setLevel(spec.log_level)
    try:
        lock = _lock(spec.lock_file)
        exporters: dict[str, Exporter] = {name: factory() for name, factory in spec.factories.items()}
        log = _FilesLog(spec.log_directory)
        director = ExporterDirector(log, exporters, spec.positions_file, spec.partition_id, spec.configs)
        director.open()
    except ExporterError as error:  # says what is wrong itself (a configuration, a held lock)
        connection.send(("open_failed", str(error)))
        return
    except Exception as error:
        connection.send(("open_failed", f"{type(error).__name__}: {error}"))
        return
    try:
        connection.send(("opened", director.positions(), director.persisted_positions()))
        _serve(connection, director, log)
    finally:
        director.close()
        os.close(lock)
    connection.send(("closed", director.positions(), director.persisted_positions()))  # EOF: ignored


def _serve(connection: Connection, director: ExporterDirector, log: _FilesLog) -> None:
    channel: Connection | _Detached = connection
    sent: tuple[Any, ...] | None = None
    closing = False
    busy = False
    while True:
        try:
            waiting = 0.0 if busy else 0.5
            while channel.poll(waiting):
                kind, position = connection.recv()
                log.durable_position = max(log.durable_position, position)
                closing = closing or kind == "close"
                waiting = 0.0
        except (EOFError, OSError):  # the partition's process is gone: finish what is durable
            closing = True
            channel = _Detached()
            logging.getLogger().handlers[:] = [logging.StreamHandler(sys.stderr)]
        busy = director.export_available() > 0
        failures = director.failing()
        state = (director.positions(), director.persisted_positions(), [f.exporter_id for f in failures])
        if state != sent or failures:
            channel.send(("state", state[0], state[1], failures))
            sent = state
        if closing and not busy:
            return


class _Detached:
    """The connection after the parent went away: nothing to receive, sends go nowhere."""

    def poll(self, timeout: float = 0.0) -> bool:
        return False

    def send(self, message: object) -> None:
        return None


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sock = socket.socket(fileno=int(sys.argv[1]))
    connection = Connection(sock.detach())
    with contextlib.suppress(EOFError, BrokenPipeError, ConnectionResetError):  # the parent went away
        run(connection)
