"""Evaluations per second of a 20-rule, 3-input decision table, FIRST and COLLECT SUM.

Run: .venv/bin/python benchmarks/dmn_eval.py [--seconds 1.0]

The table is parsed once; each evaluation goes through the public API a business rule task uses
(``graph.evaluate(decision_id, variables)``, strict mode), including the audit of inputs and
matched rules. Inputs cycle through a fixed set so that early, late and no rules match. The
figure is the best of several rounds, single thread. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from strom.dmn import parse_dmn

SEGMENTS = ["retail", "business", "premium", "public"]


def table_dmn(hit_policy: str, aggregation: str = "") -> bytes:
    """20 rules over amount (ranges), segment (strings) and score (comparisons)."""
    rules = []
    for i in range(20):
        low = i * 500
        amount = f"[{low}..{low + 1499}]"
        segment = f'"{SEGMENTS[i % 4]}"' if i % 3 else f'"{SEGMENTS[i % 4]}", "{SEGMENTS[(i + 1) % 4]}"'
        score = f">= {i * 4}" if i % 2 else "-"
        rules.append(
            f'<rule id="r{i}"><inputEntry><text>{amount}</text></inputEntry>'
            f"<inputEntry><text>{segment}</text></inputEntry>"
            f"<inputEntry><text>{score.replace('>', '&gt;')}</text></inputEntry>"
            f"<outputEntry><text>{i + 1}</text></outputEntry></rule>"
        )
    agg = f' aggregation="{aggregation}"' if aggregation else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="bench" name="bench" '
        'namespace="http://example.com/bench">'
        f'<decision id="points" name="Points"><decisionTable id="t" hitPolicy="{hit_policy}"{agg}>'
        '<input id="i1" label="Amount"><inputExpression typeRef="number"><text>order.amount</text>'
        "</inputExpression></input>"
        '<input id="i2" label="Segment"><inputExpression typeRef="string"><text>customer.segment</text>'
        "</inputExpression></input>"
        '<input id="i3" label="Score"><inputExpression typeRef="number"><text>customer.score</text>'
        "</inputExpression></input>"
        '<output id="o1" name="points" typeRef="number"/>' + "".join(rules) + "</decisionTable></decision>"
        "</definitions>"
    ).encode()


VARIABLES: list[dict[str, Any]] = [
    {"order": {"amount": amount}, "customer": {"segment": segment, "score": score}}
    for amount, segment, score in [
        (250, "retail", 10),
        (4200, "public", 70),
        (9700, "public", 80),
        (7300, "business", 60),
        (12000, "retail", 0),
    ]
]


def rate(fn: Callable[[], object], seconds: float, rounds: int = 5) -> float:
    """Best calls per second over several timed rounds."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        took = time.perf_counter() - start
        if took >= seconds / rounds / 4 or n >= 1 << 20:
            break
        n *= 4
    batch = max(1, int(n * (seconds / rounds) / max(took, 1e-9)))
    best = 0.0
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(batch):
            fn()
        best = max(best, batch / (time.perf_counter() - start))
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per case")
    args = parser.parse_args()
    results: dict[str, float] = {}
    for name, policy, aggregation in [("first", "FIRST", ""), ("collect_sum", "COLLECT", "SUM")]:
        graph = parse_dmn(table_dmn(policy, aggregation), resource_name=f"{name}.dmn")
        outputs = [graph.evaluate("points", v).output for v in VARIABLES]
        assert all(graph.evaluate("points", v).ok for v in VARIABLES), name
        cycle = iter(VARIABLES * 1_000_000)

        def one(graph: Any = graph, cycle: Any = cycle) -> object:
            return graph.evaluate("points", next(cycle))

        per_s = rate(one, args.seconds)
        results[f"{name}_evals_per_s"] = round(per_s)
        print(f"{name:12s} {per_s:>10,.0f} evaluations/s  (outputs for the 5 inputs: {outputs})")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
