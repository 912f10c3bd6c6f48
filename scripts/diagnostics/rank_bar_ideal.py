"""The best ranking a judge of claims could give on a `credence gen` corpus: issue 5's rank bar in context.

Issue 5 asks em's ranking of the sources with 20 or more original claims to reach 0.95 of the one that
counting their original claims against the hidden truth gives (`credence eval --run --truth
--min-originals 20` prints both). No method sees that truth. This script judges every original claim as
em does, by everything else on its story (the other independent reports, the official answers, a
resolution), but with what no method has either: every other outlet's TRUE reliability, each responder's
TRUE verdict rates (counted against the true stories), and which reports are silent copies (they, and
attributed relays, carry nothing). Each outlet's reliability is then its exact posterior mean under the
planted Beta(6, 2) (the generator's default), from its resolved claims (known right or wrong) and the
factors c*theta + (1 - c)(1 - theta) of the rest (c: the claim's chance of being right from the rest of
its story; a claim alone on an unanswered, unresolved story adds nothing). Given the other outlets'
reliabilities that is the exact posterior of each outlet's, so no method that reads the same files should
rank systematically better. With `run`, the co-reporters' weights are a run's reliabilities instead.

    python3 scripts/diagnostics/rank_bar_ideal.py GEN_DIR RUN_DIR [truth|run]

GEN_DIR is a `credence gen` folder, RUN_DIR a `credence score` run over it. Prints Spearman's rho of the
judge's reliabilities and of the run's against the true accuracies, over the sources with 20 or more
original claims. Session 15 (EVALUATION.md, "Many small outlets"): with 3,000 outlets this judge reaches
0.94-0.97 of the count, em 0.002-0.009 below it.
"""
import csv, math, sys
from collections import defaultdict
gen, run = sys.argv[1], sys.argv[2]
mode = sys.argv[3] if len(sys.argv) > 3 else 'truth'
acc = {}; originals = {}
for r in csv.DictReader(open(f'{gen}/truth_sources.csv')):
    acc[r['source']] = float(r['accuracy']); originals[r['source']] = int(r['originals'])
est = {r['source']: float(r['reliability']) for r in csv.DictReader(open(f'{run}/sources.csv'))}
theta = acc if mode == 'truth' else est
truth = {r['story_id']: r['truth'] == '1' for r in csv.DictReader(open(f'{gen}/truth_stories.csv'))}
copy = {r['claim_id']: r['copy_of'] for r in csv.DictReader(open(f'{gen}/truth_claims.csv'))}
correct = {r['claim_id']: r['correct'] == '1' for r in csv.DictReader(open(f'{gen}/truth_claims.csv'))}
resolved = {r['story_id']: r['outcome'] for r in csv.DictReader(open(f'{gen}/resolutions.csv'))}
# responder verdict rates given the truth (ideal: counted against the true stories)
cnt = defaultdict(lambda: defaultdict(lambda: [1.0, 1.0]))
answers = defaultdict(list)
for r in csv.DictReader(open(f'{gen}/responses.csv')):
    t = truth[r['story_id']]
    c = cnt[r['responder']][r['verdict']]
    c[0 if t else 1] += 1
    answers[r['story_id']].append((r['responder'], r['verdict']))
tot = {resp: [sum(v[0] for v in d.values()), sum(v[1] for v in d.values())] for resp, d in cnt.items()}
def llr(resp, verdict):
    c = cnt[resp][verdict]; t = tot[resp]
    return math.log(c[0] / t[0]) - math.log(c[1] / t[1])
stories = defaultdict(list)
for r in csv.DictReader(open(f'{gen}/claims.csv')):
    indep = r['attributed_to'] == '' and copy[r['claim_id']] == ''
    stories[r['story_id']].append((r['claim_id'], r['source'], r['stance'] == 'asserts', indep))
def lg(p):
    p = min(max(p, 1e-9), 1 - 1e-9); return math.log(p / (1 - p))
rec = defaultdict(lambda: [0.0, 0.0, []])
for s, cl in stories.items():
    base = sum(llr(a, v) for a, v in answers[s] if v != 'no_comment')
    votes = [(cid, src, st, (1 if st else -1) * lg(theta[src])) for cid, src, st, ind in cl if ind]
    total = base + sum(v[3] for v in votes)
    for cid, src, st, v in votes:
        if s in resolved:
            ok = (resolved[s] == 'true') == st
            rec[src][0 if ok else 1] += 1
            continue
        cav = total - v
        others = len(votes) - 1 + len([1 for a, vv in answers[s] if vv != 'no_comment'])
        if others == 0:
            continue
        c = 1 / (1 + math.exp(-(cav if st else -cav)))
        rec[src][2].append(c)
grid = [(i + 0.5) / 400 for i in range(400)]
def mean(src):
    h, m, cs = rec[src]
    lw = []
    for t in grid:
        l = (6 - 1 + h) * math.log(t) + (2 - 1 + m) * math.log(1 - t)
        for c in cs:
            l += math.log(c * t + (1 - c) * (1 - t))
        lw.append(l)
    top = max(lw); w = [math.exp(x - top) for x in lw]
    return sum(a * b for a, b in zip(w, grid)) / sum(w)
def rank(x):
    o = sorted(range(len(x)), key=lambda i: x[i]); r = [0] * len(x); i = 0
    while i < len(o):
        j = i
        while j + 1 < len(o) and x[o[j + 1]] == x[o[i]]: j += 1
        for k in range(i, j + 1): r[o[k]] = (i + j) / 2
        i = j + 1
    return r
def sp(a, b):
    ra, rb = rank(a), rank(b); n = len(a); ma = sum(ra) / n; mb = sum(rb) / n
    return sum((x - ma) * (y - mb) for x, y in zip(ra, rb)) / (sum((x - ma) ** 2 for x in ra) ** .5 * sum((y - mb) ** 2 for y in rb) ** .5)
S = [s for s in acc if originals[s] >= 20 and s in est]
t = [acc[s] for s in S]
print(f'{gen} [{mode}]: {len(S)} sources; the judge {sp(t, [mean(s) for s in S]):.4f}, the run {sp(t, [est[s] for s in S]):.4f}')
