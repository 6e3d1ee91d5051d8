"""One segment file of the journal: a header followed by whole batch frames.

File name ``segment-<first position, 20 digits>.log``; little-endian 32-byte header::

    0   magic           b"STROMSEG"
    8   format version  u32 (1)
    12  reserved        u32 (0)
    16  first position  u64  (must match the file name)
    24  crc32c          u32  of bytes 0..23
    28  padding         4 bytes

Durability rules this module provides: a segment appears under its final name only after its header
is synced (written as ``*.tmp``, synced, renamed, directory synced), so a crash never leaves a torn
header; a truncation is synced before anything is written after it.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from crc32c import crc32c

from strom.log import _batch
from strom.log._index import SparseIndex
from strom.log.errors import LogCorruptionError, LogError

SEGMENT_MAGIC = b"STROMSEG"
FORMAT_VERSION = 1
_HEADER = struct.Struct("<8sIIQI4x")
SEGMENT_HEADER_SIZE = _HEADER.size
_HEADER_CRC_END = 24
_NAME = re.compile(r"segment-(\d{20})\.log")
TMP_SUFFIX = ".tmp"
_SCAN_CHUNK = 4 * 1024 * 1024


def segment_name(first_position: int) -> str:
    return f"segment-{first_position:020d}.log"


def parse_segment_name(name: str) -> int | None:
    """The first position in a segment file name, or None if ``name`` is not a segment file."""
    match = _NAME.fullmatch(name)
    return int(match.group(1)) if match else None


def fsync_directory(directory: Path) -> None:
    """Make creations, renames and deletions of entries in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Where a scan stopped: after the last valid batch, and why if not at the end of the file."""

    end_offset: int
    next_position: int
    file_size: int
    problem: str | None


class Segment:
    """An open segment: its path, first position, write offset (``size``) and sparse index.

    ``fd`` is open read-write while the segment is the journal's active one and -1 once it is sealed;
    readers open their own descriptors, so closing or deleting a segment never pulls a file from
    under a reader.
    """

    __slots__ = ("fd", "first_position", "index", "path", "size")

    def __init__(self, path: Path, first_position: int, fd: int, size: int, index: SparseIndex) -> None:
        self.path = path
        self.first_position = first_position
        self.fd = fd
        self.size = size
        self.index = index

    @classmethod
    def create(cls, directory: Path, first_position: int, index_interval: int) -> Segment:
        """Create a durable, empty segment whose first batch will have ``first_position``."""
        path = directory / segment_name(first_position)
        if path.exists():
            raise LogError(f"cannot create segment {path}: the file already exists")
        tmp = path.with_name(path.name + TMP_SUFFIX)
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            header = bytearray(_HEADER.pack(SEGMENT_MAGIC, FORMAT_VERSION, 0, first_position, 0))
            struct.pack_into("<I", header, _HEADER_CRC_END, crc32c(header[:_HEADER_CRC_END]))
            _write_all(fd, header, 0)
            os.fdatasync(fd)
            os.rename(tmp, path)
            fsync_directory(directory)
        except BaseException:
            os.close(fd)
            tmp.unlink(missing_ok=True)
            raise
        return cls(path, first_position, fd, SEGMENT_HEADER_SIZE, SparseIndex(index_interval))

    @classmethod
    def open(cls, path: Path, first_position: int, index_interval: int) -> Segment:
        """Open an existing segment and check its header; call ``scan`` next.

        Raises:
            LogCorruptionError: the header is incomplete, not ours, fails its checksum, or disagrees
                with the file name.
            LogError: the segment was written by a newer format version.
        """
        fd = os.open(path, os.O_RDWR | os.O_CLOEXEC)
        try:
            header = os.pread(fd, SEGMENT_HEADER_SIZE, 0)
            if len(header) < SEGMENT_HEADER_SIZE:
                raise LogCorruptionError(
                    f"segment header incomplete ({len(header)} of {SEGMENT_HEADER_SIZE} bytes)",
                    segment=path,
                    offset=0,
                    position=first_position,
                )
            magic, version, _reserved, header_first, crc = _HEADER.unpack(header)
            if magic != SEGMENT_MAGIC:
                raise LogCorruptionError(
                    "not a Strom log segment (bad magic)", segment=path, offset=0, position=first_position
                )
            if crc32c(header[:_HEADER_CRC_END]) != crc:
                raise LogCorruptionError(
                    "segment header checksum mismatch", segment=path, offset=0, position=first_position
                )
            if version != FORMAT_VERSION:
                raise LogError(
                    f"segment {path} has format version {version}; this Strom reads version"
                    f" {FORMAT_VERSION} only: upgrade Strom"
                )
            if header_first != first_position:
                raise LogCorruptionError(
                    f"segment header says first position {header_first}, the file name says {first_position}",
                    segment=path,
                    offset=0,
                    position=first_position,
                )
        except BaseException:
            os.close(fd)
            raise
        return cls(path, first_position, fd, SEGMENT_HEADER_SIZE, SparseIndex(index_interval))

    def scan(self) -> ScanResult:
        """Verify every batch from the header on, rebuilding the index; stop at the first bad one.

        Raises:
            LogCorruptionError: a batch with a valid checksum has the wrong first position (a gap or
                a duplicate); no crash can produce that.
        """
        fd, index = self.fd, self.index
        file_size = os.fstat(fd).st_size
        offset, position = SEGMENT_HEADER_SIZE, self.first_position
        buf, base = b"", offset
        while offset < file_size:
            rel = offset - base
            available = file_size - offset
            have = len(buf) - rel
            if have < available and (
                have < _batch.HEADER_SIZE or have < 12 + _batch.HEADER.unpack_from(buf, rel)[2]
            ):
                # Refill so that `buf` holds the whole frame whenever the file does.
                head = os.pread(fd, _batch.HEADER_SIZE, offset)
                want = _SCAN_CHUNK
                if len(head) == _batch.HEADER_SIZE:
                    want = max(want, 12 + _batch.HEADER.unpack(head)[2])
                buf, base, rel = os.pread(fd, min(want, available), offset), offset, 0
            checked = _batch.check(buf, rel, available)
            if isinstance(checked, str):
                return ScanResult(offset, position, file_size, checked)
            first, count, size = checked
            if first != position:
                raise LogCorruptionError(
                    f"batch starts at position {first}, expected {position} (a gap or a duplicate)",
                    segment=self.path,
                    offset=offset,
                    position=position,
                )
            index.add(first, offset)
            position += count
            offset += size
        return ScanResult(offset, position, file_size, None)

    def find_valid_frame_after(self, offset: int, file_size: int) -> int | None:
        """The offset of the first frame with a valid checksum after ``offset``, if any.

        Tells a torn tail (nothing valid follows) from corruption in the middle (valid data
        follows), whatever the bad frame's length field says.
        """
        start = offset + 1
        overlap = len(_batch.MAGIC) - 1
        while start < file_size:
            chunk = os.pread(self.fd, _SCAN_CHUNK, start)
            i = chunk.find(_batch.MAGIC)
            while i >= 0:
                candidate = start + i
                if self._valid_frame_at(candidate, file_size):
                    return candidate
                i = chunk.find(_batch.MAGIC, i + 1)
            if len(chunk) < _SCAN_CHUNK:
                return None
            start += len(chunk) - overlap
        return None

    def _valid_frame_at(self, offset: int, file_size: int) -> bool:
        head = os.pread(self.fd, _batch.HEADER_SIZE, offset)
        if len(head) < _batch.HEADER_SIZE:
            return False
        size = 12 + _batch.HEADER.unpack(head)[2]
        if size > file_size - offset:
            return False
        return not isinstance(_batch.check(os.pread(self.fd, size, offset), 0, size), str)

    def write(self, frame: bytearray, offset: int) -> None:
        """Write ``frame`` at ``offset`` (not durable until synced)."""
        _write_all(self.fd, frame, offset)

    def truncate(self, offset: int) -> None:
        """Cut the file at ``offset`` and sync, so no later write can land before a stale tail."""
        os.ftruncate(self.fd, offset)
        os.fsync(self.fd)
        self.size = offset

    def close_fd(self) -> None:
        if self.fd >= 0:
            fd, self.fd = self.fd, -1
            os.close(fd)

    def __repr__(self) -> str:
        return f"Segment({self.path.name}, first_position={self.first_position}, size={self.size})"


def _write_all(fd: int, data: bytearray, offset: int) -> None:
    written = os.pwrite(fd, data, offset)
    if written < len(data):
        view = memoryview(data)
        while written < len(data):
            written += os.pwrite(fd, view[written:], offset + written)
