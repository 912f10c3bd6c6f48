#!/usr/bin/env bash
# Compares `credence score` end to end with a plain CSV read of the same files, the naive per-source agreement
# in DuckDB and in polars, and (small sizes) a Dawid-Skene fit with crowd-kit, on generated corpora.
#
# Usage: benches/compare.sh [SIZES...]        (from anywhere; default sizes: 1000000 10000000)
# Environment:
#   RUNS=5          hyperfine runs per tool (after one warm-up run)
#   WORK=target/bench-data   corpora, outputs and results (results-N.md, results-N.json, results-N-ds.json);
#                   a relative path is taken from the repository root
#   SEED=42         generator seed; a corpus is generated once per size and seed and reused (delete
#                   WORK/N to regenerate it, e.g. after a change to `credence gen`)
#   PYTHON=python3  the Python that runs the DuckDB, polars and crowd-kit helpers (benches/compare/)
#   DS=0            1: run the crowd-kit Dawid-Skene fit at every size (else only for N <= DS_MAX)
#   DS_MAX=1000000  DS_RUNS=3  DS_ITER=100 (crowd-kit stops earlier once converged; see dawid_skene.py)
#   BUILD=1         0: use the binaries in target/release as they are (no cargo build)
#   CREDENCE=target/release/credence   the binary that generates and is timed (e.g. one built elsewhere)
#   IMPORTS=1       0: do not time the bare `import duckdb` / `import polars` (the Python start-up share)
#   METHOD=responses   the `credence score --method` timed (responses: the figures of BENCHMARKS.md's table)
# Peak RSS is taken from one extra run of each tool under /usr/bin/time -v (which also checks it runs).
# Missing hyperfine or time is installed with apt-get, missing Python packages with pip; a Python tool
# that cannot be installed or fails is reported as "skipped: <tool>: <reason>" and left out.
set -euo pipefail
cd "$(dirname "$0")/.."

sizes=("$@")
[[ ${#sizes[@]} -gt 0 ]] || sizes=(1000000 10000000)
for n in "${sizes[@]}"; do
  [[ $n =~ ^[1-9][0-9]*$ ]] || { echo "usage: benches/compare.sh [SIZES...] (claim counts, e.g. 1000000)" >&2; exit 2; }
done
RUNS=${RUNS:-5} WORK=${WORK:-target/bench-data} SEED=${SEED:-42} PYTHON=${PYTHON:-python3}
DS=${DS:-0} DS_MAX=${DS_MAX:-1000000} DS_RUNS=${DS_RUNS:-3} DS_ITER=${DS_ITER:-100}
BUILD=${BUILD:-1} IMPORTS=${IMPORTS:-1}
HELPERS=benches/compare
CREDENCE=${CREDENCE:-target/release/credence}
PLAIN=target/release/examples/plain_read
mkdir -p "$WORK"

apt_updated=0
apt_install() { # PACKAGE
  if [[ $apt_updated == 0 ]]; then apt-get update -qq; apt_updated=1; fi
  apt-get install -y -qq "$1" >/dev/null
}
command -v hyperfine >/dev/null || apt_install hyperfine
[[ -x /usr/bin/time ]] || apt_install time

if [[ $BUILD == 1 ]]; then
  cargo build --release --bin credence --example plain_read
fi
# Time copies, so that a rebuild of target/release during the run cannot change what is measured.
mkdir -p "$WORK/bin"
credence_from=$CREDENCE
cp -f "$CREDENCE" "$WORK/bin/credence"
cp -f "$PLAIN" "$WORK/bin/plain_read"
CREDENCE=$WORK/bin/credence PLAIN=$WORK/bin/plain_read

notes=() # skipped tools and other remarks, printed and saved with each size's results
py_ready() { # NAME MODULE PIP_PACKAGE: true when MODULE imports (installing PIP_PACKAGE if needed)
  local name=$1 module=$2 package=$3 log
  "$PYTHON" -c "import $module" 2>/dev/null && return 0
  echo "== pip install $package (for $name)"
  log=$(mktemp)
  if ! "$PYTHON" -m pip install -q "$package" >"$log" 2>&1; then
    notes+=("skipped: $name: pip install $package failed: $(tail -n 1 "$log")")
    echo "${notes[-1]}"
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
  "$PYTHON" -c "import $module" 2>/dev/null && return 0
  notes+=("skipped: $name: $module does not import after pip install $package")
  echo "${notes[-1]}"
  return 1
}
have_duckdb=0 have_polars=0 have_crowdkit=0
py_ready duckdb duckdb duckdb && have_duckdb=1
py_ready polars polars polars && have_polars=1
py_ready crowdkit-ds crowdkit.aggregation crowd-kit && have_crowdkit=1

pyver() { "$PYTHON" -c "import importlib.metadata as m; print(m.version('$1'))" 2>/dev/null || echo "-"; }
tree=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || tree+=" + uncommitted changes to src/Cargo"
versions="$("$CREDENCE" --version) (copied from $credence_from; work tree at $tree),"
versions+=" $(hyperfine --version), $("$PYTHON" --version), duckdb $(pyver duckdb), polars $(pyver polars),"
versions+=" crowd-kit $(pyver crowd-kit), pandas $(pyver pandas); $(nproc) cores"

q() { # a command line, quoted for the shell
  local line
  line=$(printf '%q ' "$@")
  printf '%s' "${line% }"
}

status=0
for n in "${sizes[@]}"; do
  dir=$WORK/$n
  stamp="claims=$n seed=$SEED"
  if [[ ! -f $dir/.generated || $(<"$dir/.generated") != "$stamp" ]]; then
    echo "== generating $dir ($stamp)"
    rm -f "$dir/.generated"
    "$CREDENCE" gen --claims "$n" --seed "$SEED" --out "$dir" -q
    echo "$stamp" >"$dir/.generated"
  fi
  rows=$(($(wc -l <"$dir/claims.csv") - 1))
  claims=$dir/claims.csv responses=$dir/responses.csv resolutions=$dir/resolutions.csv
  rm -f "$dir"/naive-*.csv "$WORK/results-$n-ds.json"

  # name<TAB>command, in table order; the "-ds" tool gets its own, shorter hyperfine run.
  # The response-only model, whose figures BENCHMARKS.md's comparison table gives; the default method, em,
  # has its own section there (scripts/bench_crowdkit.sh and the 10M em runs).
  score=(score --claims "$claims" --responses "$responses" --resolutions "$resolutions" --out "$dir/out" -q
    --method "${METHOD:-responses}")
  tools=("credence	$(q "$CREDENCE" "${score[@]}")"
    "plain-read	$(q "$PLAIN" "$claims" "$responses" "$resolutions")")
  if [[ $have_duckdb == 1 ]]; then
    tools+=("duckdb	$(q "$PYTHON" "$HELPERS/naive_duckdb.py" "$claims" "$responses" "$dir/naive-duckdb.csv")")
  fi
  if [[ $have_polars == 1 ]]; then
    tools+=("polars	$(q "$PYTHON" "$HELPERS/naive_polars.py" "$claims" "$responses" "$dir/naive-polars.csv")")
  fi
  if [[ $IMPORTS == 1 && $have_duckdb == 1 ]]; then tools+=("import-duckdb	$(q "$PYTHON" -c 'import duckdb')"); fi
  if [[ $IMPORTS == 1 && $have_polars == 1 ]]; then tools+=("import-polars	$(q "$PYTHON" -c 'import polars')"); fi
  if [[ $have_crowdkit == 1 ]] && ((n <= DS_MAX)) || [[ $have_crowdkit == 1 && $DS == 1 ]]; then
    tools+=("crowdkit-ds	$(q "$PYTHON" "$HELPERS/dawid_skene.py" "$claims" "$DS_ITER")")
  fi

  # One run of each under /usr/bin/time -v: peak RSS, and a check that it works at all.
  : >"$dir/tools.tsv"
  main=() ds=()
  for t in "${tools[@]}"; do
    name=${t%%	*} cmd=${t#*	}
    echo "== $name (peak RSS run): $cmd"
    if eval "/usr/bin/time -v -o $(q "$dir/rss-$name.txt") $cmd" >"$dir/log-$name.txt" 2>&1; then
      rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$dir/rss-$name.txt")
      head -n 5 "$dir/log-$name.txt"
      printf '%s\t%s\t%s\n' "$name" "$rss" "$cmd" >>"$dir/tools.tsv"
      if [[ $name == crowdkit-ds ]]; then ds+=(-n "$name" "$cmd"); else main+=(-n "$name" "$cmd"); fi
    else
      notes+=("skipped: $name: failed at N=$n (exit status $?); see $dir/log-$name.txt")
      echo "${notes[-1]}"
      tail -n 5 "$dir/log-$name.txt"
    fi
  done

  load=$(cut -d' ' -f1-3 /proc/loadavg)
  echo "== hyperfine, N=$n (load average before: $load)"
  jsons=("$WORK/results-$n.json")
  hyperfine --shell bash --warmup 1 --runs "$RUNS" --export-json "$WORK/results-$n.json" "${main[@]}"
  if [[ ${#ds[@]} -gt 0 ]]; then
    jsons+=("$WORK/results-$n-ds.json")
    hyperfine --shell bash --runs "$DS_RUNS" --export-json "$WORK/results-$n-ds.json" "${ds[@]}"
  fi

  size_notes=("${notes[@]}" "versions: $versions" "load average before timing: $load")
  if [[ -f $dir/naive-duckdb.csv && -f $dir/naive-polars.csv ]]; then
    if check=$("$PYTHON" "$HELPERS/check_naive.py" "$dir/naive-duckdb.csv" "$dir/naive-polars.csv"); then
      size_notes+=("$check")
    else
      size_notes+=("$check")
      status=1
    fi
  else
    size_notes+=("naive outputs not compared: DuckDB or polars did not run")
  fi
  echo
  "$PYTHON" "$HELPERS/summarize.py" "$n" "$rows" "$dir/tools.tsv" "$WORK/results-$n.md" "${jsons[@]}"
  printf -- '- %s\n' "${size_notes[@]}" | tee -a "$WORK/results-$n.md"
  echo
done
exit "$status"
