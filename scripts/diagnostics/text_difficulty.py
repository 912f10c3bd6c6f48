"""Probe: does a GLAD-style continuous story difficulty fix em's reading of a prolific bot? (session 17; not in credence)

On the population set the bot capitalbot gets theta ~ 0.9985 under em and so wins stories where two
editors agree against it, though the gold says it is right on only 1 in 6 of those. A two-class easy/hard
mixture (text_wrong_values.py, `hard`) found no hard stories. This probes the continuous version, GLAD
(Whitehill et al., NIPS 2009, "Whose vote should count more"): a report by source i on story j names the
truth with probability sigmoid(alpha_i * beta_j), alpha_i the source's ability, beta_j > 0 the story's
easiness. On a story of small beta every vote counts nearly alike (the coincidence term decides), so two
agreeing editors beat the bot; in a one-against-one dispute the sign of alpha still favours the bot.

Everything else is the replica of text_wrong_values.py, `coincidence` mode: the truth is one of the
claimed values or "none of them"; a wrong report names a given value with probability rho, at most
1/(k - 1) on a story of k hypotheses, rho fitted as the expected share of pairs of wrong reports that
agree; stories with one report are left out of the fit (and predicted as their one value); 60 iterations.
Models:

  baseline     theta_i per source, the posterior-weighted share of its reports right under Beta(1, 1)
               (the replica, vectorised; reproduces its 0.8182);
  glad tau=T   M-step: maximise the expected complete log-likelihood of alpha and b = log beta plus the
               log priors alpha_i ~ N(mu, sigma^2), b_j ~ N(0, T^2) by L-BFGS (warm-started, 25 steps an
               iteration). mu and sigma by empirical Bayes unless --mu / --sigma fix them: mu the mean of
               the alphas of sources with a report in the fit, sigma^2 the mean of (alpha_i - mu)^2 plus
               each alpha_i's Laplace posterior variance (the plain sd of the modes collapses).
               tau=0 means beta_j = 1 throughout: the logistic-normal prior on theta alone, the control
               that separates the change of prior from the difficulty.

    python3 scripts/diagnostics/text_difficulty.py DIR [--taus 0,0.5,1,2] [--sigma S] [--mu M]

DIR holds `claims.csv` and `gold.csv` as `credence convert population` writes them. Prints, per model,
the share of gold stories whose most probable value is gold's, capitalbot's alpha/theta, the split
against the baseline (gold stories only one model gets right, each way) with an exact two-sided McNemar
p, gold-free over all stories in the fit how often the bot's value wins (and the median easiness) by the
bot's situation, and the gold accuracy by the bot's situation. About 45 s. The tau grid is reported
whole: choosing tau by gold accuracy would be tuning on the gold.
"""

import argparse
import collections
import importlib.util
import math
import os
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit
from scipy.stats import binomtest

ITERATIONS = 60

spec = importlib.util.spec_from_file_location(
    "text_wrong_values", os.path.join(os.path.dirname(os.path.abspath(__file__)), "text_wrong_values.py"))
replica = importlib.util.module_from_spec(spec)
spec.loader.exec_module(replica)


def load(path):
    """Stories as (id, sorted distinct values, [(source, value index)]), read by the replica's own loader;
    the gold normalised like the claims."""
    gold, sources, data = replica.load(path)
    return {k: replica.norm(v) for k, v in gold.items()}, sources, data


def flatten(data):
    """Arrays over the stories with two reports or more: their hypotheses laid end to end (the claimed
    values, then "none"), and each report's source, story and flat hypothesis."""
    multi = [d for d in data if len(d[2]) >= 2]
    offsets, hyp_story, rs, rj, rh = [], [], [], [], []
    h = 0
    for j, (_, vals, votes) in enumerate(multi):
        offsets.append(h)
        hyp_story += [j] * (len(vals) + 1)
        for s, c in votes:
            rs.append(s)
            rj.append(j)
            rh.append(h + c)
        h += len(vals) + 1
    f = dict(multi=multi, offsets=np.array(offsets), hyp_story=np.array(hyp_story),
             rs=np.array(rs), rj=np.array(rj), rh=np.array(rh), n_hyp=h, n_story=len(multi))
    f["k"] = np.bincount(f["hyp_story"])
    f["counts"] = np.bincount(f["rh"], minlength=h).astype(float)
    f["total"] = np.bincount(f["rj"]).astype(float)
    f["same_all"] = np.bincount(f["hyp_story"], weights=f["counts"] * (f["counts"] - 1) / 2)
    return f


def e_step(f, theta_r, rho):
    """Each story's posterior over its hypotheses, flat; theta_r is each report's chance of being right."""
    share = np.minimum(rho, 1.0 / (f["k"] - 1))
    t = np.clip(theta_r, 1e-9, 1 - 1e-9)
    lw = np.log((1 - t) * share[f["rj"]])
    lr = np.log(t)
    base = np.bincount(f["rj"], weights=lw, minlength=f["n_story"])
    ll = base[f["hyp_story"]] + np.bincount(f["rh"], weights=lr - lw, minlength=f["n_hyp"])
    top = np.maximum.reduceat(ll, f["offsets"])
    p = np.exp(ll - top[f["hyp_story"]])
    return p / np.bincount(f["hyp_story"], weights=p)[f["hyp_story"]]


def fit_rho(f, post):
    c, n = f["counts"], f["total"][f["hyp_story"]]
    pairs = np.sum(post * (n - c) * (n - c - 1) / 2)
    same = np.sum(post * (f["same_all"][f["hyp_story"]] - c * (c - 1) / 2))
    return (same + 1) / (pairs + 2)


def run_baseline(f, n_src):
    theta, rho = np.full(n_src, 0.8), 1.0
    n_rep = np.bincount(f["rs"], minlength=n_src)
    for _ in range(ITERATIONS):
        post = e_step(f, theta[f["rs"]], rho)
        q = post[f["rh"]]
        theta = (1 + np.bincount(f["rs"], weights=q, minlength=n_src)) / (2 + n_rep)
        rho = fit_rho(f, post)
    return post, dict(theta=theta, rho=rho)


def m_step_glad(f, q, alpha, b, mu, sigma, tau):
    """Maximise sum_r [q log s(a b) + (1 - q) log s(-a b)] + log priors over alpha and b = log beta."""
    n_src, rs, rj = len(alpha), f["rs"], f["rj"]
    fix_b = tau == 0

    def negobj(x):
        a = x[:n_src]
        bb = b if fix_b else x[n_src:]
        beta = np.exp(bb)
        z = a[rs] * beta[rj]
        ll = np.sum(-q * np.logaddexp(0, -z) - (1 - q) * np.logaddexp(0, z))
        g = q - expit(z)
        ga = np.bincount(rs, weights=g * beta[rj], minlength=n_src) - (a - mu) / sigma ** 2
        obj = ll - np.sum((a - mu) ** 2) / (2 * sigma ** 2)
        if fix_b:
            return -obj, -ga
        gb = np.bincount(rj, weights=g * z, minlength=len(bb)) - bb / tau ** 2
        obj -= np.sum(bb ** 2) / (2 * tau ** 2)
        return -obj, -np.concatenate([ga, gb])

    x0 = alpha if fix_b else np.concatenate([alpha, b])
    x = minimize(negobj, x0, jac=True, method="L-BFGS-B", options=dict(maxiter=25)).x
    return x[:n_src], (b if fix_b else x[n_src:])


def eb_sigma(f, alpha, b, mu, sigma, active):
    """Empirical-Bayes prior sd of alpha, the EM step with a Laplace posterior per source:
    sigma^2 = mean over sources of (alpha_i - mu)^2 + 1 / (Fisher information_i + 1 / sigma^2)."""
    beta_r = np.exp(b)[f["rj"]]
    z = alpha[f["rs"]] * beta_r
    info = np.bincount(f["rs"], weights=beta_r ** 2 * expit(z) * expit(-z), minlength=len(alpha))
    var = 1 / (info + 1 / sigma ** 2)
    return float(np.sqrt(np.mean((alpha[active] - mu) ** 2 + var[active])))


def run_glad(f, n_src, tau, sigma_fixed=None, mu_fixed=None):
    alpha, b, rho = np.full(n_src, math.log(0.8 / 0.2)), np.zeros(f["n_story"]), 1.0
    active = np.bincount(f["rs"], minlength=n_src) > 0
    mu = mu_fixed if mu_fixed is not None else float(alpha[0])
    sigma = sigma_fixed if sigma_fixed is not None else 1.0
    for _ in range(ITERATIONS):
        theta_r = expit(alpha[f["rs"]] * np.exp(b)[f["rj"]])
        post = e_step(f, theta_r, rho)
        alpha, b = m_step_glad(f, post[f["rh"]], alpha, b, mu, sigma, tau)
        rho = fit_rho(f, post)
        if mu_fixed is None:
            mu = float(alpha[active].mean())
        if sigma_fixed is None:
            sigma = eb_sigma(f, alpha, b, mu, sigma, active)
    post = e_step(f, expit(alpha[f["rs"]] * np.exp(b)[f["rj"]]), rho)
    return post, dict(alpha=alpha, beta=np.exp(b), rho=rho, mu=mu, sigma=sigma)


def predictions(data, f, post, gold):
    """Most probable value of each gold story (None for "none of them"), by the replica's rule."""
    where = {d[0]: j for j, d in enumerate(f["multi"])}
    out = {}
    for sid, vals, _ in data:
        if sid not in gold:
            continue
        if sid not in where:
            out[sid] = vals[0]
            continue
        j = where[sid]
        o, k = f["offsets"][j], f["k"][j]
        best = int(np.argmax(post[o:o + k]))
        out[sid] = vals[best] if best < len(vals) else None
    return out


def situation(votes, bot):
    """The bot's situation on a story: absent, alone, all agree, mixed, against one, against two or more."""
    mine = [c for s, c in votes if s == bot]
    if not mine:
        return "bot absent"
    others = [c for s, c in votes if s != bot]
    if not others:
        return "bot alone"
    agree = sum(c == mine[0] for c in others)
    if agree == len(others):
        return "all others agree"
    if agree:
        return "mixed"
    return "none agree: 1 other" if len(others) == 1 else "none agree: 2+ others"


def report(name, pred, base_pred, gold, extra):
    right = {s: pred[s] == gold[s] for s in gold}
    acc = sum(right.values()) / len(gold)
    line = f"{name:<14} accuracy {acc:.4f} ({sum(right.values())}/{len(gold)}); {extra}"
    if base_pred is not None:
        b_right = {s: base_pred[s] == gold[s] for s in gold}
        only_new = sum(right[s] and not b_right[s] for s in gold)
        only_base = sum(b_right[s] and not right[s] for s in gold)
        p = binomtest(only_new, only_new + only_base).pvalue if only_new + only_base else 1.0
        line += f"\n{'':<14} vs baseline: only this right {only_new}, only baseline right {only_base}, McNemar p {p:.3g}"
    print(line, flush=True)
    return right


def bot_wins(data, f, post, bot, beta, name):
    """Gold-free: over all stories in the fit, by the bot's situation, the share where the bot's value is
    the most probable and the median easiness beta."""
    rows = collections.defaultdict(lambda: [0, 0, []])
    for j, (_, vals, votes) in enumerate(f["multi"]):
        sit = situation(votes, bot)
        if sit in ("bot absent", "bot alone"):
            continue
        o, k = f["offsets"][j], f["k"][j]
        mine = next(c for s, c in votes if s == bot)
        r = rows[sit]
        r[0] += int(np.argmax(post[o:o + k])) == mine
        r[1] += 1
        r[2].append(beta[j])
    print(f"{'':<14} all stories, bot's value chosen / n, median beta: " + "; ".join(
        f"{sit} {w}/{n} {np.median(bs):.2f}" for sit, (w, n, bs) in sorted(rows.items())))


def breakdown(data, bot, gold, rights):
    order = ["bot absent", "bot alone", "all others agree", "mixed",
             "none agree: 1 other", "none agree: 2+ others"]
    sit = {sid: situation(votes, bot) for sid, _, votes in data if sid in gold}
    print("\naccuracy on gold stories by capitalbot's situation (right/n):")
    print(f"{'situation':<24}{'n':>5}" + "".join(f"{name:>16}" for name in rights))
    for o in order:
        ids = [s for s in sit if sit[s] == o]
        if not ids:
            continue
        cells = "".join(f"{sum(r[s] for s in ids):>10}/{len(ids):<5}" for r in rights.values())
        print(f"{o:<24}{len(ids):>5}" + cells)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--taus", default="0,0.5,1,2")
    ap.add_argument("--sigma", type=float, default=None, help="fix the prior sd of alpha (else empirical Bayes)")
    ap.add_argument("--mu", type=float, default=None, help="fix the prior mean of alpha (else empirical Bayes)")
    args = ap.parse_args()
    t0 = time.time()
    gold, sources, data = load(args.dir)
    missing = [s for s in gold if s not in {d[0] for d in data}]
    assert not missing, f"gold stories without claims: {len(missing)}"
    f = flatten(data)
    n_src = len(sources)
    bot = next(i for name, i in sources.items() if name.endswith("capitalbot"))
    print(f"{len(data)} stories ({f['n_story']} with two reports or more), {n_src} sources, "
          f"{len(f['rs'])} reports in the fit, {len(gold)} gold stories")

    post, par = run_baseline(f, n_src)
    base_pred = predictions(data, f, post, gold)
    rights = {"baseline": report("baseline", base_pred, None, gold,
                                 f"rho {par['rho']:.4f}; capitalbot theta {par['theta'][bot]:.4f}")}
    bot_wins(data, f, post, bot, np.ones(f["n_story"]), "baseline")
    for tau in [float(x) for x in args.taus.split(",")]:
        post, par = run_glad(f, n_src, tau, args.sigma, args.mu)
        pred = predictions(data, f, post, gold)
        a, beta = par["alpha"], par["beta"]
        bot_stories = np.unique(f["rj"][f["rs"] == bot])
        bot_beta = beta[bot_stories]
        extra = (f"rho {par['rho']:.4f}; mu {par['mu']:.3f}, sigma {par['sigma']:.3f}; "
                 f"capitalbot alpha {a[bot]:.3f}, theta at beta=1 {expit(a[bot]):.4f}, "
                 f"median theta on its stories {np.median(expit(a[bot] * bot_beta)):.4f}; "
                 f"beta quantiles 5/50/95% {np.quantile(beta, [0.05, 0.5, 0.95]).round(3).tolist()}")
        rights[f"glad tau={tau:g}"] = report(f"glad tau={tau:g}", pred, base_pred, gold, extra)
        bot_wins(data, f, post, bot, beta, f"glad tau={tau:g}")
    breakdown(data, bot, gold, rights)
    print(f"\n{time.time() - t0:.1f} s")


if __name__ == "__main__":
    main()
