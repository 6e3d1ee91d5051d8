"""String builtins (DMN 1.5 10.3.4.3) and Camunda's string extras."""

from __future__ import annotations

import base64
import uuid as _uuid
from typing import Any

import regex as re  # the `re` API with a time limit per match (catastrophic backtracking)

from .._format import to_feel_string
from ._registry import Invalid, builtin, list_arg, num, text


def _cp_len(s: str) -> int:
    return len(s)


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
    return _cp_len(text(s, "string"))


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


def _flags(flags: Any) -> tuple[int, bool]:
    if flags is None:
        return 0, False
    f = text(flags, "flags")
    out = 0
    literal = False
    for ch in f:
        if ch == "i":
            out |= re.IGNORECASE
        elif ch == "s":
            out |= re.DOTALL
        elif ch == "m":
            out |= re.MULTILINE
        elif ch == "x":
            out |= re.VERBOSE
        elif ch == "q":
            literal = True
        else:
            raise Invalid(f"invalid regular expression flag '{ch}'")
    return out, literal


_XSD_ESCAPES = {
    "i": r"[A-Za-z_:]",
    "c": r"[-A-Za-z0-9._:]",
    "I": r"[^A-Za-z_:]",
    "C": r"[^-A-Za-z0-9._:]",
}
# the Unicode categories Python's re can express
_CATEGORIES = {"L": r"[^\W\d_]", "N": r"\d", "Nd": r"\d", "P": r"[^\w\s]"}


def _translate(p: str) -> str:
    """XML Schema regex (as fn:matches uses) to Python re, escape by escape."""
    out: list[str] = []
    i = 0
    while i < len(p):
        ch = p[i]
        if ch == "\\" and i + 1 < len(p):
            nxt = p[i + 1]
            if nxt in _XSD_ESCAPES:
                out.append(_XSD_ESCAPES[nxt])
                i += 2
                continue
            if nxt in "pP" and i + 2 < len(p) and p[i + 2] == "{":
                close = p.find("}", i + 3)
                name = p[i + 3 : close] if close > 0 else ""
                if name not in _CATEGORIES:
                    raise Invalid(f"unsupported character class \\{nxt}{{{name}}}")
                cls = _CATEGORIES[name]
                if nxt == "P":
                    cls = f"(?:(?!{cls}).)"
                out.append(cls)
                i = close + 1
                continue
            out.append(p[i : i + 2])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


REGEX_TIMEOUT_S = 1.0
"""The longest one regular expression may run on one input. A pattern such as ``^(a+)+$`` takes time
doubling with every character; without a bound one expression would hold the whole partition."""


def _too_slow(pattern: Any) -> Invalid:
    return Invalid(
        f"the regular expression {pattern!r} ran longer than {REGEX_TIMEOUT_S:g} s on its input "
        "(catastrophic backtracking); simplify it"
    )


def _pattern(pattern: Any, flags: Any) -> re.Pattern[str]:
    p = text(pattern, "pattern")
    fl, literal = _flags(flags)
    p = re.escape(p) if literal else _translate(p)
    try:
        return re.compile(p, fl)
    except re.error as e:
        raise Invalid(f"invalid regular expression {pattern!r}: {e}") from None


def _replacement(rep: str) -> str:
    out = []
    i = 0
    while i < len(rep):
        ch = rep[i]
        if ch == "\\" and i + 1 < len(rep):
            out.append(rep[i + 1].replace("\\", "\\\\"))
            i += 2
            continue
        if ch == "$" and i + 1 < len(rep) and rep[i + 1].isdigit():
            j = i + 1
            while j < len(rep) and rep[j].isdigit():
                j += 1
            out.append(f"\\g<{rep[i + 1 : j]}>")
            i = j
            continue
        if ch == "$":
            raise Invalid("invalid replacement string: '$' must be followed by a group number")
        out.append("\\\\" if ch == "\\" else ch)
        i += 1
    return "".join(out)


@builtin("replace", "input, pattern, replacement, flags?")
def replace(s: Any, pattern: Any, replacement: Any, flags: Any = None) -> Any:
    s = text(s, "input")
    rx = _pattern(pattern, flags)
    rep = text(replacement, "replacement")
    if rx.match("", timeout=REGEX_TIMEOUT_S) is not None and rx.pattern != "":
        raise Invalid("pattern matches the empty string")
    literal = flags is not None and "q" in flags
    try:
        if literal:
            return rx.sub(lambda m: rep, s, timeout=REGEX_TIMEOUT_S)
        return rx.sub(_replacement(rep), s, timeout=REGEX_TIMEOUT_S)
    except (re.error, IndexError) as e:
        raise Invalid(f"invalid replacement: {e}") from None
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


@builtin("matches", "input, pattern, flags?")
def matches(s: Any, pattern: Any, flags: Any = None) -> Any:
    try:
        return _pattern(pattern, flags).search(text(s, "input"), timeout=REGEX_TIMEOUT_S) is not None
    except TimeoutError:
        raise _too_slow(pattern) from None


@builtin("split", "string, delimiter")
def split(s: Any, delimiter: Any) -> Any:
    s = text(s, "string")
    rx = _pattern(delimiter, None)
    if rx.match("", timeout=REGEX_TIMEOUT_S) is not None:
        raise Invalid("delimiter matches the empty string")
    out: list[str] = []
    last = 0
    try:
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
