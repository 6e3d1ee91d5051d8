"""What authorization costs: one-task PI/s with every command checked against its caller's
permissions, against the same partition setup with no caller, in alternating rounds of one run.

Both sides are ``one_task.py``'s harness (one durable partition with group commit, instances created
with their result awaited, an in-process job worker). On the checked side every creation and job
completion names the user ``bench`` (``Record.authorizations``, as the gateways fill it with
``--auth basic``), who holds ``CREATE_PROCESS_INSTANCE`` and ``UPDATE_PROCESS_INSTANCE`` on the
process through a group's role — the longest path of the check (user → group → role →
authorizations) rather than the ``admin`` shortcut. The gateway's own part of authentication (a
Basic header checked against a 60 s cache of verified passwords) is not in this figure.

    .venv/bin/python benchmarks/auth_overhead.py [--instances 10000] [--rounds 5] [--window 400]

``checked_vs_unchecked`` is checked PI/s over unchecked PI/s (medians of the rounds; goal 0.9).
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from pathlib import Path
from typing import Any

from one_task import StromRun

from strom.build_variant import variant
from strom.client import Client
from strom.engine.processing.identity.passwords import hash_password
from strom.protocol.intents import AuthorizationIntent, GroupIntent, RoleIntent, UserIntent
from strom.protocol.record import AUTHORIZED_USERNAME
from strom.protocol.values.identity import (
    AuthorizationOwnerType,
    AuthorizationRecordValue,
    AuthorizationResourceType,
    EntityType,
    GroupRecordValue,
    PermissionType,
    RoleRecordValue,
    UserRecordValue,
)

CALLER = "bench"


def grant(client: Client) -> None:
    """The user ``bench`` in group ``workers`` holding role ``starter``, which may start and work
    on ``one_task``."""
    client.send(UserRecordValue(username=CALLER, password=hash_password("bench")), UserIntent.CREATE)
    client.send(GroupRecordValue(group_id="workers", name="Workers"), GroupIntent.CREATE)
    client.send(RoleRecordValue(role_id="starter", name="Starter"), RoleIntent.CREATE)
    client.send(
        GroupRecordValue(group_id="workers", entity_id=CALLER, entity_type=EntityType.USER),
        GroupIntent.ADD_ENTITY,
    )
    client.send(
        RoleRecordValue(role_id="starter", entity_id="workers", entity_type=EntityType.GROUP),
        RoleIntent.ADD_ENTITY,
    )
    client.send(
        AuthorizationRecordValue(
            owner_id="starter",
            owner_type=AuthorizationOwnerType.ROLE,
            resource_type=AuthorizationResourceType.PROCESS_DEFINITION,
            resource_id="one_task",
            permission_types=[PermissionType.CREATE_PROCESS_INSTANCE, PermissionType.UPDATE_PROCESS_INSTANCE],
        ),
        AuthorizationIntent.CREATE,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=10_000, help="instances per side in all")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--window", type=int, default=400, help="instances in flight")
    args = parser.parse_args()
    per_round = max(1, args.instances // args.rounds)
    root = Path(tempfile.mkdtemp(prefix="strom-auth-overhead-"))
    try:
        checked = StromRun(
            root / "checked", args.window, authorizations={AUTHORIZED_USERNAME: CALLER}, before_start=grant
        )
        unchecked = StromRun(root / "unchecked", args.window)
        try:
            checked.warm_up(min(per_round, 1000))
            unchecked.warm_up(min(per_round, 1000))
            checked_rates: list[float] = []
            unchecked_rates: list[float] = []
            for _ in range(args.rounds):
                checked_rates.append(checked.round(per_round))
                unchecked_rates.append(unchecked.round(per_round))
            rejected = checked.rejected + checked.worker.rejected
        finally:
            checked.worker.stop()
            checked.partition.close(snapshot=False)
            unchecked.worker.stop()
            unchecked.partition.close(snapshot=False)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    checked_pi = statistics.median(checked_rates)
    unchecked_pi = statistics.median(unchecked_rates)
    figures: dict[str, Any] = {
        "benchmark": "auth_overhead",
        "variant": variant(),
        "instances_per_round": per_round,
        "rounds": args.rounds,
        "checked_pi_per_s": round(checked_pi, 1),
        "unchecked_pi_per_s": round(unchecked_pi, 1),
        "checked_vs_unchecked": round(checked_pi / unchecked_pi, 3),
        "goal": 0.9,
        "goal_met": checked_pi / unchecked_pi >= 0.9,
        "rejected_when_checked": rejected,
    }
    print(
        f"checked {checked_pi:,.0f} PI/s vs unchecked {unchecked_pi:,.0f} PI/s "
        f"-> {checked_pi / unchecked_pi:.3f} (goal 0.9); rejected {rejected}"
    )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
