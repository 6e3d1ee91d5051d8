"""Golden logs: logs written by released appliers replay to the state they were committed with.

A released applier never changes (a new behaviour is a new version). Each golden log in this
directory is replayed into a fresh partition and the digest of every column family compared
with the committed one, so a change to a released applier fails here, naming the log and the
column families it changed. The logs together hold every (event intent, version) the engine has
an applier for. See README.md before regenerating anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from _golden import (
    STEP_HEX,
    EventKind,
    describe,
    differing_column_families,
    event_kinds,
    events,
    read_digest,
    read_records,
    replay,
    replay_events,
    scenarios,
)

from strom.db import Database
from strom.engine import ENGINE_COLUMN_FAMILIES
from strom.engine.state import DbProcessingState
from strom.engine.state.appliers import all_appliers

SCENARIOS = scenarios()


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_a_golden_log_replays_to_its_committed_state(scenario: str) -> None:
    committed = read_digest(scenario)
    records = read_records(scenario)
    assert len(records) == committed["records"], (
        f"golden log {scenario!r}: the records file is not the one digested"
    )

    final = differing_column_families(committed["digest"], replay(records))
    steps, trajectory = replay_events(records, committed["trajectory"])

    along_the_way = differing_column_families(committed["trajectory"], trajectory)
    assert not final and not along_the_way and steps == committed["steps"], (
        f"golden log {scenario!r}: replaying it no longer rebuilds the committed state "
        f"({first_difference(records, committed['steps'], steps)}; column families that differ "
        f"at the end: {', '.join(final) or 'none'}, after some event: {', '.join(along_the_way)}). "
        "A released applier changed its behaviour: put the new behaviour in a new applier "
        "version instead (tests/engine/golden/README.md)"
    )


def first_difference(records: list[bytes], committed: str, replayed: str) -> str:
    described = events(records)
    for index, event in enumerate(described):
        step = slice(index * STEP_HEX, (index + 1) * STEP_HEX)
        if committed[step] != replayed[step]:
            return f"the state first differs after event {event}"
    return "the state after each event is as committed"


def test_the_golden_logs_hold_every_event_intent_and_version_with_an_applier(tmp_path: Path) -> None:
    assert SCENARIOS, "no golden logs found next to this test"
    db = Database(tmp_path / "state", ENGINE_COLUMN_FAMILIES)
    registered: set[EventKind] = {
        (value_type, intent, version)
        for value_type, intent, version, _ in all_appliers(DbProcessingState(db)).registered()
    }
    db.close()
    covered: set[EventKind] = set()
    for scenario in SCENARIOS:
        covered |= event_kinds(read_records(scenario))

    missing = sorted(describe(kind) for kind in registered - covered)
    assert not missing, (
        f"no golden log holds {', '.join(missing)}: write one that does when adding an applier "
        "version (tests/engine/golden/README.md), keeping the logs there are"
    )
    unknown = sorted(describe(kind) for kind in covered - registered)
    assert not unknown, f"golden logs hold events with no applier: {', '.join(unknown)}"
