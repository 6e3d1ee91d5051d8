"""The document store's files: a document exists once its description is written, an interrupted
upload leaves nothing visible and nothing behind after the next start or sweep, and two uploads
under one id cannot both win."""

from __future__ import annotations

import io
import os
import threading
from pathlib import Path

import pytest

from strom.broker.documents import (
    ORPHAN_GRACE_S,
    DocumentAlreadyExists,
    DocumentNotFound,
    DocumentSettings,
    DocumentStore,
    DocumentTooLarge,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def _store(tmp_path: Path, clock: Clock | None = None, **settings: float) -> DocumentStore:
    return DocumentStore(tmp_path / "documents", DocumentSettings(**settings), clock or Clock())  # type: ignore[arg-type]


def _create(store: DocumentStore, content: bytes, **options: object) -> str:
    document = store.create(io.BytesIO(content), content_type="text/plain", file_name="a.txt", **options)  # type: ignore[arg-type]
    return document.document_id


def test_a_stored_document_reads_back_with_its_hash(tmp_path: Path) -> None:
    store = _store(tmp_path)
    document_id = _create(store, b"hello", custom_properties={"k": "v"})
    document = store.get(document_id)
    assert document.content_hash == "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    assert document.size == 5 and document.custom_properties == {"k": "v"}
    with store.open(document) as content:
        assert content.read() == b"hello"
    reopened = DocumentStore.in_data_dir(tmp_path, DocumentSettings())
    assert reopened.get(document_id).content_hash == document.content_hash


def test_an_upload_interrupted_while_writing_leaves_nothing(tmp_path: Path) -> None:
    store = _store(tmp_path, max_size=10)
    with pytest.raises(DocumentTooLarge):
        _create(store, b"x" * 11, document_id="big")
    assert list(store.directory.iterdir()) == []

    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() > 0:
                raise OSError("connection lost")
            return super().read(4)

    with pytest.raises(OSError, match="connection lost"):
        store.create(Broken(b"abcdefgh"), document_id="cut", content_type="text/plain", file_name="c.txt")
    assert list(store.directory.iterdir()) == []
    with pytest.raises(DocumentNotFound):
        store.get("cut")


def test_leftovers_of_a_crash_are_invisible_and_removed(tmp_path: Path) -> None:
    clock = Clock()
    store = _store(tmp_path, clock)
    kept = _create(store, b"kept")
    # a crash between the content's rename and the description: an unreferenced .bin, a temp file
    (store.directory / ".tmp-0123456789abcdef").write_bytes(b"half a descr")
    orphan = store.directory / "lost.0123456789ab.bin"
    orphan.write_bytes(b"content nobody describes")
    with pytest.raises(DocumentNotFound):
        store.get("lost")

    restarted = DocumentStore.in_data_dir(tmp_path, DocumentSettings())
    assert not (store.directory / ".tmp-0123456789abcdef").exists()
    assert restarted.sweep() == 0
    assert orphan.exists()  # too young: it may be an upload about to be described
    old = clock.now - ORPHAN_GRACE_S - 1
    os.utime(orphan, (old, old))
    store.sweep()
    assert not orphan.exists()
    assert store.get(kept).size == 4


def test_expired_documents_are_not_found_and_swept(tmp_path: Path) -> None:
    clock = Clock()
    store = _store(tmp_path, clock, ttl_days=1)
    default_ttl = _create(store, b"a day")
    explicit = _create(store, b"a minute", expires_at_ms=int((clock.now + 60) * 1000))
    assert store.get(default_ttl).expires_at_ms == int((clock.now + 86_400) * 1000)
    clock.now += 61
    with pytest.raises(DocumentNotFound):
        store.get(explicit)
    assert store.get(default_ttl).size == 5
    reused = _create(store, b"the id again", document_id=explicit)  # expired, not yet swept
    assert store.get(reused).size == len(b"the id again")
    clock.now += 86_400
    assert store.sweep() == 2
    assert list(store.directory.iterdir()) == []


def test_the_sweep_removes_expired_documents(tmp_path: Path) -> None:
    clock = Clock()
    store = _store(tmp_path, clock, ttl_days=1)
    default_ttl = _create(store, b"a day")
    _create(store, b"a minute", expires_at_ms=int((clock.now + 60) * 1000))
    clock.now += 61
    assert store.sweep() == 1
    assert sorted(path.name.split(".")[0] for path in store.directory.iterdir()) == [default_ttl] * 2


def test_two_uploads_under_one_id_one_wins(tmp_path: Path) -> None:
    store = _store(tmp_path)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def upload(n: int) -> None:
        barrier.wait()
        try:
            _create(store, f"upload {n}".encode(), document_id="same")
            outcomes.append(f"upload {n}")
        except DocumentAlreadyExists:
            outcomes.append("refused")

    threads = [threading.Thread(target=upload, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [outcome for outcome in outcomes if outcome != "refused"]
    assert len(winners) == 1
    with store.open(store.get("same")) as content:
        assert content.read().decode() == winners[0]
    assert len(list(store.directory.glob("same.*.bin"))) == 1


def test_the_settings_come_from_the_config_file_and_the_environment(tmp_path: Path) -> None:
    from strom.broker.config import ConfigError, load_config

    config_file = tmp_path / "strom.toml"
    config_file.write_text("[documents]\nmax_size = 2048\nsweep_interval_s = 5\n")
    config = load_config(config_file, {"STROM_DOCUMENTS__TTL_DAYS": "2"})
    assert config.documents == DocumentSettings(max_size=2048, ttl_days=2.0, sweep_interval_s=5.0)
    with pytest.raises(ConfigError, match=r"documents\.max_size must be at least 1 byte"):
        load_config(None, {"STROM_DOCUMENTS__MAX_SIZE": "0"}).validate()
