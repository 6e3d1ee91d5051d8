"""The batch frame: what ``check`` accepts and the reasons it gives for what it refuses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from strom.log._batch import HEADER_SIZE, check, encode, frame_size


def test_a_frame_round_trips_its_position_count_and_size() -> None:
    entries = [b"", b"a", b"bc" * 100]
    frame = bytes(encode(42, entries))

    assert len(frame) == frame_size(entries)
    assert check(frame, 0, len(frame)) == (42, 3, len(frame))
    # ...and the records follow the length table unchanged.
    assert frame[HEADER_SIZE + 12 :] == b"".join(entries)


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda f: f[:10], "incomplete batch header"),
        (lambda f: f[:-1], "incomplete batch (42 of 43 bytes)"),
        (lambda f: b"\x00" + f[1:], "no batch marker"),
        (lambda f: f[:-1] + b"?", "checksum mismatch"),
        (lambda f: f[:20] + b"\x00\x00\x00\x00" + f[24:], "implausible batch header"),
    ],
)
def test_damaged_frames_are_refused_with_a_reason(damage: Callable[[bytes], bytes], reason: str) -> None:
    frame = bytes(encode(1, [b"hello", b"world!"]))
    assert len(frame) == 43
    damaged = damage(frame)

    result = check(damaged, 0, len(damaged))

    assert isinstance(result, str)
    assert result.startswith(reason)
