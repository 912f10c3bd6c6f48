"""Probes of em's model of wrong values over free values (session 14; two of the three not in credence).

A replica of em over text values: a report names its story's truth at its source's rate theta, or is
wrong; the truth is one of the values claimed on the story or "none of them"; a source's theta is its
posterior-weighted share of reports right (the textbook EM step, own vote included, a Beta(1, 1) prior);
stories with one report are left out of the fit. What differs is how the wrong reports are modelled:

  coincidence  each wrong report names one given value with probability rho, at most 1/(k - 1) on a story
               of k hypotheses, rho fitted as the expected share of pairs of wrong reports that agree
               (credence's em since session 14, DESIGN.md, "Methods on free values");
  hard         the same, and each story easy (reports at their sources' rates) or hard (every report at
               one shared rate), the share of hard stories and the shared rate fitted by EM: would a prolific
               outlet's disputes be read as hard stories, where its reliability does not count?
  ewens        the wrong reports of a story follow a Chinese restaurant process of concentration alpha
               (Ewens's sampling formula, so a large cluster of one wrong value costs less than rho per
               report), alpha fitted by maximum likelihood on a grid under the posterior.

    python3 scripts/diagnostics/text_wrong_values.py DIR [coincidence|hard|ewens]

DIR holds `claims.csv` and `gold.csv` as `credence convert population` writes them. Prints the share of
gold stories whose most probable value is the gold one, the fitted parameters, and the theta of the bot
capitalbot (the population set's). 60 iterations.
"""

import collections
import csv
import math
import sys


def norm(v):
    try:
        return str(int(float(v)))
    except ValueError:
        return v.strip().lower()


def lse(xs):
    m = max(xs)
    return m + math.log(sum(math.exp(x - m) for x in xs))


def load(path):
    """The gold values as written, the sources by index, and the stories as (id, sorted distinct
    normalised values, [(source, value index)])."""
    gold = {r["story_id"]: r["value"] for r in csv.DictReader(open(path + "/gold.csv"))}
    stories, sources = collections.defaultdict(list), {}
    for r in csv.DictReader(open(path + "/claims.csv")):
        s = sources.setdefault(r["source"], len(sources))
        stories[r["story_id"]].append((s, norm(r["value"])))
    data = []
    for sid, reports in stories.items():
        vals = sorted(set(v for _, v in reports))
        idx = {v: i for i, v in enumerate(vals)}
        data.append((sid, vals, [(s, idx[v]) for s, v in reports]))
    return gold, sources, data


def main():
    path, mode = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "coincidence")
    gold, sources, data = load(path)
    n = len(sources)
    theta, rho, hard, theta_hard, alpha = [0.8] * n, 1.0, 0.1, 0.5, 1.0
    multi = sum(1 for d in data if len(d[2]) >= 2)
    for _ in range(60):
        num, den = [1.0] * n, [2.0] * n
        pairs = same = hard_sum = hard_right = hard_n = 0.0
        parts, posts = [], {}
        for sid, vals, votes in data:
            k = len(vals) + 1
            if len(votes) < 2:
                posts[sid] = None
                continue
            share = min(rho, 1.0 / (k - 1))
            counts = collections.Counter(c for _, c in votes)

            def loglik(rate, spread):
                out = [0.0] * k
                for s, c in votes:
                    t = min(max(rate(s), 1e-9), 1 - 1e-9)
                    for h in range(k):
                        out[h] += math.log(t) if h == c else math.log((1 - t) * spread)
                return out

            if mode == "ewens":
                easy = loglik(lambda s: theta[s], 1.0)
                for h in range(k):
                    wrong = [counts[c] for c in counts if c != h]
                    nw = sum(wrong)
                    easy[h] += (len(wrong) * math.log(alpha) + math.lgamma(alpha) - math.lgamma(alpha + nw)
                                + sum(math.lgamma(x) for x in wrong))
            else:
                easy = loglik(lambda s: theta[s], share)
            p_easy = [math.exp(x - lse(easy)) for x in easy]
            p_hard_story = 0.0
            post = p_easy
            if mode == "hard":
                lh = loglik(lambda s: theta_hard, share)
                le, lhh = math.log(1 - hard) + lse(easy), math.log(hard) + lse(lh)
                p_hard_story = math.exp(lhh - lse([le, lhh]))
                p_hard = [math.exp(x - lse(lh)) for x in lh]
                post = [(1 - p_hard_story) * a + p_hard_story * b for a, b in zip(p_easy, p_hard)]
            posts[sid] = post
            hard_sum += p_hard_story
            for s, c in votes:
                num[s] += (1 - p_hard_story) * post[c]
                den[s] += 1 - p_hard_story
                hard_right += p_hard_story * post[c]
                hard_n += p_hard_story
            total, same_all = len(votes), sum(c * (c - 1) / 2 for c in counts.values())
            for h in range(k):
                ch = counts.get(h, 0)
                pairs += post[h] * (total - ch) * (total - ch - 1) / 2
                same += post[h] * (same_all - ch * (ch - 1) / 2)
                if mode == "ewens":
                    wrong = [counts[c] for c in counts if c != h]
                    parts.append((post[h], sum(wrong), len(wrong)))
        theta = [x / y for x, y in zip(num, den)]
        rho = (same + 1) / (pairs + 2)
        if mode == "hard":
            hard, theta_hard = max(hard_sum / multi, 1e-4), hard_right / max(hard_n, 1e-9)
        if mode == "ewens":
            def ll(a):
                return sum(p * (kk * math.log(a) + math.lgamma(a) - math.lgamma(a + nw))
                           for p, nw, kk in parts if nw > 0)
            alpha = max((ll(math.exp(x / 20)), math.exp(x / 20)) for x in range(-100, 140))[1]
    right = 0
    for sid, vals, _ in data:
        if sid not in gold:
            continue
        post = posts[sid]
        if post is None:
            best = vals[0]
        else:
            j = max(range(len(post)), key=lambda i: post[i])
            best = vals[j] if j < len(vals) else None
        right += best == norm(gold[sid])
    bot = [i for name, i in sources.items() if name.endswith("capitalbot")]
    fitted = {"coincidence": f"rho {rho:.4f}",
              "hard": f"rho {rho:.4f}, hard share {hard:.4f}, its rate {theta_hard:.3f}",
              "ewens": f"alpha {alpha:.3f}"}[mode]
    print(f"{mode}: accuracy {right / len(gold):.4f}; {fitted}; "
          f"capitalbot theta {theta[bot[0]] if bot else float('nan'):.4f}")


if __name__ == "__main__":
    main()
