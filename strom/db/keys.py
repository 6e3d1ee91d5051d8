"""Composite keys as bytes whose byte order is the natural order of the tuples they encode.

RocksDB sorts keys bytewise, and the engine relies on that order for range scans (timers by due
date, jobs of a type by key, variables of a scope by name). The encoding of each part:

* ``I64`` (signed 64-bit, what ``int`` parts default to): 8 bytes big-endian of ``value + 2**63``,
  i.e. ``>q`` with the sign bit flipped, so ``-1`` sorts just below ``0`` and every negative below
  every positive. Note this is *not* plain ``struct.pack(">q", v)``; always go through this module.
* ``U64`` (unsigned 64-bit): 8 bytes big-endian.
* ``STR`` (UTF-8) and ``BYTES``: the bytes with each ``0x00`` escaped as ``0x00 0xFF``, then the
  terminator ``0x00 0x01``. Inside a body a ``0x00`` is always followed by ``0xFF``, so ``0x00 0x01``
  only ever ends a part: no encoded part is a prefix of another, which makes
  ``prefix(a)`` select exactly the keys whose first part equals ``a`` (never ``a + "x"``), and
  ``"a" < "a\\x00" < "ab"`` holds for the bytes as it does for the strings.

Parts carry no type tag: the key format of a column family is fixed by the code that owns it, and
:func:`unpack` / :class:`KeyFormat` need the part types to decode.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable, Sequence
from operator import add, call
from typing import Any, Final

from strom.db.errors import KeyEncodingError

__all__ = [
    "BYTES",
    "I64",
    "STR",
    "U64",
    "KeyFormat",
    "KeyPart",
    "pack",
    "pack_long",
    "prefix",
    "unpack",
    "unpack_long",
]


class KeyPart(enum.Enum):
    """The type of one part of a composite key."""

    I64 = "i64"
    U64 = "u64"
    STR = "str"
    BYTES = "bytes"


I64: Final = KeyPart.I64
U64: Final = KeyPart.U64
STR: Final = KeyPart.STR
BYTES: Final = KeyPart.BYTES

KeyType = KeyPart | type
"""A part type: a :class:`KeyPart`, or ``int`` (= ``I64``), ``str`` or ``bytes``."""

_U64: Final = struct.Struct(">Q")
_U64x2: Final = struct.Struct(">QQ")
# Bound once: a call through them skips the method lookup a call of ``_U64.pack`` makes each time.
_pack_u64: Final = _U64.pack
_pack_u64x2: Final = _U64x2.pack
_BIAS: Final = 1 << 63
_TERMINATOR: Final = b"\x00\x01"
_ALIASES: Final[dict[KeyType, KeyPart]] = {int: I64, str: STR, bytes: BYTES}


def pack_long(value: int) -> bytes:
    """Encode one signed 64-bit int: the hot-path key of most column families (entity keys)."""
    try:
        return _pack_u64(value + _BIAS)
    except (struct.error, TypeError):
        raise _bad_int(value, I64) from None


def unpack_long(key: bytes) -> int:
    """Decode a key made by :func:`pack_long`."""
    if len(key) != 8:
        raise KeyEncodingError(f"expected an 8-byte I64 key, got {len(key)} bytes: {key!r}")
    return int(_U64.unpack(key)[0]) - _BIAS


def pack(*parts: int | str | bytes) -> bytes:
    """Encode a tuple of parts: ``int`` as ``I64``, ``str`` as ``STR``, ``bytes`` as ``BYTES``.

    For ``U64`` parts use a :class:`KeyFormat`.

    Raises:
        KeyEncodingError: a part has another type, an int is out of range, or a str is not
            encodable as UTF-8 (lone surrogates).
    """
    try:
        # Fast paths for the shapes on the engine's hot paths; same bytes as the general case.
        count = len(parts)
        if count == 1:
            (only,) = parts
            if type(only) is int:
                return _pack_u64(only + _BIAS)
        elif count == 2:
            first, second = parts
            if type(first) is int:
                if type(second) is int:
                    return _pack_u64x2(first + _BIAS, second + _BIAS)
                if type(second) is str:
                    return _pack_u64(first + _BIAS) + _encode_str(second)
            elif type(first) is str and type(second) is int:
                return _encode_str(first) + _pack_u64(second + _BIAS)
        elif count == 3:
            first, second, third = parts
            if type(first) is int and type(second) is str and type(third) is str:
                # (scope, target, flow): the tokens on sequence flows
                return _pack_u64(first + _BIAS) + _encode_str(second) + _encode_str(third)
        return b"".join([_BY_TYPE[type(part)](part) for part in parts])
    except (KeyError, struct.error, UnicodeEncodeError):
        pass
    for part in parts:  # find the culprit for a precise message
        encoder = _BY_TYPE.get(type(part))
        if encoder is None:
            raise KeyEncodingError(
                f"key parts must be int, str or bytes, got {type(part).__name__}: {part!r}"
            )
        _checked(encoder, part, _KIND_OF[encoder])
    raise AssertionError("unreachable: every part encoded on the second try")


def prefix(*parts: int | str | bytes) -> bytes:
    """Encode the leading parts of a key, for a prefix scan over all keys that start with them.

    Because no encoded part is a prefix of another, this is the same bytes as :func:`pack` of the
    same parts; the name says what the caller means.
    """
    return pack(*parts)


def unpack(key: bytes, types: Sequence[KeyType]) -> tuple[int | str | bytes, ...]:
    """Decode ``key`` whose parts have ``types`` (``I64`` or ``int``, ``U64``, ``STR`` or ``str``, ...).

    Raises:
        KeyEncodingError: the key is malformed for ``types`` or has bytes left over.
    """
    return _unpack(key, [_resolve(t) for t in types])


class KeyFormat:
    """The key layout of one column family, built once, with ``pack``/``prefix``/``unpack``.

    ``KeyFormat(STR, I64)`` is the format of, e.g., activatable jobs by (type, key). Formats of
    fixed-width ints only pack with one prebuilt ``struct.Struct``.
    """

    __slots__ = ("_pack", "_types")

    def __init__(self, *types: KeyType) -> None:
        if not types:
            raise KeyEncodingError("a key format needs at least one part type")
        self._types: tuple[KeyPart, ...] = tuple(_resolve(t) for t in types)
        self._pack = _compile(self._types)

    @property
    def types(self) -> tuple[KeyPart, ...]:
        """The part types, in order."""
        return self._types

    def pack(self, *values: int | str | bytes) -> bytes:
        """Encode a full key; the number and types of ``values`` must match the format."""
        if len(values) != len(self._types):
            raise KeyEncodingError(
                f"key format {self!r} has {len(self._types)} parts, got {len(values)}: {values!r}"
            )
        try:
            return self._pack(values)
        except (struct.error, TypeError, AttributeError, UnicodeEncodeError):
            return self._pack_checked(values)

    def prefix(self, *values: int | str | bytes) -> bytes:
        """Encode the first ``len(values)`` parts, to scan every key that starts with them."""
        if len(values) > len(self._types):
            raise KeyEncodingError(
                f"key format {self!r} has {len(self._types)} parts, got {len(values)}: {values!r}"
            )
        return self._pack_checked(values)

    def unpack(self, key: bytes) -> tuple[int | str | bytes, ...]:
        """Decode a full key of this format."""
        return _unpack(key, self._types)

    def _pack_checked(self, values: Sequence[int | str | bytes]) -> bytes:
        return b"".join(
            [_checked(_ENCODERS[kind], value, kind) for kind, value in zip(self._types, values, strict=False)]
        )

    def __repr__(self) -> str:
        return f"KeyFormat({', '.join(t.name for t in self._types)})"


def _resolve(kind: KeyType) -> KeyPart:
    if isinstance(kind, KeyPart):
        return kind
    resolved = _ALIASES.get(kind)
    if resolved is None:
        raise KeyEncodingError(f"unknown key part type {kind!r}; use I64, U64, STR, BYTES, int, str or bytes")
    return resolved


def _encode_i64(value: int) -> bytes:
    return _pack_u64(value + _BIAS)


def _encode_u64(value: int) -> bytes:
    return _pack_u64(value)


def _encode_bytes(value: bytes) -> bytes:
    if b"\x00" in value:
        value = value.replace(b"\x00", b"\x00\xff")
    return value + _TERMINATOR


def _encode_str(value: str) -> bytes:
    data = value.encode()
    if b"\x00" in data:
        data = data.replace(b"\x00", b"\x00\xff")
    return data + _TERMINATOR


_Encoder = Callable[[Any], bytes]
_ENCODERS: Final[dict[KeyPart, _Encoder]] = {
    I64: _encode_i64,
    U64: _encode_u64,
    STR: _encode_str,
    BYTES: _encode_bytes,
}
_KIND_OF: Final[dict[_Encoder, KeyPart]] = {encoder: kind for kind, encoder in _ENCODERS.items()}
_BY_TYPE: Final[dict[type, _Encoder]] = {int: _encode_i64, str: _encode_str, bytes: _encode_bytes}
_PYTHON_TYPE: Final[dict[KeyPart, type]] = {I64: int, U64: int, STR: str, BYTES: bytes}


def _compile(types: tuple[KeyPart, ...]) -> Callable[[tuple[Any, ...]], bytes]:
    """A packer for one format; unrolled for up to three parts (a call per part costs ~50 ns)."""
    if all(t is I64 or t is U64 for t in types):
        fixed = struct.Struct(">" + "Q" * len(types)).pack
        biases = tuple(_BIAS if t is I64 else 0 for t in types)
        if len(types) == 1:
            (b0,) = biases
            return lambda v: fixed(v[0] + b0)
        if len(types) == 2:
            b0, b1 = biases
            return lambda v: fixed(v[0] + b0, v[1] + b1)
        return lambda v: fixed(*map(add, v, biases))
    encoders = tuple(_ENCODERS[t] for t in types)
    if len(encoders) == 1:
        (e0,) = encoders
        return lambda v: e0(v[0])
    if len(encoders) == 2:
        e0, e1 = encoders
        return lambda v: e0(v[0]) + e1(v[1])
    if len(encoders) == 3:
        e0, e1, e2 = encoders
        return lambda v: e0(v[0]) + e1(v[1]) + e2(v[2])
    return lambda v: b"".join(map(call, encoders, v))


def _checked(encoder: _Encoder, value: object, kind: KeyPart) -> bytes:
    """Encode with exact type checks and messages (the slow path, after the fast one failed)."""
    if type(value) is not _PYTHON_TYPE[kind]:
        raise _wrong_type(value, kind)
    try:
        return encoder(value)
    except struct.error:
        raise _bad_int(value, kind) from None
    except UnicodeEncodeError as exc:
        raise KeyEncodingError(f"string key part is not encodable as UTF-8: {value!r}") from exc


def _unpack(key: bytes, types: Sequence[KeyPart]) -> tuple[int | str | bytes, ...]:
    parts: list[int | str | bytes] = []
    offset = 0
    size = len(key)
    for kind in types:
        if kind is I64 or kind is U64:
            if offset + 8 > size:
                raise KeyEncodingError(f"key {key!r} ends inside a {kind.name} part at byte {offset}")
            number = int(_U64.unpack_from(key, offset)[0])
            parts.append(number - _BIAS if kind is I64 else number)
            offset += 8
        else:
            end = key.find(_TERMINATOR, offset)
            if end < 0:
                raise KeyEncodingError(
                    f"key {key!r} has no terminator for the {kind.name} part at byte {offset}"
                )
            body = key[offset:end]
            if b"\x00" in body:
                body = body.replace(b"\x00\xff", b"\x00")
            if kind is STR:
                try:
                    parts.append(body.decode())
                except UnicodeDecodeError as exc:
                    raise KeyEncodingError(f"key {key!r}: STR part at byte {offset} is not UTF-8") from exc
            else:
                parts.append(body)
            offset = end + 2
    if offset != size:
        raise KeyEncodingError(
            f"key {key!r} has {size - offset} bytes left after decoding {[t.name for t in types]}"
        )
    return tuple(parts)


def _bad_int(value: object, kind: KeyPart) -> KeyEncodingError:
    if type(value) is not int:
        return _wrong_type(value, kind)
    bounds = "-2**63 <= v < 2**63" if kind is I64 else "0 <= v < 2**64"
    return KeyEncodingError(f"{kind.name} key part must satisfy {bounds}, got {value}")


def _wrong_type(value: object, kind: KeyPart) -> KeyEncodingError:
    expected = {I64: "int", U64: "int", STR: "str", BYTES: "bytes"}[kind]
    return KeyEncodingError(f"{kind.name} key part must be {expected}, got {type(value).__name__}: {value!r}")
