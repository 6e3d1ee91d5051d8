"""Snapshots: a RocksDB checkpoint plus metadata, the starting point of replay.

Layout of ``snapshots_dir``::

    000000000007/
        state/          RocksDB checkpoint (SST files hard-linked from the runtime database)
        metadata.json   written last, atomically: its presence is what makes the snapshot count

Creation is crash-safe without any lock or journal: the checkpoint is written and fsynced first,
then ``metadata.json`` is written to a temp file, fsynced, renamed into place and the directory
fsynced. A crash at any earlier point leaves a directory without metadata, which
:func:`latest_snapshot` ignores and :func:`prune_snapshots` removes, so the previous snapshot stays
the one restored. ``metadata.json`` lists every file of ``state/`` with its size, so a snapshot
whose files were damaged or half-deleted does not count either.

The caller's metadata (processed position, exporter positions, key generator state, engine
version) is stored as JSON and must read back equal to what was given.

A snapshot travels between machines as one archive (:func:`pack_snapshot`, an uncompressed tar of
``metadata.json`` and ``state/``: RocksDB compresses its blocks already); :func:`unpack_snapshot`
checks it as :func:`latest_snapshot` would and commits it under the next id, so a cluster broker
that joins late restores another broker's snapshot as if it had taken it.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tarfile
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

from rocksdict import Checkpoint

from strom.db.database import Database, DbOptions
from strom.db.errors import SnapshotError

__all__ = [
    "SnapshotInfo",
    "create_snapshot",
    "latest_snapshot",
    "list_snapshots",
    "pack_snapshot",
    "prune_snapshots",
    "restore_snapshot",
    "unpack_snapshot",
]

_FORMAT: Final = 1
_STATE: Final = "state"
_METADATA: Final = "metadata.json"
_LINKABLE: Final = (".sst", ".blob")  # immutable once written; everything else is copied


@dataclass(frozen=True)
class SnapshotInfo:
    """A complete snapshot on disk.

    Attributes:
        id: the directory name; ids grow with every snapshot taken in ``snapshots_dir``.
        path: the snapshot directory.
        metadata: the caller's metadata, as given to :func:`create_snapshot`.
        created_at: when it was taken (UTC, ISO 8601); informational only.
    """

    id: str
    path: Path
    metadata: Mapping[str, Any] = field(repr=False)
    created_at: str
    files: Mapping[str, int] = field(repr=False)

    @property
    def state_path(self) -> Path:
        """The RocksDB checkpoint directory inside the snapshot."""
        return self.path / _STATE

    @property
    def sequence(self) -> int:
        """The id as a number: snapshots order by it."""
        return int(self.id)


def create_snapshot(
    db: Database, snapshots_dir: str | os.PathLike[str], metadata: Mapping[str, Any]
) -> SnapshotInfo:
    """Flush ``db``, checkpoint it into a new snapshot directory, and commit it with ``metadata``.

    Take it between processing steps: committed state is what the checkpoint holds, so ``metadata``
    must describe exactly that state (e.g. the last processed position committed with it).

    Raises:
        SnapshotError: a transaction is open, ``metadata`` does not round-trip through JSON, or
            writing failed (the half-written directory is removed when possible).
    """
    if db.current_transaction is not None:
        raise SnapshotError(
            "cannot snapshot while a transaction is open: its writes are not in RocksDB yet; "
            "take snapshots between processing steps"
        )
    user_metadata = _checked_metadata(metadata)
    root = Path(snapshots_dir)
    with _new_snapshot(root, "creating snapshot {id} in {root}") as (snapshot_id, target):
        state = target / _STATE
        db.flush()  # WAL off: memtable contents exist in no file until flushed
        checkpoint = Checkpoint(db._rdict)
        try:
            checkpoint.create_checkpoint(str(state))
        finally:
            del checkpoint  # it keeps RocksDB open
        files = _sync_tree(state)
        created_at = datetime.now(UTC).isoformat()
        envelope = {
            "format": _FORMAT,
            "id": snapshot_id,
            "created_at": created_at,
            "files": files,
            "metadata": user_metadata,
        }
        _commit(target, envelope)
    return SnapshotInfo(snapshot_id, target, user_metadata, created_at, files)


def list_snapshots(snapshots_dir: str | os.PathLike[str]) -> list[SnapshotInfo]:
    """Every complete snapshot in ``snapshots_dir``, oldest first; incomplete ones are skipped."""
    found = (_load(path) for path in _candidates(Path(snapshots_dir)))
    return [info for info in found if info is not None]


def latest_snapshot(snapshots_dir: str | os.PathLike[str]) -> SnapshotInfo | None:
    """The newest complete snapshot, or ``None`` when there is none (first start)."""
    for path in reversed(_candidates(Path(snapshots_dir))):
        info = _load(path)
        if info is not None:
            return info
    return None


def restore_snapshot(
    snapshot: SnapshotInfo,
    runtime_dir: str | os.PathLike[str],
    column_families: Iterable[str] = (),
    options: DbOptions | None = None,
) -> Database:
    """Replace ``runtime_dir`` with the snapshot's state and open it.

    SST files are hard-linked (they are never modified, so runtime and snapshot can share them;
    copied when linking fails, e.g. across file systems); other files are copied. Close any
    ``Database`` open on ``runtime_dir`` first. A crash during restore only damages the runtime
    directory, which the next start restores again.

    Args:
        column_families: opened in addition to those the snapshot has (created if missing).

    Raises:
        SnapshotError: the snapshot is incomplete or copying failed.
        DbError: the restored database cannot be opened.
    """
    current = _load(snapshot.path)
    if current is None:
        raise SnapshotError(f"snapshot {snapshot.path} is incomplete or damaged; it cannot be restored")
    runtime = Path(runtime_dir)
    staging = runtime.with_name(runtime.name + ".restoring")
    try:
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in current.files:
            _link_or_copy(current.state_path / name, staging / name)
        _sync_tree(staging)
        if runtime.exists():
            shutil.rmtree(runtime)
        os.replace(staging, runtime)
        _fsync_dir(runtime.parent)
    except OSError as exc:
        raise SnapshotError(f"restoring snapshot {snapshot.id} into {runtime} failed: {exc}") from exc
    return Database(runtime, column_families, options)


def prune_snapshots(snapshots_dir: str | os.PathLike[str], keep: int = 2) -> list[str]:
    """Delete all but the ``keep`` newest complete snapshots, and every incomplete one.

    Returns the ids removed. Metadata goes first, so a crash mid-delete leaves a directory that
    no longer counts rather than a snapshot with missing files.

    Raises:
        ValueError: ``keep`` is below 1 (the newest snapshot is the only way back after a crash).
    """
    if keep < 1:
        raise ValueError(f"`keep` must be at least 1, got {keep}")
    root = Path(snapshots_dir)
    kept = {info.id for info in list_snapshots(root)[-keep:]}
    removed = []
    for path in _candidates(root):
        if path.name in kept:
            continue
        try:
            (path / _METADATA).unlink(missing_ok=True)
            _fsync_dir(path)
            shutil.rmtree(path)
        except OSError as exc:
            raise SnapshotError(f"removing snapshot directory {path} failed: {exc}") from exc
        removed.append(path.name)
    if removed:
        _fsync_dir(root)
    return removed


def pack_snapshot(snapshot: SnapshotInfo) -> bytes:
    """The snapshot as one archive for another machine (see :func:`unpack_snapshot`).

    Raises:
        SnapshotError: the snapshot is incomplete, or was pruned while it was read.
    """
    current = _load(snapshot.path)
    if current is None:
        raise SnapshotError(f"snapshot {snapshot.path} is incomplete or damaged; it cannot be packed")
    buffer = io.BytesIO()
    try:
        with tarfile.open(fileobj=buffer, mode="w") as archive:
            archive.add(current.path / _METADATA, _METADATA)
            for name in current.files:
                archive.add(current.state_path / name, f"{_STATE}/{name}")
    except OSError as exc:
        raise SnapshotError(f"packing snapshot {snapshot.path} failed (pruned meanwhile?): {exc}") from exc
    return buffer.getvalue()


def unpack_snapshot(data: bytes, snapshots_dir: str | os.PathLike[str]) -> SnapshotInfo:
    """Commit the archive ``data`` (from :func:`pack_snapshot`) as the newest snapshot here.

    Only ``metadata.json`` and flat files under ``state/`` are taken; the files must have the sizes
    the metadata lists. The snapshot is written and fsynced first, its metadata last, exactly as
    :func:`create_snapshot` does, so a crash leaves at most an incomplete directory that does not count.

    Raises:
        SnapshotError: the archive is not a complete snapshot, or writing failed.
    """
    root = Path(snapshots_dir)
    with _new_snapshot(root, "unpacking a snapshot archive into {root}") as (snapshot_id, target):
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            members = {member.name: member for member in archive.getmembers()}
            envelope_member = members.pop(_METADATA, None)
            if envelope_member is None:
                raise SnapshotError(f"the snapshot archive has no {_METADATA}")
            envelope = json.loads(_read_member(archive, envelope_member))
            files: dict[str, int] = envelope["files"]
            if envelope.get("format") != _FORMAT:
                raise SnapshotError(
                    f"the snapshot archive has format {envelope.get('format')}, not {_FORMAT}"
                )
            expected = {f"{_STATE}/{name}" for name in files}
            if set(members) != expected or any("/" in name or name in ("", ".", "..") for name in files):
                raise SnapshotError(
                    f"the snapshot archive's files {sorted(members)} are not those its metadata lists"
                )
            state = target / _STATE
            state.mkdir()
            for name, size in files.items():
                content = _read_member(archive, members[f"{_STATE}/{name}"])
                if len(content) != size:
                    raise SnapshotError(
                        f"file {name} of the snapshot archive has {len(content)} bytes, not {size}"
                    )
                (state / name).write_bytes(content)
            _sync_tree(state)
        envelope["id"] = snapshot_id
        _commit(target, envelope)
    info = _load(target)
    if info is None:  # pragma: no cover - what was just written and checked reads back
        raise SnapshotError(f"the unpacked snapshot {target} does not read back")
    return info


# -- helpers -------------------------------------------------------------------------------------


@contextmanager
def _new_snapshot(root: Path, doing: str) -> Iterator[tuple[str, Path]]:
    """A new, empty snapshot directory under ``root`` with the next id; removed again, and the
    error turned into a ``SnapshotError`` saying what was being ``doing``, if the body fails."""
    root.mkdir(parents=True, exist_ok=True)
    snapshot_id = f"{_next_sequence(root):012d}"
    target = root / snapshot_id
    try:
        target.mkdir()
        _fsync_dir(root)
        yield snapshot_id, target
    except Exception as exc:
        shutil.rmtree(target, ignore_errors=True)
        if isinstance(exc, SnapshotError):
            raise
        raise SnapshotError(f"{doing.format(id=snapshot_id, root=root)} failed: {exc!r}") from exc


def _commit(target: Path, envelope: Mapping[str, Any]) -> None:
    """Write the metadata last, atomically: from now on the snapshot counts."""
    _write_atomically(target / _METADATA, json.dumps(envelope, indent=1, sort_keys=True).encode())
    _fsync_dir(target.parent)


def _read_member(archive: tarfile.TarFile, member: tarfile.TarInfo) -> bytes:
    if not member.isfile():
        raise SnapshotError(f"{member.name} in the snapshot archive is not a regular file")
    handle = archive.extractfile(member)
    assert handle is not None
    return handle.read()


def _checked_metadata(metadata: Mapping[str, Any]) -> dict[str, Any]:
    try:
        encoded = json.dumps(dict(metadata), sort_keys=True)
    except (TypeError, ValueError) as exc:
        raise SnapshotError(f"snapshot metadata must be JSON-serializable: {exc}") from exc
    decoded: dict[str, Any] = json.loads(encoded)
    if decoded != dict(metadata):
        raise SnapshotError(
            "snapshot metadata must read back equal to what was given: use str keys and lists, "
            f"not int keys or tuples; got {dict(metadata)!r}, would read back {decoded!r}"
        )
    return decoded


def _candidates(root: Path) -> list[Path]:
    """Snapshot-named directories (complete or not), oldest first."""
    if not root.is_dir():
        return []
    paths = [p for p in root.iterdir() if p.name.isdigit() and p.is_dir()]
    paths.sort(key=lambda p: int(p.name))
    return paths


def _next_sequence(root: Path) -> int:
    candidates = _candidates(root)
    return int(candidates[-1].name) + 1 if candidates else 1


def _load(path: Path) -> SnapshotInfo | None:
    """The snapshot in ``path`` if it is complete and intact, else ``None``."""
    try:
        envelope = json.loads((path / _METADATA).read_bytes())
        if envelope["format"] != _FORMAT or envelope["id"] != path.name:
            return None
        files: dict[str, int] = envelope["files"]
        state = path / _STATE
        for name, size in files.items():
            if (state / name).stat().st_size != size:
                return None
        return SnapshotInfo(path.name, path, envelope["metadata"], envelope["created_at"], files)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _sync_tree(directory: Path) -> dict[str, int]:
    """Fsync every file of a flat directory and the directory; return ``{name: size}``."""
    files = {}
    for entry in sorted(directory.iterdir()):
        if not entry.is_file():
            raise SnapshotError(f"unexpected non-file {entry} in a RocksDB checkpoint")
        fd = os.open(entry, os.O_RDONLY)
        try:
            os.fsync(fd)
            files[entry.name] = os.fstat(fd).st_size
        finally:
            os.close(fd)
    _fsync_dir(directory)
    return files


def _link_or_copy(source: Path, target: Path) -> None:
    if source.suffix in _LINKABLE:
        try:
            os.link(source, target)
            return
        except OSError:
            pass  # other file system, or links unsupported: copy instead
    shutil.copyfile(source, target)


def _write_atomically(path: Path, data: bytes) -> None:
    temp = path.with_name(path.name + ".tmp")
    with open(temp, "wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temp, path)
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
