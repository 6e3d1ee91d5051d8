"""List builtins (DMN 1.5 10.3.4.4) and Camunda's list extras."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from .._format import to_feel_string
from .._numbers import CTX, to_decimal
from .._runtime import QUIET, Invalid, compare, eq, invoke
from ._registry import NUMT, builtin, func_arg, int_arg, list_arg, num


def _items(args: tuple[Any, ...], pname: str = "list") -> list[Any] | None:
    """min(1, 2) and min([1, 2]) mean the same; None when the single argument is null."""
    if len(args) == 1:
        if args[0] is None:
            return None
        if isinstance(args[0], (list, tuple)):
            return list(args[0])
    return list(args)


def _contains(items: list[Any], x: Any) -> bool:
    return any(eq(i, x, QUIET, 0) is True for i in items)


@builtin("list contains", "list, element", nulls=False)
def list_contains(lst: Any, element: Any) -> Any:
    if lst is None:
        return None
    items = list_arg(lst, "list")
    if element is None:
        return any(i is None for i in items)
    return _contains(items, element)


@builtin("count", "list", varargs=True, nulls=False)
def count(*args: Any) -> Any:
    items = _items(args)
    return None if items is None else len(items)


def _extreme(args: tuple[Any, ...], sign: int) -> Any:
    items = _items(args)
    if not items:
        return None
    best = items[0]
    for x in items[1:]:
        c = compare(x, best, QUIET, 0)
        if c is None:
            raise Invalid("items can't be compared")
        if c * sign > 0:
            best = x
    if best is None:
        return None
    return best


@builtin("min", "list", varargs=True, nulls=False)
def min_(*args: Any) -> Any:
    return _extreme(args, -1)


@builtin("max", "list", varargs=True, nulls=False)
def max_(*args: Any) -> Any:
    return _extreme(args, 1)


def _numbers(items: list[Any]) -> list[Any]:
    out = []
    for x in items:
        if type(x) not in NUMT:
            raise Invalid(f"expected a list of numbers, found {to_feel_string(x, True)}")
        out.append(x)
    return out


@builtin("sum", "list", varargs=True, nulls=False)
def sum_(*args: Any) -> Any:
    items = _items(args)
    if items is None:
        return None
    if not items:
        return None
    nums = _numbers(items)
    if all(type(x) is int for x in nums):
        return sum(nums)
    total = Decimal(0)
    for x in nums:
        total = CTX.add(total, to_decimal(x))
    return total


@builtin("product", "list", varargs=True, nulls=False)
def product(*args: Any) -> Any:
    items = _items(args)
    if not items:
        return None
    total = Decimal(1)
    for x in _numbers(items):
        total = CTX.multiply(total, to_decimal(x))
    return int(total) if total == total.to_integral_value() and abs(total) < Decimal(10) ** 34 else total


@builtin("mean", "list", varargs=True, nulls=False)
def mean(*args: Any) -> Any:
    items = _items(args)
    if not items:
        return None
    nums = _numbers(items)
    total = Decimal(0)
    for x in nums:
        total = CTX.add(total, to_decimal(x))
    r = CTX.divide(total, Decimal(len(nums)))
    return int(r) if r == r.to_integral_value() else r


@builtin("median", "list", varargs=True, nulls=False)
def median(*args: Any) -> Any:
    items = _items(args)
    if not items:
        return None
    nums = sorted(_numbers(items), key=to_decimal)
    n = len(nums)
    if n % 2:
        return nums[n // 2]
    r = CTX.divide(CTX.add(to_decimal(nums[n // 2 - 1]), to_decimal(nums[n // 2])), Decimal(2))
    return int(r) if r == r.to_integral_value() else r


def _dsum(nums: list[Decimal]) -> Decimal:
    total = Decimal(0)
    for x in nums:
        total = CTX.add(total, x)
    return total


@builtin("stddev", "list", varargs=True, nulls=False)
def stddev(*args: Any) -> Any:
    items = _items(args)
    if items is None or len(items) < 2:
        return None
    nums = [to_decimal(x) for x in _numbers(items)]
    m = CTX.divide(_dsum(nums), Decimal(len(nums)))
    squares = [CTX.multiply(CTX.subtract(x, m), CTX.subtract(x, m)) for x in nums]
    var = CTX.divide(_dsum(squares), Decimal(len(nums) - 1))
    return CTX.sqrt(var)


@builtin("mode", "list", varargs=True, nulls=False)
def mode(*args: Any) -> Any:
    items = _items(args)
    if items is None:
        return None
    nums = _numbers(items)
    counts: dict[Any, int] = {}
    for x in nums:
        key = to_decimal(x).normalize(CTX)
        counts[key] = counts.get(key, 0) + 1
    if not counts:
        return []
    top = max(counts.values())
    firsts: dict[Any, Any] = {}
    for x in nums:
        firsts.setdefault(to_decimal(x).normalize(CTX), x)
    return sorted((firsts[k] for k, c in counts.items() if c == top), key=to_decimal)


def _bools(args: tuple[Any, ...], pname: str) -> list[Any] | None:
    items = _items(args)
    if items is None:
        return None
    for x in items:
        if x is not None and type(x) is not bool:
            raise Invalid(f"expected a list of booleans, found {to_feel_string(x, True)}")
    return items


@builtin("all", "list", varargs=True, nulls=False)
def all_(*args: Any) -> Any:
    items = _bools(args, "list")
    if items is None:
        return None
    if any(x is False for x in items):
        return False
    return True if all(x is True for x in items) else None


@builtin("any", "list", varargs=True, nulls=False)
def any_(*args: Any) -> Any:
    items = _bools(args, "list")
    if items is None:
        return None
    if any(x is True for x in items):
        return True
    return False if all(x is False for x in items) else None


@builtin("sublist", "list, start position, length?")
def sublist(lst: Any, start: Any, length: Any = None) -> Any:
    items = list_arg(lst, "list")
    st = int_arg(start, "start position")
    n = len(items)
    if st == 0 or abs(st) > n:
        raise Invalid(f"start position {st} out of range for a list of size {n}")
    begin = st - 1 if st > 0 else n + st
    if length is None:
        return items[begin:]
    ln = int_arg(length, "length")
    if ln < 0 or begin + ln > n:
        raise Invalid(f"length {ln} out of range")
    return items[begin : begin + ln]


@builtin("append", "list, item?", varargs=True, nulls=False)
def append(lst: Any, *items: Any) -> Any:
    if lst is None:
        return None
    return [*list_arg(lst, "list"), *items]


@builtin("concatenate", "list", varargs=True, nulls=False)
def concatenate(*lists: Any) -> Any:
    out: list[Any] = []
    for x in lists:
        if x is None:
            return None
        out.extend(list_arg(x, "list"))
    return out


@builtin("insert before", "list, position, newItem", nulls=False)
def insert_before(lst: Any, position: Any, new_item: Any) -> Any:
    if lst is None or position is None:
        return None
    items = list_arg(lst, "list")
    p = int_arg(position, "position")
    n = len(items)
    if p == 0 or abs(p) > n:
        raise Invalid(f"position {p} out of range for a list of size {n}")
    i = p - 1 if p > 0 else n + p
    return [*items[:i], new_item, *items[i:]]


@builtin("remove", "list, position")
def remove(lst: Any, position: Any) -> Any:
    items = list_arg(lst, "list")
    p = int_arg(position, "position")
    n = len(items)
    if p == 0 or abs(p) > n:
        raise Invalid(f"position {p} out of range for a list of size {n}")
    i = p - 1 if p > 0 else n + p
    return items[:i] + items[i + 1 :]


@builtin("reverse", "list")
def reverse(lst: Any) -> Any:
    return list_arg(lst, "list")[::-1]


@builtin("index of", "list, match", nulls=False, any_value="match")
def index_of(lst: Any, match: Any) -> Any:
    if lst is None:
        return None
    items = list_arg(lst, "list")
    return [i + 1 for i, x in enumerate(items) if eq(x, match, QUIET, 0) is True]


def _distinct(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if not any(eq(x, y, QUIET, 0) is True for y in out):
            out.append(x)
    return out


@builtin("union", "list", varargs=True, nulls=False)
def union(*lists: Any) -> Any:
    out: list[Any] = []
    for x in lists:
        if x is None:
            return None
        out.extend(list_arg(x, "list"))
    return _distinct(out)


@builtin("distinct values", "list")
def distinct_values(lst: Any) -> Any:
    return _distinct(list_arg(lst, "list"))


@builtin("duplicate values", "list")
def duplicate_values(lst: Any) -> Any:
    items = list_arg(lst, "list")
    out: list[Any] = []
    for i, x in enumerate(items):
        if any(eq(x, y, QUIET, 0) is True for y in items[i + 1 :]) and not any(
            eq(x, y, QUIET, 0) is True for y in out
        ):
            out.append(x)
    return out


@builtin("flatten", "list")
def flatten(lst: Any) -> Any:
    out: list[Any] = []
    stack = [iter(list_arg(lst, "list"))]
    while stack:
        for x in stack[-1]:
            if isinstance(x, (list, tuple)):
                stack.append(iter(x))
                break
            out.append(x)
        else:
            stack.pop()
    return out


@builtin("sort", "list, precedes", nulls=False)
def sort(lst: Any, precedes: Any) -> Any:
    if lst is None:
        return None
    items = list_arg(lst, "list")
    fn = func_arg(precedes, "precedes")
    import functools

    def cmp(a: Any, b: Any) -> int:
        if invoke(fn, a, b) is True:
            return -1
        if invoke(fn, b, a) is True:
            return 1
        return 0

    return sorted(items, key=functools.cmp_to_key(cmp))


@builtin("sort", "list", nulls=False)
def sort_natural(lst: Any) -> Any:
    if lst is None:
        return None
    items = list_arg(lst, "list")
    import functools

    def cmp(a: Any, b: Any) -> int:
        c = compare(a, b, QUIET, 0)
        if c is None:
            raise Invalid("list items can't be compared")
        return c

    return sorted(items, key=functools.cmp_to_key(cmp))


@builtin("is empty", "list")
def is_empty(lst: Any) -> Any:
    return len(list_arg(lst, "list")) == 0


@builtin("partition", "list, size")
def partition(lst: Any, size: Any) -> Any:
    items = list_arg(lst, "list")
    n = int_arg(size, "size")
    if n <= 0:
        raise Invalid("size must be positive")
    return [items[i : i + n] for i in range(0, len(items), n)]


@builtin("list replace", "list, position, newItem", nulls=False)
def list_replace(lst: Any, position: Any, new_item: Any) -> Any:
    if lst is None or position is None:
        return None
    items = list_arg(lst, "list")
    from ..values import FeelFunction

    if isinstance(position, FeelFunction):
        out = []
        for x in items:
            r = invoke(position, x, new_item)
            if type(r) is not bool:
                raise Invalid("the match function must return a boolean")
            out.append(new_item if r else x)
        return out
    p = int(num(position, "position"))
    n = len(items)
    if p == 0 or abs(p) > n:
        raise Invalid(f"position {p} out of range for a list of size {n}")
    i = p - 1 if p > 0 else n + p
    out = list(items)
    out[i] = new_item
    return out


builtin("list replace", "list, match, newItem", nulls=False, any_value="match")(list_replace)
