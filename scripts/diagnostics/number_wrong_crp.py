"""A probe of em for numbers in which wrong figures may be shared but the truth's copies are independent
(session 13; not in credence).

A report gives the truth exactly at its source's rate theta (pooled toward the crowd's by a Beta prior of
strength 2), or is wrong. Per story, the wrong reports follow a Chinese restaurant process of concentration
BETA: a wrong report repeats a wrong figure already given with probability proportional to how many gave
it, or is a new figure drawn from the base measure, lambda * the near-miss kernel around the truth +
(1 - lambda) * the gross errors' density, each in the figure's bin at the precision it is written to
(`number_exact.written_precision`). So a wrong figure copied by several costs little, where the exact
probes of `number_exact.py` and `number_three_outcomes.py` make it all but impossible, and unlike the urn
there the truth's own repeats are not discounted. lambda is fitted by EM; the transform, kernel scale and
`g` are a finished em run's (`summary.json`), and candidates beyond its fences have prior weight equal to
the share of numbers there. Each report's outcome is judged by the rest of its story (a source alone on a
story learns nothing); the story's posterior uses every report. Up to 80 iterations, to a largest change
of theta of 1e-5.

    credence score --claims CLAIMS.csv --value-kind number --method em --out RUN
    python3 scripts/diagnostics/number_wrong_crp.py CLAIMS.csv RUN GOLD.csv BETA

Printed: iterations, lambda, the crowd's mean theta, the log marginal likelihood of every story at the
end (to compare BETAs), the accuracy of the chosen figures on the gold stories, their mean absolute error,
the log loss of the gold figure's posterior where some report gave it, and Spearman's rho of theta with
each source's share of exact hits on the gold.
"""
import collections
import csv
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from number_exact import kernel_mass, six_digits, written_precision
from planted_numbers import spearman
if len(sys.argv) != 5:
    sys.exit(__doc__)
claims_path, run, gold_path = sys.argv[1:4]
BETA = float(sys.argv[4]); A = 2.0
fitted = json.load(open(run + "/summary.json"))["numbers"]
c, b, res = fitted["transform_scale"], fitted["kernel_scale"], fitted["resolution"]
rho = max(fitted["beyond_fences"], 1) / fitted["numbers"]
tr = lambda x: math.asinh(x / c)
G = 1.0 / (tr(fitted["gross_high"]) - tr(fitted["gross_low"]))
gold = {r["story_id"]: six_digits(float(r["value"])) for r in csv.DictReader(open(gold_path))}
stories = collections.defaultdict(list); sid_of = {}
for r in csv.DictReader(open(claims_path)):
    s = sid_of.setdefault(r["source"], len(sid_of))
    stories[r["story_id"]].append((s, six_digits(float(r["value"]))))
prep = []
for sid in sorted(stories):
    reps = stories[sid]
    if len(reps) < 2 and sid not in gold: continue
    vals = sorted(set(v for _, v in reps)); m = len(vals)
    t = [tr(v) for v in vals]
    w = []
    for v in vals:
        st = written_precision(v, res); w.append(max(tr(v + st / 2) - tr(v - st / 2), st / math.hypot(c, v)))
    K = [[kernel_mass(t[u] - t[j], w[u], b) for j in range(m)] for u in range(m)]  # K[u][T]
    gw = [G * x for x in w]
    prior = [0.0 if fitted["gross_low"] <= v <= fitted["gross_high"] else math.log(rho) for v in vals]
    idx = {v: j for j, v in enumerate(vals)}
    rows = [(s, idx[v]) for s, v in reps]
    prep.append((sid, vals, prior, K, gw, rows))
ns = len(sid_of); theta = [0.7] * ns; lam = 0.5
def story_logs(vals, prior, K, gw, rows, skip, theta, lam):
    m = len(vals)
    count = [0] * m
    for r, (s, u) in enumerate(rows):
        if r != skip: count[u] += 1
    out = []
    for T in range(m):
        ll = prior[T]
        nw = 0
        for r, (s, u) in enumerate(rows):
            if r == skip: continue
            ll += math.log(theta[s]) if u == T else math.log(1 - theta[s])
            nw += u != T
        kd = 0
        for u in range(m):
            if u == T or count[u] == 0: continue
            kd += 1
            ll += math.log(lam * K[u][T] + (1 - lam) * gw[u]) + math.lgamma(count[u])
        ll += kd * math.log(BETA) + math.lgamma(BETA) - math.lgamma(BETA + nw)
        out.append(ll)
    return out, count
def norm(logs):
    top = max(logs); q = [math.exp(x - top) for x in logs]; z = sum(q)
    return [x / z for x in q], top + math.log(z)
for it in range(80):
    num = [0.0] * ns; den = [0] * ns
    lam_num = lam_den = 0.0; marg = 0.0
    post = {}
    for sid, vals, prior, K, gw, rows in prep:
        m = len(vals)
        logs, count = story_logs(vals, prior, K, gw, rows, None, theta, lam)
        q, lz = norm(logs); post[sid] = q; marg += lz
        # lambda: first draws of distinct wrong values, near or gross
        for T in range(m):
            for u in range(m):
                if u != T and count[u]:
                    a = lam * K[u][T]; g = (1 - lam) * gw[u]
                    lam_num += q[T] * a / (a + g); lam_den += q[T]
        if len(rows) < 2: continue
        for r, (s, u) in enumerate(rows):
            cl, cnt = story_logs(vals, prior, K, gw, rows, r, theta, lam)
            cq, _ = norm(cl)
            nw_of = [sum(cnt) - cnt[T] for T in range(m)]
            pr = []
            for T in range(m):
                if u == T: pr.append(theta[s])
                else:
                    base = lam * K[u][T] + (1 - lam) * gw[u]
                    pr.append((1 - theta[s]) * (cnt[u] + BETA * base) / (nw_of[T] + BETA))
            tot = sum(cq[T] * pr[T] for T in range(m))
            num[s] += cq[u] * pr[u] / tot; den[s] += 1
    mean = sum(num) / max(sum(den), 1)
    new = [min(max((num[s] + A * mean) / (den[s] + A), 1e-6), 1 - 1e-6) for s in range(ns)]
    ch = max(abs(x - y) for x, y in zip(new, theta)); theta = new
    lam = lam_num / lam_den if lam_den else lam
    if ch < 1e-5: break
right = err = ll = 0.0; nin = ng = 0
for sid, vals, prior, K, gw, rows in prep:
    if sid not in gold: continue
    ng += 1; q = post[sid]
    best = max(range(len(vals)), key=lambda j: (q[j], -vals[j]))
    right += vals[best] == gold[sid]; err += abs(vals[best] - gold[sid])
    if gold[sid] in vals: ll -= math.log(max(q[vals.index(gold[sid])], 1e-15)); nin += 1
hits = collections.defaultdict(lambda: [0, 0])
for sid, reps in stories.items():
    if sid in gold:
        for s, v in reps: hits[s][0] += v == gold[sid]; hits[s][1] += 1
srcs = sorted(hits)
rho_r = spearman([theta[s] for s in srcs], [hits[s][0] / hits[s][1] for s in srcs])
print(f"beta {BETA}: {it+1} iterations, change {ch:.2g}, lambda {lam:.3f}, mean theta {mean:.3f}, log marginal {marg:.1f}; accuracy {right/ng:.4f} value MAE {err/ng:.2f} log loss {ll/nin:.3f} spearman {rho_r:.4f}")
