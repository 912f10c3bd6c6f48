"""Is a few stories' difference between em and Dawid-Skene on a crowd set more than noise? A parametric
bootstrap: fit a model to the converted set, draw new truths from its class prior and new answers from its
confusion matrices on the same (task, worker) pairs, and score every replicate with `credence eval`.

    python3 scripts/diagnostics/crowd_bootstrap.py CONVERTED_DIR MODEL REPLICATES WORKDIR [CREDENCE]

CONVERTED_DIR holds `claims.csv` and `gold.csv` from `credence convert crowd`; MODEL is `ds` (Dawid-Skene's
maximum-likelihood fit, as credence's `dawid-skene`, with its floor of 1e-9 per cell) or `em` (em's rows pooled toward the crowd's, as
`src/model/categorical.rs`, `em_labels`, which this reproduces: 0.8389 on the Dog set). Prints each
replicate's accuracies (em, dawid-skene, vote), em's and dawid-skene's interval coverage and p_coverage
(as `credence eval` computes them, against each worker's share correct on the drawn truths), the mean and
spread of em's lead in stories, and the mean coverages.
Needs numpy and scipy; seeds are fixed, so the numbers repeat."""
import csv
import math
import os
import subprocess
import sys

import numpy as np
from scipy.special import gammaln


def load(d):
    votes, labels = {}, set()
    for r in csv.DictReader(open(d + '/claims.csv')):
        votes.setdefault(r['story_id'], []).append((r['source'], r['value']))
        labels.add(r['value'])
    return votes, sorted(labels)


def golden_max(f, a, b):
    """The maximiser of f on [a, b], as `ratings::golden_max` (60 rounds)."""
    g = 0.5 * (5 ** 0.5 - 1)
    x1, x2 = b - g * (b - a), a + g * (b - a)
    f1, f2 = f(x1), f(x2)
    for _ in range(60):
        if f1 > f2:
            b, x2, f2 = x2, x1, f1
            x1 = b - g * (b - a)
            f1 = f(x1)
        else:
            a, x1, f1 = x1, x2, f2
            x2 = a + g * (b - a)
            f2 = f(x2)
    return 0.5 * (a + b)


def dirichlet_strength(rows, m):
    rows = rows[rows.sum(1) > 0]

    def objective(ls):
        s = math.exp(ls)
        a = s * m
        return (gammaln(s) - gammaln(s + rows.sum(1))).sum() + np.where(rows > 0, gammaln(a + rows) - gammaln(a), 0).sum()

    return math.exp(golden_max(objective, math.log(0.1), math.log(1e5)))


def posterior(V, log_prior, log_m):
    t = np.zeros((len(V), len(log_prior)))
    for k, vs in enumerate(V):
        lv = log_prior.copy()
        for w, l in vs:
            lv += log_m[w, :, l]
        p = np.exp(lv - lv.max())
        t[k] = p / p.sum()
    return t


def vote_shares(V, L):
    t = np.zeros((len(V), L))
    for k, vs in enumerate(V):
        for w, l in vs:
            t[k, l] += 1 / len(vs)
    return t


def fit_ds(V, W, L):
    t = vote_shares(V, L)
    for _ in range(500):
        counts = np.full((W, L, L), 1e-9)
        for k, vs in enumerate(V):
            for w, l in vs:
                counts[w, :, l] += t[k]
        m = counts / counts.sum(2, keepdims=True)
        prior = t.sum(0) + 1e-9
        prior /= prior.sum()
        new = posterior(V, np.log(prior), np.log(m))
        moved, t = np.abs(new - t).max(), new
        if moved < 1e-6:
            break
    return m, prior


def effective_scale(rows, squares):
    """Per row, n / sum(t^2): the factor that brings a row of posterior-weighted counts (n = sum t) to its
    effective size (Kish's (sum t)^2 / sum t^2), at which credence fits the pooling strength since session
    24 (`categorical::pooled_rows`). Figures quoted from this replica before session 24 fitted it on the
    rows as they are."""
    n = rows.sum(1)
    return np.divide(n, squares, out=np.ones_like(n), where=squares > 0)[:, None]


def fit_em(V, W, L):
    t = vote_shares(V, L)
    log_prior = np.full(L, -math.log(L))
    for _ in range(500):
        counts = np.zeros((W, L, L))
        squares = np.zeros((W, L))  # sum of each row's squared weights, for its effective size
        for k, vs in enumerate(V):
            if len(vs) < 2:
                continue
            for w, l in vs:
                counts[w, :, l] += t[k]
                squares[w] += t[k] ** 2
        accuracy = sum(counts[:, j, j].sum() for j in range(L)) / counts.sum()
        off = (1 - accuracy) / (L - 1)
        log_m = np.zeros((W, L, L))
        for j in range(L):
            mean = np.array([L * (accuracy if l == j else off) + 1e-9 for l in range(L)]) + counts[:, j, :].sum(0)
            mean /= mean.sum()
            rows = counts[:, j, :]
            s = dirichlet_strength(rows * effective_scale(rows, squares[:, j]), mean)
            log_m[:, j, :] = np.log((rows + s * mean) / (rows.sum(1, keepdims=True) + s))
        new = posterior(V, log_prior, log_m)
        moved, t = np.abs(new - t).max(), new
        c = t.sum(0) + 1
        log_prior = np.log(c / c.sum())
        if moved < 1e-6:
            break
    return np.exp(log_m), np.exp(log_prior)


def main():
    d, model, n, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    credence = sys.argv[5] if len(sys.argv) > 5 else './target/release/credence'
    # With PLANTED=1, coverage is measured against each worker's planted accuracy (`--gold-sources`)
    # instead of its share correct on the drawn truths.
    planted_only = os.environ.get('PLANTED') == '1'
    votes, labels = load(d)
    L = len(labels)
    stories = sorted(votes)
    sources = sorted({w for v in votes.values() for w, _ in v})
    si = {w: i for i, w in enumerate(sources)}
    li = {l: i for i, l in enumerate(labels)}
    V = [[(si[w], li[v]) for w, v in votes[s]] for s in stories]
    m, prior = (fit_ds if model == 'ds' else fit_em)(V, len(sources), L)
    leads, coverage = [], []
    for r in range(n):
        rng = np.random.default_rng(1000 + r)
        rd = f'{out}/{model}-{r}'
        os.makedirs(rd, exist_ok=True)
        planted = ['--gold-sources', rd + '/gold_sources.csv'] if planted_only else []
        with open(rd + '/claims.csv', 'w') as f, open(rd + '/gold.csv', 'w') as g:
            f.write('claim_id,source,published_at,story_id,stance,value\n')
            g.write('story_id,value\n')
            cid = 0
            for k, s in enumerate(stories):
                truth = rng.choice(L, p=prior)
                g.write(f'{s},{labels[truth]}\n')
                for w, _ in V[k]:
                    cid += 1
                    said = rng.choice(L, p=m[w, truth] / m[w, truth].sum())
                    f.write(f'{cid},{sources[w]},1970-01-01,{s},asserts,{labels[said]}\n')
        # Each worker's planted accuracy: its chance of naming the truth, Σⱼ πⱼ M[j][j].
        with open(rd + '/gold_sources.csv', 'w') as f:
            f.write('source,accuracy\n')
            for w, name in enumerate(sources):
                rows = m[w] / m[w].sum(1, keepdims=True)
                f.write(f'{name},{float(sum(prior[j] * rows[j, j] for j in range(L))):.6f}\n')
        run = subprocess.run([credence, 'eval', '--claims', rd + '/claims.csv', '--gold', rd + '/gold.csv',
                              '--value-kind', 'label', '--methods', 'em,dawid-skene,vote'] + planted,
                             capture_output=True, text=True, check=True)
        # Columns of `credence eval`: method stories decided accuracy value_mae sources spearman coverage
        # p_coverage ...
        table = {line.split()[0]: line.split() for line in run.stdout.splitlines()
                 if line.split() and line.split()[0] in ('em', 'dawid-skene', 'vote')}
        acc = {m: float(row[3]) for m, row in table.items()}
        leads.append(round((acc['em'] - acc['dawid-skene']) * len(stories)))
        coverage.append([float(table[m][i].replace('n/a', 'nan')) for m in ('em', 'dawid-skene') for i in (7, 8)])
        print(f"{model}-{r} em {acc['em']:.4f} dawid-skene {acc['dawid-skene']:.4f} vote {acc['vote']:.4f}; "
              f"coverage, p_coverage: em {table['em'][7]} {table['em'][8]}, "
              f"dawid-skene {table['dawid-skene'][7]} {table['dawid-skene'][8]}")
    a = np.array(leads)
    print(f'{model} worlds: em ahead of dawid-skene by {a.mean():+.2f} stories on average (sd {a.std(ddof=1):.2f}); '
          f'ahead in {(a > 0).sum()}, behind in {(a < 0).sum()}, level in {(a == 0).sum()} of {len(a)}')
    c = np.nanmean(np.array(coverage), 0) if not planted_only else np.array(coverage)[:, [0, 0, 2, 2]].mean(0)
    if planted_only:
        print(f'{model} worlds, mean coverage of the planted accuracies: em {c[0]:.3f}, dawid-skene {c[2]:.3f}')
    else:
        print(f'{model} worlds, mean coverage and p_coverage: em {c[0]:.3f} {c[1]:.3f}, dawid-skene {c[2]:.3f} {c[3]:.3f}')


if __name__ == '__main__':
    main()
