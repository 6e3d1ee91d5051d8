"""FileJournal against a list: random appends, flushes, reopens, torn tails, compactions and reads."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from strom.log import FileJournal, PositionCompactedError

SEGMENT_SIZE = 4096
records = st.lists(st.binary(max_size=300), min_size=1, max_size=8)


class JournalMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.directory = Path(tempfile.mkdtemp(prefix="strom-log-model-"))
        self.journal = self.open()
        self.model: list[bytes] = []  # model[p - 1] is the record at position p
        self.durable = 0  # at least this is durable (a segment roll syncs too, so it may be more)
        self.first = 1

    def open(self) -> FileJournal:
        return FileJournal(self.directory, segment_size=SEGMENT_SIZE, index_interval=512)

    def teardown(self) -> None:
        self.journal.close()
        shutil.rmtree(self.directory)

    @rule(batch=records)
    def append(self, batch: list[bytes]) -> None:
        assert self.journal.append(batch) == len(self.model) + 1
        self.model.extend(batch)

    @rule()
    def flush(self) -> None:
        assert self.journal.flush() == len(self.model)
        self.durable = len(self.model)

    @rule()
    def reopen(self) -> None:
        self.journal.close()
        self.journal = self.open()
        self.durable = len(self.model)

    @rule(garbage=st.binary(min_size=1, max_size=200))
    def reopen_after_a_torn_write(self, garbage: bytes) -> None:
        self.journal.close()
        last_segment = self.journal.segment_paths[-1]
        with last_segment.open("ab") as f:
            f.write(garbage)
        self.journal = self.open()
        self.durable = len(self.model)

    @rule(below=st.integers(min_value=0, max_value=400))
    def compact(self, below: int) -> None:
        first = self.journal.compact(below)
        assert self.first <= first
        assert first <= max(below, self.first)
        self.first = first

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def read_from(self, data: st.DataObject) -> None:
        start = data.draw(st.integers(min_value=self.first, max_value=len(self.model) + 1))
        with self.journal.reader(start) as reader:
            got = list(reader)
        durable = self.journal.durable_position
        assert got == [(p, self.model[p - 1]) for p in range(start, durable + 1)]

    @precondition(lambda self: self.first > 1)
    @rule()
    def read_below_first(self) -> None:
        try:
            self.journal.reader(self.first - 1)
        except PositionCompactedError:
            return
        raise AssertionError("reading below first_position must raise PositionCompactedError")

    @invariant()
    def positions_agree(self) -> None:
        assert self.journal.next_position == len(self.model) + 1
        assert self.durable <= self.journal.durable_position <= len(self.model)
        assert self.journal.first_position == self.first

    @invariant()
    def segments_stay_within_their_size(self) -> None:
        assert all(os.path.getsize(p) <= SEGMENT_SIZE for p in self.journal.segment_paths)


JournalMachine.TestCase.settings = settings(max_examples=100, stateful_step_count=40, deadline=None)
test_journal_behaves_like_a_list = JournalMachine.TestCase
