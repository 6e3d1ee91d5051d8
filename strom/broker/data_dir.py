"""Who owns a data directory, and whether it is Strom's.

A data directory holds one directory per partition (``partition-N``) and a format marker,
``strom-data.json`` (``{"format": 1, "createdBy": "strom 0.1.0"}``), written on first use.

A partition claims its directory before it writes or deletes anything there: it checks the marker
(read only), then takes an exclusive ``flock`` on ``partition-N/LOCK`` and writes its PID into that
file. The lock lives as long as the open file: it is released on ``close`` and by the kernel when
the process dies in any way, so there is never a stale lock to clean up by hand. A second process,
or a second ``Partition`` in the same process, on the same directory gets a
``DataDirectoryLockedError`` naming the directory and the owner's PID, and has written nothing.

A directory whose marker says another program, or a newer format, wrote it is refused, as is a
directory with content but neither a marker nor a partition directory (a user's folder passed by
mistake: Strom would otherwise fill it, and a restore would delete files in it).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from pathlib import Path
from typing import Any

import strom

FORMAT = 1
"""The data directory format this Strom writes and reads. Raise it when an older Strom could no
longer read what this one writes; a Strom refuses a directory with a higher format."""

MARKER_NAME = "strom-data.json"
LOCK_NAME = "LOCK"
CREATED_BY = f"strom {strom.__version__}"

_PARTITION_DIR = re.compile(r"partition-\d+")
_IGNORED = frozenset({"lost+found"})  # the root of a freshly formatted volume (a Kubernetes PV)


class DataDirectoryError(Exception):
    """A data directory cannot be used; the message says what was found and what to do."""

    def __init__(self, message: str, directory: Path) -> None:
        super().__init__(message)
        self.directory = directory


class DataDirectoryLockedError(DataDirectoryError):
    """Another process (or another partition in this process) holds the directory."""

    def __init__(self, directory: Path, pid: int | None, lock_file: Path) -> None:
        if pid is None:
            owner = "another process (its PID is not written yet)"
        elif pid == os.getpid():
            owner = f"another partition of this process (PID {pid})"
        else:
            owner = f"the process with PID {pid}"
        super().__init__(
            f"the data directory {directory} is in use by {owner} (lock file {lock_file}). "
            f"Two brokers on one directory would overwrite each other's log and state, so nothing "
            f"was written. Stop the other broker, or give this one its own --data-dir.",
            directory,
        )
        self.pid = pid
        self.lock_file = lock_file


class DataDirectoryFormatError(DataDirectoryError):
    """The directory was written by another program, a newer Strom, or holds unrelated files."""


def check_format(data_dir: Path) -> None:
    """Refuse ``data_dir`` unless it is missing, empty, or Strom's in a format this Strom reads.

    Reads only; a directory from before the marker existed (partition directories, no marker) is
    accepted and gets its marker from ``write_marker``.

    Raises:
        DataDirectoryFormatError: what was found and what to do.
    """
    marker = data_dir / MARKER_NAME
    try:
        text = marker.read_text(encoding="utf-8")
    except FileNotFoundError:
        _check_unmarked(data_dir)
        return
    except (OSError, UnicodeDecodeError) as error:
        raise DataDirectoryFormatError(
            f"the data directory {data_dir} has a format marker {marker} that cannot be read "
            f"({error}); it is not Strom's, or it is damaged.",
            data_dir,
        ) from None
    content = _parse_marker(text)
    created_by = content.get("createdBy") if content is not None else None
    version = content.get("format") if content is not None else None
    if (
        content is None
        or not isinstance(created_by, str)
        or not created_by.startswith("strom")
        or not isinstance(version, int)
        or isinstance(version, bool)
        or version < 1
    ):
        found = text.strip()
        found = found if len(found) <= 200 else found[:200] + "…"
        raise DataDirectoryFormatError(
            f"the data directory {data_dir} was not written by Strom: its marker {marker} holds "
            f"{found!r}, not a Strom format marker. Strom does not read or change it; give the "
            f"broker another --data-dir.",
            data_dir,
        )
    if version > FORMAT:
        raise DataDirectoryFormatError(
            f"the data directory {data_dir} was written by {created_by} in data format {version}; "
            f"this Strom ({strom.__version__}) reads format {FORMAT} only. Run a Strom at least as "
            f"new as {created_by} on it, or give this broker another --data-dir.",
            data_dir,
        )


def write_marker(data_dir: Path) -> None:
    """Write the format marker if it is missing (atomically: a crash leaves no half marker)."""
    marker = data_dir / MARKER_NAME
    if marker.exists():
        return
    temporary = data_dir / f".{MARKER_NAME}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps({"format": FORMAT, "createdBy": CREATED_BY}) + "\n", encoding="utf-8")
    os.replace(temporary, marker)


class DirectoryLock:
    """An exclusive ``flock`` on ``<directory>/LOCK`` held while the file stays open."""

    def __init__(self, directory: Path, fd: int) -> None:
        self.directory = directory
        self._fd: int | None = fd

    @classmethod
    def acquire(cls, directory: Path, data_dir: Path | None = None) -> DirectoryLock:
        """Lock ``directory`` (which must exist) and write this process's PID into the lock file.

        Raises:
            DataDirectoryLockedError: someone holds it (named as ``data_dir`` if given, the
                directory the user chose); the lock file is left as it was.
        """
        path = directory / LOCK_NAME
        # O_CREAT without O_TRUNC: opening someone else's lock file changes nothing in it.
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            raise DataDirectoryLockedError(data_dir or directory, pid, path) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            owner = f"{os.getpid()}\n".encode()
            os.pwrite(fd, owner, 0)  # then cut what a longer PID left: never an empty file
            os.ftruncate(fd, len(owner))
        except BaseException:
            os.close(fd)  # releases the lock
            raise
        return cls(directory, fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def release(self) -> None:
        """Release the lock (idempotent). The PID stays in the file: only the lock counts."""
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the only descriptor of the open file releases the flock


def claim(data_dir: Path, directory: Path) -> DirectoryLock:
    """Check ``data_dir``'s format, lock ``directory`` (a partition's, inside it), mark the format.

    Nothing is written before the format check passed and the lock is held, except the
    directories themselves and an empty lock file when they did not exist yet.

    Raises:
        DataDirectoryFormatError: ``data_dir`` is not Strom's or is newer.
        DataDirectoryLockedError: another owner holds ``directory``.
    """
    check_format(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    lock = DirectoryLock.acquire(directory, data_dir)
    try:
        write_marker(data_dir)
    except BaseException:
        lock.release()
        raise
    return lock


def _check_unmarked(data_dir: Path) -> None:
    try:
        entries = [entry for entry in data_dir.iterdir() if entry.name not in _IGNORED]
    except FileNotFoundError:
        return
    except NotADirectoryError:
        raise DataDirectoryFormatError(
            f"the data directory {data_dir} is a file, not a directory; give the broker a directory.",
            data_dir,
        ) from None
    if not entries or any(_PARTITION_DIR.fullmatch(e.name) and e.is_dir() for e in entries):
        return
    names = sorted(entry.name for entry in entries)
    shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    raise DataDirectoryFormatError(
        f"the data directory {data_dir} is not empty and is not Strom's (no {MARKER_NAME}, no "
        f"partition directory; it holds {shown}). Strom would write its log and state between "
        f"these files, so it leaves the directory alone: give it an empty or new --data-dir.",
        data_dir,
    )


def _parse_marker(text: str) -> dict[str, Any] | None:
    try:
        content = json.loads(text)
    except ValueError:
        return None
    return content if isinstance(content, dict) else None


def _read_pid(fd: int) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int(os.pread(fd, 32, 0).decode("ascii").strip())
    return None


def existing_partitions(data_dir: Path) -> list[int]:
    """The partitions a data directory holds a log for (``partition-N/log``), in order."""
    if not data_dir.is_dir():
        return []
    found = []
    for entry in data_dir.iterdir():
        if _PARTITION_DIR.fullmatch(entry.name) and (entry / "log").is_dir():
            found.append(int(entry.name.removeprefix("partition-")))
    return sorted(found)


def check_partition_count(data_dir: Path, partition_count: int) -> None:
    """Refuse to run a data directory with another partition count than it was created with: keys,
    message routing and deployments are spread by the count, so changing it would lose entities.

    Raises:
        DataDirectoryError: naming the partitions found and what to do.
    """
    found = existing_partitions(data_dir)
    if found and found != list(range(1, partition_count + 1)):
        raise DataDirectoryError(
            f"the data directory {data_dir} holds partitions {', '.join(map(str, found))}, but the broker "
            f"is configured with {partition_count} partition(s); the partition count is fixed when a "
            f"data directory is created: start with --partitions {len(found)}, or use a new data directory",
            data_dir,
        )
