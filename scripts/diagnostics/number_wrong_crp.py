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

import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from number_exact import (  # noqa: E402
    candidate_stories,
    exact_share_spearman,
    kernel_mass,
    normalised,
    read_fit,
    read_gold,
    read_reports,
    score_gold,
    share_beyond_fences,
)

# The strength of the Beta prior that pools each source's theta toward the crowd's.
STRENGTH = 2.0


def story_logs(story, skip, theta, lam, beta):
    """The story's log weight of each candidate truth from all its reports but `skip`, and how many of
    them gave each candidate."""
    vals, prior, near, gross, rows = story
    m = len(vals)
    count = [0] * m
    for r, (s, u) in enumerate(rows):
        if r != skip:
            count[u] += 1
    out = []
    for truth in range(m):
        ll = prior[truth]
        wrong = 0
        for r, (s, u) in enumerate(rows):
            if r == skip:
                continue
            ll += math.log(theta[s]) if u == truth else math.log(1 - theta[s])
            wrong += u != truth
        distinct = 0
        for u in range(m):
            if u == truth or count[u] == 0:
                continue
            distinct += 1
            ll += math.log(lam * near[u][truth] + (1 - lam) * gross[u]) + math.lgamma(count[u])
        ll += distinct * math.log(beta) + math.lgamma(beta) - math.lgamma(beta + wrong)
        out.append(ll)
    return out, count


def main(claims_path, run, gold_path, beta):
    fitted, tr, g = read_fit(run)
    b = fitted["kernel_scale"]
    gold = read_gold(gold_path)
    stories, ids = read_reports(claims_path)
    # Per story: candidates, log prior, near-miss mass near[u][truth] of candidate u, gross mass, reports.
    prepared = []
    rho = share_beyond_fences(fitted)
    for sid, vals, t, w, prior, reports in candidate_stories(stories, gold, fitted, tr, rho):
        m = len(vals)
        near = [[kernel_mass(t[u] - t[j], w[u], b) for j in range(m)] for u in range(m)]
        prepared.append((sid, (vals, prior, near, [g * x for x in w], reports)))

    theta, lam = [0.7] * len(ids), 0.5
    for iteration in range(80):
        num, den = [0.0] * len(ids), [0] * len(ids)
        lam_num = lam_den = marginal = 0.0
        posterior = {}
        for sid, story in prepared:
            vals, _, near, gross, rows = story
            m = len(vals)
            logs, count = story_logs(story, None, theta, lam, beta)
            q, log_z = normalised(logs)
            posterior[sid] = q
            marginal += log_z
            # lambda: the first report of each distinct wrong figure, a near miss or a gross error.
            for truth in range(m):
                for u in range(m):
                    if u != truth and count[u]:
                        a, e = lam * near[u][truth], (1 - lam) * gross[u]
                        lam_num += q[truth] * a / (a + e)
                        lam_den += q[truth]
            if len(rows) < 2:
                continue
            for r, (s, u) in enumerate(rows):
                others, cnt = story_logs(story, r, theta, lam, beta)
                cq, _ = normalised(others)
                wrong = [sum(cnt) - cnt[truth] for truth in range(m)]
                p = []
                for truth in range(m):
                    if u == truth:
                        p.append(theta[s])
                    else:
                        base = lam * near[u][truth] + (1 - lam) * gross[u]
                        p.append((1 - theta[s]) * (cnt[u] + beta * base) / (wrong[truth] + beta))
                total = sum(cq[truth] * p[truth] for truth in range(m))
                num[s] += cq[u] * p[u] / total
                den[s] += 1
        mean = sum(num) / max(sum(den), 1)
        new = [
            min(max((num[s] + STRENGTH * mean) / (den[s] + STRENGTH), 1e-6), 1 - 1e-6) for s in range(len(ids))
        ]
        change = max(abs(x - y) for x, y in zip(new, theta))
        theta = new
        lam = lam_num / lam_den if lam_den else lam
        if change < 1e-5:
            break

    decided = [(sid, story[0], posterior[sid], posterior[sid]) for sid, story in prepared if sid in gold]
    _, accuracy, mae, loss, _ = score_gold(decided, gold)
    rho_rank, _ = exact_share_spearman(theta, stories, gold)
    print(
        f"beta {beta}: {iteration + 1} iterations, change {change:.2g}, lambda {lam:.3f}, mean theta {mean:.3f},"
        f" log marginal {marginal:.1f}; accuracy {accuracy:.4f} value MAE {mae:.2f} log loss {loss:.3f}"
        f" spearman {rho_rank:.4f}"
    )


if __name__ == "__main__":
    if len(sys.argv) != 5:
        sys.exit(__doc__)
    main(*sys.argv[1:4], float(sys.argv[4]))
