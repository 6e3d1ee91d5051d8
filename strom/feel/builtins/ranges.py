"""Range builtins (DMN 1.5 10.3.4.9): before, after, meets, overlaps, includes and the rest.

Every function takes points or ranges in any combination; an unbounded endpoint (``< 10``) acts
as minus or plus infinity; a null one (``(null..10)``) never gives true.
"""

from __future__ import annotations

from typing import Any

from .._runtime import QUIET, compare
from ..values import FeelRange
from ._registry import Invalid, builtin

_NEG, _POS = object(), object()
_NULL = object()  # the null endpoint of a range written so, [1..null]


def _c(a: Any, b: Any) -> int:
    """Compare two endpoints where _NEG/_POS stand for -inf/+inf."""
    if a is _NULL or b is _NULL:
        # DMN 1.5 (issue DMN15-78): comparing with a null endpoint is null, never true
        raise _NullComparison
    if a is b and (a is _NEG or a is _POS):
        return 0
    if a is _NEG or b is _POS:
        return -1
    if a is _POS or b is _NEG:
        return 1
    c = compare(a, b, QUIET, 0)
    if c is None:
        raise Invalid("range endpoints can't be compared")
    return c


def _r(x: Any) -> tuple[Any, bool, Any, bool]:
    """(start, start included, end, end included) of a range, or of a point as [p..p]."""
    if type(x) is FeelRange:
        # a missing side of "< 10" is unbounded; a null endpoint written as such is null
        s = (_NEG if x.origin else _NULL) if x.start is None else x.start
        e = (_POS if x.origin else _NULL) if x.end is None else x.end
        return s, x.start_included, e, x.end_included
    return x, True, x, True


def _isr(x: Any) -> bool:
    return type(x) is FeelRange


def before(a: Any, b: Any) -> bool:
    _, _, ae, aei = _r(a)
    bs, bsi, _, _ = _r(b)
    c = _c(ae, bs)
    return c < 0 or (c == 0 and (not aei or not bsi))


def meets(a: Any, b: Any) -> bool:
    _, _, ae, aei = _r(a)
    bs, bsi, _, _ = _r(b)
    return aei and bsi and _c(ae, bs) == 0


def overlaps(a: Any, b: Any) -> bool:
    as_, asi, ae, aei = _r(a)
    bs, bsi, be, bei = _r(b)
    c1 = _c(ae, bs)
    c2 = _c(as_, be)
    return (c1 > 0 or (c1 == 0 and aei and bsi)) and (c2 < 0 or (c2 == 0 and asi and bei))


def overlaps_before(a: Any, b: Any) -> bool:
    as_, asi, ae, aei = _r(a)
    bs, bsi, be, bei = _r(b)
    c1 = _c(as_, bs)
    c2 = _c(ae, bs)
    c3 = _c(ae, be)
    return (
        (c1 < 0 or (c1 == 0 and asi and not bsi))
        and (c2 > 0 or (c2 == 0 and aei and bsi))
        and (c3 < 0 or (c3 == 0 and (not aei or bei)))
    )


def finishes(a: Any, b: Any) -> bool:
    if not _isr(a):
        _, _, be, bei = _r(b)
        return bei and _c(a, be) == 0
    as_, asi, ae, aei = _r(a)
    bs, bsi, be, bei = _r(b)
    c = _c(as_, bs)
    return aei == bei and _c(ae, be) == 0 and (c > 0 or (c == 0 and (not asi or bsi)))


def includes(a: Any, b: Any) -> bool:
    as_, asi, ae, aei = _r(a)
    if not _isr(b):
        c1 = _c(as_, b)
        if not (c1 < 0 or (c1 == 0 and asi)):
            return False  # decided before the end is looked at (it may be null)
        c2 = _c(b, ae)
        return c2 < 0 or (c2 == 0 and aei)
    bs, bsi, be, bei = _r(b)
    c1 = _c(as_, bs)
    c2 = _c(ae, be)
    return (c1 < 0 or (c1 == 0 and (asi or not bsi))) and (c2 > 0 or (c2 == 0 and (aei or not bei)))


def starts(a: Any, b: Any) -> bool:
    if not _isr(a):
        bs, bsi, _, _ = _r(b)
        return bsi and _c(a, bs) == 0
    as_, asi, ae, aei = _r(a)
    bs, bsi, be, bei = _r(b)
    c = _c(ae, be)
    return asi == bsi and _c(as_, bs) == 0 and (c < 0 or (c == 0 and (not aei or bei)))


def coincides(a: Any, b: Any) -> bool:
    if _isr(a) != _isr(b):
        raise Invalid("coincides needs two points or two ranges")
    as_, asi, ae, aei = _r(a)
    bs, bsi, be, bei = _r(b)
    return asi == bsi and aei == bei and _c(as_, bs) == 0 and _c(ae, be) == 0


def _need_ranges(*xs: Any) -> None:
    for x in xs:
        if not _isr(x):
            raise Invalid("expected a range")


class _NullComparison(Exception):
    """A comparison with a null endpoint: null, so the function's result is null."""


def _register(name: str, fn: Any, signatures: list[str]) -> None:
    def checked(a: Any, b: Any, _fn: Any = fn) -> Any:
        try:
            return _fn(a, b)
        except _NullComparison:
            return None

    for sig in signatures:
        builtin(name, sig)(checked)


_PAIRS = ["point1, point2", "point, range", "range, point", "range1, range2"]
_register("before", before, _PAIRS)
_register("after", lambda a, b: before(b, a), _PAIRS)


def _meets(a: Any, b: Any) -> bool:
    _need_ranges(a, b)
    return meets(a, b)


_register("meets", _meets, ["range1, range2"])
_register("met by", lambda a, b: _meets(b, a), ["range1, range2"])


def _overlaps(a: Any, b: Any) -> bool:
    _need_ranges(a, b)
    return overlaps(a, b)


def _ob(a: Any, b: Any) -> bool:
    _need_ranges(a, b)
    return overlaps_before(a, b)


_register("overlaps", _overlaps, ["range1, range2"])
_register("overlaps before", _ob, ["range1, range2"])
_register("overlaps after", lambda a, b: _ob(b, a), ["range1, range2"])


def _finishes(a: Any, b: Any) -> bool:
    _need_ranges(b)
    return finishes(a, b)


def _finished_by(a: Any, b: Any) -> bool:
    _need_ranges(a)
    return finishes(b, a)


_register("finishes", _finishes, ["point, range", "range1, range2"])
_register("finished by", _finished_by, ["range, point", "range1, range2"])


def _includes(a: Any, b: Any) -> bool:
    _need_ranges(a)
    return includes(a, b)


def _during(a: Any, b: Any) -> bool:
    _need_ranges(b)
    return includes(b, a)


_register("includes", _includes, ["range, point", "range1, range2"])
_register("during", _during, ["point, range", "range1, range2"])


def _starts(a: Any, b: Any) -> bool:
    _need_ranges(b)
    return starts(a, b)


def _started_by(a: Any, b: Any) -> bool:
    _need_ranges(a)
    return starts(b, a)


_register("starts", _starts, ["point, range", "range1, range2"])
_register("started by", _started_by, ["range, point", "range1, range2"])
_register("coincides", coincides, ["point1, point2", "range1, range2"])
