"""Checks that two naive-agreement CSVs (source,claims,answered,agreement) hold the same numbers.

Usage: check_naive.py A.csv B.csv

Same sources, equal claims and answered counts, and agreements within 1e-9 (or both empty). Prints one
line saying so and exits 0, or prints the first differences and exits 1.
"""
import csv
import math
import sys


def load(path: str) -> dict:
    """source -> (claims, answered, agreement or None)."""
    with open(path, newline="") as f:
        return {r["source"]: (int(r["claims"]), int(r["answered"]), float(r["agreement"]) if r["agreement"] else None)
                for r in csv.DictReader(f)}


a, b = load(sys.argv[1]), load(sys.argv[2])
problems = [f"sources only in {sys.argv[1]}: {sorted(a.keys() - b.keys())[:5]}"] if a.keys() - b.keys() else []
problems += [f"sources only in {sys.argv[2]}: {sorted(b.keys() - a.keys())[:5]}"] if b.keys() - a.keys() else []
for s in sorted(a.keys() & b.keys()):
    (ca, na, xa), (cb, nb, xb) = a[s], b[s]
    if xa is None or xb is None:
        same_x = xa is xb
    else:
        same_x = math.isclose(xa, xb, rel_tol=0, abs_tol=1e-9)
    if (ca, na) != (cb, nb) or not same_x:
        problems.append(f"{s}: {a[s]} vs {b[s]}")
if problems:
    print(f"naive outputs DIFFER ({len(problems)} problems):", *problems[:10], sep="\n  ")
    sys.exit(1)
answered = sum(n for _, n, _ in a.values())
print(f"naive outputs agree: {len(a)} sources, {sum(c for c, _, _ in a.values())} claims, {answered} answered pairs, "
      f"agreements within 1e-9 ({sys.argv[1]} vs {sys.argv[2]})")
