"""Recursive-descent FEEL parser (DMN 1.5 grammar plus Camunda's additions).

Names may contain spaces and, for a few builtins, keywords (``date and time``); the parser joins
adjacent words into one name and stops at keywords. Callers that know names with operator
characters (``Pre-bureau risk``) pass them as ``names`` so the parser can match them verbatim.
"""

from __future__ import annotations

from collections.abc import Iterable

from . import ast
from ._numbers import parse_number
from .errors import FeelSyntaxError
from .lexer import EOF, NAME, NUMBER, OP, STRING, TEMPORAL, Token, tokenize

__all__ = ["MAX_DEPTH", "MAX_LENGTH", "parse_expression", "parse_unary_tests"]

#: deepest nesting accepted; deeper input is a syntax error, not a RecursionError
MAX_DEPTH = 48

#: longest text accepted (characters); longer is a syntax error. Compiling is linear but not cheap
#: (Python's compile of the generated code, ~30 µs per character of dense arithmetic), so a 2 MB
#: expression in a deployed model stalled its partition for two minutes (found by tests/fuzz)
MAX_LENGTH = 100_000

KEYWORDS = frozenset(
    {
        "and",
        "or",
        "in",
        "between",
        "instance",
        "then",
        "else",
        "return",
        "satisfies",
        "if",
        "for",
        "some",
        "every",
        "function",
        "true",
        "false",
        "null",
        "external",
    }
)
# builtin and type names that contain keywords
_PHRASES: tuple[tuple[str, ...], ...] = (
    ("years", "and", "months", "duration"),
    ("days", "and", "time", "duration"),
    ("date", "and", "time"),
    ("get", "or", "else"),
)
_CMP = frozenset({"=", "!=", "<", "<=", ">", ">="})
_NAME_SYMBOLS = frozenset({".", "/", "-", "+", "*"})  # DMN 1.5 rule 30, additional name symbols (and ')


class _Parser:
    def __init__(self, source: str, names: Iterable[str] | None) -> None:
        self.src = source
        if len(source) > MAX_LENGTH:
            message = f"expression too long ({len(source)} characters, at most {MAX_LENGTH})"
            raise FeelSyntaxError.at(message, source, MAX_LENGTH)
        self.toks: list[Token] = tokenize(source)
        self.i = 0
        self.depth = 0
        self.no_filter = False  # set while parsing a range's upper endpoint
        # only names that the word-joining rule would not find need verbatim matching
        self.known = sorted((n for n in (names or ()) if n and not _plain_name(n)), key=len, reverse=True)

    # -- helpers -------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.toks[self.i]

    def peek(self, k: int = 1) -> Token:
        j = min(self.i + k, len(self.toks) - 1)
        return self.toks[j]

    def error(self, message: str, tok: Token | None = None) -> FeelSyntaxError:
        t = tok or self.tok
        return FeelSyntaxError.at(message, self.src, t.pos)

    def describe(self, t: Token) -> str:
        if t.kind == EOF:
            return "end of input"
        if t.kind == STRING:
            return "a string"
        return repr(self.src[t.pos : t.end])

    def is_op(self, value: str) -> bool:
        t = self.toks[self.i]
        return t.kind == OP and t.value == value

    def is_kw(self, word: str, t: Token | None = None) -> bool:
        t = t or self.toks[self.i]
        return t.kind == NAME and not t.backtick and t.value == word

    def expect_op(self, value: str, what: str = "") -> Token:
        t = self.tok
        if t.kind == OP and t.value == value:
            self.i += 1
            return t
        ctx = f" {what}" if what else ""
        raise self.error(f"expected '{value}'{ctx} but found {self.describe(t)}")

    def expect_kw(self, word: str) -> Token:
        t = self.tok
        if self.is_kw(word):
            self.i += 1
            return t
        raise self.error(f"expected '{word}' but found {self.describe(t)}")

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"expression nested too deeply (more than {MAX_DEPTH} levels)")

    def leave(self) -> None:
        self.depth -= 1

    def finish(self) -> None:
        if self.tok.kind != EOF:
            raise self.error(f"unexpected {self.describe(self.tok)}")

    # -- names ---------------------------------------------------------------------------
    def match_known(self) -> tuple[str, int] | None:
        t = self.tok
        for name in self.known:
            if self.src.startswith(name, t.pos):
                end = t.pos + len(name)
                if end < len(self.src) and (self.src[end].isalnum() or self.src[end] == "_"):
                    continue
                j = self.i
                while self.toks[j].kind != EOF and self.toks[j].pos < end:
                    j += 1
                if self.toks[j].pos < end or self.toks[j - 1].end != end:
                    continue
                return name, j
        return None

    def phrase_at(self, j: int) -> tuple[str, int] | None:
        for phrase in _PHRASES:
            ok = True
            for k, word in enumerate(phrase):
                t = self.toks[min(j + k, len(self.toks) - 1)]
                if t.kind != NAME or t.backtick or t.value != word:
                    ok = False
                    break
            if ok:
                return " ".join(phrase), j + len(phrase)
        return None

    def read_name(self, allow_keywords: bool = False) -> tuple[str, int, int]:
        """Join adjacent words into one name; returns (name, start, end)."""
        t = self.tok
        if t.kind != NAME:
            raise self.error(f"expected a name but found {self.describe(t)}")
        if self.known:
            hit = self.match_known()
            if hit is not None:
                name, j = hit
                self.i = j
                return name, t.pos, self.toks[j - 1].end
        if t.backtick:
            self.i += 1
            return t.value, t.pos, t.end
        phrase = self.phrase_at(self.i)
        if phrase is not None:
            name, j = phrase
            self.i = j
            return name, t.pos, self.toks[j - 1].end
        if not allow_keywords and t.value in KEYWORDS:
            raise self.error(f"expected a name but found keyword '{t.value}'")
        words = [t.value]
        end = t.end
        self.i += 1
        while True:
            n = self.tok
            if n.kind != NAME or n.backtick or n.value == "?":
                break
            if n.value in KEYWORDS and not allow_keywords:
                break
            words.append(n.value)
            end = n.end
            self.i += 1
        return " ".join(words), t.pos, end

    # -- expressions ---------------------------------------------------------------------
    def expression(self) -> ast.Node:
        self.enter()
        saved, self.no_filter = self.no_filter, False
        try:
            return self.disjunction()
        finally:
            self.no_filter = saved
            self.leave()

    def range_end(self) -> ast.Node:
        """Upper endpoint of a range: a '[' after it closes the range, it is no filter."""
        self.enter()
        saved, self.no_filter = self.no_filter, True
        try:
            return self.disjunction()
        finally:
            self.no_filter = saved
            self.leave()

    def disjunction(self) -> ast.Node:
        left = self.conjunction()
        while self.is_kw("or"):
            self.i += 1
            right = self.conjunction()
            left = ast.Binary(left.start, right.end, "or", left, right)
        return left

    def conjunction(self) -> ast.Node:
        left = self.comparison()
        while self.is_kw("and"):
            self.i += 1
            right = self.comparison()
            left = ast.Binary(left.start, right.end, "and", left, right)
        return left

    def comparison(self) -> ast.Node:
        left = self.additive()
        while True:
            t = self.tok
            if t.kind == OP and t.value in _CMP:
                self.i += 1
                right = self.additive()
                left = ast.Binary(left.start, right.end, t.value, left, right)
            elif self.is_kw("between"):
                self.i += 1
                low = self.additive()
                self.expect_kw("and")
                high = self.additive()
                left = ast.Between(left.start, high.end, left, low, high)
            elif self.is_kw("in"):
                self.i += 1
                tests = self.in_tests()
                left = ast.In(left.start, self.toks[self.i - 1].end, left, tests)
            elif self.is_kw("instance") and self.is_kw("of", self.peek()):
                self.i += 2
                typ = self.type_ref()
                left = ast.InstanceOf(left.start, typ.end, left, typ)
            else:
                return left

    def in_tests(self) -> list[ast.Node]:
        if self.is_op("("):
            open_tok = self.tok
            self.i += 1
            first = self.positive_test()
            if self.is_op(".."):
                self.i += 1
                high = self.range_end()
                return [self.close_range(open_tok, False, first, high)]
            tests = [first]
            while self.is_op(","):
                self.i += 1
                tests.append(self.positive_test())
            self.expect_op(")", "to close the list of tests")
            return tests
        return [self.positive_test()]

    def positive_test(self) -> ast.Node:
        self.enter()
        try:
            return self.additive()
        finally:
            self.leave()

    def additive(self) -> ast.Node:
        left = self.multiplicative()
        while True:
            t = self.tok
            if t.kind == OP and t.value in ("+", "-"):
                self.i += 1
                right = self.multiplicative()
                left = ast.Binary(left.start, right.end, t.value, left, right)
            else:
                return left

    def multiplicative(self) -> ast.Node:
        left = self.power()
        while True:
            t = self.tok
            if t.kind == OP and t.value in ("*", "/"):
                self.i += 1
                right = self.power()
                left = ast.Binary(left.start, right.end, t.value, left, right)
            else:
                return left

    def power(self) -> ast.Node:
        left = self.unary()
        while self.is_op("**"):
            self.i += 1
            right = self.unary()
            left = ast.Binary(left.start, right.end, "**", left, right)
        return left

    def unary(self) -> ast.Node:
        t = self.tok
        if t.kind == OP and t.value == "-":
            self.i += 1
            self.enter()
            try:
                operand = self.unary()
            finally:
                self.leave()
            if isinstance(operand, ast.Literal) and operand.kind == "number":
                return ast.Literal(t.pos, operand.end, -operand.value, "number")
            return ast.Negation(t.pos, operand.end, operand)
        return self.postfix()

    def postfix(self) -> ast.Node:
        node = self.primary()
        levels = 0
        while True:
            t = self.tok
            if t.kind != OP:
                break
            if t.value == ".":
                self.i += 1
                if self.tok.kind != NAME:
                    raise self.error(f"expected a name after '.' but found {self.describe(self.tok)}")
                nt = self.tok
                if not nt.backtick and nt.value in KEYWORDS:
                    self.i += 1
                    name, end = nt.value, nt.end
                else:
                    name, _, end = self.read_name()
                node = ast.Path(node.start, end, node, name)
            elif t.value == "[" and not self.no_filter:
                self.i += 1
                saved, self.no_filter = self.no_filter, False
                cond = self.expression()
                self.no_filter = saved
                close = self.expect_op("]", "to close the filter")
                node = ast.Filter(node.start, close.end, node, cond)
            elif t.value == "(":
                node = self.call(node)
            else:
                break
            levels += 1
            self.enter()
        for _ in range(levels):
            self.leave()
        return node

    def call(self, callee: ast.Node) -> ast.Node:
        self.expect_op("(")
        args: list[ast.Node] = []
        named: list[tuple[str, ast.Node]] = []
        if not self.is_op(")"):
            while True:
                if self.tok.kind == NAME and self.named_arg_ahead():
                    if args:
                        raise self.error("positional and named arguments cannot be mixed")
                    name, _, _ = self.read_name(allow_keywords=True)
                    self.expect_op(":")
                    named.append((name, self.expression()))
                else:
                    if named:
                        raise self.error("positional and named arguments cannot be mixed")
                    args.append(self.expression())
                if self.is_op(","):
                    self.i += 1
                    continue
                break
        close = self.expect_op(")", "to close the argument list")
        return ast.Call(callee.start, close.end, callee, args, named if named else None)

    def named_arg_ahead(self) -> bool:
        j = self.i
        while self.toks[j].kind == NAME:
            j += 1
        return j > self.i and self.toks[j].kind == OP and self.toks[j].value == ":"

    # -- primaries -----------------------------------------------------------------------
    def primary(self) -> ast.Node:
        t = self.tok
        kind = t.kind
        if kind == NUMBER:
            self.i += 1
            try:
                value: object = parse_number(t.value)
            except (ValueError, ArithmeticError):
                raise self.error(f"invalid number {t.value!r}") from None
            return ast.Literal(t.pos, t.end, value, "number")
        if kind == STRING:
            self.i += 1
            return ast.Literal(t.pos, t.end, t.value, "string")
        if kind == TEMPORAL:
            self.i += 1
            return ast.Literal(t.pos, t.end, t.value, "temporal")
        if kind == NAME:
            if not t.backtick:
                word = t.value
                if word == "true" or word == "false":
                    self.i += 1
                    return ast.Literal(t.pos, t.end, word == "true", "boolean")
                if word == "null":
                    self.i += 1
                    return ast.Literal(t.pos, t.end, None, "null")
                if word == "if":
                    return self.if_expr()
                if word == "for":
                    return self.for_expr()
                if word in ("some", "every") and self.peek().kind == NAME:
                    return self.quantified()
                if word == "function" and self.peek().kind == OP and self.peek().value == "(":
                    return self.function_def()
                if word == "?":
                    self.i += 1
                    return ast.Name(t.pos, t.end, "?")
            name, start, end = self.read_name()
            return ast.Name(start, end, name)
        if kind == OP:
            v = t.value
            if v == "(":
                self.i += 1
                inner = self.expression()
                if self.is_op(".."):
                    self.i += 1
                    high = self.range_end()
                    return self.close_range(t, False, inner, high)
                self.expect_op(")", "to close the parenthesis")
                return inner
            if v == "[":
                return self.list_or_range()
            if v == "]":
                self.i += 1
                low = self.expression()
                self.expect_op("..", "in range")
                high = self.range_end()
                return self.close_range(t, False, low, high)
            if v == "{":
                return self.context()
            if v in _CMP:
                self.i += 1
                operand = self.additive()
                return ast.UnaryCmp(t.pos, operand.end, v, operand)
        raise self.error(f"unexpected {self.describe(t)}")

    def close_range(self, open_tok: Token, start_incl: bool, low: ast.Node, high: ast.Node) -> ast.Node:
        t = self.tok
        if t.kind == OP and t.value in ("]", ")", "["):
            self.i += 1
            return ast.RangeLit(open_tok.pos, t.end, start_incl, low, high, t.value == "]")
        raise self.error(f"expected ']', ')' or '[' to close the range but found {self.describe(t)}")

    def list_or_range(self) -> ast.Node:
        open_tok = self.expect_op("[")
        if self.is_op("]"):
            close = self.tok
            self.i += 1
            return ast.ListLit(open_tok.pos, close.end, [])
        first = self.expression()
        if self.is_op(".."):
            self.i += 1
            high = self.range_end()
            return self.close_range(open_tok, True, first, high)
        items = [first]
        while self.is_op(","):
            self.i += 1
            items.append(self.expression())
        close = self.expect_op("]", "to close the list")
        return ast.ListLit(open_tok.pos, close.end, items)

    def context(self) -> ast.Node:
        open_tok = self.expect_op("{")
        entries: list[tuple[str, ast.Node]] = []
        seen: set[str] = set()
        added: list[str] = []
        known = self.known
        try:
            self.context_entries(entries, seen, added)
        finally:
            self.known = known
        close = self.expect_op("}", "to close the context")
        return ast.ContextLit(open_tok.pos, close.end, entries)

    def key_with_symbols(self, key: str, first: Token) -> str:
        """A context key that goes on with DMN's additional name symbols (``. / - + *``) up to ':'.

        In key position nothing else can follow a name, so ``{a-b: 1}`` and ``{x.y: 2}`` are keys
        "a-b" and "x.y" (DMN 1.5 rules 27 and 30), not a subtraction or a path.
        """
        j = self.i
        end = self.toks[j - 1].end
        while self.toks[j].kind == OP and self.toks[j].value in _NAME_SYMBOLS:
            k = j + 1
            while self.toks[k].kind == OP and self.toks[k].value in _NAME_SYMBOLS:
                k += 1
            if self.toks[k].kind not in (NAME, NUMBER) or self.toks[k].backtick:
                return key
            k += 1
            while self.toks[k].kind in (NAME, NUMBER) and not self.toks[k].backtick:
                k += 1
            j, end = k, self.toks[k - 1].end
        if j == self.i:
            return key
        self.i = j
        return " ".join(self.src[first.pos : end].split())

    def context_entries(self, entries: list[tuple[str, ast.Node]], seen: set[str], added: list[str]) -> None:
        if not self.is_op("}"):
            while True:
                key_tok = self.tok
                if key_tok.kind == STRING:
                    key = key_tok.value
                    self.i += 1
                elif key_tok.kind == NAME:
                    key, _, _ = self.read_name(allow_keywords=True)
                    key = self.key_with_symbols(key, key_tok)
                else:
                    raise self.error(f"expected a context key but found {self.describe(key_tok)}")
                if key in seen:
                    raise self.error(f"duplicate context key '{key}'", key_tok)
                seen.add(key)
                self.expect_op(":", "after the context key")
                if not _plain_name(key) and key not in self.known:
                    # later entries (and what they nest) may use the key as a name: `{a-b: 1, c: a-b + 1}`
                    self.known = sorted([*self.known, key], key=len, reverse=True)
                    added.append(key)
                entries.append((key, self.expression()))
                if self.is_op(","):
                    self.i += 1
                    continue
                break

    def if_expr(self) -> ast.Node:
        start = self.expect_kw("if")
        cond = self.expression()
        self.expect_kw("then")
        then = self.expression()
        self.expect_kw("else")
        other = self.expression()
        return ast.If(start.pos, other.end, cond, then, other)

    def iterations(self, allow_range: bool) -> list[ast.Iteration]:
        out: list[ast.Iteration] = []
        while True:
            name, _, _ = self.read_name()
            self.expect_kw("in")
            source = self.expression()
            upper = None
            if allow_range and self.is_op(".."):
                self.i += 1
                upper = self.expression()
            out.append(ast.Iteration(name, source, upper))
            if self.is_op(","):
                self.i += 1
                continue
            return out

    def for_expr(self) -> ast.Node:
        start = self.expect_kw("for")
        its = self.iterations(True)
        self.expect_kw("return")
        body = self.expression()
        return ast.For(start.pos, body.end, its, body)

    def quantified(self) -> ast.Node:
        start = self.tok
        every = start.value == "every"
        self.i += 1
        its = self.iterations(False)
        self.expect_kw("satisfies")
        cond = self.expression()
        return ast.Quantified(start.pos, cond.end, every, its, cond)

    def function_def(self) -> ast.Node:
        start = self.expect_kw("function")
        self.expect_op("(")
        params: list[tuple[str, ast.TypeRef | None]] = []
        if not self.is_op(")"):
            while True:
                name_tok = self.tok
                name, _, _ = self.read_name()
                typ = None
                if self.is_op(":"):
                    self.i += 1
                    typ = self.type_ref()
                if any(p[0] == name for p in params):
                    raise self.error(f"duplicate parameter '{name}'", name_tok)
                params.append((name, typ))
                if self.is_op(","):
                    self.i += 1
                    continue
                break
        self.expect_op(")", "to close the parameter list")
        external = False
        if self.is_kw("external"):
            self.i += 1
            external = True
        body = self.expression()
        return ast.FunctionDef(start.pos, body.end, params, body, external)

    def type_ref(self) -> ast.TypeRef:
        self.enter()
        try:
            return self._type_ref()
        finally:
            self.leave()

    def _type_ref(self) -> ast.TypeRef:
        t = self.tok
        if t.kind != NAME:
            raise self.error(f"expected a type name but found {self.describe(t)}")
        phrase = self.phrase_at(self.i)
        if phrase is not None:
            name, self.i = phrase
            return ast.TypeRef(t.pos, self.toks[self.i - 1].end, name)
        if t.value == "function" and self.peek().kind == OP and self.peek().value == "<":
            self.i += 2
            params: list[ast.TypeRef] = []
            if not self.is_op(">"):
                params.append(self.type_ref())
                while self.is_op(","):
                    self.i += 1
                    params.append(self.type_ref())
            self.expect_op(">")
            self.expect_op("-")
            self.expect_op(">")
            result = self.type_ref()
            return ast.TypeRef(t.pos, result.end, "function", params, [], result)
        if t.value in ("null", "function"):
            self.i += 1
            return ast.TypeRef(t.pos, t.end, "Null" if t.value == "null" else "function")
        name, start, end = self.read_name()
        if self.is_op("<") and name in ("list", "range", "context"):
            self.i += 1
            params = []
            fields: list[tuple[str, ast.TypeRef]] = []
            if name == "context":
                while True:
                    key, _, _ = self.read_name(allow_keywords=True)
                    self.expect_op(":")
                    fields.append((key, self.type_ref()))
                    if not self.is_op(","):
                        break
                    self.i += 1
            else:
                params.append(self.type_ref())
            close = self.expect_op(">", "to close the type")
            return ast.TypeRef(start, close.end, name, params, fields)
        return ast.TypeRef(start, end, name)

    # -- unary tests ---------------------------------------------------------------------
    def unary_tests(self) -> ast.UnaryTests:
        t = self.tok
        if t.kind == EOF:
            return ast.UnaryTests(0, 0, [ast.Dash(0, 0)])
        if t.kind == OP and t.value == "-" and self.peek().kind == EOF:
            self.i += 1
            return ast.UnaryTests(t.pos, t.end, [ast.Dash(t.pos, t.end)])
        if self.is_kw("not") and self.peek().kind == OP and self.peek().value == "(":
            save = self.i
            self.i += 2
            try:
                tests = self.positive_tests()
                close = self.expect_op(")")
                if self.tok.kind == EOF:
                    node = ast.NotTests(t.pos, close.end, tests)
                    return ast.UnaryTests(t.pos, close.end, [node])
            except FeelSyntaxError:
                pass
            self.i = save
        tests = self.positive_tests()
        self.finish()
        return ast.UnaryTests(t.pos, tests[-1].end, tests)

    def positive_tests(self) -> list[ast.Node]:
        tests = [self.expression()]
        while self.is_op(","):
            self.i += 1
            tests.append(self.expression())
        return tests


def _plain_name(name: str) -> bool:
    words = name.split(" ")
    return all(w and w.isidentifier() and w not in KEYWORDS for w in words)


def parse_expression(source: str, names: Iterable[str] | None = None) -> ast.Node:
    """Parse one FEEL expression; raises FeelSyntaxError with line and column."""
    p = _Parser(source, names)
    if p.tok.kind == EOF:
        raise p.error("empty expression")
    node = p.expression()
    p.finish()
    return node


def parse_unary_tests(source: str, names: Iterable[str] | None = None) -> ast.UnaryTests:
    """Parse decision-table input entries (``< 10``, ``[1..5]``, ``not("a")``, ``-``)."""
    p = _Parser(source, names)
    return p.unary_tests()
