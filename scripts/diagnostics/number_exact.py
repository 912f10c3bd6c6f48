"""Exact agreement in em's number model, probed at the decision: which value each gold story gets.

em judges a number report by a t kernel around a candidate truth, so a report that gives the truth
exactly counts little more than a near miss: on the population set four editors' 353,837 lose to one
editor's 354,837, which sits between them and the other claims. Two repairs are probed here, with each
outlet's theta, the kernel's scale, the transform and the gross errors' density held at what a finished
em run fitted (`sources.csv`'s reliability, `summary.json`'s `numbers` block), so only the choice of value
changes and nothing is refitted:

* **spike**: a good report gives the truth exactly with probability eps, a near miss otherwise; the exact
  part is a narrow spike of width s on the transformed scale, so its probability in the report's bin is
  `eps * w / s` (a point mass, not scaled by the bin, would make an exact match on 10^11 count millions of
  times one on 61,704: bins of numbers written to the unit shrink with the number on that scale);
* **point**: the exact part as a point mass of probability eps, every report's bin at the precision it is
  written to (an integer's trailing zeros and the six significant digits credence compares widen it), so
  a gross error's chance of landing on a round 100000000000 is not that of landing on 61,704;
* **urn**: exact repeats may be copies. Per story the reports follow a Blackwell-MacQueen urn of
  concentration alpha over the model's own distribution (a report repeats an earlier report's value with
  probability proportional to how many gave it, or draws afresh with weight alpha), averaged over the
  order of the reports within each value (the average of a product over orders is a sum over elementary
  symmetric polynomials), so a cluster of r exact copies is worth far less than r independent reports.

Every setting is printed with the decision's log marginal likelihood (summed over the gold stories, a
uniform prior over each story's candidates), the accuracy of the chosen values and their mean absolute
error, and the log loss of the gold value's posterior where some report gave it. The first line
(`plain`) is em's own decision rebuilt from the run and should match `credence eval`'s accuracy to within
a few stories (theta here is the posterior mean, em's own is half-stepped). The other probes import this
file's readers and scorers.

    credence score --claims CLAIMS.csv --value-kind number --method em --out RUN
    python3 scripts/diagnostics/number_exact.py CLAIMS.csv RUN GOLD.csv
"""
import collections
import csv
import json
import math
import os
import sys
from math import comb

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from planted_numbers import spearman  # noqa: E402


def t4_upper(x):
    r = math.sqrt(4 + x * x)
    om = 4 / (r * (r + x))
    return 0.25 * om * om * (3 - om)


def kernel_mass(d, w, b):
    """The probability of a bin of width w at distance d from the truth under em's t kernel (4 degrees of
    freedom, scale b); far out, or where the bin is too narrow for the difference, the density times w."""
    lo, hi = (abs(d) - 0.5 * w) / b, (abs(d) + 0.5 * w) / b
    p = t4_upper(lo) - t4_upper(hi) if lo >= 0 else 1 - t4_upper(-lo) - t4_upper(hi)
    if p <= 0:
        z = d / b
        q = 1 + 0.25 * z * z
        p = 0.375 / b / (q * q * math.sqrt(q)) * w
    return p


def elementary_symmetric(x):
    e = [1.0] + [0.0] * len(x)
    for v in x:
        for k in range(len(x), 0, -1):
            e[k] += e[k - 1] * v
    return e


def order_average(xs):
    """The average over the orders of xs of prod_pos (pos - 1 + x_at_pos), pos counted from 1."""
    r = len(xs)
    ex, ec = elementary_symmetric(xs), elementary_symmetric(list(range(r)))
    return sum(ex[k] * ec[r - k] / comb(r, k) for k in range(r + 1))


def six_digits(x):
    """x rounded to six significant digits, as credence compares numbers (`value::number`)."""
    if x == 0:
        return 0.0
    e = math.floor(math.log10(abs(x))) - 5
    return float(round(x / 10**e) * 10**e) if e > 0 else round(x, -e)


def written_precision(x, resolution):
    """The step a number is written to: the data's resolution, coarser where an integer ends in zeros
    (100000000000 is one significant digit) or has more than six significant digits."""
    p = resolution
    if x != 0 and x == int(x):
        n, zeros = int(abs(x)), 0
        while n % 10 == 0:
            n //= 10
            zeros += 1
        p = max(p, 10.0**zeros)
    if x != 0:
        p = max(p, 10.0 ** (math.floor(math.log10(abs(x))) - 5))
    return p


def read_fit(run):
    """The number model em fitted in a `credence score` output directory (`summary.json`'s `numbers`
    block), its transform `t(x) = asinh(x / c)` and the gross errors' density `g` on that scale."""
    fitted = json.load(open(run + "/summary.json"))["numbers"]
    c = fitted["transform_scale"]

    def tr(x):
        return math.asinh(x / c)

    return fitted, tr, 1.0 / (tr(fitted["gross_high"]) - tr(fitted["gross_low"]))


def bin_width(x, step, c):
    """The width on the transformed scale of the bin of x written to `step`; where the difference underflows
    (numbers near 10^18), its derivative."""
    return max(math.asinh((x + step / 2) / c) - math.asinh((x - step / 2) / c), step / math.hypot(c, x))


def read_gold(path):
    return {r["story_id"]: six_digits(float(r["value"])) for r in csv.DictReader(open(path))}


def read_reports(path, keep=lambda story: True):
    """Each kept story's original reports (a relay repeats another outlet's) as (source id, number at six
    significant digits), and the sources' ids in order of first appearance."""
    stories, ids = collections.defaultdict(list), {}
    for r in csv.DictReader(open(path)):
        if keep(r["story_id"]) and not r.get("attributed_to"):
            s = ids.setdefault(r["source"], len(ids))
            stories[r["story_id"]].append((s, six_digits(float(r["value"]))))
    return stories, ids


def normalised(logs):
    """Probabilities from log weights, and the log of their sum."""
    top = max(logs)
    q = [math.exp(x - top) for x in logs]
    z = sum(q)
    return [x / z for x in q], top + math.log(z)


def score_gold(decided, gold):
    """Over (story, candidates, ranking key, posterior) of gold stories: how many, the accuracy of the
    best-ranked candidate (ties to the smaller number), its mean absolute error, the mean log loss of the
    gold value's posterior over the stories where some report gave it, and how many those are."""
    n, right, err, loss, claimed = 0, 0, 0.0, 0.0, 0
    for sid, vals, key, q in decided:
        n += 1
        best = max(range(len(vals)), key=lambda j: (key[j], -vals[j]))
        right += vals[best] == gold[sid]
        err += abs(vals[best] - gold[sid])
        if gold[sid] in vals:
            loss -= math.log(max(q[vals.index(gold[sid])], 1e-15))
            claimed += 1
    return n, right / n, err / n, loss / claimed, claimed


def exact_share_spearman(rate, stories, gold):
    """Spearman's rho of each source's `rate[source]` with its share of exact hits on the gold stories,
    and over how many sources."""
    hits = collections.defaultdict(lambda: [0, 0])
    for sid, reports in stories.items():
        if sid in gold:
            for s, v in reports:
                hits[s][0] += v == gold[sid]
                hits[s][1] += 1
    sources = sorted(hits)
    return spearman([rate[s] for s in sources], [hits[s][0] / hits[s][1] for s in sources]), len(sources)


def share_beyond_fences(fitted):
    """The share of a run's distinct numbers beyond its fences (at least one), the prior weight of a
    candidate truth there."""
    return max(fitted["beyond_fences"], 1) / fitted["numbers"]


def candidate_stories(stories, gold, fitted, tr, rho):
    """For a whole em over the claims (`number_three_outcomes.py`, `number_wrong_crp.py`): per story with
    two reports or more, or a gold one, in story order, its id, its candidates (the numbers claimed,
    ascending), their places on the transformed scale, their bins' widths at the precision written, their
    log prior (log rho beyond the run's fences, 0 within) and its reports as (source, candidate)."""
    c, res = fitted["transform_scale"], fitted["resolution"]
    for sid in sorted(stories):
        reports = stories[sid]
        if len(reports) < 2 and sid not in gold:
            continue
        vals = sorted(set(v for _, v in reports))
        t = [tr(v) for v in vals]
        w = [bin_width(v, written_precision(v, res), c) for v in vals]
        prior = [0.0 if fitted["gross_low"] <= v <= fitted["gross_high"] else math.log(rho) for v in vals]
        index = {v: j for j, v in enumerate(vals)}
        yield sid, vals, t, w, prior, [(s, index[v]) for s, v in reports]


def main(claims_path, run, gold_path):
    fitted, tr, g = read_fit(run)
    c, b, res = fitted["transform_scale"], fitted["kernel_scale"], fitted["resolution"]
    gold = read_gold(gold_path)
    stories, ids = read_reports(claims_path, keep=lambda story: story in gold)
    reliability = {r["source"]: float(r["reliability"]) for r in csv.DictReader(open(run + "/sources.csv"))}
    theta = {i: min(max(reliability.get(name, 0.5), 1e-9), 1 - 1e-9) for name, i in ids.items()}

    def story_logs(reports, alpha, eps, s, point=False):
        vals = sorted(set(v for _, v in reports))
        t = {v: tr(v) for v in vals}
        w = {v: bin_width(v, written_precision(v, res) if point else res, c) for v in vals}
        groups = collections.defaultdict(list)
        for source, v in reports:
            groups[v].append(theta[source])
        logs = []
        for truth in vals:
            ll = 0.0
            for v, thetas in groups.items():
                km = kernel_mass(t[v] - t[truth], w[v], b)
                spike = (eps if point else eps * w[v] / s) if v == truth else 0.0
                p = [th * (spike + (1 - eps) * km) + (1 - th) * g * w[v] for th in thetas]
                if alpha is None:
                    ll += sum(math.log(x) for x in p)
                else:
                    ll += math.log(order_average([alpha * x for x in p]))
            logs.append(ll)
        norm = 0.0 if alpha is None else sum(math.log(alpha + i) for i in range(len(reports)))
        return vals, [x - norm for x in logs]

    def decide(alpha, eps, s, point=False):
        marginal, decided = 0.0, []
        for sid, reports in sorted(stories.items()):
            vals, logs = story_logs(reports, alpha, eps, s, point)
            q, log_z = normalised(logs)
            marginal += log_z - math.log(len(vals))
            decided.append((sid, vals, logs, q))
        _, accuracy, mae, loss, _ = score_gold(decided, gold)
        return marginal, accuracy, mae, loss

    print(f"{len(stories)} gold stories; c {c}, kernel scale b {b}, g {g:.4g}")
    print("setting                          log marginal  accuracy  value MAE  log loss")
    m, a, e, ll = decide(None, 0.0, 1.0)
    print(f"{'plain (em, rebuilt)':32} {m:12.1f}  {a:8.4f}  {e:9.2f}  {ll:8.3f}")
    for s_name, s in (("b", b), ("b/10", b / 10)):
        for eps in (0.1, 0.3, 0.5, 0.7, 0.9):
            for alpha in (None, 3.0, 10.0):
                m, a, e, ll = decide(alpha, eps, s)
                label = f"spike s={s_name} eps={eps}" + ("" if alpha is None else f" urn {alpha:g}")
                print(f"{label:32} {m:12.1f}  {a:8.4f}  {e:9.2f}  {ll:8.3f}")
    for alpha in (3.0, 10.0):
        m, a, e, ll = decide(alpha, 0.0, 1.0)
        print(f"{'urn ' + format(alpha, 'g') + ', no spike':32} {m:12.1f}  {a:8.4f}  {e:9.2f}  {ll:8.3f}")
    for eps in (0.3, 0.5, 0.7, 0.9):
        for alpha in (None, 3.0, 10.0):
            m, a, e, ll = decide(alpha, eps, 1.0, point=True)
            label = f"point eps={eps}" + ("" if alpha is None else f" urn {alpha:g}")
            print(f"{label:32} {m:12.1f}  {a:8.4f}  {e:9.2f}  {ll:8.3f}")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
