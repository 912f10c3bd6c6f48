#!/usr/bin/env bash
# Stories with thousands of distinct values (a file whose story key is missing or constant, a free-text
# value column): em over text before and after its linear path, em over numbers' peak memory. Compares two
# binaries on the same generated files.
#
# Usage: benches/wide_stories.sh NEW_BINARY OLD_BINARY [WIDTH]
#   WIDTH=6000   reports on each of the 3 wide stories (each with its own value, mostly), beside 20,000
#                stories of 3 reports
# Environment: RUNS=3 (hyperfine runs after one warm-up), WORK=target/bench-data/wide
set -euo pipefail
new=$(realpath "$1") old=$(realpath "$2") width=${3:-6000}
RUNS=${RUNS:-3}
cd "$(dirname "$0")/.."
WORK=${WORK:-target/bench-data/wide}
mkdir -p "$WORK"
python3 - "$width" "$WORK" <<'PY'
import random, sys
width, work = int(sys.argv[1]), sys.argv[2]
for kind in ("text", "number"):
    random.seed(1)
    rows = ["claim_id,source,published_at,story_id,stance,value"]
    i = 0
    for s in range(3):
        for _ in range(width):
            i += 1
            v = random.randrange(100000)
            rows.append(f"{i},o{random.randrange(3000)},2020-01-01,wide{s},asserts,{'v' if kind == 'text' else ''}{v}")
    for s in range(20000):
        t = random.randrange(1000, 100000)
        for _ in range(3):
            i += 1
            v = t if random.random() < 0.7 else random.randrange(100000)
            rows.append(f"{i},o{random.randrange(3000)},2020-01-01,s{s},asserts,{'v' if kind == 'text' else ''}{v}")
    open(f"{work}/{kind}.csv", "w").write("\n".join(rows) + "\n")
PY
uptime
hyperfine --runs "$RUNS" --warmup 1 --export-json "$WORK/text.json" \
  -n new "$new score --claims $WORK/text.csv --out $WORK/out-new -q" \
  -n old "$old score --claims $WORK/text.csv --out $WORK/out-old -q"
python3 - "$WORK/text.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"text, {r['command']}: median {r['median']:.2f} s (min {r['min']:.2f}, max {r['max']:.2f})")
PY
for f in sources claims stories; do cmp "$WORK/out-new/$f.csv" "$WORK/out-old/$f.csv"; done
echo "text: the two binaries' outputs are the same bytes"
for b in new old; do
  bin=$new; [[ $b == old ]] && bin=$old
  /usr/bin/time -f "number, $b: %e s, peak RSS %M KB" "$bin" score --claims "$WORK/number.csv" \
    --value-kind number --out "$WORK/num-$b" -q
done
for f in sources claims stories; do cmp "$WORK/num-new/$f.csv" "$WORK/num-old/$f.csv"; done
echo "number: the two binaries' outputs are the same bytes"
