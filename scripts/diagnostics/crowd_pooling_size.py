"""How em over a shared label set should read its rows when it fits the pooling strength (session 24).

    python3 scripts/diagnostics/crowd_pooling_size.py planted SEEDS OUT       # e.g. 1,2,3,4,5,6,7,8 /tmp/pl
    python3 scripts/diagnostics/crowd_pooling_size.py real DIR [DIR ...]      # from `credence convert crowd`

em pools each worker's confusion row toward the crowd's with a Dirichlet strength fitted by marginal
likelihood to rows of counts weighted by the stories' posteriors. Three ways to read those rows, in the
replica of em of `crowd_bootstrap.py` (no SQUAREM, so iteration counts differ from credence's):
  * ml:   the weighted counts as whole votes (credence before session 24);
  * neff: each row at Kish's effective size (sum t)^2 / sum t^2 (credence since session 24);
  * sem:  stochastic EM: whole counts from classes drawn from the posteriors (5 draws, the geometric mean
          of their strengths), the textbook remedy for fitting to soft counts; it does not converge to a
          point, so it runs 300 iterations.
`planted` draws crowds like `tests/planted_labels.rs` (30 workers of planted accuracy 0.25 to 0.95, 900
tasks of three labels, 2 to 5 workers a task; Python's generator, not the test's) and prints, per crowd
and way, the fitted strengths and, for each worker's maximum-likelihood one-coin accuracy from its
reports judged without their own vote (credence's record), the Spearman with the planted rates as a ratio
of counting's, and the mean bias against counting. `real` prints the accuracy against gold.csv.
"""
import csv
import os
import random
import sys

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.stats import spearmanr

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crowd_cv_strength import correct_vector, prepare, vfit_em  # noqa: E402

WORKERS, TASKS, LABELS = 30, 900, 3


def generate(seed, out):
    """A planted crowd in `out` (claims.csv, an empty gold.csv, truth.csv of the planted rates)."""
    r = random.Random(seed)
    theta = [0.25 + 0.7 * i / (WORKERS - 1) for i in range(WORKERS)]
    good, n = [0] * WORKERS, [0] * WORKERS
    os.makedirs(out, exist_ok=True)
    with open(f'{out}/claims.csv', 'w') as f:
        f.write('claim_id,source,published_at,story_id,stance,value\n')
        cid = 0
        for s in range(TASKS):
            t = r.randrange(LABELS)
            for o in r.sample(range(WORKERS), r.randint(2, 5)):
                g = r.random() < theta[o]
                v = t if g else (t + 1 + r.randrange(LABELS - 1)) % LABELS
                good[o] += g
                n[o] += 1
                cid += 1
                f.write(f'{cid},outlet{o:02},2020-01-01,s{s:04},asserts,{v}\n')
    with open(f'{out}/gold.csv', 'w') as f:
        f.write('story_id,value\n')
    with open(f'{out}/truth.csv', 'w') as f:
        f.write('source,theta,counted\n')
        for o in range(WORKERS):
            f.write(f'outlet{o:02},{theta[o]},{good[o] / n[o]}\n')


def fit(A, mode):
    """The replica (`crowd_cv_strength.vfit_em`) with the rows read as `mode` says, 300 iterations at most."""
    reading = {'ml': 'whole', 'neff': 'kish', 'sem': 'sem'}[mode]
    record = {}
    m, prior, t = vfit_em(A, 'ml', record=record, reading=reading, iterations=300)
    return m, prior, t, record['strengths'], record['iters']


def records(V, A, m, prior):
    """Each worker's maximum-likelihood accuracy from its reports' factors c'θ + (1 - c')(1 - θ)."""
    L, lm = A.L, np.log(m)
    rec = [[] for _ in range(A.W)]
    for vs in V:
        if len(vs) < 2:
            continue
        total = np.log(prior) + sum(lm[w, :, c] for w, c in vs)
        for w, c in vs:
            cav = total - lm[w, :, c]
            p = np.exp(cav - cav.max())
            p /= p.sum()
            q = sum(p[k] * m[w, k, c] / (1 - m[w, k, k]) for k in range(L) if k != c)
            rec[w].append(p[c] / (p[c] + q))

    def mle(cs):
        cs = np.array(cs)
        return minimize_scalar(lambda th: -np.sum(np.log(cs * th + (1 - cs) * (1 - th))),
                               bounds=(1e-4, 1 - 1e-4), method='bounded').x
    return np.array([mle(r) if r else 0.5 for r in rec])


def main():
    what = sys.argv[1]
    if what == 'planted':
        dirs = []
        for seed in sys.argv[2].split(','):
            d = f'{sys.argv[3]}/crowd{seed}'
            generate(int(seed), d)
            dirs.append(d)
    else:
        dirs = sys.argv[2:]
    for d in dirs:
        V, A, gk, gl, n_gold = prepare(d)
        for mode in ('ml', 'neff', 'sem'):
            m, prior, t, strengths, its = fit(A, mode)
            line = f'{os.path.basename(d):>34} {mode:5} iterations {its:3} strengths {np.round(strengths[:4], 1)}'
            if what == 'planted':
                names = sorted({r['source'] for r in csv.DictReader(open(f'{d}/claims.csv'))})
                truth = {r['source']: r for r in csv.DictReader(open(f'{d}/truth.csv'))}
                theta = np.array([float(truth[w]['theta']) for w in names])
                counted = np.array([float(truth[w]['counted']) for w in names])
                est = records(V, A, m, prior)
                ratio = spearmanr(est, theta)[0] / spearmanr(counted, theta)[0]
                line += f' spearman ratio {ratio:.3f} bias {np.mean(est - counted):+.4f}'
            else:
                line += f' accuracy {correct_vector(t[gk], gl).sum() / n_gold:.4f}'
            print(line, flush=True)


if __name__ == '__main__':
    main()
