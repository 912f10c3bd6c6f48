"""Choose em's pooling strength by cross-validated predictive likelihood of held-out answers (no gold).

    python3 scripts/diagnostics/crowd_cv_strength.py [--seeds 1,2] [--folds 5] [--check] DIR [DIR ...]

DIR holds claims.csv / gold.csv from `credence convert crowd`. For every data set:
  * fits em (a vectorised copy of `fit_em` in scripts/diagnostics/crowd_bootstrap.py) with the pooling
    strength either fitted by the Dirichlet-multinomial marginal likelihood ("ml"), held at an absolute value
    s for every class ("s=..."), set to ~0 ("none": s = 1e-9, Dawid-Skene-like rows), or the ml strength
    times a multiplier c each iteration ("c=...");
  * K-fold CV over answers: fit on the other folds, score log p(label) = log sum_j t_k(j) M_w[j, label] for
    every held-out answer, t_k being task k's posterior from the training answers only (the class prior if
    it has none) and M_w the worker's fitted row (the pooled crowd row if it has no training answers);
  * picks the setting with the largest CV log-likelihood (first seed; the other seeds are for stability),
    fits it on all answers and reports gold accuracy vs "ml" and Dawid-Skene (`fit_ds`), with exact McNemar.
With --check it also runs the replica's own loop-based fit_em / fit_ds and compares to the vectorised ones.
Gold is used only for the final accuracies, never for the choice.
"""
import argparse
import csv
import math
import os
import sys
import time

import numpy as np
from scipy import sparse
from scipy.special import gammaln
from scipy.stats import binomtest

# ---------------------------------------------------------------- the replica, from crowd_bootstrap.py
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crowd_bootstrap import dirichlet_strength, effective_scale, fit_ds, fit_em, golden_max, load, posterior, vote_shares  # noqa: E402,F401

# ---------------------------------------------------------------- vectorised versions


class Answers:
    """Answers as parallel arrays (task k, worker w, label l) over nK tasks, W workers, L labels."""

    def __init__(self, k, w, l, nK, W, L):
        self.k, self.w, self.l, self.nK, self.W, self.L = k, w, l, nK, W, L
        N = len(k)
        one = np.ones(N)
        self.T = sparse.csr_matrix((one, (k, np.arange(N))), shape=(nK, N))          # task x answer
        self.S = sparse.csr_matrix((one, (w * L + l, np.arange(N))), shape=(W * L, N))  # (w,l) x answer
        self.n_per_task = np.bincount(k, minlength=nK)
        multi = (self.n_per_task >= 2)[k].astype(float)  # em counts only tasks with >= 2 answers
        self.S_multi = sparse.csr_matrix((multi, (w * L + l, np.arange(N))), shape=(W * L, N))

    def subset(self, mask):
        return Answers(self.k[mask], self.w[mask], self.l[mask], self.nK, self.W, self.L)

    def counts(self, t, multi_only):
        S = self.S_multi if multi_only else self.S
        c = np.asarray(S @ t[self.k]).reshape(self.W, self.L, self.L)  # [w, l, j]
        return c.transpose(0, 2, 1).copy()                              # [w, j, l]

    def posterior(self, log_prior, log_m):
        lv = log_prior + np.asarray(self.T @ log_m[self.w, :, self.l])
        lv -= lv.max(1, keepdims=True)
        p = np.exp(lv)
        return p / p.sum(1, keepdims=True)

    def vote_shares(self):
        onehot = np.zeros((len(self.k), self.L))
        onehot[np.arange(len(self.k)), self.l] = 1
        t = np.asarray(self.T @ onehot)
        n = self.n_per_task[:, None]
        return np.divide(t, n, out=np.zeros_like(t), where=n > 0)


def vfit_ds(A, stall=None):
    """Dawid-Skene's maximum likelihood (1e-9 floor). stall=None: as the replica's fit_ds (500 iterations or
    moved < 1e-6). stall=10: also stop, as credence's `dawid_skene` did until session 22, once the largest change has not
    reached a new minimum for 10 iterations (on Product that stops at iteration ~70-110, before convergence)."""
    L = A.L
    t = A.vote_shares()
    best, since = np.inf, 0
    for _ in range(500):
        counts = A.counts(t, multi_only=False) + 1e-9
        m = counts / counts.sum(2, keepdims=True)
        prior = t.sum(0) + 1e-9
        prior /= prior.sum()
        new = A.posterior(np.log(prior), np.log(m))
        moved, t = np.abs(new - t).max(), new
        if moved < 1e-6:
            break
        if moved < best:
            best, since = moved, 0
        else:
            since += 1
        if stall is not None and since >= stall:
            break
    if stall is not None:  # the Rust M-step after the last E-step; its posterior is the last E-step's t
        counts = A.counts(t, multi_only=False) + 1e-9
        m = counts / counts.sum(2, keepdims=True)
        prior = t.sum(0) + 1e-9
        prior /= prior.sum()
    return m, prior, t


def vfit_em(A, mode='ml', value=1.0, record=None, reading='kish', iterations=500, draws=5):
    """mode: 'ml' (marginal-likelihood strength per class), 'abs' (strength = value for every class),
    'mult' (ml strength times value), 'none' (strength 1e-9: no pooling, the 1e-9 floor).
    reading, how the marginal likelihood reads the rows of posterior-weighted counts: 'kish' (each row at
    its effective size, credence since session 24), 'whole' (as whole votes, credence before), 'sem'
    (stochastic EM: whole counts from classes drawn from the posteriors, `draws` draws an iteration from a
    generator seeded 0, the geometric mean of their strengths; it does not settle to a point)."""
    L = A.L
    t = A.vote_shares()
    log_prior = np.full(L, -math.log(L))
    rng = np.random.default_rng(0)
    for it in range(iterations):
        counts = A.counts(t, multi_only=True)
        squares = A.counts(t * t, multi_only=True).sum(2)  # [w, j]: sum of row j's squared weights
        accuracy = np.trace(counts.sum(0)) / counts.sum()
        off = (1 - accuracy) / (L - 1)
        hard = []
        if reading == 'sem':
            for _ in range(draws):
                z = np.minimum((rng.random(A.nK)[:, None] > np.cumsum(t, 1)).sum(1), L - 1)
                onehot = np.zeros_like(t)
                onehot[np.arange(A.nK), z] = 1
                hard.append(A.counts(onehot, multi_only=True))
        log_m = np.zeros((A.W, L, L))
        strengths = []
        for j in range(L):
            mean = np.array([L * (accuracy if l == j else off) + 1e-9 for l in range(L)]) + counts[:, j, :].sum(0)
            mean /= mean.sum()
            rows = counts[:, j, :]

            def fitted():
                if reading == 'sem':
                    return float(np.exp(np.mean([np.log(dirichlet_strength(h[:, j, :], mean)) for h in hard])))
                if reading == 'whole':
                    return dirichlet_strength(rows, mean)
                return dirichlet_strength(rows * effective_scale(rows, squares[:, j]), mean)
            if mode == 'ml':
                s = fitted()
            elif mode == 'mult':
                s = value * fitted()
            elif mode == 'abs':
                s = value
            elif mode == 'none':
                s = 1e-9
            else:
                raise ValueError(mode)
            strengths.append(s)
            log_m[:, j, :] = np.log((rows + s * mean) / (rows.sum(1, keepdims=True) + s))
        new = A.posterior(log_prior, log_m)
        moved, t = np.abs(new - t).max(), new
        c = t.sum(0) + 1
        log_prior = np.log(c / c.sum())
        if moved < 1e-6:
            break
    if record is not None:
        record['iters'] = it + 1
        record['strengths'] = strengths
    # t is the posterior under the previous prior, as the replica's last step; m and prior as returned.
    return np.exp(log_m), np.exp(log_prior), t


# ---------------------------------------------------------------- scoring


def correct_vector(t, gold_idx):
    """1 where the task's argmax is the gold label and unique (ties count wrong); gold_idx -1 = unknown label."""
    g = t[np.arange(len(t)), np.maximum(gold_idx, 0)]
    mx = t.max(1)
    unique = (t == mx[:, None]).sum(1) == 1
    return (gold_idx >= 0) & (g == mx) & unique


def mcnemar(a, b):
    only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
    p = binomtest(only_a, only_a + only_b, 0.5).pvalue if only_a + only_b else 1.0
    return only_a, only_b, p


SETTINGS = ([('none', 'none', 0.0)] + [(f's={s:g}', 'abs', s) for s in (0.25, 0.5, 1, 2, 4, 8, 16, 32, 64)]
            + [('ml', 'ml', 1.0)] + [(f'c={c:g}', 'mult', c) for c in (0.125, 0.25, 0.5, 2, 4)])
# c=1 is identical to 'ml' and is not refitted.


def fit_mode(A, mode, value, rec=None):
    if mode == 'ds':
        return vfit_ds(A)
    if mode == 'ds-stall':
        return vfit_ds(A, stall=10)
    return vfit_em(A, mode, value, rec)


def cv_loglik(A, mode, value, folds, seed):
    rng = np.random.default_rng(seed)
    N = len(A.k)
    fold = rng.permutation(N) % folds
    total = 0.0
    for f in range(folds):
        tr, te = fold != f, fold == f
        Atr = A.subset(tr)
        m, prior, _ = fit_mode(Atr, mode, value)
        t = Atr.posterior(np.log(prior), np.log(m))  # tasks without training answers get the prior
        kh, wh, lh = A.k[te], A.w[te], A.l[te]
        p = (t[kh] * m[wh, :, lh]).sum(1)
        total += np.log(p).sum()
    return total


def prepare(d):
    votes, labels = load(d)
    stories = sorted(votes)
    sources = sorted({w for v in votes.values() for w, _ in v})
    si = {w: i for i, w in enumerate(sources)}
    li = {l: i for i, l in enumerate(labels)}
    V = [[(si[w], li[v]) for w, v in votes[s]] for s in stories]
    k = np.array([i for i, vs in enumerate(V) for _ in vs])
    w = np.array([a for vs in V for a, _ in vs])
    l = np.array([b for vs in V for _, b in vs])
    A = Answers(k, w, l, len(stories), len(sources), len(labels))
    gold = {r['story_id']: r['value'] for r in csv.DictReader(open(d + '/gold.csv'))}
    sidx = {s: i for i, s in enumerate(stories)}
    gk = np.array([sidx[s] for s in gold if s in sidx])
    gl = np.array([li.get(gold[s], -1) for s in gold if s in sidx])
    n_gold = len(gold)  # gold stories without answers count wrong
    return V, A, gk, gl, n_gold


def run(d, seeds, folds, check, only=None):
    name = d.rstrip('/').split('/')[-1]
    t0 = time.time()
    V, A, gk, gl, n_gold = prepare(d)
    print(f'\n=== {name}: {A.nK} tasks, {A.W} workers, {A.L} labels, {len(A.k)} answers, {n_gold} gold', flush=True)

    def acc_of(t):
        c = correct_vector(t[gk], gl)
        return c, c.sum() / n_gold

    if check:
        ts = time.time()
        m, prior = fit_em(V, A.W, A.L)
        t_rep = posterior(V, np.log(prior), np.log(m))
        m2, prior2, t_v = vfit_em(A, 'ml')
        t_v2 = A.posterior(np.log(prior2), np.log(m2))
        print(f'check em: replica acc {acc_of(t_rep)[1]:.4f}, vectorised acc {acc_of(t_v2)[1]:.4f} '
              f'(last-iteration t: {acc_of(t_v)[1]:.4f}); max|dM| {np.abs(m - m2).max():.2e}, '
              f'max|dprior| {np.abs(prior - prior2).max():.2e} [{time.time() - ts:.1f}s]', flush=True)
        ts = time.time()
        m, prior = fit_ds(V, A.W, A.L)
        t_rep = posterior(V, np.log(prior), np.log(m))
        m2, prior2, _ = vfit_ds(A)
        t_v2 = A.posterior(np.log(prior2), np.log(m2))
        print(f'check ds: replica acc {acc_of(t_rep)[1]:.4f}, vectorised acc {acc_of(t_v2)[1]:.4f}; '
              f'max|dM| {np.abs(m - m2).max():.2e} [{time.time() - ts:.1f}s]', flush=True)

    settings = SETTINGS + [('ds (ref)', 'ds', 0.0), ('ds-stall (ref)', 'ds-stall', 0.0)]
    if only:
        settings = [x for x in settings if x[0] in only or x[0] == 'ml']
    # full-data fits (accuracy reported for every setting, for information only; the choice uses CV)
    full = {}
    for nm, mode, val in settings:
        rec = {}
        m, prior, t_last = fit_mode(A, mode, val, rec)
        # accuracy from the posterior under the returned fit; for ds-stall the last E-step's, as the Rust reports
        t = t_last if mode == 'ds-stall' else A.posterior(np.log(prior), np.log(m))
        full[nm] = (acc_of(t), rec)
    # CV
    cv = {}
    for seed in seeds:
        ts = time.time()
        for nm, mode, val in settings:
            cv[(nm, seed)] = cv_loglik(A, mode, val, folds, seed)
        print(f'  CV seed {seed}: {time.time() - ts:.1f}s', flush=True)
    em_names = [nm for nm, _, _ in SETTINGS if nm in [x[0] for x in settings]]
    chosen = {seed: max(em_names, key=lambda nm: cv[(nm, seed)]) for seed in seeds}
    chosen_abs = {seed: max([n for n in em_names if n.startswith(('s=', 'none'))] + ['ml'],
                            key=lambda nm: cv[(nm, seed)]) for seed in seeds}
    chosen_mult = {seed: max([n for n in em_names if n.startswith('c=')] + ['ml'],
                             key=lambda nm: cv[(nm, seed)]) for seed in seeds}

    hdr = 'setting      ' + ''.join(f'CV-LL seed{s:<4d} ' for s in seeds) + ' full-fit gold acc  iters  strengths(full fit)'
    print(hdr)
    for nm, _, _ in settings:
        (c, a), rec = full[nm]
        st = ','.join(f'{x:.3g}' for x in rec.get('strengths', [])) if rec else ''
        marks = ''.join('*' if chosen[s] == nm else ' ' for s in seeds)
        print(f'{nm:<12s} ' + ''.join(f'{cv[(nm, s)]:>15.2f} ' for s in seeds)
              + f' {a:.4f}{marks:<3s}          {rec.get("iters", ""):>5}  {st}')
    print(f'chosen by CV (all em settings): {chosen}; within absolute s + ml: {chosen_abs}; within multipliers + ml: {chosen_mult}')
    c_ml, a_ml = full['ml'][0]
    c_ds, a_ds = full['ds (ref)'][0]
    c_dr, a_dr = full['ds-stall (ref)'][0]
    if 'ds (ref)' not in full or 'ds-stall (ref)' not in full:
        return
    for seed in seeds:
        nm = chosen[seed]
        c_ch, a_ch = full[nm][0]
        ab, ba, p = mcnemar(c_ch, c_ds)
        abr, bar, pr = mcnemar(c_ch, c_dr)
        ab2, ba2, p2 = mcnemar(c_ch, c_ml)
        print(f'seed {seed}: chosen {nm}: acc {a_ch:.4f} | ml {a_ml:.4f} | ds converged {a_ds:.4f} | ds-stall (credence before session 22) {a_dr:.4f}\n'
              f'    vs ds converged: only chosen {ab}, only ds {ba}, McNemar p {p:.3g}; '
              f'vs ds-stall: only chosen {abr}, only ds {bar}, p {pr:.3g}; '
              f'vs ml: only chosen {ab2}, only ml {ba2}, p {p2:.3g}')
    ab, ba, p = mcnemar(c_ml, c_ds)
    abr, bar, pr = mcnemar(c_ml, c_dr)
    print(f'ml vs ds converged: only ml {ab}, only ds {ba}, p {p:.3g}; ml vs ds-stall: only ml {abr}, only ds {bar}, p {pr:.3g}')
    print(f'[{name}: {time.time() - t0:.1f}s total]', flush=True)
    return dict(name=name, cv=cv, full=full, chosen=chosen)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dirs', nargs='+')
    ap.add_argument('--seeds', default='1,2')
    ap.add_argument('--folds', type=int, default=5)
    ap.add_argument('--check', action='store_true')
    ap.add_argument('--settings', default='', help="comma-separated subset, e.g. 'none,s=1,s=4,c=2,ds (ref)' ('ml' always)")
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(',')]
    for d in a.dirs:
        run(d, seeds, a.folds, a.check, [x.strip() for x in a.settings.split(',') if x.strip()])


if __name__ == '__main__':
    main()
