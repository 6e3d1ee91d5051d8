"""String builtins (DMN 1.5 10.3.4.3) and Camunda's string extras."""

from __future__ import annotations

import base64
import uuid as _uuid
from typing import Any

import regex as re  # the `re` API with a time limit per match (catastrophic backtracking)

from .._format import to_feel_string
from ._registry import Invalid, builtin, list_arg, num, text
from ._xsd_regex import compile_xpath_regex, replacement_function


def _utf16_len(s: str) -> int:
    """Length in UTF-16 code units: a character beyond the Basic Multilingual Plane counts 2.

    What the DMN TCK expects (0083-feel-unicode: ``string length("\\uD83D\\uDCA9")`` is 2) and
    what Zeebe's feel-scala (Java strings) answers; for everything else it is the character count.
    """
    if s.isascii():
        return len(s)
    return len(s.encode("utf-16-le", "surrogatepass")) // 2


@builtin("substring", "string, start position, length?")
def substring(s: Any, start: Any, length: Any = None) -> Any:
    s = text(s, "string")
    start_n = num(start, "start position")
    st = int(start_n)
    if st == 0:
        raise Invalid("start position must not be 0")
    n = len(s)
    begin = st - 1 if st > 0 else n + st
    begin = max(begin, 0)
    if length is None:
        return s[begin:]
    ln = num(length, "length")
    if ln < 0:
        raise Invalid("length must not be negative")
    return s[begin : begin + int(ln)]


@builtin("string length", "string")
def string_length(s: Any) -> Any:
    return _utf16_len(text(s, "string"))


@builtin("upper case", "string")
def upper_case(s: Any) -> Any:
    return text(s, "string").upper()


@builtin("lower case", "string")
def lower_case(s: Any) -> Any:
    return text(s, "string").lower()


@builtin("substring before", "string, match")
def substring_before(s: Any, match: Any) -> Any:
    s, m = text(s, "string"), text(match, "match")
    i = s.find(m)
    return "" if i < 0 else s[:i]


@builtin("substring after", "string, match")
def substring_after(s: Any, match: Any) -> Any:
    s, m = text(s, "string"), text(match, "match")
    i = s.find(m)
    return "" if i < 0 else s[i + len(m) :]


REGEX_TIMEOUT_S = 1.0
"""The longest one regular expression may run on one input. A pattern such as ``^(a+)+$`` takes time
doubling with every character; without a bound one expression would hold the whole partition."""


def _too_slow(pattern: Any) -> Invalid:
    return Invalid(
        f"the regular expression {pattern!r} ran longer than {REGEX_TIMEOUT_S:g} s on its input "
        "(catastrophic backtracking); simplify it"
    )


def _pattern(pattern: Any, flags: Any) -> re.Pattern[str]:
    # a null flags argument is the same as none given (DMN 1.5 10.3.4.3: flags are optional)
    return compile_xpath_regex(text(pattern, "pattern"), "" if flags is None else text(flags, "flags"))


@builtin("replace", "input, pattern, replacement, flags?", nulls=False)
def replace(s: Any, pattern: Any, replacement: Any, flags: Any = None) -> Any:
    if s is None or pattern is None or replacement is None:
        return None
    s = text(s, "input")
    rx = _pattern(pattern, flags)
    rep = text(replacement, "replacement")
    try:
        if rx.fullmatch("", timeout=REGEX_TIMEOUT_S) is not None:
            raise Invalid(f"the pattern {pattern!r} matches the empty string, so it cannot be replaced")
        substitute = replacement_function(rep, rx.groups, literal=flags is not None and "q" in flags)
        return rx.sub(substitute, s, timeout=REGEX_TIMEOUT_S)
    except TimeoutError:
        raise _too_slow(pattern) from None


@builtin("contains", "string, match")
def contains(s: Any, match: Any) -> Any:
    return text(match, "match") in text(s, "string")


@builtin("starts with", "string, match")
def starts_with(s: Any, match: Any) -> Any:
    return text(s, "string").startswith(text(match, "match"))


@builtin("ends with", "string, match")
def ends_with(s: Any, match: Any) -> Any:
    return text(s, "string").endswith(text(match, "match"))


@builtin("matches", "input, pattern, flags?", nulls=False)
def matches(s: Any, pattern: Any, flags: Any = None) -> Any:
    if s is None or pattern is None:
        return None
    try:
        return _pattern(pattern, flags).search(text(s, "input"), timeout=REGEX_TIMEOUT_S) is not None
    except TimeoutError:
        raise _too_slow(pattern) from None


@builtin("split", "string, delimiter")
def split(s: Any, delimiter: Any) -> Any:
    s = text(s, "string")
    rx = _pattern(delimiter, None)
    out: list[str] = []
    last = 0
    try:
        if rx.fullmatch("", timeout=REGEX_TIMEOUT_S) is not None:
            raise Invalid(f"the delimiter {delimiter!r} matches the empty string")
        for m in rx.finditer(s, timeout=REGEX_TIMEOUT_S):
            out.append(s[last : m.start()])
            last = m.end()
    except TimeoutError:
        raise _too_slow(delimiter) from None
    out.append(s[last:])
    return out


@builtin("extract", "string, pattern")
def extract(s: Any, pattern: Any) -> Any:
    rx = _pattern(pattern, None)
    try:
        return [m.group(0) for m in rx.finditer(text(s, "string"), timeout=REGEX_TIMEOUT_S)]
    except TimeoutError:
        raise _too_slow(pattern) from None


@builtin("string join", "list, delimiter?", nulls=False)
@builtin("string join", "list, delimiter, prefix, suffix", nulls=False)
def string_join(items: Any, delimiter: Any = None, prefix: Any = None, suffix: Any = None) -> Any:
    if items is None:
        return None
    parts = list_arg(items, "list")
    for p in parts:
        if p is not None and type(p) is not str:
            raise Invalid(f"expected a list of strings, found {to_feel_string(p, True)}")
    sep = "" if delimiter is None else text(delimiter, "delimiter")
    joined = sep.join(p for p in parts if p is not None)
    if prefix is not None or suffix is not None:
        joined = (
            (text(prefix, "prefix") if prefix is not None else "")
            + joined
            + (text(suffix, "suffix") if suffix is not None else "")
        )
    return joined


@builtin("trim", "string")
def trim(s: Any) -> Any:
    return text(s, "string").strip()


@builtin("is blank", "string")
def is_blank(s: Any) -> Any:
    return text(s, "string").strip() == ""


@builtin("uuid")
def uuid() -> Any:
    return str(_uuid.uuid4())


@builtin("to base64", "value")
def to_base64(s: Any) -> Any:
    return base64.b64encode(text(s, "value").encode("utf-8")).decode("ascii")


@builtin("from base64", "value")
def from_base64(s: Any) -> Any:
    try:
        return base64.b64decode(text(s, "value"), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as e:
        raise Invalid(f"not base64: {e}") from None
