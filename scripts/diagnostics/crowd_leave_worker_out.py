"""Where em over labels' small upward bias in workers' records comes from (session 24).

    python3 scripts/diagnostics/crowd_pooling_size.py planted 1,2,3 DIR     # draws DIR/crowd1..3 first
    python3 scripts/diagnostics/crowd_leave_worker_out.py DIR 1 2 3

em (the replica of `crowd_pooling_size.py`, rows fitted at their effective sizes as credence does) records
each report by its chance of naming the truth given the other votes (the cavity), judged by the other
workers' fitted rows. Those rows were fitted from posteriors that included the worker's own votes, so a
worker's agreement with its judges is partly its own doing. Here each worker's record is computed twice:
with the rows of the full fit, and with rows refitted without any of that worker's answers (its own row,
for the chance of naming a class by mistake, from the full fit). Prints, per crowd, the Spearman ratio to
counting against the planted truth and the mean bias against counting, both ways. One refit per worker:
30 fits a crowd.
"""
import csv
import os
import sys

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import spearmanr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crowd_pooling_size import fit, prepare, records  # noqa: E402


def mle(cs):
    cs = np.array(cs)
    return minimize_scalar(lambda th: -np.sum(np.log(cs * th + (1 - cs) * (1 - th))),
                           bounds=(1e-4, 1 - 1e-4), method='bounded').x


def main():
    base = sys.argv[1]
    for seed in sys.argv[2:]:
        d = f'{base}/crowd{seed}'
        V, A, _, _, _ = prepare(d)
        names = sorted({r['source'] for r in csv.DictReader(open(f'{d}/claims.csv'))})
        truth = {r['source']: r for r in csv.DictReader(open(f'{d}/truth.csv'))}
        theta = np.array([float(truth[w]['theta']) for w in names])
        counted = np.array([float(truth[w]['counted']) for w in names])
        m, prior, _, _, _ = fit(A, 'neff')
        full = records(V, A, m, prior)
        apart = np.zeros(A.W)
        for w in range(A.W):
            mw, pw, _, _, _ = fit(A.subset(A.w != w), 'neff')
            lm, rec = np.log(mw), []
            for vs in V:
                mine = [label for x, label in vs if x == w]
                if len(vs) < 2 or not mine:
                    continue
                c = mine[0]
                cav = np.log(pw) + sum(lm[x, :, label] for x, label in vs if x != w)
                p = np.exp(cav - cav.max())
                p /= p.sum()
                q = sum(p[k] * m[w, k, c] / (1 - m[w, k, k]) for k in range(A.L) if k != c)
                rec.append(p[c] / (p[c] + q))
            apart[w] = mle(rec)
        oracle = spearmanr(counted, theta)[0]
        print(f'crowd {seed}: full fit ratio {spearmanr(full, theta)[0] / oracle:.3f} bias '
              f'{np.mean(full - counted):+.4f} | without the worker ratio '
              f'{spearmanr(apart, theta)[0] / oracle:.3f} bias {np.mean(apart - counted):+.4f}', flush=True)


if __name__ == '__main__':
    main()
