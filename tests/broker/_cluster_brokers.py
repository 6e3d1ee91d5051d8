"""``strom broker --cluster`` processes for the failover tests: one NATS server, a node id each."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "gateway"))

from broker_process import BrokerProcess

from tests.log._nats import NatsServer

TTL_S = "1.5"
"""The lease TTL the tests run with (short: failovers within seconds)."""


def cluster_broker(directory: Path, nats: NatsServer, node_id: int, *args: str) -> BrokerProcess:
    """A started broker on ``nats`` with its own data ``directory``, no secondary storage, ``args``."""
    directory.mkdir()
    return BrokerProcess(
        directory,
        "--cluster",
        nats.url,
        "--node-id",
        str(node_id),
        "--secondary-storage",
        "none",
        *args,
        env={"STROM_LEASE_TTL_S": TTL_S},
    ).start(timeout=60)
