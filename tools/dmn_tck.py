"""Run the DMN TCK against strom.dmn and print passed/failed/total per compliance level.

Run: .venv/bin/python tools/dmn_tck.py [TESTCASES_DIR] [--failures] [--write-expected FILE]

TESTCASES_DIR defaults to ../shared/dmn-tck/TestCases (next to the repository); any folder below
it (one level, one case folder) works too. The last line is one JSON object
{"passed": ..., "failed": ..., "total": ...}.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from strom.dmn.tck import discover, run_case

DEFAULT_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "dmn-tck" / "TestCases"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("testcases", nargs="?", type=Path, default=DEFAULT_DIR)
    parser.add_argument("--failures", action="store_true", help="list every failing case with its reason")
    parser.add_argument("--write-expected", type=Path, help="write the ids of passing cases to this file")
    args = parser.parse_args(argv)
    if not args.testcases.is_dir():
        print(f"no TCK test cases at {args.testcases}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    passed: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    passing: list[str] = []
    for case in discover(args.testcases):
        result = run_case(case)
        if result.passed:
            passed[result.level] += 1
            passing.append(result.case_id)
        else:
            failed[result.level] += 1
            if args.failures:
                print(f"FAIL {result.case_id}: {result.reason}")
    for level in sorted(set(passed) | set(failed)):
        total = passed[level] + failed[level]
        share = 100.0 * passed[level] / total if total else 0.0
        print(f"{level}: passed {passed[level]}, failed {failed[level]}, total {total} ({share:.1f}%)")
    n_passed, n_failed = sum(passed.values()), sum(failed.values())
    total = n_passed + n_failed
    share = 100.0 * n_passed / total if total else 0.0
    print(
        f"all: passed {n_passed}, failed {n_failed}, total {total} ({share:.1f}%) "
        f"in {time.perf_counter() - started:.1f} s"
    )
    if args.write_expected:
        args.write_expected.write_text("".join(f"{case_id}\n" for case_id in sorted(passing)))
    print(json.dumps({"passed": n_passed, "failed": n_failed, "total": total}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
