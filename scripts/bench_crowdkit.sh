#!/usr/bin/env bash
# credence's EM and Dawid-Skene against crowd-kit's DawidSkene on the same votes (issue 5, "Scale").
#
# Usage: scripts/bench_crowdkit.sh [GEN_CLAIMS...]     (from anywhere; default: 4600000)
#
# The same votes. For each GEN_CLAIMS, `credence gen --claims GEN_CLAIMS --seed $SEED` writes a corpus
# (200 outlets; about 18% of its claims deny their story, so the labels are not all one value). The
# benchmark keeps only what both methods can read as a vote: every original report (empty attributed_to:
# a relay is no vote of its own in credence, and crowd-kit has no notion of one), one per (story, outlet),
# the first in file order. That is written once as VOTES.csv (claim_id, source, published_at, story_id,
# stance) with one publication time for every vote (crowd-kit reads no times, so neither does credence:
# no report is earlier than another and em's copy model stays off), and both tools read that file; the
# same votes with their generated times go to VOTES-timed.csv, for credence-em-timed:
#   crowd-kit  worker = source, task = story_id, label = stance   (scripts/crowdkit_ds.py)
#   credence   score --claims VOTES.csv --method em | dawid-skene  (no responses, no resolutions)
# gen --claims 4600000 gives 3,609,346 votes on 1,409,579 stories: the issue's 3.6M claims.
#
# Each run of each tool is timed under /usr/bin/time -v (wall time, peak RSS); the runs are interleaved
# (run 1 of every tool, then run 2, ...) so that a change in the machine's load hits all tools alike.
#   crowdkit-ds       DawidSkene(n_iter=100, tol=1e-5), crowd-kit's defaults but n_iter (it stops earlier)
#   crowdkit-ds-fixed DawidSkene(n_iter=$CK_FIXED_ITER, tol=-inf): exactly that many iterations (only
#                     when CK_FIXED_ITER > 0)
#   credence-em       CREDENCE_TIMING=1 credence score --method em      (fit = the "em" stage)
#   credence-em-timed the same on VOTES-timed.csv: em also fits its copy model (not equal work)
#   credence-ds       CREDENCE_TIMING=1 credence score --method dawid-skene (fit = "truth discovery")
# crowd-kit's load (pandas read_csv of the three columns) and fit are timed inside the process, and within
# the fit every E-step, M-step and ELBO (scripts/crowdkit_ds.py), so "iterations s" is the iterations'
# own time, without the majority-vote start and the final labels. credence's load is its "claims" stage
# (parse, validate, intern, dedupe); its fit is the "em" or "truth discovery" stage, which is iterations
# only (plus one last E-step for em), so for credence "iterations s" is the fit.
#
# Environment:
#   RUNS=3            runs per tool
#   WORK=/tmp/bench-crowdkit   corpora, venv, logs and results (results-GEN_CLAIMS.md)
#   SEED=42           generator seed (a corpus is generated once per size and seed, then reused)
#   CK_FIXED_ITER=0   iterations of the fixed-length crowd-kit run (0: no such run)
#   TOOLS="crowdkit-ds crowdkit-ds-fixed credence-em credence-ds"   which tools to run
#   BUILD=1           0: use target/release/credence as it is (no cargo build)
#   PYTHON=python3    the Python that creates the venv ($WORK/venv, where crowd-kit is pip-installed if
#                     it does not import there)
# Needs /usr/bin/time (installed with apt-get if missing) and awk.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(4600000)
for n in "${sizes[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/bench_crowdkit.sh [GEN_CLAIMS...]" >&2; exit 2; }
done
RUNS=${RUNS:-3} WORK=${WORK:-/tmp/bench-crowdkit} SEED=${SEED:-42} CK_FIXED_ITER=${CK_FIXED_ITER:-0}
TOOLS=${TOOLS:-crowdkit-ds crowdkit-ds-fixed credence-em credence-ds} BUILD=${BUILD:-1} PYTHON=${PYTHON:-python3}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

if [[ ! -x /usr/bin/time ]]; then
  apt-get update -qq && apt-get install -y -qq time >/dev/null
fi
VENV=$WORK/venv
if ! "$VENV/bin/python" -c "import crowdkit.aggregation" 2>/dev/null; then
  echo "== creating $VENV and installing crowd-kit"
  "$PYTHON" -m venv "$VENV"
  "$VENV/bin/pip" install -q crowd-kit
fi
pyver() { "$VENV/bin/python" -c "import importlib.metadata as m; print(m.version('$1'))"; }

if [[ $BUILD == 1 ]]; then cargo build --release --bin credence; fi
# A copy is timed, so that a rebuild of target/release during the runs cannot change what is measured.
cp -f target/release/credence "$WORK/credence"
CREDENCE=$WORK/credence
tree=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || tree+=" + uncommitted changes"
versions="$("$CREDENCE" --version) (work tree $tree), crowd-kit $(pyver crowd-kit), pandas $(pyver pandas),"
versions+=" numpy $(pyver numpy), $("$VENV/bin/python" --version), $(nproc) cores"

for n in "${sizes[@]}"; do
  dir=$WORK/c$n
  stamp="claims=$n seed=$SEED"
  if [[ ! -f $dir/.generated || $(<"$dir/.generated") != "$stamp" ]]; then
    echo "== generating $dir ($stamp)"
    rm -f "$dir/.generated" "$dir/votes.csv" "$dir/votes-timed.csv"
    "$CREDENCE" gen --claims "$n" --seed "$SEED" --out "$dir" -q
    echo "$stamp" >"$dir/.generated"
  fi
  votes=$dir/votes.csv
  timed=$dir/votes-timed.csv
  if [[ ! -f $votes || ! -f $timed ]]; then
    echo "== writing $votes and $timed (original reports, one per story and outlet)"
    awk -F, -v OFS=, -v timed="$timed.tmp" '
      NR == 1 {
        for (i = 1; i <= NF; i++) col[$i] = i
        if (!("attributed_to" in col) || !("story_id" in col) || !("stance" in col)) {
          print "claims.csv lacks attributed_to, story_id or stance" > "/dev/stderr"; exit 2
        }
        print "claim_id,source,published_at,story_id,stance"
        print "claim_id,source,published_at,story_id,stance" > timed; next
      }
      index($0, "\"") { print "quoted fields are not handled: line " NR > "/dev/stderr"; exit 2 }
      $col["attributed_to"] != "" { relays++; next }
      {
        k = $col["story_id"] SUBSEP $col["source"]
        if (k in seen) { dup++; next }
        seen[k] = 1
        # One time for every vote in votes.csv: crowd-kit reads none, and with no report earlier than
        # another em has no copy model to fit; votes-timed.csv keeps the times (credence-em-timed).
        print $col["claim_id"], $col["source"], "2025-01-01T00:00:00Z", $col["story_id"], $col["stance"]
        print $col["claim_id"], $col["source"], $col["published_at"], $col["story_id"], $col["stance"] > timed
      }
      END { printf "%d relays and %d repeated (story, outlet) pairs left out\n", relays, dup > "/dev/stderr" }
    ' "$dir/claims.csv" >"$votes.tmp"
    mv "$timed.tmp" "$timed"
    mv "$votes.tmp" "$votes"
  fi
  rows=$(($(wc -l <"$votes") - 1))
  denies=$(awk -F, 'NR > 1 && $5 == "denies"' "$votes" | wc -l)
  echo "== $votes: $rows votes, $denies of them denials"

  log=$dir/runs.tsv
  printf 'tool\trun\twall_s\tpeak_mb\tload_s\tfit_s\titer_s\titerations\tconverged\tload\n' >"$log"
  for ((run = 1; run <= RUNS; run++)); do
    for tool in $TOOLS; do
      out=$dir/log-$tool-$run.txt
      load=$(cut -d' ' -f1 /proc/loadavg)
      case $tool in
        crowdkit-ds) cmd=("$VENV/bin/python" scripts/crowdkit_ds.py "$votes" 100) ;;
        crowdkit-ds-fixed)
          [[ $CK_FIXED_ITER -gt 0 ]] || continue
          cmd=("$VENV/bin/python" scripts/crowdkit_ds.py "$votes" "$CK_FIXED_ITER" -inf) ;;
        credence-em | credence-em-timed | credence-ds)
          method=em file=$votes
          [[ $tool == credence-ds ]] && method=dawid-skene
          [[ $tool == credence-em-timed ]] && file=$timed
          rm -rf "$dir/out-$tool"
          cmd=(env CREDENCE_TIMING=1 "$CREDENCE" score --claims "$file" --method "$method" --out "$dir/out-$tool" -q) ;;
        *) echo "unknown tool $tool" >&2; exit 2 ;;
      esac
      echo "== $tool run $run (load average $load): ${cmd[*]}"
      if ! /usr/bin/time -v -o "$out.time" "${cmd[@]}" >"$out" 2>&1; then
        echo "$tool failed (run $run); its output, $out, ends:" >&2
        tail -n 5 "$out" >&2
        exit 1
      fi
      wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s}' "$out.time")
      peak=$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$out.time")
      case $tool in
        crowdkit-ds*)
          kv() { grep -o "$1=[^ ]*" "$out" | cut -d= -f2; }
          loads=$(kv load_s) fit=$(kv fit_s) iter=$(kv iter_s) iters=$(kv iterations) conv=-
          ;;
        credence-*)
          stage=em
          [[ $tool == credence-ds ]] && stage="truth discovery"
          loads=$(awk -v s="claims" '$1 == "timing:" && $2 == s {print $(NF - 1)}' "$out")
          fit=$(grep "^timing: $stage " "$out" | awk '{print $(NF - 1)}')
          iter=$fit
          iters=$(grep -o '"iterations": [0-9]*' "$dir/out-$tool/summary.json" | grep -o '[0-9]*$')
          conv=$(grep -o '"converged": [a-z]*' "$dir/out-$tool/summary.json" | awk '{print $2}')
          ;;
      esac
      printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$run" "$wall" "$peak" "$loads" "$fit" "$iter" "$iters" "$conv" "$load" | tee -a "$log"
    done
  done

  "$VENV/bin/python" - "$log" "$n" "$rows" "$denies" "$versions" >"$WORK/results-$n.md" <<'EOF'
import csv, statistics, sys
log, n, rows, denies, versions = sys.argv[1:]
runs = list(csv.DictReader(open(log), delimiter="\t"))
tools = list(dict.fromkeys(r["tool"] for r in runs))
med = lambda t, k: statistics.median(float(r[k]) for r in runs if r["tool"] == t)
print(f"gen --claims {n}: {int(rows):,} votes ({int(denies):,} denials); medians of "
      f"{max(int(r['run']) for r in runs)} runs; load average before each run "
      f"{min(float(r['load']) for r in runs):.2f}-{max(float(r['load']) for r in runs):.2f}\n")
print("| tool | wall s | load s | fit s | iterations s | iterations | s / iteration | peak RSS MiB |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for t in tools:
    its = sorted({r["iterations"] + ("" if r["converged"] in ("-", "true") else " (not converged)")
                  for r in runs if r["tool"] == t})
    it = med(t, "iterations")
    print(f"| {t} | {med(t, 'wall_s'):.1f} | {med(t, 'load_s'):.2f} | {med(t, 'fit_s'):.2f} | {med(t, 'iter_s'):.2f} "
          f"| {', '.join(its)} | {med(t, 'iter_s') / it:.3f} | {med(t, 'peak_mb'):,.0f} |")
print()
print("Per run (wall s, fit s, iterations s, peak MiB):")
for t in tools:
    print(f"- {t}: " + "; ".join(f"{r['wall_s']}, {r['fit_s']}, {r['iter_s']}, {r['peak_mb']}"
                                 for r in runs if r["tool"] == t))
print(f"- versions: {versions}")
EOF
  for tool in $TOOLS; do
    first=$dir/log-$tool-1.txt
    [[ -f $first ]] || continue
    case $tool in
      crowdkit-ds*) note="run 1: per-vote ELBO after each iteration $(grep -o 'elbo=[^ ]*' "$first" | cut -d= -f2)" ;;
      credence-*)
        note="run $RUNS, summary.json: $(tr -d ' \n' <"$dir/out-$tool/summary.json" | grep -o '"em":{[^}]*}')"
        if grep -q 'iteration [0-9]*: largest change' "$first"; then
          note+="; run 1, largest change in the last five iterations: $(grep 'iteration [0-9]*: largest change' "$first" |
            tail -n 5 | grep -o 'largest change [^,]*' | awk '{print $3}' | tr '\n' ' ')"
        fi ;;
    esac
    echo "- $tool, $note" >>"$WORK/results-$n.md"
  done
  cat "$WORK/results-$n.md"
done
