"""Keys carry their partition in the upper 13 bits, as in Zeebe."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from strom.protocol import (
    KEY_BITS,
    MAX_PARTITION_ID,
    PARTITION_BITS,
    encode_key,
    first_key,
    local_key_of,
    partition_of,
)

PARTITIONS = st.integers(min_value=0, max_value=MAX_PARTITION_ID)
LOCAL_KEYS = st.integers(min_value=0, max_value=(1 << KEY_BITS) - 1)


def test_partition_one_starts_where_zeebe_starts() -> None:
    assert first_key(1) == 2251799813685249


def test_thirteen_partition_bits_leave_fifty_one_for_the_counter() -> None:
    assert (PARTITION_BITS, KEY_BITS, MAX_PARTITION_ID) == (13, 51, 8191)


@given(partition=PARTITIONS, local=LOCAL_KEYS)
def test_a_key_tells_its_partition_and_counter(partition: int, local: int) -> None:
    key = encode_key(partition, local)

    assert partition_of(key) == partition
    assert local_key_of(key) == local
    assert 0 <= key < 1 << 64


@given(partition=st.integers(min_value=1, max_value=MAX_PARTITION_ID))
def test_partitions_own_disjoint_key_ranges(partition: int) -> None:
    assert partition_of(first_key(partition)) == partition
    assert partition_of(encode_key(partition, 0) - 1) == partition - 1


@pytest.mark.parametrize(("partition", "local"), [(-1, 1), (MAX_PARTITION_ID + 1, 1), (1, -1), (1, 1 << 51)])
def test_out_of_range_parts_are_refused(partition: int, local: int) -> None:
    with pytest.raises(ValueError):
        encode_key(partition, local)
