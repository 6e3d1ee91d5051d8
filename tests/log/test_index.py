from __future__ import annotations

import pytest

from strom.log._index import SparseIndex


def test_only_one_batch_per_interval_is_recorded_and_the_first_always() -> None:
    index = SparseIndex(interval=100)
    for position, offset in [(1, 32), (4, 90), (5, 132), (9, 140), (12, 300)]:
        index.add(position, offset)

    assert list(index.positions) == [1, 5, 12]
    assert list(index.offsets) == [32, 132, 300]


@pytest.mark.parametrize(
    ("position", "found"),
    [(1, (1, 32)), (4, (1, 32)), (5, (5, 132)), (11, (5, 132)), (12, (12, 300)), (10**9, (12, 300))],
)
def test_floor_finds_the_last_indexed_batch_at_or_before_a_position(
    position: int, found: tuple[int, int]
) -> None:
    index = SparseIndex(interval=100)
    for p, offset in [(1, 32), (5, 132), (12, 300)]:
        index.add(p, offset)

    assert index.floor(position) == found


def test_floor_before_the_first_entry_is_a_lookup_error() -> None:
    index = SparseIndex(interval=100)
    with pytest.raises(LookupError):
        index.floor(1)
    index.add(7, 32)
    with pytest.raises(LookupError):
        index.floor(6)
