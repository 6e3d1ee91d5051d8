#!/usr/bin/env bash
# Hunt flaky tests: run a selection of tests many times in a row, every second run with a CPU hog
# on every core (CI machines are shared and slow), and say which runs failed and where the output is.
#
#   bash tools/flake_hunt.sh                       # 20 runs of the broker, gateway, CLI, exporter and crash tests
#   RUNS=5 bash tools/flake_hunt.sh tests          # the whole suite, 5 times
#
# Like .ci/run it starts a throwaway PostgreSQL and sets STROM_CI=1 (a missing service fails).
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-20}
selection=("$@")
[ ${#selection[@]} -gt 0 ] || selection=(tests/gateway tests/broker tests/cli tests/exporter tests/search)
source .ci/postgres.sh >/dev/null
export STROM_CI=1
out=$(mktemp -d /tmp/strom-flake-hunt.XXXXXX)
echo "flake hunt: $runs runs of ${selection[*]}; output in $out"
failed=0
for i in $(seq 1 "$runs"); do
  hogs=()
  if [ $((i % 2)) -eq 0 ]; then
    for _ in $(seq 1 "$(nproc)"); do python3 -c "while True: pass" & hogs+=($!); done
  fi
  start=$(date +%s)
  .venv/bin/python -m pytest -q -p no:cacheprovider "${selection[@]}" > "$out/run-$i.txt" 2>&1
  rc=$?
  [ ${#hogs[@]} -gt 0 ] && kill "${hogs[@]}" 2>/dev/null
  summary=$(grep -E '(passed|failed|error)' "$out/run-$i.txt" | tail -n 1)
  echo "run $i (hog: $([ ${#hogs[@]} -gt 0 ] && echo yes || echo no)) rc=$rc $(( $(date +%s) - start ))s: $summary"
  if [ $rc -ne 0 ]; then
    failed=$((failed + 1))
    grep -E '^(FAILED|ERROR)' "$out/run-$i.txt" | sed 's/^/    /'
  fi
done
echo "flake hunt: $failed of $runs runs failed"
[ $failed -eq 0 ]
