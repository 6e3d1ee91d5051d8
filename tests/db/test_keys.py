"""Key encoding: byte order equals tuple order, prefixes select exactly, round trips are exact."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from strom.db.keys import (
    BYTES,
    I64,
    STR,
    U64,
    KeyEncodingError,
    KeyFormat,
    KeyPart,
    pack,
    pack_long,
    prefix,
    unpack,
    unpack_long,
)

_I64 = st.integers(-(2**63), 2**63 - 1)
_SMALL_I64 = st.integers(-3, 3) | st.sampled_from([-(2**63), 2**63 - 1, -1, 0, 1, 256])
_U64 = st.integers(0, 2**64 - 1)
# Strings and bytes rich in the bytes the escaping is about (00, 01, FF) and in shared prefixes.
_CHARS = ["a", "b", "\x00", "\x01", "\xff", "\u0100", "é", "😀"]
_STR = st.text() | st.text(alphabet=st.sampled_from(_CHARS), max_size=4)
_BYTES = st.binary(max_size=4) | st.lists(st.sampled_from([b"\x00", b"\x01", b"\xff", b"a"])).map(b"".join)

_VALUES: dict[KeyPart, st.SearchStrategy[Any]] = {
    I64: _I64 | _SMALL_I64,
    U64: _U64,
    STR: _STR,
    BYTES: _BYTES,
}
_FORMATS = st.lists(st.sampled_from(list(KeyPart)), min_size=1, max_size=4).map(tuple)


@st.composite
def _keys_of_one_format(draw: st.DrawFn) -> tuple[tuple[KeyPart, ...], list[tuple[Any, ...]]]:
    types = draw(_FORMATS)
    row = st.tuples(*(_VALUES[t] for t in types))
    # Share leading parts often, so that ties in early parts are common.
    firsts = draw(st.lists(row, min_size=1, max_size=4))
    rows = draw(st.lists(row, max_size=25))
    mixed = [first[:cut] + other[cut:] for first in firsts for other in rows for cut in range(len(types))]
    return types, firsts + rows + mixed


@settings(max_examples=300, deadline=None)
@given(_keys_of_one_format())
def test_encoded_order_is_tuple_order(case: tuple[tuple[KeyPart, ...], list[tuple[Any, ...]]]) -> None:
    types, rows = case
    key_format = KeyFormat(*types)

    by_bytes = sorted(rows, key=lambda row: key_format.pack(*row))

    assert by_bytes == sorted(rows)


@settings(max_examples=300, deadline=None)
@given(_keys_of_one_format())
def test_packing_round_trips(case: tuple[tuple[KeyPart, ...], list[tuple[Any, ...]]]) -> None:
    types, rows = case
    key_format = KeyFormat(*types)

    for row in rows:
        key = key_format.pack(*row)
        assert key_format.unpack(key) == row
        assert unpack(key, types) == row


@settings(max_examples=300, deadline=None)
@given(_keys_of_one_format(), st.data())
def test_a_prefix_selects_exactly_the_keys_that_start_with_its_parts(
    case: tuple[tuple[KeyPart, ...], list[tuple[Any, ...]]], data: st.DataObject
) -> None:
    types, rows = case
    key_format = KeyFormat(*types)
    chosen = data.draw(st.sampled_from(rows))
    length = data.draw(st.integers(0, len(types)))
    scan = key_format.prefix(*chosen[:length])

    selected = {row for row in rows if key_format.pack(*row).startswith(scan)}

    assert selected == {row for row in rows if row[:length] == chosen[:length]}


@given(st.lists(_I64 | _SMALL_I64, min_size=2))
def test_signed_longs_sort_numerically_including_negatives(numbers: list[int]) -> None:
    assert sorted(numbers, key=pack_long) == sorted(numbers)
    assert all(unpack_long(pack_long(n)) == n for n in numbers)


@given(st.lists(st.tuples(_I64, _STR, st.binary(max_size=3)), max_size=30))
def test_pack_infers_int_str_and_bytes(rows: list[tuple[int, str, bytes]]) -> None:
    assert sorted(rows, key=lambda row: pack(*row)) == sorted(rows)
    assert all(unpack(pack(*row), (int, str, bytes)) == row for row in rows)
    assert all(pack(*row) == KeyFormat(I64, STR, BYTES).pack(*row) for row in rows)


@given(st.lists(st.tuples(_I64, _STR, _STR), max_size=30))
def test_pack_of_an_int_and_two_strings_is_the_general_encoding(rows: list[tuple[int, str, str]]) -> None:
    # the shape of the sequence flow tokens, packed by a fast path of its own
    assert sorted(rows, key=lambda row: pack(*row)) == sorted(rows)
    assert all(pack(*row) == KeyFormat(I64, STR, STR).pack(*row) for row in rows)
    assert all(unpack(pack(*row), (int, str, str)) == row for row in rows)


def test_minus_one_sorts_just_below_zero() -> None:
    assert pack_long(-(2**63)) < pack_long(-2) < pack_long(-1) < pack_long(0) < pack_long(1)
    assert pack_long(0) == b"\x80" + bytes(7)
    assert pack(-1) == pack_long(-1)


def test_a_string_prefix_does_not_select_longer_strings() -> None:
    jobs_by_type = KeyFormat(STR, I64)
    keys = [jobs_by_type.pack(t, k) for t in ("pay", "pay\x00", "pay-later", "pa") for k in (1, 2)]

    selected = [k for k in keys if k.startswith(jobs_by_type.prefix("pay"))]

    assert [jobs_by_type.unpack(k) for k in selected] == [("pay", 1), ("pay", 2)]
    assert prefix("pay") == jobs_by_type.prefix("pay")


def test_unsigned_parts_use_the_full_64_bits() -> None:
    u64 = KeyFormat(U64)

    assert u64.pack(2**64 - 1) == b"\xff" * 8
    assert u64.unpack(u64.pack(2**63)) == (2**63,)


@pytest.mark.parametrize(
    ("parts", "message"),
    [
        ((True,), "got bool"),
        ((1.5,), "got float"),
        ((2**63,), r"I64 key part must satisfy"),
        ((-(2**63) - 1,), r"I64 key part must satisfy"),
        (("\ud800",), "not encodable as UTF-8"),
    ],
)
def test_pack_rejects_what_it_cannot_encode(parts: tuple[Any, ...], message: str) -> None:
    # Compiled with mypyc, a part of a type outside the signature is refused at the call itself, as
    # a TypeError naming the type ("... expected; got float").
    with pytest.raises((KeyEncodingError, TypeError), match=message):
        pack(*parts)


def test_a_key_format_checks_count_types_and_ranges() -> None:
    key_format = KeyFormat(STR, U64)

    with pytest.raises(KeyEncodingError, match="has 2 parts, got 1"):
        key_format.pack("a")
    with pytest.raises(KeyEncodingError, match="STR key part must be str, got int"):
        key_format.pack(1, 1)
    with pytest.raises(KeyEncodingError, match="U64 key part must satisfy 0 <= v"):
        key_format.pack("a", -1)
    with pytest.raises(KeyEncodingError, match="has 2 parts, got 3"):
        key_format.prefix("a", 1, 2)
    with pytest.raises(KeyEncodingError, match="unknown key part type"):
        KeyFormat(float)
    assert isinstance(KeyEncodingError("x"), ValueError)


def test_unpack_rejects_malformed_keys() -> None:
    with pytest.raises(KeyEncodingError, match="ends inside a I64 part"):
        unpack(b"\x80\x00", (I64,))
    with pytest.raises(KeyEncodingError, match="no terminator"):
        unpack(b"abc", (STR,))
    with pytest.raises(KeyEncodingError, match="1 bytes left"):
        unpack(pack("a") + b"x", (STR,))
    with pytest.raises(KeyEncodingError, match="8-byte"):
        unpack_long(b"\x00")
