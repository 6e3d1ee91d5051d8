"""``LeaseManager`` against real ``nats-server`` processes (no mocks): contention, renewal, expiry,
release, terms, and a 3-node cluster losing a server.

Short TTLs keep every test well under 20 s; each waits with a bounded deadline.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import TypeVar

import pytest

from ._nats import NatsServer, required_binary, start_cluster, start_server

try:
    import nats  # noqa: F401  (only to know whether nats-py is installed)

    from strom.log.lease import Lease, LeaseError, LeaseManager
except ImportError:  # pragma: no cover - the `test` extra installs nats-py
    LeaseManager = None  # type: ignore[assignment,misc]

_T = TypeVar("_T")

TTL = 1.0
RENEW = 0.25
SKEW = 0.2
_partitions = itertools.count(1)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NatsServer]:
    started = start_server(required_binary(), tmp_path_factory.mktemp("nats"))
    yield started
    started.stop()


@pytest.fixture
def partition() -> int:
    """A partition id (hence a lease key) no other test of this module uses."""
    return next(_partitions)


@pytest.fixture
def managers(server: NatsServer) -> Iterator[Callable[..., LeaseManager]]:
    """Makes lease managers on the module's server (short TTL); closes them all afterwards."""
    made: list[LeaseManager] = []

    def make(node_id: str, **kwargs: object) -> LeaseManager:
        options: dict[str, object] = {"ttl_s": TTL, "renew_every_s": RENEW, "max_clock_skew_s": SKEW}
        options.update(kwargs)
        manager = LeaseManager(server.url, node_id, **options)  # type: ignore[arg-type]
        made.append(manager)
        return manager

    yield make
    for manager in made:
        manager.close()


def wait_for(what: Callable[[], _T | None], timeout_s: float, interval_s: float = 0.05) -> _T:
    """Call ``what`` until it returns something other than None/False; fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        result = what()
        if result is not None and result is not False:
            return result
        if time.monotonic() > deadline:
            pytest.fail(f"nothing within {timeout_s} s")
        time.sleep(interval_s)


def try_acquire(manager: LeaseManager, partition_id: int) -> Lease | None:
    """``acquire``, None also when NATS did not answer (a server restarting, a bucket electing)."""
    with contextlib.suppress(LeaseError):
        return manager.acquire(partition_id)
    return None


def test_two_contenders_for_a_free_lease_exactly_one_wins(
    managers: Callable[..., LeaseManager], partition: int
) -> None:
    a, b = managers("a"), managers("b")
    for pid in range(partition * 100, partition * 100 + 10):  # ten races, each at the same moment
        start = threading.Barrier(2)
        results: dict[str, Lease | None] = {}

        def contend(
            manager: LeaseManager,
            pid: int = pid,
            start: threading.Barrier = start,
            results: dict[str, Lease | None] = results,
        ) -> None:
            start.wait()
            results[manager.node_id] = manager.acquire(pid)

        threads = [threading.Thread(target=contend, args=(m,)) for m in (a, b)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
        winners = [lease for lease in results.values() if lease is not None]
        assert len(results) == 2 and len(winners) == 1
        winner = winners[0]
        assert a.holder(pid) == (winner.node_id, winner.term)
        loser = b if winner.node_id == "a" else a
        assert loser.acquire(pid) is None
        assert loser.holds(pid) is None


def test_the_holder_renews_and_keeps_the_lease_past_several_ttls(
    managers: Callable[..., LeaseManager], partition: int
) -> None:
    a, b = managers("a"), managers("b")
    lost: list[int] = []
    a.on_lost(lost.append)
    lease = a.acquire(partition)
    assert lease is not None and lease.node_id == "a"
    assert a.acquire(partition) == lease  # already held: the same lease

    deadline = time.monotonic() + 4 * TTL
    while time.monotonic() < deadline:
        assert b.acquire(partition) is None
        assert b.holder(partition) == ("a", lease.term)
        time.sleep(0.1)
    assert a.holds(partition) == lease
    assert lost == []


def test_a_holder_that_stops_renewing_is_replaced_after_the_ttl_with_a_higher_term(
    managers: Callable[..., LeaseManager], partition: int
) -> None:
    a, b = managers("a"), managers("b")
    lease = a.acquire(partition)
    assert lease is not None
    a.close(release=False)  # like a crash: the key stays until it expires
    stopped = time.monotonic()

    assert b.acquire(partition) is None  # not expired yet
    taken = wait_for(lambda: b.acquire(partition), timeout_s=TTL + SKEW + 3)
    waited = time.monotonic() - stopped
    assert waited >= TTL - RENEW  # the last renewal was at most RENEW before the stop
    assert taken.node_id == "b" and taken.term > lease.term
    assert b.holder(partition) == ("b", taken.term)


def test_a_holder_cut_off_from_nats_reports_the_lease_lost(tmp_path: Path) -> None:
    # One server: stop it for longer than the TTL, so no renewal can reach it.
    server = start_server(required_binary(), tmp_path / "nats")
    a = b = None
    try:
        a = LeaseManager(server.url, "a", ttl_s=TTL, renew_every_s=RENEW, max_clock_skew_s=SKEW)
        lost: list[int] = []
        fired = threading.Event()

        def on_lost(pid: int) -> None:
            lost.append(pid)
            fired.set()

        a.on_lost(on_lost)
        lease = a.acquire(1)
        assert lease is not None

        server.kill()
        assert fired.wait(TTL + 2), "on_lost did not fire after the TTL"
        assert lost == [1]
        assert a.holds(1) is None

        server.start()  # same port, same store: the stale lease is still in the bucket
        server.wait_ready()
        b = LeaseManager(server.url, "b", ttl_s=TTL, renew_every_s=RENEW, max_clock_skew_s=SKEW)
        taken = wait_for(partial(try_acquire, b, 1), timeout_s=TTL + SKEW + 5)
        assert taken.term > lease.term
        time.sleep(2 * RENEW)
        assert a.holds(1) is None  # a did not take it back after reconnecting
        assert b.holds(1) == taken
    finally:
        for manager in (a, b):
            if manager is not None:
                manager.close()
        server.stop()


def test_a_renewal_that_finds_another_writer_reports_the_lease_lost(
    managers: Callable[..., LeaseManager], partition: int
) -> None:
    class ClockAhead(LeaseManager):
        """A node whose clock is a minute ahead: it breaks the skew assumption and takes leases early."""

        def _now_ms(self) -> int:
            return super()._now_ms() + 60_000

    a = managers("a")
    lost = threading.Event()
    a.on_lost(lambda pid: lost.set() if pid == partition else None)
    lease = a.acquire(partition)
    assert lease is not None

    rogue = ClockAhead(a._servers, "rogue", ttl_s=TTL, renew_every_s=RENEW, max_clock_skew_s=SKEW)
    try:
        taken = rogue.acquire(partition)
        assert taken is not None and taken.term > lease.term
        assert lost.wait(RENEW + 2), "the holder's next renewal did not notice the other writer"
        assert a.holds(partition) is None
        assert rogue.holds(partition) == taken
    finally:
        rogue.close()


def test_release_lets_another_node_take_over_at_once(
    managers: Callable[..., LeaseManager], partition: int
) -> None:
    a, b = managers("a"), managers("b")
    lost: list[int] = []
    a.on_lost(lost.append)
    lease = a.acquire(partition)
    assert lease is not None
    assert b.acquire(partition) is None

    assert a.release(partition) is True
    assert a.release(partition) is False  # not held any more
    assert a.holder(partition) is None
    taken = b.acquire(partition)
    assert taken is not None and taken.term > lease.term
    time.sleep(2 * RENEW)
    assert lost == []  # releasing is not losing
    assert b.holds(partition) == taken


def test_terms_strictly_increase_across_holders(
    managers: Callable[..., LeaseManager], partition: int
) -> None:
    terms: list[int] = []
    # Handovers by release and by expiry, back and forth, including a node taking it again.
    turns = [
        ("a", "release"),
        ("b", "release"),
        ("a", "expire"),
        ("c", "release"),
        ("b", "expire"),
        ("a", ""),
    ]
    for node, give_up in turns:
        take = managers(node)
        lease = wait_for(partial(take.acquire, partition), timeout_s=TTL + SKEW + 3)
        assert take.holder(partition) == (take.node_id, lease.term)
        terms.append(lease.term)
        if give_up == "release":
            assert take.release(partition)
        elif give_up == "expire":
            time.sleep(2 * RENEW)  # a few renewals first: they must not raise the term
            assert take.holds(partition) == lease
            take.close(release=False)
    assert terms == sorted(set(terms)), terms


def _bucket_leader(manager: LeaseManager) -> str | None:
    info = manager._call(manager._kv._js.stream_info(f"KV_{manager.bucket}"))
    assert info.config.num_replicas == 3
    return info.cluster.leader if info.cluster else None


def _acquired_on_a_new_cluster(
    manager: LeaseManager, partition_id: int, timeout_s: float = 15.0
) -> Lease | None:
    """``manager.acquire`` once the new bucket's stream answers: a freshly started 3-node cluster
    elects the stream's leader first, and a write before that gets no response (seen under load)."""
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            return manager.acquire(partition_id)
        except LeaseError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_the_lease_survives_losing_one_of_three_servers(tmp_path: Path) -> None:
    servers = start_cluster(required_binary(), tmp_path)
    a = b = None
    try:
        urls = [s.url for s in servers]
        options = {"ttl_s": 2.0, "renew_every_s": 0.4, "max_clock_skew_s": SKEW, "replicas": 3}
        a = LeaseManager(urls, "a", **options)  # type: ignore[arg-type]
        b = LeaseManager(urls, "b", **options)  # type: ignore[arg-type]
        lost: list[int] = []
        a.on_lost(lost.append)
        lease = _acquired_on_a_new_cluster(a, 1)
        assert lease is not None

        # The server a is connected to, unless it leads the bucket (that case is the next test).
        leader = _bucket_leader(a)
        assert a._nc is not None and a._nc.connected_url is not None
        port = a._nc.connected_url.port
        victim = next(
            (s for s in servers if s.port == port and s.name != leader),
            next(s for s in servers if s.name != leader),
        )
        victim.kill()  # a reconnects to another server; the bucket keeps its quorum and leader

        deadline = time.monotonic() + 3 * 2.0
        while time.monotonic() < deadline:
            with contextlib.suppress(LeaseError):  # b may be reconnecting too
                assert b.acquire(1) is None
            time.sleep(0.2)
        assert lost == []
        assert a.holds(1) == lease
        assert b.holder(1) == ("a", lease.term)
    finally:
        for manager in (a, b):
            if manager is not None:
                manager.close()
        for s in servers:
            s.stop()


def test_a_lease_longer_than_the_buckets_failover_survives_losing_the_buckets_leader(
    tmp_path: Path,
) -> None:
    # Killing the bucket's stream leader leaves the bucket without a leader for ~7 s here (JetStream's
    # Raft election timeouts are several seconds): a lease survives that only with a longer TTL.
    servers = start_cluster(required_binary(), tmp_path)
    a = None
    try:
        a = LeaseManager([s.url for s in servers], "a", ttl_s=14.0, renew_every_s=0.5, replicas=3)
        lost: list[int] = []
        a.on_lost(lost.append)
        lease = _acquired_on_a_new_cluster(a, 1)
        assert lease is not None
        leader = _bucket_leader(a)
        next(s for s in servers if s.name == leader).kill()
        revision = a._held[1].revision
        wait_for(lambda: a._held[1].revision > revision, timeout_s=13, interval_s=0.1)  # renewed again
        assert lost == []
        assert a.holds(1) == lease
        assert a.holder(1) == ("a", lease.term)
    finally:
        if a is not None:
            a.close()
        for s in servers:
            s.stop()


def test_a_lease_shorter_than_the_buckets_failover_is_lost_and_taken_with_a_higher_term(
    tmp_path: Path,
) -> None:
    servers = start_cluster(required_binary(), tmp_path)
    a = b = None
    try:
        urls = [s.url for s in servers]
        options = {"ttl_s": 2.0, "renew_every_s": 0.4, "max_clock_skew_s": SKEW, "replicas": 3}
        a = LeaseManager(urls, "a", **options)  # type: ignore[arg-type]
        b = LeaseManager(urls, "b", **options)  # type: ignore[arg-type]
        fired = threading.Event()
        a.on_lost(lambda pid: fired.set())
        lease = _acquired_on_a_new_cluster(a, 1)
        assert lease is not None

        leader = _bucket_leader(a)
        next(s for s in servers if s.name == leader).kill()  # no renewal possible until re-election
        killed = time.monotonic()
        assert fired.wait(2.0 + 2), "on_lost did not fire after the TTL"
        assert a.holds(1) is None

        taken = wait_for(partial(try_acquire, b, 1), timeout_s=12, interval_s=0.2)
        assert time.monotonic() - killed >= 2.0 - 0.4  # not before the lease expired
        assert taken.node_id == "b" and taken.term > lease.term
        assert a.holds(1) is None
        assert a.holder(1) == ("b", taken.term)
    finally:
        for manager in (a, b):
            if manager is not None:
                manager.close()
        for s in servers:
            s.stop()


def test_importing_strom_log_does_not_import_nats_but_the_lease_names_resolve() -> None:
    import subprocess
    import sys

    code = (
        "import sys, strom.log; assert 'nats' not in sys.modules;"
        " from strom.log import LeaseManager, Lease, LeaseError; assert 'nats' in sys.modules;"
        " assert LeaseManager.__module__ == 'strom.log.lease'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
