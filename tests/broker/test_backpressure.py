"""Backpressure: the limit algorithms, the in-flight limiter, and ``Partition.try_submit``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from strom.broker import Partition, PartitionSettings
from strom.protocol.enums import RecordType
from strom.protocol.intents import JobIntent, ProcessInstanceCreationIntent
from strom.protocol.record import Record
from strom.protocol.records import RECORD_CLASS_FOR_VALUE
from strom.protocol.values.job import JobRecordValue
from strom.protocol.values.process_instance import ProcessInstanceCreationRecordValue
from strom.stream.backpressure import (
    AimdLimit,
    AimdSettings,
    BackpressureSettings,
    FixedLimit,
    FixedSettings,
    RequestLimiter,
    VegasLimit,
    VegasSettings,
    build_limit,
    build_limiter,
)

MS = 1_000_000


# -- AIMD ------------------------------------------------------------------------------------------


def test_aimd_starts_at_zeebes_defaults() -> None:
    settings = AimdSettings()

    assert (settings.initial_limit, settings.min_limit, settings.max_limit) == (100, 1, 1000)
    assert (settings.backoff_ratio, settings.expected_latency_ms) == (0.9, 200.0)
    assert isinstance(build_limit(BackpressureSettings()), AimdLimit)


def test_aimd_grows_by_one_per_fast_answer_while_the_limit_is_used() -> None:
    limit = AimdLimit(AimdSettings(initial_limit=10))

    limit.on_sample(5 * MS, inflight=5, dropped=False)
    limit.on_sample(5 * MS, inflight=9, dropped=False)

    assert limit.limit == 12


def test_aimd_does_not_grow_when_less_than_half_the_limit_is_in_flight() -> None:
    limit = AimdLimit(AimdSettings(initial_limit=10))

    limit.on_sample(5 * MS, inflight=4, dropped=False)

    assert limit.limit == 10


def test_aimd_backs_off_on_slow_answers_but_not_while_over_the_limit() -> None:
    limit = AimdLimit(AimdSettings(initial_limit=100))

    limit.on_sample(250 * MS, inflight=50, dropped=False)
    assert limit.limit == 90
    limit.on_sample(250 * MS, inflight=95, dropped=False)  # more in flight than the limit: stabilize
    assert limit.limit == 90
    limit.on_sample(1 * MS, inflight=10, dropped=True)
    assert limit.limit == 81


def test_aimd_stays_within_its_bounds() -> None:
    limit = AimdLimit(AimdSettings(initial_limit=2, min_limit=2, max_limit=3))

    for _ in range(5):
        limit.on_sample(1 * MS, inflight=3, dropped=False)
    assert limit.limit == 3
    for _ in range(5):
        limit.on_sample(999 * MS, inflight=1, dropped=False)
    assert limit.limit == 2


# -- Vegas and fixed -------------------------------------------------------------------------------


def test_vegas_grows_while_the_queue_is_short_and_shrinks_when_it_is_long() -> None:
    limit = VegasLimit(VegasSettings(initial_limit=20))
    limit.on_sample(10 * MS, inflight=20, dropped=False)  # learns the no-load latency
    assert limit.limit == 20

    limit.on_sample(10 * MS, inflight=20, dropped=False)  # no queue at all
    grown = limit.limit
    assert grown > 20
    for _ in range(5):
        limit.on_sample(40 * MS, inflight=grown, dropped=False)  # latency x4: a long queue
    assert limit.limit < grown


def test_vegas_ignores_samples_while_the_limit_is_not_used() -> None:
    limit = VegasLimit(VegasSettings(initial_limit=20))
    limit.on_sample(10 * MS, inflight=20, dropped=False)

    limit.on_sample(100 * MS, inflight=3, dropped=False)

    assert limit.limit == 20


def test_fixed_never_changes() -> None:
    limit = FixedLimit(7)

    limit.on_sample(10_000 * MS, inflight=100, dropped=True)

    assert limit.limit == 7
    settings = BackpressureSettings(algorithm="fixed", fixed=FixedSettings(limit=7))
    assert build_limit(settings).limit == 7


@pytest.mark.parametrize(
    ("settings", "names"),
    [
        (BackpressureSettings(algorithm="gradient"), "backpressure.algorithm"),
        (BackpressureSettings(aimd=AimdSettings(backoff_ratio=0.2)), "backpressure.aimd.backoff_ratio"),
        (BackpressureSettings(aimd=AimdSettings(min_limit=0)), "backpressure.aimd"),
        (BackpressureSettings(vegas=VegasSettings(alpha=6, beta=3)), "backpressure.vegas"),
        (BackpressureSettings(fixed=FixedSettings(limit=0)), "backpressure.fixed.limit"),
    ],
)
def test_bad_settings_are_refused_naming_the_setting(settings: BackpressureSettings, names: str) -> None:
    with pytest.raises(ValueError, match=names.replace(".", r"\.")):
        settings.validate()


# -- the limiter -----------------------------------------------------------------------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 0

    def __call__(self) -> int:
        return self.now


def test_limiter_rejects_at_the_limit_and_frees_slots_on_answers() -> None:
    clock = _Clock()
    limiter = RequestLimiter(FixedLimit(2), clock)

    assert limiter.try_acquire(1) and limiter.try_acquire(2)
    assert not limiter.try_acquire(3)
    clock.now = 5 * MS
    assert limiter.on_response(1) == 5 * MS
    assert limiter.try_acquire(4)
    assert (limiter.inflight, limiter.accepted, limiter.rejected) == (2, 3, 1)


def test_exempt_requests_are_always_accepted_and_counted() -> None:
    limiter = RequestLimiter(FixedLimit(1))
    limiter.try_acquire(1)

    assert limiter.try_acquire(2, exempt=True)
    assert limiter.inflight == 2


def test_answers_feed_the_limit_unless_told_not_to() -> None:
    clock = _Clock()
    limit = AimdLimit(AimdSettings(initial_limit=2))
    limiter = RequestLimiter(limit, clock)
    limiter.try_acquire(1)
    limiter.try_acquire(2, sample=False)
    clock.now = 500 * MS

    limiter.on_response(2)  # a create-with-result waiting for its instance: no sample
    assert limit.limit == 2
    limiter.on_response(1)
    assert limit.limit == 1


def test_ignored_requests_free_their_slot_without_a_sample() -> None:
    limiter = RequestLimiter(FixedLimit(1))
    limiter.try_acquire(1)

    limiter.on_ignore(1)

    assert limiter.inflight == 0
    assert limiter.on_response(1) is None


def test_disabled_backpressure_accepts_everything() -> None:
    limiter = build_limiter(BackpressureSettings(enabled=False))

    assert all(limiter.try_acquire(n) for n in range(10_000))


# -- the partition ---------------------------------------------------------------------------------


def _create() -> Record[Any]:
    return RECORD_CLASS_FOR_VALUE[ProcessInstanceCreationRecordValue](
        record_type=RecordType.COMMAND,
        intent=ProcessInstanceCreationIntent.CREATE,
        value=ProcessInstanceCreationRecordValue(bpmn_process_id="unknown"),
    )


def _complete() -> Record[Any]:
    return RECORD_CLASS_FOR_VALUE[JobRecordValue](
        key=2251799813685999,
        record_type=RecordType.COMMAND,
        intent=JobIntent.COMPLETE,
        value=JobRecordValue(),
    )


def test_try_submit_applies_the_limit_and_exempts_job_completion(tmp_path: Path) -> None:
    settings = PartitionSettings(
        data_dir=tmp_path,
        group_commit=False,
        snapshot_period_s=float("inf"),
        backpressure=BackpressureSettings(algorithm="fixed", fixed=FixedSettings(limit=2)),
    )
    partition = Partition(settings).open()
    answers: list[Record[Any]] = []
    try:
        accepted = [partition.try_submit(_create(), answers.append) for _ in range(3)]
        exempt = partition.try_submit(_complete(), answers.append)
        internal = partition.submit(_create(), answers.append)  # in-process: never limited

        assert accepted[0] is not None and accepted[1] is not None and accepted[2] is None
        assert exempt is not None and internal > 0
        assert partition.limiter.inflight == 3
        partition.run_until_idle()
        assert partition.limiter.inflight == 0
        assert len(answers) == 4
        assert partition.try_submit(_create(), answers.append) is not None
    finally:
        partition.close(snapshot=False)


def test_forgetting_a_request_frees_its_slot(tmp_path: Path) -> None:
    settings = PartitionSettings(
        data_dir=tmp_path,
        group_commit=False,
        backpressure=BackpressureSettings(algorithm="fixed", fixed=FixedSettings(limit=1)),
    )
    partition = Partition(settings).open()
    try:
        request_id = partition.try_submit(_create())
        assert request_id is not None and partition.try_submit(_create()) is None

        partition.forget_request(request_id)

        assert partition.try_submit(_create()) is not None
    finally:
        partition.close(snapshot=False)
