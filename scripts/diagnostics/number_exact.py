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
error, and the log loss of the gold value's posterior where some report gave it. The first line (`plain`) is em's own decision rebuilt from the run and should match `credence
eval`'s accuracy to within a few stories (theta here is the posterior mean, em's own is half-stepped).

    credence score --claims CLAIMS.csv --value-kind number --method em --out RUN
    python3 scripts/diagnostics/number_exact.py CLAIMS.csv RUN GOLD.csv
"""
import collections
import csv
import json
import math
import sys
from math import comb


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


def main(claims_path, run, gold_path):
    fitted = json.load(open(run + "/summary.json"))["numbers"]
    c, b, res = fitted["transform_scale"], fitted["kernel_scale"], fitted["resolution"]

    def tr(x):
        return math.asinh(x / c)

    g = 1.0 / (tr(fitted["gross_high"]) - tr(fitted["gross_low"]))
    theta = {
        r["source"]: min(max(float(r["reliability"]), 1e-9), 1 - 1e-9)
        for r in csv.DictReader(open(run + "/sources.csv"))
    }
    gold = {r["story_id"]: six_digits(float(r["value"])) for r in csv.DictReader(open(gold_path))}
    stories = collections.defaultdict(list)
    for r in csv.DictReader(open(claims_path)):
        if r["story_id"] in gold and not r.get("attributed_to"):
            stories[r["story_id"]].append((r["source"], six_digits(float(r["value"]))))

    def story_logs(reports, alpha, eps, s, point=False):
        vals = sorted(set(v for _, v in reports))
        t = {v: tr(v) for v in vals}
        # The bin's width on the transformed scale; where it underflows (numbers near 10^18), its derivative.
        step = {v: written_precision(v, res) if point else res for v in vals}
        w = {v: max(tr(v + step[v] / 2) - tr(v - step[v] / 2), step[v] / math.hypot(c, v)) for v in vals}
        groups = collections.defaultdict(list)
        for source, v in reports:
            groups[v].append(theta.get(source, 0.5))
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
        marginal, right, err, loss, claimed = 0.0, 0, 0.0, 0.0, 0
        for sid, reports in sorted(stories.items()):
            vals, logs = story_logs(reports, alpha, eps, s, point)
            top = max(logs)
            z = sum(math.exp(x - top) for x in logs)
            marginal += top + math.log(z) - math.log(len(vals))
            best = max(range(len(vals)), key=lambda j: (logs[j], -vals[j]))
            right += vals[best] == gold[sid]
            err += abs(vals[best] - gold[sid])
            if gold[sid] in vals:
                loss -= math.log(max(math.exp(logs[vals.index(gold[sid])] - top) / z, 1e-15))
                claimed += 1
        return marginal, right / len(stories), err / len(stories), loss / claimed

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
