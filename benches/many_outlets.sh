#!/usr/bin/env bash
# Corpora of thousands of outlets, most of them small (the volume law of `credence gen`): em's per-round
# prior fit tabulates every outlet's record, so there it costs more than the E-step. Compares two binaries
# on the same generated files: wall time (hyperfine), peak memory, the em stage's time, and how far the
# outputs differ.
#
# Usage: benches/many_outlets.sh NEW_BINARY OLD_BINARY [CLAIMS:SOURCES ...]
#   default sizes: 200000:3000 2000000:5000
# Environment: RUNS=3 (hyperfine runs after one warm-up), WORK=target/bench-data/outlets
set -euo pipefail
new=$(realpath "$1") old=$(realpath "$2")
shift 2
sizes=("$@")
[[ ${#sizes[@]} -eq 0 ]] && sizes=(200000:3000 2000000:5000)
RUNS=${RUNS:-3}
cd "$(dirname "$0")/.."
WORK=${WORK:-target/bench-data/outlets}
mkdir -p "$WORK"
for size in "${sizes[@]}"; do
  claims=${size%:*} sources=${size#*:}
  dir=$WORK/$claims-$sources
  [[ -f $dir/claims.csv ]] || "$new" gen --out "$dir" --claims "$claims" --sources "$sources" --seed 7 > /dev/null
  args="--claims $dir/claims.csv --responses $dir/responses.csv --resolutions $dir/resolutions.csv -q"
  echo "== $claims claims, $sources outlets; load: $(cut -d' ' -f1-3 /proc/loadavg)"
  hyperfine --runs "$RUNS" --warmup 1 --export-json "$dir/times.json" \
    -n new "$new score $args --out $dir/out-new" \
    -n old "$old score $args --out $dir/out-old"
  python3 - "$dir/times.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for k in ("new", "old"):
    print(f"{k}: median {r[k]['median']:.2f} s (min {r[k]['min']:.2f}, max {r[k]['max']:.2f})")
print(f"old / new: {r['old']['median'] / r['new']['median']:.2f}")
PY
  for b in new old; do
    bin=$new; [[ $b == old ]] && bin=$old
    # shellcheck disable=SC2086
    CREDENCE_TIMING=1 /usr/bin/time -f "$b: peak RSS %M KB" "$bin" score $args --out "$dir/timed-$b" 2>&1 \
      | grep -E "^timing: em |peak RSS|^em: iteration [0-9]+:" | tail -3 | sed -E 's/copies \[[^]]*\]; //'
  done
  # How far the outputs are apart: cells that differ, and the largest difference of a number in them.
  python3 - "$dir/out-new" "$dir/out-old" <<'PY'
import csv, sys
for name in ("sources", "stories", "claims"):
    a = list(csv.reader(open(f"{sys.argv[1]}/{name}.csv")))
    b = list(csv.reader(open(f"{sys.argv[2]}/{name}.csv")))
    assert len(a) == len(b), f"{name}.csv: {len(a)} rows against {len(b)}"
    cells, largest, other = 0, 0.0, 0
    for ra, rb in zip(a, b):
        for x, y in zip(ra, rb):
            if x != y:
                cells += 1
                try:
                    largest = max(largest, abs(float(x) - float(y)))
                except ValueError:
                    other += 1
    total = sum(len(r) for r in a)
    print(f"{name}.csv: {cells} of {total} cells differ, numbers by at most {largest:.6f}, {other} not numbers")
PY
done
