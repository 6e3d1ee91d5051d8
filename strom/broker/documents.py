"""The broker's document store: files that processes, forms and connectors refer to (Camunda 8.8's
document handling), kept in the data directory.

Each document is two files in ``<data_dir>/documents/``:

- ``<id>.<nonce>.bin``: the content, exactly as uploaded;
- ``<id>.json``: what was said about it — the content hash (SHA-256, hex), the metadata (content
  type, file name, size, custom properties, the process that made it), when it expires, and which
  ``.bin`` holds its content.

Both are written to a temporary file (``.tmp-*``), flushed to disk and then given their name: the
content first (``rename``), the description last (``link``, which fails if the name is taken, so of
two uploads with one id exactly one wins). A document exists once its ``.json`` does; a crash
leaves at most a temporary file or an unreferenced ``.bin``, which nobody can see and the next
sweep removes. Deleting removes the ``.json`` first, for the same reason.

An expired document is gone for every reader at once (``get`` answers ``DocumentNotFound``); the
files go at the next ``sweep`` (the REST gateway runs one every ``sweep_interval_s``).

The store is synchronous file I/O: callers on an event loop run it in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

_log = logging.getLogger(__name__)

STORE_ID = "local"
"""The id of Strom's only document store (Camunda's local-directory store type)."""
DIRECTORY = "documents"
"""The store's folder in the data directory."""
DOCUMENT_ID = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}")
"""A document id is also a file name: letters, digits, ``_``, ``-``, ``.`` (not first), at most 200."""
_CHUNK = 256 * 1024
_TEMP_PREFIX = ".tmp-"
ORPHAN_GRACE_S = 60.0
"""A ``.bin`` no description names is removed once it is this old (a live upload names it within
microseconds of its rename)."""


@dataclass
class DocumentSettings:
    """``[documents]`` in the config file, ``STROM_DOCUMENTS__MAX_SIZE`` etc. in the environment."""

    max_size: int = 10 * 1024 * 1024
    """Largest document, in bytes (Camunda's limit: 10 MB)."""
    ttl_days: float = 0.0
    """How long a document lives when its metadata names no ``expiresAt`` (0: until deleted)."""
    sweep_interval_s: float = 60.0
    """How often expired documents and leftovers of interrupted uploads are removed."""

    def validate(self) -> None:
        if self.max_size < 1:
            raise ValueError(f"documents.max_size must be at least 1 byte, got {self.max_size}")
        if self.ttl_days < 0:
            raise ValueError(f"documents.ttl_days must be 0 (no expiry) or more, got {self.ttl_days:g}")
        if not self.sweep_interval_s > 0:
            raise ValueError(f"documents.sweep_interval_s must be positive, got {self.sweep_interval_s:g}")


class DocumentError(Exception):
    """A request the store refuses; the message says why, for the client."""


class DocumentNotFound(DocumentError):
    def __init__(self, document_id: str) -> None:
        super().__init__(f"Document with id '{document_id}' not found")


class DocumentAlreadyExists(DocumentError):
    def __init__(self, document_id: str) -> None:
        super().__init__(f"Document with id '{document_id}' already exists")


class DocumentTooLarge(DocumentError):
    def __init__(self, max_size: int) -> None:
        super().__init__(
            f"The document is larger than the {max_size} bytes this broker accepts (documents.max_size)"
        )


class InvalidDocumentId(DocumentError):
    def __init__(self, document_id: str) -> None:
        super().__init__(
            f"Expected 'documentId' to be 1 to 200 letters, digits, '_', '-' or '.' (not first), "
            f"but it was {document_id!r}"
        )


@dataclass(frozen=True)
class StoredDocument:
    """A document as its description says, with where its content is."""

    document_id: str
    content_hash: str
    """SHA-256 of the content, lower-case hex."""
    size: int
    content_type: str
    file_name: str
    expires_at_ms: int | None
    custom_properties: dict[str, Any]
    process_definition_id: str | None
    process_instance_key: str | None
    content_path: Path


class DocumentStore:
    """Documents in ``directory`` (module docstring). Thread-safe: every step is a file operation
    whose outcome does not depend on a lock."""

    def __init__(
        self, directory: Path, settings: DocumentSettings, clock: Callable[[], float] = time.time
    ) -> None:
        self.directory = Path(directory)
        self.settings = settings
        self._clock = clock
        self.directory.mkdir(parents=True, exist_ok=True)
        self._sweep_lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path, settings: DocumentSettings) -> DocumentStore:
        """The store of a broker's data directory; leftovers of a crashed upload are removed now
        (the directory has one owner, so every temporary file is a dead upload's)."""
        store = cls(Path(data_dir) / DIRECTORY, settings)
        for leftover in store.directory.glob(f"{_TEMP_PREFIX}*"):
            with contextlib.suppress(FileNotFoundError):
                leftover.unlink()
        return store

    def now_ms(self) -> int:
        return int(self._clock() * 1000)

    # -- writing -----------------------------------------------------------------------------------

    def create(
        self,
        content: IO[bytes],
        *,
        document_id: str | None = None,
        content_type: str,
        file_name: str,
        expires_at_ms: int | None = None,
        custom_properties: dict[str, Any] | None = None,
        process_definition_id: str | None = None,
        process_instance_key: str | None = None,
    ) -> StoredDocument:
        """Stores what ``content`` reads (up to ``max_size`` bytes) under ``document_id`` (a new
        UUID when None). Raises ``DocumentTooLarge``, ``DocumentAlreadyExists``, ``InvalidDocumentId``."""
        if document_id is None:
            document_id = _uuid()
        elif not DOCUMENT_ID.fullmatch(document_id):
            raise InvalidDocumentId(document_id)
        description = self._description_path(document_id)
        if description.exists():
            existing = self._read(description)
            if existing is None or not self._expired(existing):
                raise DocumentAlreadyExists(document_id)
            self._remove(document_id)  # expired: the id is free again, swept or not
        if expires_at_ms is None and self.settings.ttl_days > 0:
            expires_at_ms = self.now_ms() + int(self.settings.ttl_days * 86_400_000)
        content_path = self.directory / f"{document_id}.{secrets.token_hex(6)}.bin"
        digest, size = self._write_content(content, content_path)
        record = {
            "documentId": document_id,
            "contentHash": digest,
            "content": content_path.name,
            "createdAt": self.now_ms(),
            "expiresAt": expires_at_ms,
            "size": size,
            "contentType": content_type,
            "fileName": file_name,
            "customProperties": custom_properties or {},
            "processDefinitionId": process_definition_id,
            "processInstanceKey": process_instance_key,
        }
        try:
            self._publish(json.dumps(record, separators=(",", ":")).encode(), description)
        except FileExistsError:
            content_path.unlink(missing_ok=True)
            raise DocumentAlreadyExists(document_id) from None
        except BaseException:
            content_path.unlink(missing_ok=True)
            raise
        return _stored(record, content_path)

    def delete(self, document_id: str) -> None:
        """Removes the document (``DocumentNotFound`` when there is none, or it expired)."""
        self.get(document_id)
        self._remove(document_id)

    def _write_content(self, content: IO[bytes], path: Path) -> tuple[str, int]:
        """Copies ``content`` to ``path`` through a temporary file; (SHA-256 hex, size)."""
        hasher = hashlib.sha256()
        size = 0
        temp = self._temp_path()
        try:
            with open(temp, "xb") as out:
                while chunk := content.read(_CHUNK):
                    size += len(chunk)
                    if size > self.settings.max_size:
                        raise DocumentTooLarge(self.settings.max_size)
                    hasher.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.rename(temp, path)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        self._sync_directory()
        return hasher.hexdigest(), size

    def _publish(self, data: bytes, path: Path) -> None:
        """Writes ``data`` to ``path`` all at once: a temporary file, then a hard link that fails
        with ``FileExistsError`` if ``path`` exists."""
        temp = self._temp_path()
        try:
            with open(temp, "xb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.link(temp, path)
        finally:
            temp.unlink(missing_ok=True)
        self._sync_directory()

    def _remove(self, document_id: str) -> None:
        description = self._description_path(document_id)
        record = self._read(description)
        with contextlib.suppress(FileNotFoundError):
            description.unlink()
        if record is not None and isinstance(record.get("content"), str):
            (self.directory / record["content"]).unlink(missing_ok=True)

    def _temp_path(self) -> Path:
        return self.directory / f"{_TEMP_PREFIX}{secrets.token_hex(8)}"

    def _sync_directory(self) -> None:
        descriptor = os.open(self.directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)

    # -- reading -----------------------------------------------------------------------------------

    def get(self, document_id: str) -> StoredDocument:
        """The document's description; ``DocumentNotFound`` when there is none or it expired."""
        if not DOCUMENT_ID.fullmatch(document_id):
            raise DocumentNotFound(document_id)
        record = self._read(self._description_path(document_id))
        if record is None or self._expired(record):
            raise DocumentNotFound(document_id)
        return _stored(record, self.directory / record["content"])

    def open(self, document: StoredDocument) -> IO[bytes]:
        """The content of ``document``, open for reading (it stays readable if deleted meanwhile)."""
        try:
            return open(document.content_path, "rb")
        except FileNotFoundError:
            raise DocumentNotFound(document.document_id) from None

    def _read(self, description: Path) -> dict[str, Any] | None:
        try:
            record = json.loads(description.read_bytes())
        except FileNotFoundError:
            return None
        except ValueError:
            _log.warning("ignoring the unreadable document description %s", description)
            return None
        return record if isinstance(record, dict) else None

    def _expired(self, record: dict[str, Any]) -> bool:
        expires = record.get("expiresAt")
        return isinstance(expires, int) and expires <= self.now_ms()

    def _description_path(self, document_id: str) -> Path:
        return self.directory / f"{document_id}.json"

    # -- expiry ------------------------------------------------------------------------------------

    def sweep(self) -> int:
        """Removes expired documents and the content no description names (older than
        ``ORPHAN_GRACE_S``); how many documents expired."""
        with self._sweep_lock:
            expired = 0
            referenced: set[str] = set()
            for description in self.directory.glob("*.json"):
                record = self._read(description)
                if record is None:
                    continue
                if self._expired(record):
                    self._remove(description.stem)
                    expired += 1
                elif isinstance(record.get("content"), str):
                    referenced.add(record["content"])
            old = self._clock() - ORPHAN_GRACE_S
            for content in self.directory.glob("*.bin"):
                if content.name in referenced:
                    continue
                with contextlib.suppress(FileNotFoundError):
                    if (
                        content.stat().st_mtime < old
                        and not self._description_path(content.name.rsplit(".", 2)[0]).exists()
                    ):
                        content.unlink()
            return expired

    async def sweep_periodically(self) -> None:
        """Runs ``sweep`` every ``sweep_interval_s`` until cancelled."""
        while True:
            try:
                expired = await asyncio.to_thread(self.sweep)
                if expired:
                    _log.info("removed %d expired documents", expired)
            except OSError:
                interval = self.settings.sweep_interval_s
                _log.exception("the document sweep failed; trying again in %g s", interval)
            await asyncio.sleep(self.settings.sweep_interval_s)


def _stored(record: dict[str, Any], content_path: Path) -> StoredDocument:
    return StoredDocument(
        document_id=record["documentId"],
        content_hash=record["contentHash"],
        size=int(record["size"]),
        content_type=record["contentType"],
        file_name=record["fileName"],
        expires_at_ms=record.get("expiresAt"),
        custom_properties=record.get("customProperties") or {},
        process_definition_id=record.get("processDefinitionId"),
        process_instance_key=record.get("processInstanceKey"),
        content_path=content_path,
    )


def _uuid() -> str:
    return str(uuid.uuid4())


__all__ = [
    "DIRECTORY",
    "STORE_ID",
    "DocumentAlreadyExists",
    "DocumentError",
    "DocumentNotFound",
    "DocumentSettings",
    "DocumentStore",
    "DocumentTooLarge",
    "InvalidDocumentId",
    "StoredDocument",
]
