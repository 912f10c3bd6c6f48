"""A probe of em for numbers in which a report is exact, a near miss or a gross error, each source with
its own rate of each (session 13; not in credence).

em's number model gives each source one rate θ of good reports, a good report being one within the
kernel's reach of the truth, so an exact figure counts little more than a near one and a source's record
counts near misses as right (DESIGN.md, "Exact agreement, tried and not kept"). Here each source has three
rates (exact, near, gross), pooled toward the crowd's by a Dirichlet prior of strength A, and a report's
probability given a candidate truth T is

    exact * [v == T]  +  near * K(t(v) - t(T)) in v's bin  +  gross * g * (v's bin width)

on the transformed scale of a finished em run (its `c`, kernel scale `b` and `g`, from `summary.json`,
held fixed). The exact part is a probability, not a density, so each bin is as wide as the step its
number is written to (`number_exact.written_precision`: trailing zeros and the six significant digits
credence compares); a candidate beyond the run's far-out fences has prior weight RHO against 1 within
them. The E-step is em's: each report's outcome is judged by the other reports of its story (a source
alone on a story learns nothing), and the story's posterior over its candidates uses every report. It
runs to a largest change of 1e-6 in any rate, or 60 iterations.

Printed: the accuracy of the chosen values on the gold stories, their mean absolute error, the log loss of
the gold value's posterior on the stories where some report gave it, and Spearman's rho of each source's
exact rate with its share of exact hits on the gold (`credence eval`'s spearman).

    credence score --claims CLAIMS.csv --value-kind number --method em --out RUN
    python3 scripts/diagnostics/number_three_outcomes.py CLAIMS.csv RUN GOLD.csv [A [RHO [ALPHA]]]

A defaults to 2 and RHO (`none`) to the share of numbers beyond the fences in RUN's `summary.json`. With
ALPHA, each story's reports follow a Blackwell-MacQueen urn of that concentration over the model's
probabilities, averaged over the order of the reports within each value (`number_exact.order_average`),
so exact repeats may be copies; a report's own outcome is still judged as independent, given the story's
other reports under the urn. Without it the reports are independent given the truth.
"""
import collections
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from number_exact import (  # noqa: E402
    candidate_stories,
    exact_share_spearman,
    kernel_mass,
    normalised,
    order_average,
    read_fit,
    read_gold,
    read_reports,
    score_gold,
    share_beyond_fences,
)


def main(claims_path, run, gold_path, strength=2.0, rho=None, alpha=None):
    fitted, tr, g_density = read_fit(run)
    b = fitted["kernel_scale"]
    if rho is None:
        rho = share_beyond_fences(fitted)
    gold = read_gold(gold_path)
    stories, source_id = read_reports(claims_path)

    # Per story: its candidates, their log prior, and per report (source, candidate, near-miss mass at each
    # candidate, gross mass).
    prepared = []
    for sid, vals, t, w, prior, reports in candidate_stories(stories, gold, fitted, tr, rho):
        rows = []
        for s, i in reports:
            near = [kernel_mass(t[i] - t[j], w[i], b) if j != i else 0.0 for j in range(len(vals))]
            rows.append((s, i, near, g_density * w[i]))
        prepared.append((sid, vals, prior, rows))

    n_sources = len(source_id)
    rates = [(0.6, 0.3, 0.1)] * n_sources
    posterior = {}

    for iteration in range(60):
        counts = [[0.0, 0.0, 0.0] for _ in range(n_sources)]
        for sid, vals, prior, rows in prepared:
            m = len(vals)
            lik = []
            for s, i, near, gross in rows:
                e, n, g = rates[s]
                row = [(e if i == j else 0.0) + n * near[j] + g * gross for j in range(m)]
                lik.append(row)

            def story_log(skip):
                logs = list(prior)
                for j in range(m):
                    if alpha is None:
                        logs[j] += sum(math.log(row[j]) for r, row in enumerate(lik) if r != skip)
                    else:
                        by = collections.defaultdict(list)
                        for r, ((s, i, near, gross), row) in enumerate(zip(rows, lik)):
                            if r != skip:
                                by[i].append(alpha * row[j])
                        logs[j] += sum(math.log(order_average(xs)) for xs in by.values())
                return logs

            logs = story_log(None)
            posterior[sid] = normalised(logs)[0]
            if len(rows) < 2:
                continue
            for r, ((s, i, near, gross), row) in enumerate(zip(rows, lik)):
                q = normalised(story_log(r))[0]
                e, n, g = rates[s]
                parts = (q[i] * e, n * sum(q[j] * near[j] for j in range(m)), g * gross)
                total = sum(parts)
                for k in range(3):
                    counts[s][k] += parts[k] / total
        pooled = [sum(cn[k] for cn in counts) for k in range(3)]
        mean = [x / sum(pooled) for x in pooled]
        new = [
            tuple((cn[k] + strength * mean[k]) / (sum(cn) + strength) for k in range(3)) for cn in counts
        ]
        change = max(abs(a - b_) for r0, r1 in zip(rates, new) for a, b_ in zip(r0, r1))
        rates = new
        if change < 1e-6:
            break

    decided = [(sid, vals, posterior[sid], posterior[sid]) for sid, vals, _, _ in prepared if sid in gold]
    n_gold, accuracy, mae, loss, claimed = score_gold(decided, gold)
    rho_rank, n_ranked = exact_share_spearman([r[0] for r in rates], stories, gold)
    print(
        f"strength {strength:g}, prior beyond the fences {rho:.4g}: {iteration + 1} iterations (last change"
        f" {change:.2g}); crowd's rates exact {mean[0]:.3f} near {mean[1]:.3f} gross {mean[2]:.3f}\n"
        f"accuracy {accuracy:.4f} of {n_gold}, value MAE {mae:.2f}, log loss of the gold value"
        f" {loss:.3f} on {claimed} stories, spearman {rho_rank:.4f} over {n_ranked} sources"
    )


if __name__ == "__main__":
    if len(sys.argv) not in (4, 5, 6, 7):
        sys.exit(__doc__)
    main(*sys.argv[1:4], *(float(x) if x != "none" else None for x in sys.argv[4:]))
