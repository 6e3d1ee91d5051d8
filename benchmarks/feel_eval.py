"""Evaluations per second of compiled FEEL expressions, side by side with bkflow-feel.

Run: .venv/bin/python benchmarks/feel_eval.py [--seconds 1.0]

Each expression is compiled once, then evaluated in a tight loop (single thread); the figure is
the best of several rounds. bkflow-feel is measured, where it parses the expression and returns
the same value, two ways:

* ``api``: its public entry point ``bkflow_feel.api.parse_expression(src, ctx)`` — the package
  has no compile-once API, so this is what its users pay per evaluation;
* ``ast``: its parsed AST's ``evaluate(ctx)`` with parsing hoisted out of the loop (internal, the
  most favourable reading for bkflow).

``vs_python_lambda`` (goal 0.8) is the rate of ``amount > 1000`` compiled once and evaluated on a
context (``expression.evaluate(context)``, the call the engine makes; from an expression's second
strict evaluation on ``evaluate`` is the one-call strict function generated for it — see docs/feel.md —
and the expression has been evaluated before it is timed) over the rate of the hand-written
``lambda context: context["amount"] > 1000`` on the same context (written as a ``def``, the
same function object a lambda makes), measured in alternating rounds of
the same run, each called directly in the timed loop (best round of each): higher is better for
FEEL, 1.0 would be as fast as the lambda.

The last line is one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from strom.feel import compile_expression, to_python

CASES: list[tuple[str, str, dict[str, Any]]] = [
    ("amount_gt_1000", "amount > 1000", {"amount": 1200}),
    (
        "filter_path",
        "order.items[price > 10].id",
        {"order": {"items": [{"id": i, "price": p} for i, p in enumerate([5, 20, 11, 3, 40])]}},
    ),
    ("if_then_else", 'if x then "a" else "b"', {"x": True}),
    ("string_join", 'string join(names, ", ")', {"names": ["ann", "bob", "cy"]}),
    (
        "date_arith",
        'date(due) - today() < duration("P3D")',
        {"due": (dt.date.today() + dt.timedelta(days=1)).isoformat()},
    ),
]

TARGET_PER_S = 1_000_000
TARGET_SPEEDUP = 20.0


def rate(fn: Callable[[], object], seconds: float, rounds: int = 5) -> float:
    """Best evaluations per second over several timed rounds."""
    n = 1
    while True:  # calibrate a batch size that runs ~seconds/rounds
        start = time.perf_counter()
        for _ in range(n):
            fn()
        took = time.perf_counter() - start
        if took >= seconds / rounds / 4 or n >= 1 << 24:
            break
        n *= 4
    batch = max(1, int(n * (seconds / rounds) / max(took, 1e-9)))
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(batch):
            fn()
        took = time.perf_counter() - start
        best = max(best, batch / took)
    return best


def call_rates(
    functions: list[Callable[[Any], object]], argument: Any, seconds: float, rounds: int = 7
) -> list[float]:
    """Best calls per second of each ``function(argument)``, measured in alternating rounds.

    The timed loop calls each function directly (no wrapper), so the figures compare the calls
    themselves.
    """
    first = functions[0]
    n = 1
    while True:  # a batch size that runs ~seconds/rounds for the first (the slowest) function
        start = time.perf_counter()
        for _ in range(n):
            first(argument)
        took = time.perf_counter() - start
        if took >= seconds / rounds / 4 or n >= 1 << 24:
            break
        n *= 4
    batch = max(1, int(n * (seconds / rounds) / max(took, 1e-9)))
    best = [0.0] * len(functions)
    for _ in range(rounds):
        for i, function in enumerate(functions):
            start = time.perf_counter()
            for _ in range(batch):
                function(argument)
            best[i] = max(best[i], batch / (time.perf_counter() - start))
    return best


def bkflow_evaluators(
    src: str, variables: dict[str, Any], expected: Any
) -> tuple[Callable[[], object], Callable[[], object]] | str:
    """(public-API closure, AST closure) for bkflow-feel, or why it can't be compared."""
    try:
        from bkflow_feel import parser as bk_parser
        from bkflow_feel import transformer as bk_transformer
        from bkflow_feel.api import parse_expression
    except ImportError:
        return "not installed"
    logging.getLogger("bkflow_feel").disabled = True
    try:
        tree = bk_transformer.transform(bk_parser.parse(src))
        got = tree.evaluate(dict(variables))
    except Exception as e:
        return f"unsupported ({type(e).__name__})"
    if to_python(got) != to_python(expected):
        return f"different result ({got!r})"
    return (lambda: parse_expression(src, variables)), (lambda: tree.evaluate(variables))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = ap.parse_args()

    figures: dict[str, Any] = {}
    print(f"{'expression':40} {'strom/s':>12} {'bkflow api/s':>13} {'x api':>7} ", end="")
    print(f"{'bkflow ast/s':>13} {'x ast':>6}")
    for key, src, variables in CASES:
        expr = compile_expression(src)
        expected = expr.evaluate(variables)
        ours = rate(lambda e=expr, v=variables: e.evaluate(v), args.seconds)  # type: ignore[misc]
        other = bkflow_evaluators(src, variables, expected)
        entry: dict[str, Any] = {"expression": src, "strom_per_s": round(ours)}
        if isinstance(other, tuple):
            api = rate(other[0], args.seconds)
            tree = rate(other[1], args.seconds)
            entry.update(
                bkflow_api_per_s=round(api),
                speedup_vs_api=round(ours / api, 1),
                bkflow_ast_per_s=round(tree),
                speedup_vs_ast=round(ours / tree, 1),
            )
            shown = f"{api:13,.0f} {ours / api:6.0f}x {tree:13,.0f} {ours / tree:5.1f}x"
        else:
            entry["bkflow"] = other
            shown = f"{'-':>13} {'-':>7} {other}"
        figures[key] = entry
        print(f"{src:40} {ours:12,.0f} {shown}")

    gt = figures["amount_gt_1000"]
    _, gt_src, gt_variables = CASES[0]
    gt_expression = compile_expression(gt_src)

    def by_hand(context: Any) -> object:
        return context["amount"] > 1000

    if gt_expression.evaluate(gt_variables) is not by_hand(gt_variables):
        raise RuntimeError("the lambda and the FEEL expression disagree")
    feel_rate, lambda_rate = call_rates([gt_expression.evaluate, by_hand], gt_variables, 2 * args.seconds)
    vs_lambda = feel_rate / lambda_rate
    print(
        f"{gt_src}: FEEL {feel_rate:,.0f}/s, Python lambda {lambda_rate:,.0f}/s, "
        f"vs_python_lambda {vs_lambda:.3f} (FEEL rate / lambda rate, higher is better, goal 0.8)"
    )
    comparable = [e for e in figures.values() if "speedup_vs_api" in e]

    def meets(key: str) -> bool:
        return bool(comparable) and all(e[key] >= TARGET_SPEEDUP for e in comparable)

    summary = {
        "amount_gt_1000_per_s": gt["strom_per_s"],
        "vs_python_lambda": round(vs_lambda, 3),
        "vs_python_lambda_means": "FEEL evaluations/s over lambda calls/s, same run; higher is better",
        "amount_gt_1000_feel_per_s": round(feel_rate),
        "amount_gt_1000_python_lambda_per_s": round(lambda_rate),
        "bkflow_api_amount_gt_1000_per_s": gt.get("bkflow_api_per_s"),
        "bkflow_ast_amount_gt_1000_per_s": gt.get("bkflow_ast_per_s"),
        "speedup_vs_bkflow_api": gt.get("speedup_vs_api"),
        "speedup_vs_bkflow_ast": gt.get("speedup_vs_ast"),
        "targets": {
            "amount_gt_1000_per_s>=1e6": gt["strom_per_s"] >= TARGET_PER_S,
            "speedup_vs_api>=20x": meets("speedup_vs_api"),
            "speedup_vs_ast>=20x": meets("speedup_vs_ast"),
            "vs_python_lambda>=0.8": vs_lambda >= 0.8,
        },
        "python": sys.version.split()[0],
        "expressions": figures,
    }
    print(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    main()
