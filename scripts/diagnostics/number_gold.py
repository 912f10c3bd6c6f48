"""What `credence eval`'s source and claim figures measure on number stories, read from finished runs.

`credence eval` counts a claim correct when its value equals the gold value, and a source's true accuracy
is its share of such claims. On a numeric task that is one ground truth among several: on the Emotion
set 2,030 of the 2,058 exact hits are answers of 0, and on 445 of its 700 stories no rater gave the gold
value at all (the gold is an average of experts' answers), so every claim there is wrong by that rule. This
script puts other ground truths beside it, from the same claims, gold and runs:

* per source, Spearman's rho of the run's `reliability` with the share of exact hits (eval's figure, up to
  the six decimals of `sources.csv`), with minus the mean absolute error, and with minus the mean
  relative error `|x - t| / max(|t|, 1)`;
* log loss and Brier score of `p_correct` (clipped as eval clips it) over all claims on gold stories, over
  those on stories whose gold value some claim gave, and over the rest;
* the area under the ROC curve of `p_correct` against exactness, over all claims on gold stories (how well
  the claims are told apart, before they are summed into records).

    python3 scripts/diagnostics/number_gold.py CLAIMS.csv GOLD.csv RUN_DIR...

Each RUN_DIR is a `credence score --value-kind number` output directory (`sources.csv`, `claims.csv`)
for those claims; claims whose value is not a number are skipped.
"""
import bisect
import collections
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from planted_numbers import spearman  # noqa: E402 (average ranks for ties)


def auc(scored):
    """Mann-Whitney estimate of P(score of a correct claim > score of a wrong one), ties counting half."""
    wrong = sorted(p for p, y in scored if not y)
    right = [p for p, y in scored if y]
    if not wrong or not right:
        return float('nan')
    total = sum(bisect.bisect_left(wrong, p) + (bisect.bisect_right(wrong, p) - bisect.bisect_left(wrong, p)) / 2
                for p in right)
    return total / (len(right) * len(wrong))


def number(s):
    try:
        x = float(s)
    except ValueError:
        return None
    return x if math.isfinite(x) else None


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    claims_path, gold_path, runs = sys.argv[1], sys.argv[2], sys.argv[3:]
    gold = {}
    for r in csv.DictReader(open(gold_path, newline='')):
        t = number(r['value'])
        if t is not None:
            gold[r['story_id']] = t
    claims = {}
    claimed = collections.defaultdict(bool)
    per_source = collections.defaultdict(list)
    for r in csv.DictReader(open(claims_path, newline='')):
        x = number(r.get('value', ''))
        t = gold.get(r['story_id'])
        if x is None or t is None:
            continue
        claims[r['claim_id']] = (x, t, r['story_id'])
        claimed[r['story_id']] |= x == t
        per_source[r['source']].append((x, t))
    sources = sorted(per_source)
    truths = {
        'exact share': [sum(x == t for x, t in per_source[s]) / len(per_source[s]) for s in sources],
        '-abs error': [-sum(abs(x - t) for x, t in per_source[s]) / len(per_source[s]) for s in sources],
        '-rel error': [-sum(abs(x - t) / max(abs(t), 1.0) for x, t in per_source[s]) / len(per_source[s])
                       for s in sources],
    }
    stories = len({s for _, _, s in claims.values()})
    with_gold = sum(1 for s in {s for _, _, s in claims.values()} if claimed[s])
    print(f'{len(claims)} number claims on {stories} gold stories; {with_gold} stories have a claim of the gold '
          f'value; {len(sources)} sources')
    print(f'{"run":<28} ' + ' '.join(f'{k:>12}' for k in truths)
          + '   log loss: all / gold claimed / not   brier: all / gold claimed / not      auc')
    for run in runs:
        rel = {r['source']: float(r['reliability']) for r in csv.DictReader(open(f'{run}/sources.csv', newline=''))}
        rhos = [spearman([rel[s] for s in sources], t) for t in truths.values()]
        loss = {True: [0.0, 0.0, 0], False: [0.0, 0.0, 0]}
        scored = []
        for r in csv.DictReader(open(f'{run}/claims.csv', newline='')):
            c = claims.get(r['claim_id'])
            if c is None:
                continue
            x, t, story = c
            y = 1.0 if x == t else 0.0
            p = min(max(float(r['p_correct']), 1e-6), 1 - 1e-6)
            e = loss[claimed[story]]
            e[0] -= y * math.log(p) + (1 - y) * math.log(1 - p)
            e[1] += (p - y) ** 2
            e[2] += 1
            scored.append((p, x == t))

        def mean(k, keys):
            n = sum(loss[key][2] for key in keys)
            return sum(loss[key][k] for key in keys) / n if n else float('nan')

        parts = [(True, False), (True,), (False,)]
        print(f'{run:<28} ' + ' '.join(f'{r:>12.4f}' for r in rhos) + '   '
              + ' / '.join(f'{mean(0, p):.4f}' for p in parts) + '   '
              + ' / '.join(f'{mean(1, p):.4f}' for p in parts) + f'   {auc(scored):.4f}')


main()
