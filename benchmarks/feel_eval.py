"""Evaluations per second of compiled FEEL expressions, side by side with bkflow-feel.

Run: .venv/bin/python benchmarks/feel_eval.py [--seconds 1.0]

Each expression is compiled once, then evaluated in a tight loop (single thread); the figure is
the best of several rounds. bkflow-feel is measured, where it parses the expression and returns
the same value, two ways:

* ``api``: its public entry point ``bkflow_feel.api.parse_expression(src, ctx)`` — the package
  has no compile-once API, so this is what its users pay per evaluation;
* ``ast``: its parsed AST's ``evaluate(ctx)`` with parsing hoisted out of the loop (internal, the
  most favourable reading for bkflow).

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
    comparable = [e for e in figures.values() if "speedup_vs_api" in e]

    def meets(key: str) -> bool:
        return bool(comparable) and all(e[key] >= TARGET_SPEEDUP for e in comparable)

    summary = {
        "amount_gt_1000_per_s": gt["strom_per_s"],
        "bkflow_api_amount_gt_1000_per_s": gt.get("bkflow_api_per_s"),
        "bkflow_ast_amount_gt_1000_per_s": gt.get("bkflow_ast_per_s"),
        "speedup_vs_bkflow_api": gt.get("speedup_vs_api"),
        "speedup_vs_bkflow_ast": gt.get("speedup_vs_ast"),
        "targets": {
            "amount_gt_1000_per_s>=1e6": gt["strom_per_s"] >= TARGET_PER_S,
            "speedup_vs_api>=20x": meets("speedup_vs_api"),
            "speedup_vs_ast>=20x": meets("speedup_vs_ast"),
        },
        "python": sys.version.split()[0],
        "expressions": figures,
    }
    print(json.dumps(summary, separators=(",", ":")))


if __name__ == "__main__":
    main()
