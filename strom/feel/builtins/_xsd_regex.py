"""XML Schema / XPath regular expressions translated to the ``regex`` module's syntax.

FEEL's ``matches``, ``replace`` and ``split`` take their patterns and flags from XPath's
``fn:matches``/``fn:replace``/``fn:tokenize`` (DMN 1.5 10.3.4.3), whose regular expressions are
XML Schema's with XPath's additions (F&O 3.1 5.6.1): anchors ``^ $``, reluctant quantifiers,
non-capturing groups ``(?:…)`` and back-references. Those differ from Python's where it shows:

* ``.`` matches anything but ``\\n`` and ``\\r`` (Python: anything but ``\\n``); flag ``s`` makes it
  match everything;
* ``$`` is the end of the input (Python: also before a final newline); flag ``m`` makes ``^ $``
  match at line starts and ends;
* ``\\s`` is exactly space, tab, CR, LF; ``\\w`` is every character but punctuation, separators
  and others (so ``_`` is not a word character, ``+`` is); ``\\i \\c`` are XML name characters;
* ``[a-z-[aeiou]]`` subtracts a class; ``\\p{IsBasicLatin}`` names a Unicode block;
* flag ``x`` removes whitespace (outside character classes) instead of allowing ``#`` comments;
  flag ``q`` makes the whole pattern literal;
* whatever XML Schema does not define is an error rather than Python's reading of it: escapes
  such as ``\\b``, ``\\/`` or ``\\x41``, an unescaped ``{ } ]``, ``(?i)``, a back-reference to a
  group that is not closed before it, possessive quantifiers.

The translation keeps the capturing groups where they are (it adds only non-capturing ones), so
group numbers in back-references and ``$n`` replacements stay the pattern's own.
"""

from __future__ import annotations

import functools
import re as _stdlib_re
from collections.abc import Callable

import regex

from .._runtime import Invalid

__all__ = ["compile_xpath_regex", "replacement_function"]

_FLAGS = "smixq"
_WHITESPACE = " \t\n\r"
# XML Schema's single-character escapes, plus XPath's \^ and \$
_SINGLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t"} | {c: c for c in "\\|.-^?*+{}()[]$"}
_CATEGORIES = frozenset(
    {"L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No", "P", "Pc", "Pd"}
    | {"Ps", "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp", "S", "Sm", "Sc", "Sk", "So", "C", "Cc", "Cf"}
    | {"Co", "Cn"}
)
_MAX = 0x10FFFF

# XML 1.0 (5th edition) NameStartChar and NameChar, as XPath 3.1 defines \i and \c
_NAME_START = [
    (0x3A, 0x3A),
    (0x41, 0x5A),
    (0x5F, 0x5F),
    (0x61, 0x7A),
    (0xC0, 0xD6),
    (0xD8, 0xF6),
    (0xF8, 0x2FF),
    (0x370, 0x37D),
    (0x37F, 0x1FFF),
    (0x200C, 0x200D),
    (0x2070, 0x218F),
    (0x2C00, 0x2FEF),
    (0x3001, 0xD7FF),
    (0xF900, 0xFDCF),
    (0xFDF0, 0xFFFD),
    (0x10000, 0xEFFFF),
]
_NAME = sorted([*_NAME_START, (0x2D, 0x2E), (0x30, 0x39), (0xB7, 0xB7), (0x300, 0x36F), (0x203F, 0x2040)])


def _cp(c: int) -> str:
    return f"\\U{c:08x}"


def _ranges(ranges: list[tuple[int, int]]) -> str:
    return "".join(_cp(a) if a == b else f"{_cp(a)}-{_cp(b)}" for a, b in ranges)


def _complement(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out = []
    nxt = 0
    for a, b in sorted(ranges):
        if a > nxt:
            out.append((nxt, a - 1))
        nxt = max(nxt, b + 1)
    if nxt <= _MAX:
        out.append((nxt, _MAX))
    return out


# multi-character escapes as the inside of a character class
_MULTI_ESCAPES = {
    "s": "\\x20\\t\\n\\r",
    "S": _ranges(_complement([(0x9, 0xA), (0xD, 0xD), (0x20, 0x20)])),
    "d": "\\p{Nd}",
    "D": "\\P{Nd}",
    "w": "\\p{L}\\p{M}\\p{N}\\p{S}",  # [#x0000-#x10FFFF]-[\p{P}\p{Z}\p{C}]
    "W": "\\p{P}\\p{Z}\\p{C}",
    "i": _ranges(_NAME_START),
    "I": _ranges(_complement(_NAME_START)),
    "c": _ranges(_NAME),
    "C": _ranges(_complement(_NAME)),
}
# XML Schema 1.0 block names that Unicode renamed later
_OLD_BLOCKS = {
    "greek": "GreekandCoptic",
    "combiningmarksforsymbols": "CombiningDiacriticalMarksforSymbols",
    "privateuse": "PrivateUseArea",
    "cyrillicsupplementary": "CyrillicSupplement",
}
_QUANTIFIER = _stdlib_re.compile(r"\{(\d+)(,(\d*))?\}")


class _Error(Exception):
    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


def _class_char(ch: str) -> str:
    return "\\" + ch if ch in "\\]^-[" else ch


def _block(name: str, position: int) -> str:
    block = name[2:]
    if not block or not all(c.isalnum() or c == "-" for c in block):
        raise _Error(f"invalid block name '{name}'", position)
    block = _OLD_BLOCKS.get(block.lower(), block)
    try:
        regex.compile(f"\\p{{Block={block}}}")
    except regex.error:
        raise _Error(f"unknown Unicode block '{name}'", position) from None
    return f"Block={block}"


class _Translator:
    """One pass over an XPath pattern, writing the ``regex`` equivalent."""

    def __init__(self, pattern: str, *, dotall: bool, multiline: bool) -> None:
        self.p = pattern
        self.multiline = multiline
        self.i = 0
        self.dot = "(?s:.)" if dotall else "[^\\n\\r]"
        self.opened = 0  # capturing groups opened so far
        self.closed: set[int] = set()

    def error(self, message: str) -> _Error:
        return _Error(message, self.i)

    def translate(self) -> str:
        p, out = self.p, []
        stack: list[int] = []  # open groups: their number, 0 for non-capturing
        quantifiable = False  # the last thing written was an atom
        quantified = False  # ... or a quantifier that may still take a reluctant '?'
        while self.i < len(p):
            c = p[self.i]
            start = self.i
            if c in "*+?" or c == "{":
                if c == "?" and quantified:
                    out.append("?")
                    quantified = False
                    self.i += 1
                    continue
                if c == "{":
                    m = _QUANTIFIER.match(p, self.i)
                    if m is None:
                        raise self.error("'{' must be escaped ('\\{') or start a quantifier {n}, {n,}, {n,m}")
                    if m.group(3) and int(m.group(3)) < int(m.group(1)):
                        raise self.error(f"quantifier {m.group(0)} has its maximum below its minimum")
                    text, self.i = m.group(0), m.end()
                else:
                    text, self.i = c, self.i + 1
                if not quantifiable:
                    self.i = start
                    raise self.error(f"quantifier '{text}' follows nothing it could repeat")
                out.append(text)
                quantifiable, quantified = False, True
                continue
            quantified = False
            if c == "\\":
                out.append(self.escape())
                quantifiable = True
            elif c == "[":
                out.append(self.char_class())
                quantifiable = True
            elif c == "(":
                if p.startswith("(?", self.i):
                    if not p.startswith("(?:", self.i):
                        raise self.error("only '(?:' may follow '(' with '?' (no inline flags, lookarounds)")
                    stack.append(0)
                    out.append("(?:")
                    self.i += 3
                else:
                    self.opened += 1
                    stack.append(self.opened)
                    out.append("(")
                    self.i += 1
                quantifiable = False
            elif c == ")":
                if not stack:
                    raise self.error("')' closes no group")
                group = stack.pop()
                if group:
                    self.closed.add(group)
                out.append(")")
                self.i += 1
                quantifiable = True
            elif c == "|":
                out.append("|")
                self.i += 1
                quantifiable = False
            elif c in "}]":
                raise self.error(f"'{c}' must be escaped ('\\{c}')")
            elif c == ".":
                out.append(self.dot)
                self.i += 1
                quantifiable = True
            elif c == "^":
                out.append("(?:^)")
                self.i += 1
                quantifiable = True
            elif c == "$":
                # without 'm' XPath's '$' is the very end; Python's '$' also matches before a last '\n'
                out.append("(?:$)" if self.multiline else "(?:\\Z)")
                self.i += 1
                quantifiable = True
            else:
                out.append(regex.escape(c))
                self.i += 1
                quantifiable = True
        if stack:
            raise self.error("a group is not closed (missing ')')")
        return "".join(out)

    def escape(self) -> str:
        """An escape outside a character class, at ``\\``."""
        p = self.p
        if self.i + 1 >= len(p):
            raise self.error("the pattern ends with a lone '\\'")
        c = p[self.i + 1]
        if c in _SINGLE_ESCAPES:
            self.i += 2
            return regex.escape(_SINGLE_ESCAPES[c])
        if c in _MULTI_ESCAPES:
            self.i += 2
            return f"[{_MULTI_ESCAPES[c]}]"
        if c in "pP":
            return self.property()
        if c.isdigit() and c.isascii():
            return self.back_reference()
        raise self.error(f"'\\{c}' is not an escape of XML Schema regular expressions")

    def back_reference(self) -> str:
        p, start = self.p, self.i
        if p[self.i + 1] == "0":
            raise self.error("'\\0' is not a back-reference (groups count from 1)")
        j = self.i + 2
        number = int(p[self.i + 1])
        # further digits belong to the reference only while such a group has been opened
        while j < len(p) and p[j].isascii() and p[j].isdigit() and int(p[self.i + 1 : j + 1]) <= self.opened:
            number = int(p[self.i + 1 : j + 1])
            j += 1
        if number not in self.closed:
            what = "does not exist" if number > self.opened else "is not closed"
            message = f"back-reference '\\{number}' refers to group {number}, which {what} before it"
            raise _Error(message, start)
        self.i = j
        return f"(?:\\{number})"

    def property(self) -> str:
        """``\\p{…}`` / ``\\P{…}``: a general category or an ``Is`` block."""
        p, start = self.p, self.i
        negated = p[self.i + 1] == "P"
        if not p.startswith("{", self.i + 2):
            raise self.error(f"'\\{p[self.i + 1]}' must be followed by '{{name}}'")
        close = p.find("}", self.i + 3)
        if close < 0:
            raise self.error("'\\p{' is not closed by '}'")
        name = p[self.i + 3 : close]
        if name in _CATEGORIES:
            prop = name
        elif name.startswith("Is"):
            prop = _block(name, start)
        else:
            message = f"unknown character category '{name}' (a general category such as Lu, or IsBlockName)"
            raise _Error(message, start)
        self.i = close + 1
        return f"\\{'P' if negated else 'p'}{{{prop}}}"

    def char_class(self) -> str:
        """A character class expression at ``[``, subtractions included."""
        p = self.p
        self.i += 1
        negated = p.startswith("^", self.i)
        if negated:
            self.i += 1
        parts: list[str] = []
        subtract = ""
        while True:
            if self.i >= len(p):
                raise self.error("a character class is not closed (missing ']')")
            c = p[self.i]
            if c == "]":
                if not parts:
                    raise self.error("empty character class")
                self.i += 1
                break
            if c == "-" and p.startswith("[", self.i + 1):
                if not parts:
                    raise self.error("a class subtraction needs something to subtract from")
                self.i += 1
                subtract = self.char_class()
                if not p.startswith("]", self.i):
                    raise self.error("a class subtraction must end its class ('-[…]]')")
                self.i += 1
                break
            if c == "[":
                raise self.error("'[' must be escaped inside a character class ('\\[')")
            if c == "-" and parts and not p.startswith("]", self.i + 1):
                raise self.error("'-' inside a character class must be escaped unless it comes first or last")
            single, fragment = self.class_atom()
            if single is None:  # a multi-character escape or a category: not a range endpoint
                parts.append(fragment)
            elif p.startswith("-", self.i) and p[self.i + 1 : self.i + 2] not in ("]", "["):
                self.i += 1
                end, _ = self.class_atom(endpoint=True)
                assert end is not None
                if ord(end) < ord(single):
                    raise self.error(f"range '{single}-{end}' runs backwards")
                parts.append(f"{fragment}-{_class_char(end)}")
            else:
                parts.append(fragment)
        body = f"[{'^' if negated else ''}{''.join(parts)}]"
        if subtract:
            return f"(?:(?!{subtract}){body})"
        return body

    def class_atom(self, *, endpoint: bool = False) -> tuple[str | None, str]:
        """One character of a class, or a class escape: (the character or None, its class text)."""
        p = self.p
        c = p[self.i]
        if c != "\\":
            if endpoint and c in "[]":
                raise self.error(f"'{c}' must be escaped inside a character class ('\\{c}')")
            self.i += 1
            return c, _class_char(c)
        if self.i + 1 >= len(p):
            raise self.error("the pattern ends with a lone '\\'")
        e = p[self.i + 1]
        if e in _SINGLE_ESCAPES:
            self.i += 2
            return _SINGLE_ESCAPES[e], _class_char(_SINGLE_ESCAPES[e])
        if endpoint:
            raise self.error(f"'\\{e}' cannot end a range")
        if e in _MULTI_ESCAPES:
            self.i += 2
            return None, _MULTI_ESCAPES[e]
        if e in "pP":
            return None, self.property()
        raise self.error(f"'\\{e}' is not an escape allowed in a character class")


def _strip_whitespace(pattern: str) -> str:
    """Flag ``x``: whitespace goes, except inside character classes (F&O 3.1 5.6.1.1)."""
    out = []
    depth = 0
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            # removal comes first, so "\ s" is "\s" (QT3 K2-MatchesFunc-1)
            j = i + 1
            while j < len(pattern) and depth == 0 and pattern[j] in _WHITESPACE:
                j += 1
            out.append(pattern[i : j + 1] if depth else "\\" + pattern[j : j + 1])
            i = j + 1
            continue
        if c == "[":
            depth += 1
        elif c == "]" and depth:
            depth -= 1
        elif c in _WHITESPACE and depth == 0:
            i += 1
            continue
        out.append(c)
        i += 1
    return "".join(out)


@functools.lru_cache(maxsize=512)
def _compile(pattern: str, flags: str) -> regex.Pattern[str]:
    bad = [f for f in flags if f not in _FLAGS]
    if bad:
        raise Invalid(f"invalid regular expression flag '{bad[0]}' (allowed: s, m, i, x, q)")
    options = regex.IGNORECASE if "i" in flags else 0
    if "q" in flags:
        source = regex.escape(pattern)
    else:
        text = _strip_whitespace(pattern) if "x" in flags else pattern
        translator = _Translator(text, dotall="s" in flags, multiline="m" in flags)
        if "m" in flags:
            options |= regex.MULTILINE
        try:
            source = translator.translate()
        except _Error as e:
            where = f"(at position {e.position + 1})"
            raise Invalid(f"invalid regular expression '{pattern}': {e} {where}") from None
    try:
        return regex.compile(source, options)
    except regex.error as e:
        raise Invalid(f"invalid regular expression '{pattern}': {e}") from None


def compile_xpath_regex(pattern: str, flags: str = "") -> regex.Pattern[str]:
    """The compiled ``regex`` pattern for an XPath pattern and flags; ``Invalid`` if either is wrong."""
    return _compile(pattern, flags)


def replacement_function(replacement: str, groups: int, literal: bool) -> Callable[[regex.Match[str]], str]:
    """fn:replace's replacement string: ``$n`` a group, ``\\$`` and ``\\\\`` themselves.

    Digits after the first belong to ``$n`` only while such a group exists (``$12`` with one group
    is group 1 then ``2``); a group that took no part in the match gives the empty string.
    """
    if literal:
        return lambda m: replacement
    parts: list[str | int] = []
    text: list[str] = []
    i = 0
    while i < len(replacement):
        c = replacement[i]
        if c == "\\":
            if i + 1 >= len(replacement) or replacement[i + 1] not in "\\$":
                raise Invalid("invalid replacement string: '\\' must be followed by '\\' or '$'")
            text.append(replacement[i + 1])
            i += 2
        elif c == "$":
            if replacement[i + 1 : i + 2] not in tuple("0123456789"):
                raise Invalid("invalid replacement string: '$' must be followed by a group number")
            j = i + 2
            while j < len(replacement) and replacement[j].isascii() and replacement[j].isdigit():
                if int(replacement[i + 1 : j + 1]) > groups:
                    break
                j += 1
            if text:
                parts.append("".join(text))
                text.clear()
            parts.append(int(replacement[i + 1 : j]))
            i = j
        else:
            text.append(c)
            i += 1
    if text:
        parts.append("".join(text))

    def substitute(m: regex.Match[str]) -> str:
        out = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif part <= groups:
                out.append(m.group(part) or "")
        return "".join(out)

    return substitute
