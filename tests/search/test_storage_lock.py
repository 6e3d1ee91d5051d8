"""One broker writes a partition of a PostgreSQL secondary storage: a second SQL exporter of the
same partition (same database and schema) is refused naming the holder; another partition, or
another schema, is not; the lock goes when its holder closes or is SIGKILLed."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from _postgres import postgres_schema_url
from _search_support import open_exporter

from strom.search.storage_lock import SecondaryStorageLockedError


@pytest.fixture
def postgres() -> Iterator[str]:
    url, drop = postgres_schema_url()
    try:
        yield url
    finally:
        drop()


def test_a_second_exporter_of_the_partition_is_refused_until_the_first_closes(postgres: str) -> None:
    first, _ = open_exporter(postgres, partition_id=1)
    try:
        with pytest.raises(SecondaryStorageLockedError) as refused:
            open_exporter(postgres, partition_id=1)
        other_partition, _ = open_exporter(postgres, partition_id=2)
        other_partition.close()
    finally:
        first.close()
    again, _ = open_exporter(postgres, partition_id=1)
    again.close()

    message = str(refused.value)
    assert "partition 1 of the secondary storage" in message
    assert "is written by another broker (backend PID" in message


def test_another_schema_of_the_same_database_is_another_storage(postgres: str) -> None:
    other, drop = postgres_schema_url()
    try:
        first, _ = open_exporter(postgres, partition_id=1)
        second, _ = open_exporter(other, partition_id=1)
        second.close()
        first.close()
    finally:
        drop()


def test_a_sigkilled_holder_leaves_no_lock_behind(postgres: str, tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys, time
                sys.path[:0] = {[str(Path(__file__).parent), str(Path(__file__).parents[2])]!r}
                from _search_support import open_exporter
                open_exporter({postgres!r}, partition_id=1)
                print("holding", flush=True)
                time.sleep(600)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(SecondaryStorageLockedError):
            open_exporter(postgres, partition_id=1)
        holder.kill()
        holder.wait(10)
        deadline = time.monotonic() + 10  # PostgreSQL ends the session once it reads the closed socket
        while True:
            try:
                exporter, _ = open_exporter(postgres, partition_id=1)
                break
            except SecondaryStorageLockedError:
                assert time.monotonic() < deadline, "the killed holder's lock outlived it"
                time.sleep(0.05)
        exporter.close()
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait(10)


def test_a_second_broker_on_the_same_database_refuses_to_start(postgres: str, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).parents[1] / "gateway"))
    from broker_process import BrokerProcess

    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    first = BrokerProcess(tmp_path / "first", "--secondary-storage", postgres).start()
    try:
        second = BrokerProcess(tmp_path / "second", "--secondary-storage", postgres)
        with pytest.raises(RuntimeError) as refused:
            second.start()
        assert "strom broker exited with" in str(refused.value)
        assert "partition 1 of the secondary storage" in str(refused.value)
        assert "is written by another broker" in str(refused.value)
    finally:
        assert first.stop() == 0, first.logs()
