"""Do correlated errors on hard tasks explain Dawid-Skene's lead on Product and Dog? A probe, not kept.

On Product, when a worker is wrong both other answers agree with it three times as often as independent
errors would (EVALUATION.md). A two-type task model lets errors come together: each task is easy with
probability 1 - h, and its answers follow each worker's own rows (em's, pooled toward the crowd's as in
`crowd_bootstrap.py`'s `fit_em`), or hard, and its answers follow one row per true class shared by every
worker (a flat pseudo-count of 1 per cell). em fits h, the shared rows and the workers' rows together, each
answer counting toward the workers' rows by the task's probability of being easy. Prints, per converted
set, the accuracy of em's replica, of Dawid-Skene's maximum-likelihood fit, and of the two-type model, with
the fitted h and shared rows.

    python3 scripts/diagnostics/crowd_hard_tasks.py CONVERTED_DIR...

CONVERTED_DIR holds `claims.csv` and `gold.csv` from `credence convert crowd`. Needs numpy and scipy.
"""
import csv
import importlib.util
import math
import os
import sys

import numpy as np

spec = importlib.util.spec_from_file_location(
    'crowd_bootstrap', os.path.join(os.path.dirname(os.path.abspath(__file__)), 'crowd_bootstrap.py'))
cb = importlib.util.module_from_spec(spec)
spec.loader.exec_module(cb)


def load(d):
    votes, labels = cb.load(d)
    stories = sorted(votes)
    sources = sorted({w for v in votes.values() for w, _ in v})
    si = {w: i for i, w in enumerate(sources)}
    li = {lab: i for i, lab in enumerate(labels)}
    V = [[(si[w], li[v]) for w, v in votes[s]] for s in stories]
    gold = {r['story_id']: r['value'] for r in csv.DictReader(open(d + '/gold.csv'))}
    G = [li.get(gold.get(s), -1) for s in stories]
    return V, len(sources), len(labels), G


def accuracy(t, G):
    scored = [(k, g) for k, g in enumerate(G) if g >= 0]
    return sum(int(np.argmax(t[k]) == g) for k, g in scored) / len(scored)


def pooled_rows(counts, L):
    """em's workers' rows, pooled toward the crowd's by a fitted strength (as `cb.fit_em`)."""
    acc = sum(counts[:, j, j].sum() for j in range(L)) / counts.sum()
    off = (1 - acc) / (L - 1)
    log_m = np.zeros(counts.shape)
    for j in range(L):
        mean = np.array([L * (acc if lab == j else off) + 1e-9 for lab in range(L)]) + counts[:, j, :].sum(0)
        mean /= mean.sum()
        rows = counts[:, j, :]
        s = cb.dirichlet_strength(rows, mean)
        log_m[:, j, :] = np.log((rows + s * mean) / (rows.sum(1, keepdims=True) + s))
    return log_m


def fit_two_types(V, W, L, h=0.2):
    t = cb.vote_shares(V, L)
    easy = np.full(len(V), 1 - h)
    log_prior = np.full(L, -math.log(L))
    for _ in range(500):
        counts = np.zeros((W, L, L))
        shared = np.zeros((L, L))
        for k, vs in enumerate(V):
            if len(vs) < 2:
                continue
            for w, lab in vs:
                counts[w, :, lab] += t[k] * easy[k]
                shared[:, lab] += t[k] * (1 - easy[k])
        log_m = pooled_rows(counts, L)
        rows = (shared + 1) / (shared + 1).sum(1, keepdims=True)
        log_h = np.log(rows)
        new = np.zeros((len(V), L))
        for k, vs in enumerate(V):
            le = log_prior + math.log(1 - h)
            lh = log_prior + math.log(h)
            for w, lab in vs:
                le = le + log_m[w, :, lab]
                lh = lh + log_h[:, lab]
            both = np.concatenate([le, lh])
            p = np.exp(both - both.max())
            p /= p.sum()
            new[k] = p[:L] + p[L:]
            easy[k] = p[:L].sum()
        moved, t = np.abs(new - t).max(), new
        c = t.sum(0) + 1
        log_prior = np.log(c / c.sum())
        h = min(max(1 - easy.mean(), 1e-3), 0.9)
        if moved < 1e-6:
            break
    return t, h, rows


for d in sys.argv[1:]:
    V, W, L, G = load(d)
    m, prior = cb.fit_em(V, W, L)
    m_ds, prior_ds = cb.fit_ds(V, W, L)
    t, h, rows = fit_two_types(V, W, L)
    print(f'{os.path.basename(d.rstrip("/"))}: em {accuracy(cb.posterior(V, np.log(prior), np.log(m)), G):.4f}, '
          f'dawid-skene {accuracy(cb.posterior(V, np.log(prior_ds), np.log(m_ds)), G):.4f}, '
          f'two task types {accuracy(t, G):.4f} (h = {h:.3f}; shared rows {np.round(rows, 3).tolist()})')
    sys.stdout.flush()
