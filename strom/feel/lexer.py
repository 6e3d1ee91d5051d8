"""Tokenizer for FEEL.

Names are lexed word by word: whether ``date and time`` is one name or a conjunction is a
grammar question, so the parser joins words into names.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import FeelSyntaxError

__all__ = ["Token", "tokenize"]

# token kinds
NUMBER = "number"
STRING = "string"
NAME = "name"  # one word (or a `backtick name`, or ?)
TEMPORAL = "temporal"  # @"..."
OP = "op"
EOF = "eof"

_TWO_CHAR = {"..", "**", "!=", "<=", ">="}
_ONE_CHAR = set("()[]{},.:+-*/=<>")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}


@dataclass(frozen=True, slots=True)
class Token:
    kind: str
    value: str
    pos: int
    end: int
    backtick: bool = False


# DMN 1.5 grammar rule 28, name start char beyond ASCII (the XML NameStartChar ranges): letters of
# every script, and every code point outside the Basic Multilingual Plane up to U+EFFFF (emoji too)
_NAME_START_RANGES = (
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
)


def _is_name_start(ch: str) -> bool:
    if ch.isalpha() or ch == "_" or ch == "?" or ch == "$":
        return True
    code = ord(ch)
    return code >= 0xC0 and any(lo <= code <= hi for lo, hi in _NAME_START_RANGES)


def _is_name_part(ch: str) -> bool:
    """Rule 29: a name start char, a digit, U+00B7, combining marks U+0300-036F, U+203F-2040."""
    if ch.isalnum() or ch == "_" or ch == "?" or ch == "$" or ch == "\u00b7":
        return True
    code = ord(ch)
    return 0x300 <= code <= 0x36F or 0x203F <= code <= 0x2040 or _is_name_start(ch)


def _read_string(src: str, i: int) -> tuple[str, int]:
    """Read a string literal starting at the opening quote; returns (value, index after)."""
    out: list[str] = []
    j = i + 1
    n = len(src)
    while j < n:
        ch = src[j]
        if ch == '"':
            return "".join(out), j + 1
        if ch == "\\":
            if j + 1 >= n:
                break
            esc = src[j + 1]
            if esc in _ESCAPES:
                out.append(_ESCAPES[esc])
                j += 2
                continue
            if esc == "u" or esc == "U":
                width = 4 if esc == "u" else 6  # DMN 1.5 rule 65: \uXXXX, \UXXXXXX
                digits = src[j + 2 : j + 2 + width]
                escape_at = j
                if len(digits) != width or any(c not in "0123456789abcdefABCDEF" for c in digits):
                    raise FeelSyntaxError.at("invalid unicode escape in string", src, j)
                code = int(digits, 16)
                j += 2 + width
                # combine UTF-16 surrogate pairs written as two \u escapes
                if 0xD800 <= code <= 0xDBFF and src[j : j + 2] == "\\u":
                    low_digits = src[j + 2 : j + 6]
                    if len(low_digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in low_digits):
                        low = int(low_digits, 16)
                        if 0xDC00 <= low <= 0xDFFF:
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            j += 6
                if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
                    raise FeelSyntaxError.at("invalid unicode escape in string", src, escape_at)
                out.append(chr(code))
                continue
            out.append("\\")
            j += 1
            continue
        out.append(ch)
        j += 1
    raise FeelSyntaxError.at("unterminated string literal", src, i)


def tokenize(src: str) -> list[Token]:
    """Split FEEL source into tokens; comments and white space are dropped."""
    tokens: list[Token] = []
    append = tokens.append
    i = 0
    n = len(src)
    while i < n:
        ch = src[i]
        if ch.isspace():
            i += 1
            continue
        if ch == "/" and i + 1 < n and src[i + 1] == "/":
            nl = src.find("\n", i)
            i = n if nl < 0 else nl + 1
            continue
        if ch == "/" and i + 1 < n and src[i + 1] == "*":
            close = src.find("*/", i + 2)
            if close < 0:
                raise FeelSyntaxError.at("unterminated comment", src, i)
            i = close + 2
            continue
        start = i
        if ch.isdigit() or (ch == "." and i + 1 < n and src[i + 1].isdigit()):
            while i < n and src[i].isdigit():
                i += 1
            if i < n and src[i] == "." and i + 1 < n and src[i + 1].isdigit():
                i += 1
                while i < n and src[i].isdigit():
                    i += 1
            if i < n and src[i] in "eE":
                k = i + 1
                if k < n and src[k] in "+-":
                    k += 1
                if k < n and src[k].isdigit():
                    while k < n and src[k].isdigit():
                        k += 1
                    i = k
            if i < n and _is_name_start(src[i]) and src[i] != "?":
                raise FeelSyntaxError.at(f"unexpected character {src[i]!r} after number", src, i)
            append(Token(NUMBER, src[start:i], start, i))
            continue
        if ch == '"':
            value, i = _read_string(src, i)
            append(Token(STRING, value, start, i))
            continue
        if ch == "@":
            if i + 1 < n and src[i + 1] == '"':
                value, i = _read_string(src, i + 1)
                append(Token(TEMPORAL, value, start, i))
                continue
            raise FeelSyntaxError.at("expected a string after '@'", src, i)
        if ch == "`":
            close = src.find("`", i + 1)
            if close < 0:
                raise FeelSyntaxError.at("unterminated `name`", src, i)
            if close == i + 1:
                raise FeelSyntaxError.at("empty `name`", src, i)
            append(Token(NAME, src[i + 1 : close], start, close + 1, backtick=True))
            i = close + 1
            continue
        if _is_name_start(ch):
            i += 1
            while i < n and _is_name_part(src[i]):
                i += 1
            # names may contain an apostrophe inside a word (Applicant's)
            while i + 1 < n and src[i] == "'" and _is_name_part(src[i + 1]):
                i += 1
                while i < n and _is_name_part(src[i]):
                    i += 1
            append(Token(NAME, src[start:i], start, i))
            continue
        two = src[i : i + 2]
        if two in _TWO_CHAR:
            append(Token(OP, two, start, i + 2))
            i += 2
            continue
        if ch in _ONE_CHAR:
            append(Token(OP, ch, start, i + 1))
            i += 1
            continue
        raise FeelSyntaxError.at(f"unexpected character {ch!r}", src, i)
    tokens.append(Token(EOF, "", n, n))
    return tokens
