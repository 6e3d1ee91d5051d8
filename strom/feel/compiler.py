"""Compile a FEEL syntax tree to Python source, then to one Python function.

Each FEEL construct becomes a Python expression; constructs that bind names (for, some/every,
filters, contexts, function definitions) become nested ``def``s so Python closures give FEEL's
lexical scoping for free. Common int and string cases are inlined; everything else goes to
``_runtime``. Walrus temporaries keep each operand evaluated exactly once.
"""

from __future__ import annotations

import datetime as dt
import itertools
import operator
import warnings
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from . import _runtime as rt
from . import ast
from ._types import type_checker
from .builtins import BUILTINS
from .errors import FeelError, FeelSyntaxError
from .temporal import ExtDate, ExtDateTime, ExtTime, YearsMonthsDuration, parse_temporal
from .values import FeelRange, UserFunction

__all__ = ["CompiledCode", "add_strict", "compile_tree"]

_CMP_FN = {"<": "_lt", "<=": "_le", ">": "_gt", ">=": "_ge", "=": "_eq", "!=": "_ne"}
_CMP_PY = {"<": "<", "<=": "<=", ">": ">", ">=": ">=", "=": "==", "!=": "!="}
_IMPURE = frozenset({"now", "today", "random number", "uuid"})
_FOLDABLE = frozenset(
    {
        int,
        Decimal,
        str,
        bool,
        dt.date,
        dt.datetime,
        dt.time,
        dt.timedelta,
        YearsMonthsDuration,
        FeelRange,
        ExtDate,
        ExtDateTime,
        ExtTime,
    }
)
_ORDER = frozenset({"<", "<=", ">", ">="})
_PY_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_CHAIN = 6  # operator chains longer than this compile to statements
_ARITH_FN = {"+": "_add", "-": "_sub", "*": "_mul", "/": "_div", "**": "_pow"}

_BASE_NS: dict[str, Any] = {
    "_add": rt.add,
    "_sub": rt.sub,
    "_mul": rt.mul,
    "_div": rt.div,
    "_pow": rt.power,
    "_neg": rt.neg,
    "_lt": rt.lt,
    "_le": rt.le,
    "_gt": rt.gt,
    "_ge": rt.ge,
    "_eq": rt.eq,
    "_ne": rt.ne,
    "_and2": rt.and2,
    "_or2": rt.or2,
    "_between": rt.between,
    "_in_range": rt.in_range,
    "_make_range": rt.make_range,
    "_unary_value": rt.unary_value,
    "_match": rt.match,
    "_path": rt.path,
    "_index": rt.index,
    "_filter": rt.filter_,
    "_iterate": rt.iterate,
    "_int_range": rt.int_range,
    "_cb": rt.call_builtin,
    "_call": rt.call_value,
    "_not3": rt.not3,
    "_UF": UserFunction,
    "_QUIET": rt.QUIET,
    "_Mapping": dict,
    "_MAX": rt.MAX_ITEMS,
    "_too_many": rt.too_many,
    "_Failure": rt.Failure,
}


class CompiledCode:
    """Result of compilation: the function, plus the sites its failures refer to.

    ``strict`` is the strict evaluation specialised into one function: for an expression
    ``(variables=None, mode=None)`` (None until ``add_strict`` built it), for unary tests the
    whole ``matches`` ``(input, variables=None, mode=None)``.
    """

    __slots__ = ("func", "loops", "python_source", "sites", "strict", "strict_ns", "strict_source")

    def __init__(
        self,
        func: Callable[..., Any],
        sites: list[tuple[int, int, list[tuple[int, int]]]],
        python_source: str,
    ) -> None:
        self.func = func
        self.sites = sites
        self.python_source = python_source
        self.strict: Callable[..., Any] | None = None
        self.strict_source = ""
        #: unary tests: the globals of ``strict`` (their ``_matches``), where the owner binds
        #: ``MATCHES_HOOKS``
        self.strict_ns: dict[str, Any] = {}
        #: the code has a ``for``/``some``/``every``: each evaluation needs an Env of its own (the
        #: loop budget); without, nothing writes to the Env and a shared one will do
        self.loops = True


class _Frame:
    __slots__ = ("item", "names")

    def __init__(self, names: dict[str, str] | None = None, item: str | None = None) -> None:
        self.names = names if names is not None else {}
        self.item = item


class _Compiler:
    def __init__(
        self, source: str, types: Mapping[str, Callable[[Any], bool]] | None = None, fast: bool = False
    ) -> None:
        self.source = source
        self.types = types
        self.ns: dict[str, Any] = dict(_BASE_NS)
        self.sites: list[tuple[int, int, list[tuple[int, int]]]] = []
        self.counter = itertools.count(1)
        self.frames: list[_Frame] = []
        self.free: set[str] = set()
        #: the strict specialisation: variables read once into locals, unguarded comparisons
        self.fast = fast
        #: fast: local holding each free variable, and those read outside an item frame
        self.loads: dict[str, str] = {}
        self.direct: set[str] = set()
        #: a ``for``/``some``/``every`` draws on the evaluation's loop budget (a fresh Env)
        self.uses_budget = False
        #: inside a FEEL function body, which builtins and other expressions may call
        self.function_depth = 0

    # -- bookkeeping ---------------------------------------------------------------------
    def tmp(self, prefix: str = "_t") -> str:
        return f"{prefix}{next(self.counter)}"

    def const(self, value: Any) -> str:
        name = f"_k{next(self.counter)}"
        self.ns[name] = value
        return name

    def site(self, node: ast.Node, *operands: ast.Node) -> int:
        self.sites.append((node.start, node.end, [(o.start, o.end) for o in operands]))
        return len(self.sites) - 1

    def error(self, message: str, node: ast.Node) -> FeelSyntaxError:
        return FeelSyntaxError.at(message, self.source, node.start)

    # -- names ---------------------------------------------------------------------------
    def bound_locally(self, name: str) -> bool:
        return any(name in f.names or f.item is not None for f in self.frames)

    def resolve(self, name: str, node: ast.Node, depth: int | None = None, fallback: bool = False) -> str:
        if depth is None:
            depth = len(self.frames)
        for i in range(depth - 1, -1, -1):
            frame = self.frames[i]
            if frame.item is not None:
                it = frame.item
                key = repr(name)
                rest = it if name == "item" else self.resolve(name, node, i, True)
                return f"({it}[{key}] if isinstance({it}, _Mapping) and {key} in {it} else {rest})"
            if name in frame.names:
                return frame.names[name]
        self.free.add(name)
        key = repr(name)
        site = self.site(node)  # also in the fast pass, so both passes number sites alike
        if self.fast:
            # strict mode: a missing variable is null (or the builtin of that name), no warning;
            # read once, at the start (see add_strict)
            if not fallback:
                self.direct.add(name)
            local = self.loads.get(name)
            if local is None:
                local = self.loads[name] = self.tmp("_n")
            return local
        return f"(V[{key}] if {key} in V else E.missing({key}, {site}))"

    # -- expressions ---------------------------------------------------------------------
    def expr(self, node: ast.Node, out: list[str]) -> str:
        method = getattr(self, "c_" + type(node).__name__)
        return method(node, out)

    def c_Literal(self, node: ast.Literal, out: list[str]) -> str:
        v = node.value
        if node.kind == "temporal":
            value = parse_temporal(v)
            if value is None:
                # Camunda: an impossible date like @"2024-06-31" is null at run time, not a
                # deployment error
                return f"E.fail({self.site(node)}, {f'invalid temporal literal @{chr(34)}{v}{chr(34)}'!r})"
            return self.const(value)
        if v is None or type(v) is bool or type(v) is int:
            return repr(v)
        if type(v) is str:
            return repr(v)
        return self.const(v)

    def c_Name(self, node: ast.Name, out: list[str]) -> str:
        return self.resolve(node.name, node)

    def c_Path(self, node: ast.Path, out: list[str]) -> str:
        target = self.expr(node.target, out)
        t = self.tmp()
        key = repr(node.name)
        s = self.site(node)
        return (
            f"({t}[{key}] if type({t} := {target}) is dict and {key} in {t} else _path({t}, {key}, E, {s}))"
        )

    def c_Filter(self, node: ast.Filter, out: list[str]) -> str:
        target = self.expr(node.target, out)
        s = self.site(node, node.target, node.condition)
        cond = node.condition
        if isinstance(cond, ast.Literal) and cond.kind == "number":
            return f"_index({target}, {self.c_Literal(cond, out)}, E, {s})"
        fn = self.tmp("_flt")
        item = self.tmp("_it")
        body: list[str] = []
        self.frames.append(_Frame(item=item))
        try:
            code = self.expr(cond, body)
        finally:
            self.frames.pop()
        out.append(f"def {fn}({item}):")
        out.extend("    " + line for line in body)
        out.append(f"    return {code}")
        return f"_filter({target}, {fn}, E, {s})"

    def c_Negation(self, node: ast.Negation, out: list[str]) -> str:
        v = self.expr(node.operand, out)
        return f"_neg({v}, E, {self.site(node, node.operand)})"

    def c_Binary(self, node: ast.Binary, out: list[str]) -> str:
        spine: list[ast.Binary] = []
        n: ast.Node = node
        while isinstance(n, ast.Binary):
            spine.append(n)
            n = n.left
        if len(spine) > _CHAIN:
            return self.chain(n, spine, out)
        left = self.expr(node.left, out)
        return self.binop(node, left, self.expr(node.right, out))

    def chain(self, first: ast.Node, spine: list[ast.Binary], out: list[str]) -> str:
        """``a + b + c + ...``: one statement per operator, so long chains don't nest."""
        fn = self.tmp("_ch")
        acc = self.tmp("_a")
        body = [f"{acc} = {self.expr(first, out)}"]
        for b in reversed(spine):
            right = self.expr(b.right, body)
            body.append(f"{acc} = {self.binop(b, acc, right)}")
        out.append(f"def {fn}():")
        out.extend("    " + line for line in body)
        out.append(f"    return {acc}")
        return f"{fn}()"

    def binop(self, node: ast.Binary, left: str, right: str) -> str:
        op = node.op
        if op == "and":
            t = self.tmp()
            return f"(False if ({t} := {left}) is False else _and2({t}, {right}))"
        if op == "or":
            t = self.tmp()
            return f"(True if ({t} := {left}) is True else _or2({t}, {right}))"
        s = self.site(node, node.left, node.right)
        if op in _CMP_FN:
            fn = _CMP_FN[op]
            py = _CMP_PY[op]
            if self.fast and op in _ORDER and self.function_depth == 0:
                ordered = self.ordered_with_number(node, op, left, right, s)
                if ordered is not None:
                    return ordered
            lit = node.right
            if op in ("=", "!=") and isinstance(lit, ast.Literal) and type(lit.value) is bool:
                # ``approved = true``: a boolean is equal to itself only, unequal to the other one
                t = self.tmp()
                same, other = ("True", "False") if op == "=" else ("False", "True")
                b = repr(lit.value)
                return (
                    f"({same} if ({t} := {left}) is {b} else "
                    f"({other} if {t} is {not lit.value!r} else {fn}({t}, {b}, E, {s})))"
                )
            lit_type = _literal_type(node.right)
            if lit_type is not None:
                if op in ("=", "!=") and lit_type == "None":
                    t = self.tmp()
                    return f"(({t} := {left}) {'is' if op == '=' else 'is not'} None)"
                t = self.tmp()
                return (
                    f"({t} {py} {right} if type({t} := {left}) is {lit_type} else {fn}({t}, {right}, E, {s}))"
                )
            a, b = self.tmp(), self.tmp()
            return (
                f"({a} {py} {b} if (type({a} := {left}) is int) & (type({b} := {right}) is int) "
                f"else {fn}({a}, {b}, E, {s}))"
            )
        fn = _ARITH_FN[op]
        if op in ("+", "-"):
            a, b = self.tmp(), self.tmp()
            return (
                f"({a} {op} {b} if (type({a} := {left}) is int) & (type({b} := {right}) is int) "
                f"else {fn}({a}, {b}, E, {s}))"
            )
        return f"{fn}({left}, {right}, E, {s})"

    def ordered_with_number(self, node: ast.Binary, op: str, left: str, right: str, s: int) -> str | None:
        """Fast pass: ``x > 1000`` as Python's own comparison, guarded only where it could differ.

        Python and FEEL order int, Decimal and float alike, so the result of ``x > k`` stands
        unless ``x`` is null (null), a boolean (FEEL: not comparable with a number; Python: 0 or 1)
        or something Python can't compare with a number (it raises, and the evaluation starts
        again on the general path, whose operators fail as FEEL says). Which results a boolean
        can give is known here, so only those are checked; for ``<=``/``>=`` a false result
        also needs the type check (FEEL orders a float NaN as equal). Not inside a FEEL function:
        a builtin calling it would read Python's exception as its own failure.
        """
        lit = node.right
        if not isinstance(lit, ast.Literal) or lit.kind != "number" or type(lit.value) not in (int, Decimal):
            return None
        k = lit.value
        compare = _PY_ORDER[op]
        by_booleans = {compare(False, k), compare(True, k)}
        t = left if left.isidentifier() else self.tmp()
        slow = f"{_CMP_FN[op]}({t}, {right}, E, {s})"
        yes = f"(True if type({t}) is int else {slow})" if True in by_booleans else "True"
        if op in ("<=", ">="):
            no = f"(False if type({t}) is int else {slow})"
        elif False in by_booleans:
            no = f"(False if {t} is not True and {t} is not False else {slow})"
        else:
            no = "False"
        head = t if t == left else f"({t} := {left})"
        return f"(None if {head} is None else ({yes} if {t} {_CMP_PY[op]} {right} else {no}))"

    def c_Between(self, node: ast.Between, out: list[str]) -> str:
        v = self.expr(node.value, out)
        lo = self.expr(node.low, out)
        hi = self.expr(node.high, out)
        s_lo, s_hi = self.site(node, node.value, node.low), self.site(node, node.value, node.high)
        return f"_between({v}, {lo}, {hi}, E, {s_lo}, {s_hi})"

    def c_In(self, node: ast.In, out: list[str]) -> str:
        value = self.expr(node.value, out)
        fn = self.tmp("_in")
        v = self.tmp("_v")
        body = self.tests_body(node.tests, v)
        out.append(f"def {fn}({v}):")
        out.extend("    " + line for line in body)
        return f"{fn}({value})"

    def tests_body(self, tests: list[ast.Node], v: str) -> list[str]:
        """Statements that return True/False/None: is v matched by any of the tests?"""
        body: list[str] = []
        nul = self.tmp("_nul")
        body.append(f"{nul} = False")
        self.frames.append(_Frame({"?": v}))
        try:
            for test in tests:
                code = self.test(test, v, body)
                r = self.tmp("_r")
                body.append(f"{r} = {code}")
                body.append(f"if {r} is True: return True")
                body.append(f"if {r} is None: {nul} = True")
        finally:
            self.frames.pop()
        body.append(f"return None if {nul} else False")
        return body

    def test(self, node: ast.Node, v: str, out: list[str]) -> str:
        if isinstance(node, ast.Dash):
            return "True"
        if isinstance(node, ast.UnaryCmp):
            operand = self.expr(node.operand, out)
            s = self.site(node, node.operand)
            slow = f"{_CMP_FN[node.op]}({v}, {operand}, _QUIET, {s})"
            lit_type = _literal_type(node.operand)
            if lit_type in ("int", "str"):
                return f"({v} {_CMP_PY[node.op]} {operand} if type({v}) is {lit_type} else {slow})"
            return slow
        if isinstance(node, ast.RangeLit):
            lo = "None" if node.low is None else self.expr(node.low, out)
            hi = "None" if node.high is None else self.expr(node.high, out)
            return f"_in_range({v}, {node.start_included}, {lo}, {hi}, {node.end_included})"
        if isinstance(node, ast.NotTests):
            fn = self.tmp("_nt")
            body = self.tests_body(node.tests, v)
            out.append(f"def {fn}():")
            out.extend("    " + line for line in body)
            return f"_not3({fn}())"
        if isinstance(node, ast.Literal) and node.kind == "null":
            return f"({v} is None)"
        return f"_match({v}, {self.expr(node, out)})"

    def c_UnaryCmp(self, node: ast.UnaryCmp, out: list[str]) -> str:
        # inside unary tests ``?`` is bound: compare against it; elsewhere it is a range value
        for frame in reversed(self.frames):
            if "?" in frame.names:
                operand = self.expr(node.operand, out)
                return f"{_CMP_FN[node.op]}({frame.names['?']}, {operand}, _QUIET, {self.site(node)})"
        operand = self.expr(node.operand, out)
        return f"_unary_value({node.op!r}, {operand}, E, {self.site(node)})"

    def c_Dash(self, node: ast.Dash, out: list[str]) -> str:
        raise self.error("'-' is only allowed as a whole unary test", node)

    def c_NotTests(self, node: ast.NotTests, out: list[str]) -> str:
        raise self.error("not(...) of tests is only allowed in unary tests", node)

    def c_InstanceOf(self, node: ast.InstanceOf, out: list[str]) -> str:
        try:
            checker = type_checker(node.type, self.types)
        except ValueError as e:
            raise self.error(str(e), node.type) from None
        return f"{self.const(checker)}({self.expr(node.value, out)})"

    def c_If(self, node: ast.If, out: list[str]) -> str:
        # A condition that fails (strict mode) takes the else branch with a warning, as feel-scala
        # (Zeebe) does: its failure is caught in a function of its own.
        fn = self.tmp("_cond")
        pre: list[str] = []
        c = self.expr(node.condition, pre)
        out.append(f"def {fn}():")
        out.append("    try:")
        out.extend("        " + line for line in pre)
        out.append(f"        return {c}")
        out.append("    except _Failure as failure:")
        out.append("        E.warn(failure.site, failure.message)")
        out.append("        return None")
        t = self.expr(node.then, out)
        f = self.expr(node.otherwise, out)
        return f"({t} if {fn}() is True else {f})"

    def c_For(self, node: ast.For, out: list[str]) -> str:
        self.uses_budget = True
        fn = self.tmp("_for")
        acc = self.tmp("_acc")
        frame = _Frame({"partial": acc})
        self.frames.append(frame)
        pre: list[str] = []
        loop_lines: list[str] = []
        try:
            indent = "    "
            for it in node.iterations:
                s = self.site(node, it.source)
                src = self.expr(it.source, pre)
                if it.upper is not None:
                    hi = self.expr(it.upper, pre)
                    src = f"_int_range({src}, {hi}, E, {s})"
                else:
                    src = f"_iterate({src}, E, {s})"
                var = self.tmp("_i")
                items = self.tmp("_s")
                loop_lines.append(f"{indent}{items} = {src}")
                loop_lines.append(f"{indent}if {items} is None: return None")
                loop_lines.append(f"{indent}for {var} in {items}:")
                frame.names[it.name] = var
                indent += "    "
            code = self.expr(node.body, pre)
            r = self.tmp()
            # returning `partial` itself must not put the live accumulator into the result
            loop_lines.append(f"{indent}{acc}.append({r} if ({r} := {code}) is not {acc} else list({acc}))")
            # every loop of the evaluation draws on one budget (nested loops multiply)
            loop_lines.append(f"{indent}E.iterations += 1")
            loop_lines.append(f"{indent}if E.iterations > _MAX: return _too_many(E, {self.site(node)})")
        finally:
            self.frames.pop()
        out.append(f"def {fn}():")
        out.append(f"    {acc} = []")
        out.extend("    " + line for line in pre)
        out.extend(loop_lines)
        out.append(f"    return {acc}")
        return f"{fn}()"

    def c_Quantified(self, node: ast.Quantified, out: list[str]) -> str:
        self.uses_budget = True
        fn = self.tmp("_q")
        frame = _Frame({})
        self.frames.append(frame)
        pre: list[str] = []
        loop_lines: list[str] = []
        try:
            indent = "    "
            for it in node.iterations:
                s = self.site(node, it.source)
                src = f"_iterate({self.expr(it.source, pre)}, E, {s})"
                var = self.tmp("_i")
                items = self.tmp("_s")
                loop_lines.append(f"{indent}{items} = {src}")
                loop_lines.append(f"{indent}if {items} is None: return None")
                loop_lines.append(f"{indent}for {var} in {items}:")
                frame.names[it.name] = var
                indent += "    "
            code = self.expr(node.condition, pre)
            loop_lines.append(f"{indent}E.iterations += 1")
            loop_lines.append(f"{indent}if E.iterations > _MAX: return _too_many(E, {self.site(node)})")
            if node.every:
                loop_lines.append(f"{indent}if ({self.tmp()} := {code}) is not True: return False")
            else:
                loop_lines.append(f"{indent}if ({self.tmp()} := {code}) is True: return True")
        finally:
            self.frames.pop()
        out.append(f"def {fn}():")
        out.extend("    " + line for line in pre)
        out.extend(loop_lines)
        out.append(f"    return {node.every}")
        return f"{fn}()"

    def c_ListLit(self, node: ast.ListLit, out: list[str]) -> str:
        return "[" + ", ".join(self.expr(i, out) for i in node.items) + "]"

    def c_ContextLit(self, node: ast.ContextLit, out: list[str]) -> str:
        if not node.entries:
            return "{}"
        fn = self.tmp("_ctx")
        c = self.tmp("_c")
        frame = _Frame({})
        self.frames.append(frame)
        body: list[str] = [f"{c} = {{}}"]
        try:
            for key, value in node.entries:
                var = self.tmp("_e")
                if isinstance(value, ast.FunctionDef):
                    frame.names[key] = var  # lets the function call itself
                code = self.expr(value, body)
                body.append(f"{var} = {c}[{key!r}] = {code}")
                frame.names[key] = var
        finally:
            self.frames.pop()
        out.append(f"def {fn}():")
        out.extend("    " + line for line in body)
        out.append(f"    return {c}")
        return f"{fn}()"

    def c_RangeLit(self, node: ast.RangeLit, out: list[str]) -> str:
        lo = "None" if node.low is None else self.expr(node.low, out)
        hi = "None" if node.high is None else self.expr(node.high, out)
        return f"_make_range({node.start_included}, {lo}, {hi}, {node.end_included}, E, {self.site(node)})"

    def c_FunctionDef(self, node: ast.FunctionDef, out: list[str]) -> str:
        fn = self.tmp("_fn")
        if node.external:
            # Java/PMML functions can't run here; the model still compiles, calling one fails
            s = self.site(node)
            arg_list = ", ".join(self.tmp("_p") for _ in node.params)
            out.append(f"def {fn}({arg_list}):")
            out.append(f"    return E.fail({s}, 'external functions are not supported')")
            return f"_UF({tuple(name for name, _ in node.params)!r}, {fn})"
        names = {name: self.tmp("_p") for name, _ in node.params}
        self.frames.append(_Frame(dict(names)))
        self.function_depth += 1
        body: list[str] = []
        try:
            code = self.expr(node.body, body)
        finally:
            self.function_depth -= 1
            self.frames.pop()
        out.append(f"def {fn}({', '.join(names.values())}):")
        for name, typ in node.params:  # a typed parameter rejects other arguments (DMN 1.5 10.3.2.13.2)
            if typ is None:
                continue
            try:
                checker = self.const(type_checker(typ, self.types))
            except ValueError as e:
                raise self.error(str(e), typ) from None
            var = names[name]
            msg = f"argument '{name}' is not of type '{typ.name}'"
            out.append(f"    if {var} is not None and not {checker}({var}):")
            # a singleton list of the type stands for its element (DMN 1.5 10.3.2.9.4)
            out.append(f"        if type({var}) is list and len({var}) == 1 and {checker}({var}[0]):")
            out.append(f"            {var} = {var}[0]")
            out.append("        else:")
            out.append(f"            return E.fail({self.site(node)}, {msg!r})")
        out.extend("    " + line for line in body)
        out.append(f"    return {code}")
        params = tuple(name for name, _ in node.params)
        return f"_UF({params!r}, {fn})"

    def c_Call(self, node: ast.Call, out: list[str]) -> str:
        callee = node.callee
        s = self.site(node, *(node.args or [v for _, v in (node.named or [])]))
        if node.named is not None:
            seen: set[str] = set()
            for name, _ in node.named:
                if name in seen:
                    return f"E.fail({s}, {f'parameter {name!r} is given twice'!r})"
                seen.add(name)
        if isinstance(callee, ast.Name) and callee.name in BUILTINS and not self.shadowed(callee.name):
            fn = BUILTINS[callee.name]
            if node.named is None:
                o = rt.select_overload(fn, len(node.args))
                if o is None:
                    return f"E.fail({s}, {f'no function {fn.name!r} takes {len(node.args)} arguments'!r})"
                args = [self.expr(a, out) for a in node.args]
            else:
                names = [n for n, _ in node.named]
                sel = rt.select_named(fn, names)
                if sel is None:
                    msg = f"no function {fn.name!r} with parameters {', '.join(names)}"
                    return f"E.fail({s}, {msg!r})"
                o, positions = sel
                slots = ["None"] * (max(positions) + 1 if positions else 0)
                for (_, value), pos in zip(node.named, positions, strict=True):
                    slots[pos] = self.expr(value, out)
                args = slots
            folded = self.fold(fn.name, o.impl, node)
            if folded is not None:
                return folded
            impl = self.const(o.impl)
            return f"_cb({fn.name!r}, {impl}, E, {s}{''.join(', ' + a for a in args)})"
        f = self.expr(callee, out)
        label = callee.name if isinstance(callee, ast.Name) else ""
        if node.named is None:
            args_code = "[" + ", ".join(self.expr(a, out) for a in node.args) + "]"
            return f"_call({f}, {args_code}, None, E, {s}, {label!r})"
        named = "{" + ", ".join(f"{k!r}: {self.expr(v, out)}" for k, v in node.named) + "}"
        return f"_call({f}, [], {named}, E, {s}, {label!r})"

    def fold(self, name: str, impl: Callable[..., Any], node: ast.Call) -> str | None:
        """Evaluate a pure builtin on literal arguments once, at compile time.

        ``duration("P3D")`` then costs nothing per evaluation. Only immutable results are
        folded, and anything that fails is left for run time to report.
        """
        if name in _IMPURE or node.named is not None:
            return None
        values = []
        for a in node.args:
            if not isinstance(a, ast.Literal) or a.kind == "temporal":
                return None
            values.append(a.value)
        try:
            value = impl(*values)
        except Exception:
            return None
        if value is None or type(value) not in _FOLDABLE:
            return None
        return self.const(value)

    def shadowed(self, name: str) -> bool:
        return any(name in f.names for f in self.frames)

    def c_TypeRef(self, node: ast.TypeRef, out: list[str]) -> str:
        raise self.error("a type is not an expression", node)

    def c_UnaryTests(self, node: ast.UnaryTests, out: list[str]) -> str:
        raise self.error("unary tests are not an expression", node)


def _literal_type(node: ast.Node) -> str | None:
    if isinstance(node, ast.Literal):
        v = node.value
        if node.kind == "number" and type(v) is int:
            return "int"
        if node.kind == "number" and type(v) is Decimal:
            return None
        if node.kind == "string":
            return "str"
        if node.kind == "null":
            return "None"
    return None


def _build(c: _Compiler, header: str, body: list[str], code: str, node: ast.Node) -> CompiledCode:
    lines = [header]
    lines.extend("    " + line for line in body)
    lines.append(f"    return {code}")
    src = "\n".join(lines) + "\n"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pycode = compile(src, f"<feel {c.source[:40]!r}>", "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError) as e:
        raise FeelSyntaxError.at(
            f"expression too complex to compile ({type(e).__name__})", c.source, node.start
        ) from None
    ns = c.ns
    exec(pycode, ns)
    compiled = CompiledCode(ns["_feel"], c.sites, src)
    compiled.loops = c.uses_budget
    return compiled


def compile_tree(
    source: str, node: ast.Node, types: Mapping[str, Callable[[Any], bool]] | None = None
) -> tuple[CompiledCode, frozenset[str]]:
    """Compile an expression tree to ``f(V, E) -> value`` (``add_strict`` adds the fast one)."""
    c = _Compiler(source, types)
    body: list[str] = []
    try:
        code = c.expr(node, body)
    except RecursionError:
        raise FeelSyntaxError.at("expression nested too deeply", source, 0) from None
    return _build(c, "def _feel(V, E):", body, code, node), frozenset(c.free)


#: longer sources get no strict specialisation (Python compiles it in ~100 µs for a short one;
#: the gain is per call)
STRICT_MAX_LENGTH = 4000
#: the functions the strict function calls, given to ``add_strict`` by its owner:
#: ``_failure(Failure)`` -> the exception to raise; ``_deopt(variables)`` -> the general strict
#: evaluation (after anything else went wrong: it redoes the work and reports as FEEL says);
#: ``_other(variables, mode)`` -> an evaluation in another mode
STRICT_HOOKS = ("_deopt", "_failure", "_other")


def add_strict(
    compiled: CompiledCode,
    source: str,
    node: ast.Node,
    types: Mapping[str, Callable[[Any], bool]] | None,
    hooks: Mapping[str, Callable[..., Any]],
) -> None:
    """Build ``compiled.strict`` (of ``compile_tree(source, node, types)``): the whole strict
    evaluation as one Python function; left None when the source is longer than
    ``STRICT_MAX_LENGTH`` or Python can't compile it. ``hooks``: the ``STRICT_HOOKS`` it calls.

    ``evaluate(variables)`` then costs one call, like a hand-written lambda: the variables the
    expression names are read into locals once (a missing one is null, as strict mode has no
    warnings to give), the environment is the shared strict one unless a loop needs a fresh
    budget, and the error handling is a ``try`` around it all, which costs nothing until
    something raises. Any exception other than a FEEL failure sends the evaluation to the general
    path, so the fast comparisons need no type guards that a failure would make.
    """
    if len(source) > STRICT_MAX_LENGTH:
        return
    c = _Compiler(source, types, fast=True)
    body: list[str] = []
    try:
        code = c.expr(node, body)
    except (RecursionError, FeelSyntaxError):
        return
    if c.sites != compiled.sites:  # failures must point where the general pass points
        return
    inner: list[str] = []
    if c.uses_budget:
        inner.append("E = _StrictEvaluation()")  # this evaluation's loop budget
    else:
        c.ns["E"] = rt.STRICT  # nothing writes to it: shared
    for name, local in c.loads.items():
        key = repr(name)
        builtin = BUILTINS.get(name)  # E.missing: a builtin's name alone is that function
        default = "None" if builtin is None else c.const(builtin)
        if name in c.direct:  # usually there: one dict lookup, an exception when it is not
            inner += [
                "try:",
                f"    {local} = variables[{key}]",
                "except KeyError:",
                f"    {local} = {default}",
            ]
        else:  # only read where an item has no such key: usually not there
            inner.append(f"{local} = variables[{key}] if {key} in variables else {default}")
    inner.extend(body)
    inner.append(f"return {code}")
    # the default mode is None, not "strict": ``is None`` is the cheapest test there is
    lines = [
        "def _evaluate(variables=None, mode=None):",
        "    if mode is None or mode == 'strict':",
        "        try:",
    ]
    lines.extend("            " + line for line in inner)
    lines += [
        "        except _Failure as failure:",
        "            raise _failure(failure) from None",
        "        except _FeelError:",
        "            raise",
        "        except Exception:",
        "            pass",
        "        return _deopt(variables)",
        "    return _other(variables, mode)",
    ]
    src = "\n".join(lines) + "\n"
    c.ns["_StrictEvaluation"] = rt.StrictEvaluation
    c.ns["_FeelError"] = FeelError
    c.ns.update((name, hooks[name]) for name in STRICT_HOOKS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(src, f"<feel strict {source[:40]!r}>", "exec"), c.ns)
    except (SyntaxError, RecursionError, MemoryError, ValueError):
        return
    compiled.strict_source = src
    compiled.strict = c.ns["_evaluate"]  # last: complete once another thread can see it


def compile_tests_tree(
    source: str, node: ast.UnaryTests, types: Mapping[str, Callable[[Any], bool]] | None = None
) -> tuple[CompiledCode, frozenset[str]]:
    """Compile unary tests to ``f(input, V, E) -> True/False/None``."""
    c = _Compiler(source, types)
    body: list[str] = []
    try:
        body = c.tests_body(node.tests, "_input")
    except RecursionError:
        raise FeelSyntaxError.at("unary tests nested too deeply", source, 0) from None
    lines = ["def _feel(_input, V, E):"] + ["    " + line for line in body]
    lines += _matches_lines(c, body)
    src = "\n".join(lines) + "\n"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pycode = compile(src, f"<feel tests {source[:40]!r}>", "exec")
    except (SyntaxError, RecursionError, MemoryError, ValueError) as e:
        raise FeelSyntaxError.at(
            f"unary tests too complex to compile ({type(e).__name__})", source, 0
        ) from None
    if not c.uses_budget:
        c.ns["E"] = rt.STRICT  # for _matches: nothing writes to it, shared
    c.ns["_StrictEvaluation"] = rt.StrictEvaluation
    c.ns["_FeelError"] = FeelError
    c.ns["_EMPTY"] = {}
    exec(pycode, c.ns)
    compiled = CompiledCode(c.ns["_feel"], c.sites, src)
    compiled.loops = c.uses_budget
    compiled.strict = c.ns["_matches"]
    compiled.strict_ns = c.ns
    return compiled, frozenset(c.free)


#: what the ``_matches`` of unary tests calls, bound by its owner in ``CompiledCode.strict_ns``
#: before anyone can call it: ``_failure(Failure)`` and ``_unexpected(Exception)`` -> the
#: exception to raise; ``_other(input, variables, mode)`` -> the answer in another mode
MATCHES_HOOKS = ("_failure", "_other", "_unexpected")


def _matches_lines(c: _Compiler, body: list[str]) -> list[str]:
    """``_matches(_input, variables=None, mode=None) -> bool``: the tests' body once more, in a
    function that is the whole strict ``matches`` (one call per decision-table entry, no Env made
    unless a loop needs its budget); its last line, "no test passed", answers False, not None."""
    inner = ["V = _EMPTY if variables is None else variables"] if c.free else []
    if c.uses_budget:
        inner.append("E = _StrictEvaluation()")  # this evaluation's loop budget
    inner += body[:-1]
    inner.append("return False")
    return [
        "def _matches(_input, variables=None, mode=None):",
        "    if mode is None or mode == 'strict':",
        "        try:",
        *("            " + line for line in inner),
        "        except _Failure as failure:",
        "            raise _failure(failure) from None",
        "        except _FeelError:",
        "            raise",
        "        except Exception as error:",
        "            raise _unexpected(error) from None",
        "    return _other(_input, variables, mode)",
    ]
